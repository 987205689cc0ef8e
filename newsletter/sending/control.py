"""What an admin does to sends: schedule, list, pause, resume, cancel, reschedule, retry failed recipients.

Each change is a state-conditioned update of the send's row; workers check the send's status
when they claim a batch and again just before posting it, so a pause or a cancel stops new
batches at once while batches already with the provider finish and are recorded.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select, update
from sqlalchemy.orm import Session, defer

from newsletter.config import Settings
from newsletter.db.models import Batch, Delivery, Issue, Send, utcnow
from newsletter.editorial import get_issue
from newsletter.errors import NotFoundError, SendStateError
from newsletter.sending.freeze import create_send, start_send
from newsletter.sending.progress import counts_by_send
from newsletter.sending.states import B, DeliveryStatus, S, SendStatus, move_deliveries, transition
from newsletter.sending.sweep import cancel_pending_batches


@dataclass(frozen=True)
class SendSummary:
    """One line of `newsletter sends list`."""

    id: int
    issue_title: str
    status: str
    status_reason: str | None
    list_names: str
    recipient_count: int
    scheduled_at: dt.datetime | None
    timezone: str | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


@dataclass(frozen=True)
class FailedRecipient:
    """A recipient the provider refused, and why."""

    email: str
    error: str | None


def list_sends(*, session: Session, limit: int = 50) -> list[SendSummary]:
    """The most recent sends, newest first."""
    rows = session.execute(
        select(Send, Issue.title).join(Issue, Issue.id == Send.issue_id).order_by(Send.id.desc()).limit(limit)
    )
    return [
        SendSummary(s.id, title, s.status, s.status_reason, s.list_names, s.recipient_count,
                    s.scheduled_at, s.timezone, s.started_at, s.finished_at)
        for s, title in rows
    ]


UPCOMING = ("scheduled", "held")  # not started: shown by their time, and can be rescheduled


def send_overview(
    *, session: Session, limit: int = 20
) -> tuple[list[tuple[Send, str]], list[tuple[Send, str]], dict[int, dict[str, int]]]:
    """Sends not yet started (soonest first) and the ``limit`` most recent others (newest
    first), each with its issue's title; and the recent ones' deliveries counted by outcome."""
    query = select(Send, Issue.title).join(Issue, Issue.id == Send.issue_id).options(
        defer(Send.html_template), defer(Send.text_template)  # the rendering is large and not needed
    )
    upcoming = [tuple(row) for row in session.execute(
        query.where(Send.status.in_(UPCOMING)).order_by(Send.scheduled_at, Send.id))]
    recent = [tuple(row) for row in session.execute(
        query.where(Send.status.not_in(UPCOMING)).order_by(Send.id.desc()).limit(limit))]
    return upcoming, recent, counts_by_send(session=session, sends=[send for send, _ in recent])


def get_send(*, session: Session, send_id: int) -> Send:
    """Send ``send_id``, or NotFoundError."""
    send = session.get(Send, send_id)
    if send is None:
        raise NotFoundError(f"there is no send {send_id} (see `newsletter sends list`)")
    return send


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


def reschedule_send(*, session: Session, send_id: int, at: dt.datetime, timezone: str) -> None:
    """Move a scheduled or held send to ``at`` (a UTC moment, from :func:`parse_schedule`),
    shown to admins in ``timezone``. A held send is scheduled again for its new time.

    Refuses a time in the past and a send that has started, finished or been cancelled.
    """
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware (parse_schedule gives it in UTC)")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SendStateError(f"unknown time zone {timezone!r} (use a name like Europe/London or UTC)") from None
    if at <= utcnow():
        raise SendStateError(f"{at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC is in the past")
    changed = session.execute(
        transition(Send, (S.SCHEDULED, S.HELD), S.SCHEDULED, Send.id == send_id,
                   status_reason=None, scheduled_at=at.astimezone(dt.UTC), timezone=timezone)
    )
    if changed.rowcount != 1:
        current = get_send(session=session, send_id=send_id).status
        raise SendStateError(f"send {send_id} is {current}; only a scheduled or held send can be rescheduled")
    session.expire_all()


def failed_recipients(*, session: Session, send_id: int, limit: int | None = None) -> list[FailedRecipient]:
    """The recipients of a send the provider refused (the first ``limit``), by address."""
    get_send(session=session, send_id=send_id)
    rows = session.execute(
        select(Delivery.email, Delivery.error)
        .where(Delivery.send_id == send_id, Delivery.status == "failed")
        .order_by(Delivery.email)
        .limit(limit)
    )
    return [FailedRecipient(email, error) for email, error in rows]


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


def schedule_issue(
    *, session: Session, settings: Settings, issue_id: int, list_names: list[str], at: str | None, timezone: str,
) -> Send:
    """Schedule an approved (ready) issue for wall-clock time ``at`` in ``timezone``, or start
    it now when ``at`` is None: the newsroom's way in, where only an approved issue goes out."""
    scheduled_at = None if at is None else parse_schedule(at, timezone)
    # Claimed first, by a conditional UPDATE: a save landing from now on waits for this
    # transaction and then finds the issue scheduled, so what is rendered is what was approved.
    claimed = session.execute(
        update(Issue).where(Issue.id == issue_id, Issue.status == "ready").values(status="scheduled")
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        get_issue(session=session, issue_id=issue_id)  # NotFoundError for an unknown issue
        raise SendStateError(f"issue {issue_id} is not approved (ready): approve it first")
    session.expire_all()
    return create_send(session=session, settings=settings, issue_id=issue_id, list_names=list_names,
                       scheduled_at=scheduled_at, timezone=None if at is None else timezone)


def parse_schedule(at: str, timezone: str, *, now: dt.datetime | None = None) -> dt.datetime:
    """The UTC moment of wall-clock time ``at`` ("2026-12-04 08:00") in ``timezone``.

    Refuses an unknown zone, a time in the past, and a wall-clock time that does not exist
    in that zone (skipped by a daylight-saving change). A time that happens twice (the
    hour the clocks go back) means the first.
    """
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SendStateError(f"unknown time zone {timezone!r} (use a name like Europe/London or UTC)") from None
    try:
        wall = dt.datetime.fromisoformat(at.strip())
    except ValueError:
        raise SendStateError(f"cannot read the time {at!r} (write it like 2026-12-04 08:00)") from None
    if wall.tzinfo is not None:
        raise SendStateError("give the time without an offset, and the zone separately")
    local = wall.replace(tzinfo=zone)
    moment = local.astimezone(dt.UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != wall:
        raise SendStateError(f"{at} does not exist in {timezone} (the clocks skip it)")
    if moment <= (now or utcnow()):
        raise SendStateError(f"{at} {timezone} is in the past")
    return moment
