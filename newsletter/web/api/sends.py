"""``/api/sends``: see and steer sends (admins only; editors may read a send's report, which
names nobody), as `newsletter sends ...` does.

The send dashboard polls ``GET /api/sends/{id}`` from the browser; scripts use the same
routes with a bearer token. The web app publishes no tasks: after a resume or a retry the
sweep (Celery beat, or the embedded one of `newsletter serve`) queues the send's batches
within NEWSLETTER_POLL_INTERVAL seconds.
"""

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from newsletter.content.models import MAX_DB_INT
from newsletter.db import transaction
from newsletter.db.models import Issue, Send, as_utc, utcnow
from newsletter.errors import ContentError, SendStateError
from newsletter.reports import SendReport, send_report
from newsletter.sending import (
    SendProgress,
    audience,
    cancel_send,
    failed_recipients,
    get_send,
    parse_schedule,
    pause_send,
    reschedule_send,
    resume_send,
    retry_failed,
    send_progress,
)
from newsletter.sending.reads import send_overview
from newsletter.web.api.routing import ApiRoute
from newsletter.web.deps import IdPath, SettingsDep
from newsletter.web.security import Admin, Editor

router = APIRouter(prefix="/sends", tags=["sends"], route_class=ApiRoute)

FINISHED = ("sent", "cancelled")  # nothing changes by itself any more
RECENT_LIMIT = 20


class DeliveryCounts(BaseModel):
    """A started send's recipients by outcome."""

    pending: int = 0
    accepted: int = 0
    failed: int = 0
    suppressed: int = 0
    cancelled: int = 0


class SendOut(BaseModel):
    """A send: what goes to whom, and when."""

    id: int
    issue_id: int
    issue_title: str
    subject: str
    status: str = Field(description="scheduled, held, sending, paused, sent or cancelled")
    status_reason: str | None = Field(description="Why it is held or paused.")
    lists: list[str]
    recipient_count: int = Field(description="Recipients frozen so far: 0 before it starts, all once frozen_at is set.")
    scheduled_at: dt.datetime | None = Field(description="In UTC; null: started at once.")
    timezone: str | None = Field(description="The zone the admin scheduled it in.")
    scheduled_local: str | None = Field(description='The scheduled wall-clock time in that zone, "2026-12-04 08:00".')
    started_at: dt.datetime | None
    frozen_at: dt.datetime | None = Field(description="When its last recipients were frozen into batches.")
    finished_at: dt.datetime | None
    counts: DeliveryCounts | None = Field(None, description="By outcome; null for a send not started.")


class SendList(BaseModel):
    """Sends not yet started, soonest first, and the most recent others, newest first."""

    upcoming: list[SendOut]
    recent: list[SendOut]


class ProgressOut(BaseModel):
    """How far a send has got, counted from its deliveries."""

    send_id: int
    status: str
    status_reason: str | None
    total: int
    pending: int
    accepted: int
    failed: int
    suppressed: int
    cancelled: int
    done: int = Field(description="Recipients with a final outcome.")
    ambiguous_batches: int = Field(description="Batches the provider may have, awaiting its confirmation.")
    retrying: str | None = Field(description="The error a batch waiting for a retry last met.")
    elapsed: float | None = Field(description="Seconds since it started (to its end once finished).")
    rate: float | None = Field(description="Recipients settled per second so far.")
    eta: float | None = Field(description="Seconds until the pending recipients are settled, at that rate.")
    estimated_finish: dt.datetime | None = Field(description="Now plus eta, in UTC.")
    finished: bool = Field(description="Sent or cancelled: nothing changes by itself any more.")
    freezing: bool = Field(description="Recipients are still being frozen into batches: total grows until then.")


class FailedOut(BaseModel):
    email: str
    error: str | None


class FailedList(BaseModel):
    """The recipients the provider refused, by address."""

    send_id: int
    total: int = Field(description="How many failed (``recipients`` may be cut to ``limit``).")
    recipients: list[FailedOut]


class RetryOut(BaseModel):
    retried: int = Field(description="Failed recipients put back in the queue.")
    progress: ProgressOut


class RescheduleIn(BaseModel):
    at: str = Field(description='Wall-clock time in ``timezone``: "2026-12-04 08:00" or "2026-12-04T08:00".',
                    examples=["2026-12-04 08:00"], max_length=40)
    timezone: str = Field("UTC", description="An IANA zone, e.g. Europe/London.", max_length=60)


@router.get("")
def list_sends(viewer: Admin, settings: SettingsDep,
               limit: int = Query(RECENT_LIMIT, ge=1, le=200, description="How many recent sends.")) -> SendList:
    """Every send not yet started (scheduled or held), and the most recent others."""
    with transaction(settings.database_url) as session:
        upcoming, recent = overview(session, limit=limit)
        return SendList(upcoming=upcoming, recent=recent)


@router.get("/{send_id}")
def read_progress(send_id: IdPath, viewer: Admin, settings: SettingsDep) -> ProgressOut:
    """A send's progress: counts by outcome, rate, estimated finish, status (polled by the dashboard)."""
    with transaction(settings.database_url) as session:
        return progress_out(send_progress(session=session, send_id=send_id))


@router.get("/{send_id}/report")
def read_report(send_id: IdPath, viewer: Editor, settings: SettingsDep) -> SendReport:
    """Every delivery's fate: delivered, deferred, bounced, dropped, complaints and unsubscribes
    as the provider reported them, the complaint rate against Gmail's and Yahoo's limit, and the
    recipient domains. Editors may read it too: it is counts, and names nobody."""
    with transaction(settings.database_url) as session:
        return send_report(session=session, send_id=send_id)


@router.post("/{send_id}/pause", responses={409: {"description": "The send is not sending."}})
def pause(send_id: IdPath, viewer: Admin, settings: SettingsDep) -> ProgressOut:
    """Stop starting new batches (those already with the provider finish)."""
    with transaction(settings.database_url) as session:
        pause_send(session=session, send_id=send_id)
        return progress_out(send_progress(session=session, send_id=send_id))


@router.post("/{send_id}/resume", responses={409: {"description": "The send is neither paused nor held."}})
def resume(send_id: IdPath, viewer: Admin, settings: SettingsDep) -> ProgressOut:
    """Continue a paused send, or start a held one now."""
    with transaction(settings.database_url) as session:
        resume_send(session=session, send_id=send_id)
        return progress_out(send_progress(session=session, send_id=send_id))


@router.post("/{send_id}/cancel", responses={409: {"description": "The send is already sent or cancelled."}})
def cancel(send_id: IdPath, viewer: Admin, settings: SettingsDep) -> ProgressOut:
    """Cancel a send: nobody else gets it; its deliveries record who did."""
    with transaction(settings.database_url) as session:
        cancel_send(session=session, send_id=send_id)
        return progress_out(send_progress(session=session, send_id=send_id))


@router.post("/{send_id}/retry", responses={409: {"description": "The send has not started."}})
def retry(send_id: IdPath, viewer: Admin, settings: SettingsDep) -> RetryOut:
    """Send again to the recipients that failed (those of batches still under way: later)."""
    with transaction(settings.database_url) as session:
        count = retry_failed(session=session, send_id=send_id)
        return RetryOut(retried=count, progress=progress_out(send_progress(session=session, send_id=send_id)))


@router.get("/{send_id}/failed")
def list_failed(send_id: IdPath, viewer: Admin, settings: SettingsDep,
                limit: int | None = Query(None, ge=1, le=MAX_DB_INT, description="At most this many.")) -> FailedList:
    """The recipients the provider refused, with its reasons."""
    with transaction(settings.database_url) as session:
        rows = failed_recipients(session=session, send_id=send_id, limit=limit)
        total = send_progress(session=session, send_id=send_id).failed
    return FailedList(send_id=send_id, total=total, recipients=[FailedOut(email=r.email, error=r.error) for r in rows])


@router.post("/{send_id}/reschedule", responses={
    409: {"description": "The send is no longer scheduled or held."},
    422: {"description": "The time cannot be read, does not exist in the zone, or is in the past."},
})
def reschedule(send_id: IdPath, body: RescheduleIn, viewer: Admin, settings: SettingsDep) -> SendOut:
    """Move a scheduled or held send to another time (a held one is scheduled again)."""
    with transaction(settings.database_url) as session:
        get_send(session=session, send_id=send_id)  # 404 before 422
        try:
            at = parse_schedule(body.at, body.timezone)
        except SendStateError as err:
            raise ContentError(str(err)) from None
        reschedule_send(session=session, send_id=send_id, at=at, timezone=body.timezone)
        send = get_send(session=session, send_id=send_id)
        return send_out(send, session.get_one(Issue, send.issue_id).title,
                        lists=audience(session=session, send_ids=[send.id])[send.id])


# Shared with the pages (newsletter.web.admin.sends).

def overview(session: Session, *, limit: int = RECENT_LIMIT) -> tuple[list[SendOut], list[SendOut]]:
    """(sends not yet started, soonest first; the ``limit`` most recent others, with their counts)."""
    upcoming, recent, counts = send_overview(session=session, limit=limit)
    lists = audience(session=session, send_ids=[send.id for send, _ in upcoming + recent])
    return ([send_out(send, title, lists=lists[send.id]) for send, title in upcoming],
            [send_out(send, title, DeliveryCounts(**counts[send.id]), lists=lists[send.id]) for send, title in recent])


def send_out(send: Send, issue_title: str, counts: DeliveryCounts | None = None, *, lists: list[str]) -> SendOut:
    scheduled_at = as_utc(send.scheduled_at) if send.scheduled_at else None
    return SendOut(
        id=send.id, issue_id=send.issue_id, issue_title=issue_title, subject=send.subject, status=send.status,
        status_reason=send.status_reason, lists=lists, recipient_count=send.recipient_count,
        scheduled_at=scheduled_at, timezone=send.timezone,
        scheduled_local=wall_clock(scheduled_at, send.timezone) if scheduled_at else None,
        started_at=as_utc(send.started_at) if send.started_at else None,
        frozen_at=as_utc(send.frozen_at) if send.frozen_at else None,
        finished_at=as_utc(send.finished_at) if send.finished_at else None,
        counts=counts,
    )


def progress_out(progress: SendProgress) -> ProgressOut:
    eta = progress.eta
    return ProgressOut(
        send_id=progress.send_id, status=progress.status, status_reason=progress.status_reason,
        total=progress.total, pending=progress.pending, accepted=progress.accepted, failed=progress.failed,
        suppressed=progress.suppressed, cancelled=progress.cancelled, done=progress.done,
        ambiguous_batches=progress.ambiguous_batches, retrying=progress.retrying, elapsed=progress.elapsed,
        rate=progress.rate, eta=eta,
        estimated_finish=utcnow() + dt.timedelta(seconds=eta) if eta is not None else None,
        finished=progress.status in FINISHED, freezing=progress.freezing,
    )


def zone(name: str | None) -> ZoneInfo | dt.timezone:
    """The zone called ``name``; UTC for none (or one no longer known)."""
    try:
        return ZoneInfo(name) if name else dt.UTC
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def wall_clock(moment: dt.datetime, timezone: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """``moment`` as wall-clock time in ``timezone``."""
    return as_utc(moment).astimezone(zone(timezone)).strftime(fmt)
