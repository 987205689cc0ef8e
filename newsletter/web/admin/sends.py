"""The sends pages: upcoming and recent sends and the dashboard of one send (admins only), and
a started send's report, which names nobody (editors too).

The dashboard is rendered complete on the server (it works without JavaScript, every action
a form posted with the CSRF token); ``/static/send.js`` then polls ``GET /api/sends/{id}``
every 2 seconds and updates the numbers, the status and the buttons in place.
"""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.datastructures import FormData

from newsletter.config import Settings
from newsletter.db import transaction
from newsletter.errors import SendStateError
from newsletter.reports import clicks_chart, export_send_events, send_report
from newsletter.sending import (
    cancel_send,
    failed_recipients,
    get_send,
    pause_send,
    reschedule_send,
    resume_send,
    retry_failed,
    send_progress,
)
from newsletter.web.admin.render import page, see_other, sentence
from newsletter.web.csv_files import csv_response
from newsletter.web.deps import IdPath, SettingsDep
from newsletter.web.forms import field_errors, run_form, text_fields
from newsletter.web.security import Admin, Editor, Viewer
from newsletter.web.views import (
    FINISHED,
    FORMATS,
    ZONES,
    overview,
    progress_out,
    scheduled_for,
    send_view,
    wall_clock,
)

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


@router.get("/{send_id}/report", response_class=HTMLResponse)
def report_page(request: Request, send_id: IdPath, viewer: Editor, settings: SettingsDep) -> HTMLResponse:
    """A started send's report (outcomes, clicks, items ranked, opens) for the newsroom: counts
    only, so editors may read it; the dashboard and its per-recipient parts stay admins'."""
    with transaction(settings.database_url) as session:
        send = get_send(session=session, send_id=send_id)
        info = send_view(session, send)
        report = send_report(session=session, send_id=send_id) if send.started_at else None
    if report is None:
        return page(request, viewer, "send_report_page", status=404, title=f"Send {send_id}: no report yet",
                    send=info, report=None, **FORMATS)
    chart = clicks_chart(report.clicks.by_hour) if report.clicks.tracked else ""
    return page(request, viewer, "send_report_page", title=f"Report: {info.issue_title} (send {send_id})",
                send=info, report=report, click_chart=chart, **FORMATS)


@router.get("/{send_id}/events.csv")
def events_csv(send_id: IdPath, viewer: Admin, settings: SettingsDep) -> StreamingResponse:
    """The send's events recipient by recipient, as CSV: admins only, since it names people."""
    return csv_response(settings, lambda session, out: export_send_events(session=session, send_id=send_id, out=out),
                        f"send-{send_id}-events.csv")


@router.post("/{send_id}/pause", response_class=HTMLResponse)
async def pause(request: Request, send_id: IdPath, viewer: Admin, settings: SettingsDep) -> Response:
    """Stop starting new batches."""
    return await run_form(request, _pause, viewer, settings, send_id)


@router.post("/{send_id}/resume", response_class=HTMLResponse)
async def resume(request: Request, send_id: IdPath, viewer: Admin, settings: SettingsDep) -> Response:
    """Continue a paused send, or send a held one now."""
    return await run_form(request, _resume, viewer, settings, send_id)


@router.get("/{send_id}/cancel", response_class=HTMLResponse)
def confirm_cancel(request: Request, send_id: IdPath, viewer: Admin, settings: SettingsDep) -> HTMLResponse:
    """The confirmation step before cancelling: what it does, and that it cannot be undone."""
    return _dashboard(request, viewer, settings, send_id, confirming=True)


@router.post("/{send_id}/cancel", response_class=HTMLResponse)
async def cancel(request: Request, send_id: IdPath, viewer: Admin, settings: SettingsDep) -> Response:
    """Cancel the send (after the confirmation page)."""
    return await run_form(request, _cancel, viewer, settings, send_id)


@router.post("/{send_id}/retry", response_class=HTMLResponse)
async def retry(request: Request, send_id: IdPath, viewer: Admin, settings: SettingsDep) -> Response:
    """Put the failed recipients back in the queue."""
    return await run_form(request, _retry, viewer, settings, send_id)


@router.post("/{send_id}/reschedule", response_class=HTMLResponse)
async def reschedule(request: Request, send_id: IdPath, viewer: Admin, settings: SettingsDep) -> Response:
    """Move a scheduled or held send to another time, or show the form again with what is wrong."""
    return await run_form(request, _reschedule, viewer, settings, send_id)


def _pause(request: Request, form: FormData, viewer: Viewer, settings: Settings, send_id: int) -> Response:
    try:
        with transaction(settings.database_url) as session:
            pause_send(session=session, send_id=send_id)
    except SendStateError as err:
        return _dashboard(request, viewer, settings, send_id, status=409, error=str(err))
    return see_other(f"/admin/sends/{send_id}", notice="Paused: no new batch starts; batches already with "
                     "the provider finish.", request=request)


def _resume(request: Request, form: FormData, viewer: Viewer, settings: Settings, send_id: int) -> Response:
    try:
        with transaction(settings.database_url) as session:
            was = get_send(session=session, send_id=send_id).status
            resume_send(session=session, send_id=send_id)
    except SendStateError as err:
        return _dashboard(request, viewer, settings, send_id, status=409, error=str(err))
    notice = "Sending now." if was == "held" else "Resumed: sending again."
    return see_other(f"/admin/sends/{send_id}", notice=notice, request=request)


def _cancel(request: Request, form: FormData, viewer: Viewer, settings: Settings, send_id: int) -> Response:
    try:
        with transaction(settings.database_url) as session:
            cancel_send(session=session, send_id=send_id)
    except SendStateError as err:
        return _dashboard(request, viewer, settings, send_id, status=409, error=str(err))
    return see_other(f"/admin/sends/{send_id}", notice=f"Send {send_id} is cancelled.", request=request)


def _retry(request: Request, form: FormData, viewer: Viewer, settings: Settings, send_id: int) -> Response:
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


def _reschedule(request: Request, form: FormData, viewer: Viewer, settings: Settings, send_id: int) -> Response:
    values = text_fields(form, ("at", "timezone"), strip=True)
    values["timezone"] = values["timezone"] or "UTC"
    try:
        with transaction(settings.database_url) as session:
            send = reschedule_send(session=session, send_id=send_id, at=values["at"], timezone=values["timezone"])
            at, zone = send.scheduled_at, send.timezone
    except SendStateError as err:
        if err.field:  # the time cannot be used: the form again, saying what is wrong with it
            return _dashboard(request, viewer, settings, send_id, status=422, values=values, errors=field_errors(err))
        return _dashboard(request, viewer, settings, send_id, status=409, error=str(err))
    return see_other(f"/admin/sends/{send_id}", notice=f"Rescheduled for {scheduled_for(at, zone)}.", request=request)


def _dashboard(request: Request, viewer: Viewer, settings: Settings, send_id: int, *, status: int = 200,
               error: str | None = None, values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
               confirming: bool = False) -> HTMLResponse:
    with transaction(settings.database_url) as session:
        send = get_send(session=session, send_id=send_id)
        info = send_view(session, send)
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
    chart = clicks_chart(report.clicks.by_hour) if report and report.clicks.tracked else ""
    return page(request, viewer, "send", status=status, title=title, send=info, progress=progress, report=report,
                click_chart=chart,
                failed=failed, failed_total=progress.failed, failed_limit=FAILED_SHOWN,
                allowed=ALLOWED, finished_statuses=FINISHED,
                error=sentence(error) if error else None, values=values, errors=errors or {}, zones=zones,
                confirming=confirming, **FORMATS)

