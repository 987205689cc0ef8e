"""What an admin does to a send: pause, resume, cancel, reschedule, retry failed recipients.

Each change is a state-conditioned update through :func:`newsletter.sending.states.transition`;
workers check the send's status when they claim a batch and again just before posting it,
so a pause or a cancel stops new batches at once while batches already with the provider
finish and are recorded.
"""

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newsletter.db.models import Batch, Delivery, Issue, Send, utcnow
from newsletter.errors import SendStateError
from newsletter.sending.create import schedule_moment, start_send
from newsletter.sending.reads import get_send
from newsletter.sending.states import (
    B,
    DeliveryStatus,
    S,
    SendStatus,
    cancel_pending_batches,
    move_deliveries,
    transition,
)


def pause_send(*, session: Session, send_id: int) -> None:
    """Stop a sending send from starting new batches."""
    _change(session, send_id, (S.SENDING,), S.PAUSED, "paused by an admin")

def resume_send(*, session: Session, send_id: int) -> None:
    """Continue a paused send (its pending batches queued again), or start a held one now."""
    send = get_send(session=session, send_id=send_id)
    if send.status == S.HELD:
        if not start_send(session=session, send_id=send_id, from_=S.HELD):
            raise SendStateError(f"send {send_id} is no longer held; reload and try again")
        session.expire_all()
        return
    _change(session, send_id, (S.PAUSED,), S.SENDING, None)
    _requeue_pending(session, send_id)

def cancel_send(*, session: Session, send_id: int) -> None:
    """Cancel a send not yet finished: nobody else receives it, and the deliveries record who did.

    Batches already with the provider finish and are recorded; pending ones are cancelled.
    A send cancelled before it started returns its issue to draft.
    """
    send = get_send(session=session, send_id=send_id)
    never_started = send.started_at is None
    _change(session, send_id, (S.SCHEDULED, S.HELD, S.SENDING, S.PAUSED), S.CANCELLED, None, finished_at=utcnow())
    cancel_pending_batches(session=session, send_id=send_id)
    if never_started:
        session.get_one(Issue, send.issue_id).status = "draft"

def reschedule_send(*, session: Session, send_id: int, at: str | dt.datetime, timezone: str) -> Send:
    """Move a scheduled or held send to wall-clock time ``at`` in ``timezone``, read as
    :func:`~newsletter.sending.create.schedule_issue` reads it (a moment from
    :func:`parse_schedule` is taken as it is); the send as it is now. A held send is scheduled
    again for its new time.

    Refuses a time that cannot be used (SendStateError naming ``at`` or ``timezone``) and a
    send that has started, finished or been cancelled.
    """
    get_send(session=session, send_id=send_id)  # NotFoundError before the time is read
    moment = schedule_moment(at, timezone)
    changed = session.execute(
        transition(Send, (S.SCHEDULED, S.HELD), S.SCHEDULED, Send.id == send_id,
                   status_reason=None, scheduled_at=moment, timezone=timezone)
    )
    if changed.rowcount != 1:
        current = get_send(session=session, send_id=send_id).status
        raise SendStateError(f"send {send_id} is {current}; only a scheduled or held send can be rescheduled")
    session.expire_all()
    return get_send(session=session, send_id=send_id)

def retry_failed(*, session: Session, send_id: int) -> int:
    """Put a send's failed recipients back in the queue; how many. The send is sending again.

    Recipients of a batch still under way are left failed until it finishes (retry again then).
    """
    send = get_send(session=session, send_id=send_id)
    if send.status not in ("sending", "paused", "sent"):
        raise SendStateError(f"send {send_id} is {send.status}: only a started send has recipients to retry")
    failed = (Delivery.send_id == send_id, Delivery.status == "failed")
    numbers = set(session.scalars(select(Delivery.batch_number).where(*failed).distinct()))
    if not numbers:
        return 0
    # Only finished batches: a batch under way records just the recipients it loaded, so one
    # of its recipients made pending now would be left behind in a finished batch.
    reopened = list(session.scalars(  # batches before deliveries: the LOCK ORDER of dispatch
        transition(Batch, (B.DONE, B.FAILED), B.PENDING, Batch.send_id == send_id, Batch.number.in_(numbers),
                   retry_at=None, queued_at=None, finished_at=None)
        .returning(Batch.number)
    ))
    if not reopened:
        return 0
    count = move_deliveries(session, send_id=send_id, where=[Delivery.batch_number.in_(reopened)],
                            from_=DeliveryStatus.FAILED, to=DeliveryStatus.PENDING)
    session.execute(transition(Send, S.SENT, S.SENDING, Send.id == send_id, finished_at=None))
    session.expire_all()
    return count

def _change(session: Session, send_id: int, allowed: tuple[SendStatus, ...], status: SendStatus, reason: str | None,
            **values: object) -> None:
    changed = session.execute(
        transition(Send, allowed, status, Send.id == send_id, status_reason=reason, **values)
    )
    if changed.rowcount != 1:
        current = get_send(session=session, send_id=send_id).status
        raise SendStateError(f"send {send_id} is {current}; only a {' or '.join(allowed)} send can be made {status}")
    session.expire_all()

def _requeue_pending(session: Session, send_id: int) -> None:
    session.execute(
        update(Batch).where(Batch.send_id == send_id, Batch.status == B.PENDING).values(retry_at=None, queued_at=None)
    )
