"""The statuses of sends, batches and deliveries, the moves allowed between them, and the one
helper that moves deliveries and keeps their batch's counters in step.

Values equal the strings stored in the database. A batch counts its deliveries by outcome
(``accepted``, ``failed``, ``suppressed``, ``cancelled``; pending is what is left of its
``size``) in the same transaction that changes them, so progress is read by summing a send's
batch rows, never by counting its deliveries (a million rows a poll). The counts are also the
denominators of the delivery and click reports.

LOCK ORDER, the same in every transaction that touches several of them: a batch row, then its
deliveries, then the send, last (:func:`newsletter.sending.dispatch.finish_send_if_complete`
takes the send's lock only after the rest).
"""

from collections import Counter
from enum import StrEnum

from sqlalchemy import ColumnElement, Update, exists, select, update
from sqlalchemy.orm import Session

from newsletter.db.models import Batch, Delivery, Send, utcnow


class SendStatus(StrEnum):
    """Where a send is: scheduled -> sending -> sent, or held, paused, cancelled on the way."""

    SCHEDULED = "scheduled"
    HELD = "held"  # found too late: waits for an admin
    SENDING = "sending"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    SENT = "sent"


class BatchStatus(StrEnum):
    """Where a batch is (see the diagram in :mod:`newsletter.sending.dispatch`)."""

    PENDING = "pending"
    SUBMITTING = "submitting"  # claimed by a worker, not yet handed to the provider
    POSTING = "posting"  # handed to the provider, no answer yet
    AMBIGUOUS = "ambiguous"  # the provider may have it: awaiting confirmation
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class DeliveryStatus(StrEnum):
    """The fate of one recipient of one send."""

    PENDING = "pending"
    ACCEPTED = "accepted"  # by the provider
    FAILED = "failed"
    SUPPRESSED = "suppressed"  # unsubscribed or suppressed since the freeze
    CANCELLED = "cancelled"  # the send was cancelled before it reached them


S, B, D = SendStatus, BatchStatus, DeliveryStatus

SEND_TRANSITIONS: dict[SendStatus, frozenset[SendStatus]] = {
    S.SCHEDULED: frozenset({S.SENDING, S.HELD, S.CANCELLED, S.SCHEDULED}),  # rescheduled: stays
    S.HELD: frozenset({S.SENDING, S.CANCELLED, S.SCHEDULED}),
    S.SENDING: frozenset({S.PAUSED, S.CANCELLED, S.SENT}),
    S.PAUSED: frozenset({S.SENDING, S.CANCELLED, S.SENT}),
    S.SENT: frozenset({S.SENDING}),  # an admin retries its failed recipients
    S.CANCELLED: frozenset(),
}

BATCH_TRANSITIONS: dict[BatchStatus, frozenset[BatchStatus]] = {
    # done, failed or pending again: confirmed by the webhook, or the answer of a worker whose
    # batch was taken back while it waited for the provider
    B.PENDING: frozenset({B.SUBMITTING, B.CANCELLED, B.DONE, B.FAILED, B.PENDING}),
    B.SUBMITTING: frozenset({B.POSTING, B.PENDING}),
    B.POSTING: frozenset({B.DONE, B.FAILED, B.PENDING, B.AMBIGUOUS}),
    B.AMBIGUOUS: frozenset({B.DONE, B.FAILED, B.PENDING}),
    B.DONE: frozenset({B.PENDING}),  # its failed recipients retried
    B.FAILED: frozenset({B.PENDING}),
    B.CANCELLED: frozenset(),
}

DELIVERY_TRANSITIONS: dict[DeliveryStatus, frozenset[DeliveryStatus]] = {
    D.PENDING: frozenset({D.ACCEPTED, D.FAILED, D.SUPPRESSED, D.CANCELLED}),
    D.ACCEPTED: frozenset({D.FAILED}),  # dropped by the provider after all
    D.FAILED: frozenset({D.PENDING}),  # retried
    D.SUPPRESSED: frozenset(),
    D.CANCELLED: frozenset(),
}

UNFINISHED_BATCHES = (B.PENDING, B.SUBMITTING, B.POSTING, B.AMBIGUOUS)
COUNTED = (D.ACCEPTED, D.FAILED, D.SUPPRESSED, D.CANCELLED)  # a column of each on batches


def transition(model: type[Send] | type[Batch], from_: StrEnum | tuple[StrEnum, ...], to: StrEnum,
               *where: ColumnElement[bool], **values: object) -> Update:
    """The state-conditioned UPDATE that moves sends or batches matching ``where`` from
    ``from_`` (one status or several) to ``to``, setting ``values`` too.

    Every status change of a send or a batch is made with it, so an edge missing from the
    table (a programming error) fails the first time it is tried, in the tests.
    """
    table = SEND_TRANSITIONS if model is Send else BATCH_TRANSITIONS
    sources = from_ if isinstance(from_, tuple) else (from_,)
    for source in sources:
        if to not in table[source]:
            raise ValueError(f"a {'send' if model is Send else 'batch'} cannot go from {source} to {to}")
    condition = model.status == sources[0] if len(sources) == 1 else model.status.in_(sources)
    return update(model).where(condition, *where).values(status=to, **values)


def move_deliveries(
    session: Session, *, send_id: int, where: list[ColumnElement[bool]], from_: DeliveryStatus,
    to: DeliveryStatus, batch_number: int | None = None, **values: object,
) -> int:
    """Move the send's deliveries matching ``where`` from ``from_`` to ``to`` and count the
    move on their batches, in this transaction; how many moved.

    With ``batch_number`` the move is confined to that batch (the hot path: one statement and
    its row count); without, the batches are read back from the moved rows. The caller holds
    the batches' rows first, or takes no other lock after (LOCK ORDER).
    """
    if to not in DELIVERY_TRANSITIONS[from_]:
        raise ValueError(f"a delivery cannot go from {from_} to {to}")
    statement = (
        update(Delivery)
        .where(Delivery.send_id == send_id, Delivery.status == from_, *where)
        .values(status=to, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if batch_number is not None:
        moved = Counter({batch_number: session.execute(statement.where(Delivery.batch_number == batch_number)).rowcount})
    else:
        moved = Counter(session.scalars(statement.returning(Delivery.batch_number)))
    for number, count in sorted(moved.items()):
        if count:
            count_move(session, send_id=send_id, batch_number=number, from_=from_, to=to, count=count)
    return sum(moved.values())


def count_move(session: Session, *, send_id: int, batch_number: int, from_: DeliveryStatus,
               to: DeliveryStatus, count: int) -> None:
    """Record on a batch that ``count`` of its deliveries went from ``from_`` to ``to``."""
    changes = {}
    if from_ in COUNTED:
        changes[from_.value] = getattr(Batch, from_.value) - count
    if to in COUNTED:
        changes[to.value] = getattr(Batch, to.value) + count
    session.execute(update(Batch).where(Batch.send_id == send_id, Batch.number == batch_number).values(**changes))


def lock_batch(session: Session, send_id: int, number: int) -> bool:
    """Lock a batch's row first, before its deliveries (LOCK ORDER); False if there is none."""
    locked = session.execute(
        select(Batch.id).where(Batch.send_id == send_id, Batch.number == number).with_for_update()
    ).first()
    return locked is not None


def lock_send(session: Session, send_id: int, *where: ColumnElement[bool]) -> bool:
    """Lock a send's row last, after its batches and deliveries (LOCK ORDER), if it matches
    ``where``; False if it does not.

    FOR NO KEY UPDATE: a transaction that updated a batch row twice holds a KEY SHARE lock on
    its send (PostgreSQL checks the batch's foreign key again), and FOR UPDATE would conflict
    with the other workers' KEY SHARE locks, and deadlock.
    """
    locked = session.execute(
        select(Send.id).where(Send.id == send_id, *where).with_for_update(key_share=True)
    ).first()
    return locked is not None


def finish_if_complete(session: Session, send_id: int) -> bool:
    """Mark a sending or paused send ``sent`` once all its recipients are frozen and none of
    its batches is unfinished; True if this call finished it.

    The send's row is locked first, and only then are its batches looked at, in a statement of
    its own. Two transactions recording a send's last two batches at once would otherwise each
    see the other's batch as unfinished (READ COMMITTED) and leave the send ``sending`` for
    ever; with the lock, the second waits for the first to commit and then sees both done.
    The lock is taken last of all (LOCK ORDER), after the batch and its deliveries.
    """
    if not lock_send(session, send_id, Send.status.in_((S.SENDING, S.PAUSED)), Send.frozen_at.is_not(None)):
        return False
    unfinished = session.scalar(
        select(exists().where(Batch.send_id == send_id, Batch.status.in_(UNFINISHED_BATCHES)))
    )
    if unfinished:
        return False
    finished = session.execute(transition(Send, (S.SENDING, S.PAUSED), S.SENT, Send.id == send_id,
                                          finished_at=utcnow(), status_reason=None))
    return finished.rowcount == 1


def cancel_pending_batches(*, session: Session, send_id: int | None = None) -> None:
    """Cancel the pending batches (and their pending deliveries) of cancelled sends."""
    cancelled = exists().where(Send.id == Batch.send_id, Send.status == S.CANCELLED)
    conditions = [cancelled] + ([Batch.send_id == send_id] if send_id else [])
    batches = session.execute(
        transition(Batch, B.PENDING, B.CANCELLED, *conditions, finished_at=utcnow())
        .returning(Batch.send_id, Batch.number)
    ).all()
    by_send: dict[int, list[int]] = {}
    for batch_send_id, number in batches:
        by_send.setdefault(batch_send_id, []).append(number)
    for batch_send_id, numbers in by_send.items():
        move_deliveries(session, send_id=batch_send_id, where=[Delivery.batch_number.in_(numbers)],
                        from_=DeliveryStatus.PENDING, to=DeliveryStatus.CANCELLED)


def state_diagram() -> str:
    """The transition tables as Mermaid state diagrams (docs/sending-states.md is this text)."""
    parts = []
    for title, table in (("Send", SEND_TRANSITIONS), ("Batch", BATCH_TRANSITIONS), ("Delivery", DELIVERY_TRANSITIONS)):
        lines = [f"## {title}", "", "```mermaid", "stateDiagram-v2"]
        lines += [f"    {source} --> {target}" for source in table for target in sorted(table[source])]
        parts.append("\n".join(lines + ["```", ""]))
    return "\n".join(parts)
