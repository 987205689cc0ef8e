"""The sends pages (admins only): upcoming and recent sends, and the dashboard of one send.

The dashboard is rendered complete on the server (it works without JavaScript, every action
a form posted with the CSRF token); ``/static/send.js`` then polls ``GET /api/sends/{id}``
every 2 seconds and updates the numbers, the status and the buttons in place.
"""

import datetime as dt
from typing import Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from newsletter.config import Settings
from newsletter.db import transaction
from newsletter.db.models import Issue
from newsletter.errors import SendStateError
from newsletter.reports import send_report
from newsletter.sending import (
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
from newsletter.web.admin.render import page, see_other, sentence
from newsletter.web.api.sends import (
    FINISHED,
    overview,
    progress_out,
    send_out,
    wall_clock,
)
from newsletter.web.deps import IdPath, SettingsDep
from newsletter.web.security import Admin, Viewer

router = APIRouter(prefix="/admin/sends", tags=["admin"])

# What each action needs the send's status to be (the template shows and send.js toggles them).
ALLOWED = {
    "pause": ("sending",),
    "resume": ("paused",),
    "send_now": ("held",),
    "retry": ("sending", "paused", "sent"),  # and at least one failed recipient
    "cancel": ("scheduled", "held", "sending", "paused"),
    "reschedule": ("scheduled", "held"),
}
FAILED_SHOWN = 500  # rows of the failed recipients table; `newsletter sends failed` has them all
ZONE_REGIONS = ("Africa/", "America/", "Antarctica/", "Arctic/", "Asia/", "Atlantic/", "Australia/", "Europe/",
                "Indian/", "Pacific/")
ZONES = ["UTC"] + sorted(z for z in available_timezones() if z.startswith(ZONE_REGIONS))


@router.get("", response_class=HTMLResponse)
def sends_page(request: Request, viewer: Admin, settings: SettingsDep) -> HTMLResponse:
    """Sends not yet started, soonest first, and the recent ones with their counts."""
    with transaction(settings.database_url) as session:
        upcoming, recent = overview(session)
    return page(request, viewer, "sends", title="Sends", upcoming=upcoming, recent=recent, **FORMATS)


@router.get("/{send_id}", response_class=HTMLResponse)
def send_page(request: Request, send_id: IdPath, viewer: Admin, settings: SettingsDep) -> HTMLResponse:
    """The dashboard of one send."""
    return _dashboard(request, viewer, settings, send_id)


@router.post("/{send_id}/pause", response_class=HTMLResponse)
def pause(request: Request, send_id: IdPath, viewer: Admin, settings: SettingsDep) -> Response:
    """Stop starting new batches."""
    try:
        with transaction(settings.database_url) as session:
            pause_send(session=session, send_id=send_id)
    except SendStateError as err:
        return _dashboard(request, viewer, settings, send_id, status=409, error=str(err))
    return see_other(f"/admin/sends/{send_id}", notice="Paused: no new batch starts; batches already with "
                     "the provider finish.", request=request)


@router.post("/{send_id}/resume", response_class=HTMLResponse)
def resume(request: Request, send_id: IdPath, viewer: Admin, settings: SettingsDep) -> Response:
    """Continue a paused send, or send a held one now."""
    try:
        with transaction(settings.database_url) as session:
            was = get_send(session=session, send_id=send_id).status
            resume_send(session=session, send_id=send_id)
    except SendStateError as err:
        return _dashboard(request, viewer, settings, send_id, status=409, error=str(err))
    notice = "Sending now." if was == "held" else "Resumed: sending again."
    return see_other(f"/admin/sends/{send_id}", notice=notice, request=request)


@router.get("/{send_id}/cancel", response_class=HTMLResponse)
def confirm_cancel(request: Request, send_id: IdPath, viewer: Admin, settings: SettingsDep) -> HTMLResponse:
    """The confirmation step before cancelling: what it does, and that it cannot be undone."""
    return _dashboard(request, viewer, settings, send_id, confirming=True)


@router.post("/{send_id}/cancel", response_class=HTMLResponse)
def cancel(request: Request, send_id: IdPath, viewer: Admin, settings: SettingsDep) -> Response:
    """Cancel the send (after the confirmation page)."""
    try:
        with transaction(settings.database_url) as session:
            cancel_send(session=session, send_id=send_id)
    except SendStateError as err:
        return _dashboard(request, viewer, settings, send_id, status=409, error=str(err))
    return see_other(f"/admin/sends/{send_id}", notice=f"Send {send_id} is cancelled.", request=request)


@router.post("/{send_id}/retry", response_class=HTMLResponse)
def retry(request: Request, send_id: IdPath, viewer: Admin, settings: SettingsDep) -> Response:
    """Put the failed recipients back in the queue."""
    try:
        with transaction(settings.database_url) as session:
            count = retry_failed(session=session, send_id=send_id)
    except SendStateError as err:
        return _dashboard(request, viewer, settings, send_id, status=409, error=str(err))
    if count:
        notice = f"{count:,} failed recipient{'s' if count != 1 else ''} queued again."
    else:
        notice = "No failed recipient to retry now (those of a batch still under way can be retried when it ends)."
    return see_other(f"/admin/sends/{send_id}", notice=notice, request=request)


@router.post("/{send_id}/reschedule", response_class=HTMLResponse)
async def reschedule(request: Request, send_id: IdPath, viewer: Admin, settings: SettingsDep) -> Response:
    """Move a scheduled or held send to another time, or show the form again with what is wrong."""
    form = await request.form()
    values = {"at": str(form.get("at", "")).strip(), "timezone": str(form.get("timezone", "")).strip() or "UTC"}
    try:
        # "2026-12-04T08:00" from the browser's picker, said back as "2026-12-04 08:00" in messages
        at = parse_schedule(values["at"].replace("T", " ", 1), values["timezone"]) if values["at"] else None
    except SendStateError as err:
        at, problem = None, str(err)
    else:
        problem = None if at else "give the date and time to send it"
    if at is None:
        field = "timezone" if problem and "time zone" in problem else "at"
        return _dashboard(request, viewer, settings, send_id, status=422, values=values,
                          errors={field: sentence(problem)})
    try:
        with transaction(settings.database_url) as session:
            reschedule_send(session=session, send_id=send_id, at=at, timezone=values["timezone"])
    except SendStateError as err:
        return _dashboard(request, viewer, settings, send_id, status=409, error=str(err))
    when = f"{wall_clock(at, values['timezone'])} {values['timezone']}"
    if values["timezone"] != "UTC":
        when += f" ({wall_clock(at, 'UTC')} UTC)"
    return see_other(f"/admin/sends/{send_id}", notice=f"Rescheduled for {when}.", request=request)


def _dashboard(request: Request, viewer: Viewer, settings: Settings, send_id: int, *, status: int = 200,
               error: str | None = None, values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
               confirming: bool = False) -> HTMLResponse:
    with transaction(settings.database_url) as session:
        send = get_send(session=session, send_id=send_id)
        info = send_out(send, session.get_one(Issue, send.issue_id).title,
                        lists=audience(session=session, send_ids=[send.id])[send.id])
        progress = progress_out(send_progress(session=session, send_id=send_id))
        failed = failed_recipients(session=session, send_id=send_id, limit=FAILED_SHOWN)
        report = send_report(session=session, send_id=send_id) if send.started_at else None
    if confirming and progress.status not in ALLOWED["cancel"]:
        confirming, status = False, 409
        error = f"send {send_id} is {progress.status}: it can no longer be cancelled"
    if values is None:
        values = {"at": wall_clock(info.scheduled_at, info.timezone, "%Y-%m-%dT%H:%M") if info.scheduled_at else "",
                  "timezone": info.timezone or "UTC"}
    zones = ZONES if values["timezone"] in ZONES else [values["timezone"], *ZONES]
    title = f"Cancel send {send_id}?" if confirming else f"Send {send_id}: {info.issue_title}"
    return page(request, viewer, "send", status=status, title=title, send=info, progress=progress, report=report,
                failed=failed, failed_total=progress.failed, failed_limit=FAILED_SHOWN,
                allowed=ALLOWED, finished_statuses=FINISHED,
                error=sentence(error) if error else None, values=values, errors=errors or {}, zones=zones,
                confirming=confirming, **FORMATS)


def number(n: int | None) -> str:
    return "0" if n is None else f"{n:,}"


def duration(seconds: float | None) -> str:
    """Roughly how long (send.js says it the same way)."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return "under a minute"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min"
    return f"about {minutes // 60} h {minutes % 60} min"


def rate(per_second: float | None) -> str:
    return "—" if per_second is None else f"{per_second:,.1f} recipients a second"


def finish(eta: float | None, at: dt.datetime | None) -> str:
    return "—" if eta is None or at is None else f"{duration(eta)} (around {at:%H:%M} UTC)"


def percent(done: int, total: int) -> int:
    return done * 100 // total if total else 0


def moment(at: dt.datetime | None, timezone: str | None = None) -> dict[str, Any] | None:
    """A time for a ``<time>`` element: ISO (UTC), as UTC, and in ``timezone`` when there is one."""
    if at is None:
        return None
    return {"iso": at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "utc": f"{wall_clock(at, 'UTC')} UTC",
            "local": f"{wall_clock(at, timezone)} {timezone}" if timezone and timezone != "UTC" else None}


FORMATS = {"number": number, "duration": duration, "rate": rate, "finish": finish, "percent": percent,
           "moment": moment}
