"""``/api/sends``: see and steer sends (admins only; editors may read a send's report, which
names nobody), as `newsletter sends ...` does.

The send dashboard polls ``GET /api/sends/{id}`` from the browser; scripts use the same
routes with a bearer token. The web app publishes no tasks: after a resume or a retry the
sweep (Celery beat, or the embedded one of `newsletter serve`) queues the send's batches
within NEWSLETTER_POLL_INTERVAL seconds.
"""

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from newsletter.content.models import MAX_DB_INT
from newsletter.db import transaction
from newsletter.reports import SendReport, send_report
from newsletter.sending import (
    cancel_send,
    failed_recipients,
    pause_send,
    reschedule_send,
    resume_send,
    retry_failed,
    send_progress,
)
from newsletter.web.api.routing import ApiRoute
from newsletter.web.deps import IdPath, SettingsDep
from newsletter.web.security import Admin, Editor
from newsletter.web.views import (
    RECENT_LIMIT,
    ProgressOut,
    SendOut,
    overview,
    progress_out,
    send_view,
)

router = APIRouter(prefix="/sends", tags=["sends"], route_class=ApiRoute)


class SendList(BaseModel):
    """Sends not yet started, soonest first, and the most recent others, newest first."""

    upcoming: list[SendOut]
    recent: list[SendOut]


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
        return send_view(session, reschedule_send(session=session, send_id=send_id, at=body.at, timezone=body.timezone))
