"""Freezing a started send's recipients into batches.

The recipients are frozen in chunks of set-based SQL, each one INSERT ... SELECT of
deliveries already numbered into batches, then the batches. Each chunk commits on its own
and its batches are queued at once, so the first batches of a million-recipient send go out
while the rest freeze (one statement took 4-11 s before anything could be sent). A send is
not finished before its last chunk (``frozen_at``).

Who freezes: the process that started the send (``workers.tasks.queue_send``) or the sweep,
which starts the freeze of sends started elsewhere (the web app queues nothing itself) and
takes over one whose process died (see :func:`sends_to_freeze`). Recipients are those
eligible when their chunk is frozen; whoever leaves before their batch is sent is skipped.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from newsletter.config import Settings
from newsletter.db.engine import transaction
from newsletter.db.models import (
    Batch,
    Delivery,
    Send,
    SendList,
    Subscriber,
    Subscription,
    utcnow,
)
from newsletter.sending.editions import reader_edition, send_editions
from newsletter.sending.states import finish_if_complete

FREEZING = ("sending", "paused")  # a paused send keeps freezing; it just sends nothing
FREEZE_CHUNK_BATCHES = 50  # batches frozen per transaction (~0.2 s for 50,000 recipients on PostgreSQL)








def freeze_send(
    *, settings: Settings, send_id: int, on_batches: Callable[[list[int]], object] | None = None
) -> None:
    """Freeze what is left of a send's recipients, one chunk per transaction, and pass each
    chunk's new batch ids to ``on_batches`` once it has committed, to queue them (without it,
    the sweep queues them)."""
    while True:
        with transaction(settings.database_url) as session:
            chunk = freeze_chunk(session=session, settings=settings, send_id=send_id, queued=on_batches is not None)
        if chunk is None:
            return
        if chunk.batch_ids and on_batches is not None:
            on_batches(chunk.batch_ids)
        if chunk.last:
            return


@dataclass(frozen=True)
class FrozenChunk:
    """The batches one chunk of a freeze made, and whether it was the last."""

    batch_ids: list[int]
    last: bool


def freeze_chunk(*, session: Session, settings: Settings, send_id: int, queued: bool) -> FrozenChunk | None:
    """Freeze the next FREEZE_CHUNK_BATCHES batches of a send's recipients, marked ``queued``
    if the caller queues them; None if none are left to freeze (or the send was cancelled).

    A recipient is confirmed on one of the send's lists and not suppressed, and is frozen once
    even if on several lists. Chunks follow subscriber ids: each goes on after the highest
    one frozen so far (read from the send's unique index on deliveries). The first statement
    updates the send's row, so two freezers (one the sweep took over from, say) take turns on
    its lock, each going on from where the other committed: nobody is frozen twice or skipped.
    """
    now = utcnow()
    claimed = session.execute(
        update(Send)
        .where(Send.id == send_id, Send.frozen_at.is_(None), Send.status.in_(FREEZING))
        .values(freeze_progress_at=now)
        .returning(Send.id)
    ).first()
    if claimed is None:
        return None
    frozen_through = session.scalar(select(func.max(Delivery.subscriber_id)).where(Delivery.send_id == send_id))
    list_ids = list(session.scalars(select(SendList.list_id).where(SendList.send_id == send_id)))
    first = session.scalar(select(func.coalesce(func.max(Batch.number) + 1, 0)).where(Batch.send_id == send_id))
    size = settings.batch_size * FREEZE_CHUNK_BATCHES
    main, editions = send_editions(session, send_id)
    _freeze_recipients(session, send_id, list_ids, after=frozen_through or 0, limit=size,
                       first_batch=first, batch_size=settings.batch_size, main=main, editions=editions)
    per_batch = session.execute(
        select(Delivery.batch_number, func.count())
        .where(Delivery.send_id == send_id, Delivery.batch_number >= first)
        .group_by(Delivery.batch_number)
    ).all()
    batch_ids = []
    if per_batch:
        batch_ids = sorted(session.scalars(
            insert(Batch).returning(Batch.id),
            [{"send_id": send_id, "number": number, "size": count, "status": "pending", "attempts": 0,
              "queued_at": now if queued else None} for number, count in per_batch],
        ))
    frozen = sum(count for _, count in per_batch)
    last = frozen < size
    session.execute(
        update(Send).where(Send.id == send_id)
        .values(recipient_count=Send.recipient_count + frozen, frozen_at=now if last else None)
    )
    if last:
        finish_if_complete(session, send_id)  # its batches may all be done already, or there were none
    return FrozenChunk(batch_ids, last)


def sends_to_freeze(*, session: Session, settings: Settings, now: dt.datetime) -> list[int]:
    """Sends whose freeze nobody is doing: just started by the sweep or an admin, or
    stopped for NEWSLETTER_BATCH_STUCK_AFTER seconds (its process died). Marked as taken."""
    stale = now - dt.timedelta(seconds=settings.batch_stuck_after)
    return sorted(session.scalars(
        update(Send)
        .where(Send.frozen_at.is_(None), Send.status.in_(FREEZING),
               or_(Send.freeze_progress_at.is_(None), Send.freeze_progress_at < stale))
        .values(freeze_progress_at=now)
        .returning(Send.id)
    ))


def _freeze_recipients(session: Session, send_id: int, list_ids: list[int], *, after: int, limit: int,
                       first_batch: int, batch_size: int, main: str | None, editions: list[str]) -> None:
    """Freeze the next ``limit`` recipients, each with the edition of their language
    (sending/editions.py). With editions, each edition's readers are numbered into batches of
    their own, so that a batch is one message: its readers share one rendering."""
    edition = reader_edition(main, editions).label("edition")
    chunk = (
        select(
            Subscriber.id,
            Subscriber.email,
            Subscriber.name,
            func.min(Subscription.list_id).label("list_id"),
            edition,
        )
        .join(Subscription, Subscription.subscriber_id == Subscriber.id)
        .where(
            Subscription.list_id.in_(list_ids),
            Subscription.status == "confirmed",
            Subscriber.status == "active",
            Subscriber.id > after,
            Subscription.subscriber_id > after,  # PostgreSQL would scan a join's other side from the start
        )
        .group_by(Subscriber.id, Subscriber.email, Subscriber.name, *([Subscriber.language] if editions else []))
        .order_by(Subscriber.id)
        .limit(limit)
        .subquery()
    )
    if editions:  # batch k of an edition's readers in this chunk: ranked by (edition, k)
        slot = (func.row_number().over(partition_by=chunk.c.edition, order_by=chunk.c.id) - 1) // batch_size
        chunk = select(chunk, slot.label("slot")).subquery()
        batch = func.dense_rank().over(order_by=(chunk.c.edition, chunk.c.slot)) - 1
    else:
        batch = (func.row_number().over(order_by=chunk.c.id) - 1) // batch_size
    numbered = select(
        literal(send_id),
        literal(first_batch) + batch,
        chunk.c.id,
        chunk.c.list_id,
        chunk.c.email,
        chunk.c.name,
        chunk.c.edition,
        literal("pending"),
    )
    columns = ["send_id", "batch_number", "subscriber_id", "list_id", "email", "name", "edition", "status"]
    session.execute(insert(Delivery).from_select(columns, numbered))




