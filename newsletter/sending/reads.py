"""Reading sends: the list, one send, its progress (from its batches' counters), its audience
and its failed recipients. Nothing here writes."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from newsletter.db.models import Batch, Delivery, Issue, MailingList, Send, SendList, as_utc, utcnow
from newsletter.errors import NotFoundError
from newsletter.sending.states import COUNTED


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

@dataclass(frozen=True)
class SendProgress:
    """Counts of a send's deliveries by status."""

    send_id: int
    status: str
    total: int
    pending: int
    accepted: int
    failed: int
    suppressed: int
    cancelled: int = 0
    ambiguous_batches: int = 0  # batches the provider may have, awaiting confirmation
    retrying: str | None = None  # the error a batch waiting for a retry last met
    status_reason: str | None = None
    elapsed: float | None = None  # seconds since the send started (to its end, once finished)
    freezing: bool = False  # recipients are still being frozen: ``total`` grows until they are all in

    @property
    def done(self) -> int:
        """Deliveries with a final outcome."""
        return self.total - self.pending

    @property
    def rate(self) -> float | None:
        """Recipients settled per second so far."""
        return self.done / self.elapsed if self.elapsed and self.done else None

    @property
    def eta(self) -> float | None:
        """Seconds until the pending recipients are settled, at the rate so far."""
        return self.pending / self.rate if self.rate and self.status == "sending" and not self.freezing else None

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

def send_progress(*, session: Session, send_id: int) -> SendProgress:
    """The progress of send ``send_id``, or NotFoundError."""
    send = session.get(Send, send_id)
    if send is None:
        raise NotFoundError(f"there is no send {send_id}")
    counts = counts_by_send(session=session, sends=[send])[send_id]
    retrying = session.scalar(
        select(Batch.error).where(Batch.send_id == send_id, Batch.status == "pending", Batch.error.is_not(None)).limit(1)
    )
    ambiguous = session.scalar(
        select(func.count()).where(Batch.send_id == send_id, Batch.status == "ambiguous")
    )
    elapsed = None
    if send.started_at is not None:
        elapsed = ((as_utc(send.finished_at) if send.finished_at else utcnow()) - as_utc(send.started_at)).total_seconds()
    return SendProgress(
        send_id=send_id,
        status=send.status,
        total=send.recipient_count,
        pending=counts["pending"],
        accepted=counts["accepted"],
        failed=counts["failed"],
        suppressed=counts["suppressed"],
        cancelled=counts["cancelled"],
        ambiguous_batches=ambiguous,
        retrying=retrying,
        status_reason=send.status_reason,
        elapsed=elapsed,
        freezing=send.started_at is not None and send.frozen_at is None and send.status in ("sending", "paused"),
    )

def counts_by_send(*, session: Session, sends: list[Send]) -> dict[int, dict[str, int]]:
    """Each send's deliveries by outcome (pending, accepted, failed, suppressed, cancelled),
    summed from its batches' counters."""
    counts = {send.id: {"pending": send.recipient_count} | dict.fromkeys(COUNTED, 0) for send in sends}
    if not counts:
        return counts
    sums = [func.coalesce(func.sum(getattr(Batch, outcome.value)), 0) for outcome in COUNTED]
    for send_id, *totals in session.execute(
        select(Batch.send_id, *sums).where(Batch.send_id.in_(list(counts))).group_by(Batch.send_id)
    ):
        for outcome, total in zip(COUNTED, totals, strict=True):
            counts[send_id][outcome.value] = total
            counts[send_id]["pending"] -= total
    return counts

def audience(*, session: Session, send_ids: list[int]) -> dict[int, list[str]]:
    """The names of the lists each of ``send_ids`` goes to, from its audience rows."""
    names: dict[int, list[str]] = {send_id: [] for send_id in send_ids}
    if send_ids:
        for send_id, name in session.execute(
            select(SendList.send_id, MailingList.name).join(MailingList, MailingList.id == SendList.list_id)
            .where(SendList.send_id.in_(send_ids)).order_by(SendList.send_id, MailingList.name)
        ):
            names[send_id].append(name)
    return names

def pending_batch_ids(*, session: Session, send_id: int) -> list[int]:
    """The batches of a send still waiting for a worker, in order."""
    return list(
        session.scalars(
            select(Batch.id).where(Batch.send_id == send_id, Batch.status == "pending").order_by(Batch.number)
        )
    )

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
