"""Issues: the list, the composer, the preview with its checks, approval, test send, scheduling."""

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from starlette.datastructures import FormData

from newsletter.config import Settings
from newsletter.db import transaction
from newsletter.db.models import Send
from newsletter.editorial import get_issue, list_issues
from newsletter.editorial.compose import approve_issue, create_issue
from newsletter.editorial.drafts import IssueFields
from newsletter.editorial.edition_checks import PART_NAMES
from newsletter.editorial.editions import edition_names, edition_statuses, issue_translations
from newsletter.editorial.items import search_items
from newsletter.editorial.preview import draft_content, preview_issue
from newsletter.errors import ContentError, NewsletterError
from newsletter.providers import Provider
from newsletter.sending import schedule_issue
from newsletter.sending.transactional import prepare_test, send_test
from newsletter.subscribers import list_counts
from newsletter.web.admin.render import page, see_other, sentence
from newsletter.web.deps import EditionQuery, IdPath, ProviderDep, SettingsDep
from newsletter.web.forms import field_errors, run_form, text_fields
from newsletter.web.security import Admin, Editor, Viewer
from newsletter.web.views import ZONES, scheduled_for

router = APIRouter(prefix="/admin/issues", tags=["admin"])
# The email is a full document with its own styles: shown in a sandbox, it runs nothing and
# cannot reach the app (no scripts, a unique origin), but it may load the images it links.
EMAIL_FRAME_CSP = ("sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; "
                   "img-src https: http: data:; style-src 'unsafe-inline'; frame-ancestors 'self'")


@router.get("", response_class=HTMLResponse)
def issues(request: Request, viewer: Editor, settings: SettingsDep) -> HTMLResponse:
    """Every issue, newest first."""
    with transaction(settings.database_url) as session:
        rows = list_issues(session=session)
    return page(request, viewer, "issues", title="Issues", issues=rows)


@router.get("/new", response_class=HTMLResponse)
def new_issue_form(request: Request, viewer: Editor) -> HTMLResponse:
    """The form for a new issue (dated the coming Friday)."""
    today = dt.date.today()
    friday = today + dt.timedelta(days=(4 - today.weekday()) % 7)
    return page(request, viewer, "issue_new", title="New issue", errors={},
                values={"title": "The Weekly Brief", "date": friday.isoformat(), "language": "en"})


@router.post("/new", response_class=HTMLResponse)
async def add_issue(request: Request, viewer: Editor, settings: SettingsDep) -> Response:
    """Create a draft and open it in the composer."""
    return await run_form(request, _add_issue, viewer, settings)


@router.get("/{issue_id}", response_class=HTMLResponse)
def composer(request: Request, issue_id: IdPath, viewer: Editor, settings: SettingsDep) -> HTMLResponse:
    """The composer: front matter, sections of items, the inbox to add from."""
    with transaction(settings.database_url) as session:
        issue = get_issue(session=session, issue_id=issue_id)
        inbox = search_items(session=session, unused_only=True)
        editions, translations = edition_statuses(draft_content(issue)), issue_translations(issue)
        session.expunge_all()
    return page(request, viewer, "composer", title=f"Compose: {issue.title}", issue=issue, inbox=inbox,
                editions=editions, translations=translations, part_names=PART_NAMES, main_class="wide")


@router.get("/{issue_id}/preview", response_class=HTMLResponse)
def preview(request: Request, issue_id: IdPath, viewer: Editor, settings: SettingsDep,
            edition: EditionQuery = None) -> HTMLResponse:
    """The email at desktop and phone widths, its text part, the inbox line and the checks;
    ``edition``: one of its language editions."""
    with transaction(settings.database_url) as session:
        issue = get_issue(session=session, issue_id=issue_id)
        shown = preview_issue(issue, settings, edition)
        sends = list(session.scalars(select(Send).where(Send.issue_id == issue_id).order_by(Send.id.desc())))
        lists = list_counts(session=session) if viewer.is_admin else []
        session.expunge_all()
    return page(request, viewer, "preview", title=f"Preview: {issue.title}", issue=issue, preview=shown,
                edition=edition if edition in issue.editions else None, edition_names=edition_names(issue),
                sends=sends, lists=lists, zones=ZONES, main_class="wide")


@router.get("/{issue_id}/email.html", response_class=HTMLResponse)
def email_frame(issue_id: IdPath, viewer: Editor, settings: SettingsDep, edition: EditionQuery = None) -> HTMLResponse:
    """The rendered email as a sample reader gets it (of ``edition``), for the preview's frames."""
    with transaction(settings.database_url) as session:
        shown = preview_issue(get_issue(session=session, issue_id=issue_id), settings, edition)
    html = shown.html or "<p>The email does not render yet: see the checks.</p>"
    return HTMLResponse(html, headers={"Content-Security-Policy": EMAIL_FRAME_CSP})


@router.post("/{issue_id}/approve")
async def approve(request: Request, issue_id: IdPath, viewer: Editor, settings: SettingsDep) -> Response:
    """Draft -> ready, when the checks find no error in the version the editor looked at."""
    return await run_form(request, _approve, viewer, settings, issue_id)


@router.post("/{issue_id}/test-send")
async def test_send(request: Request, issue_id: IdPath, viewer: Editor, settings: SettingsDep,
                    provider: ProviderDep) -> Response:
    """Send the issue, marked [Test], to the signed-in user's own address."""
    return await run_form(request, _test_send, viewer, settings, provider, issue_id)


@router.post("/{issue_id}/schedule")
async def schedule(request: Request, issue_id: IdPath, viewer: Admin, settings: SettingsDep) -> Response:
    """Schedule a ready issue to lists at a time in a zone, or send it now.

    The web app publishes no tasks: the sweep (beat, or the embedded one of `newsletter serve`)
    queues a started send's batches within NEWSLETTER_POLL_INTERVAL seconds.
    """
    return await run_form(request, _schedule, viewer, settings, issue_id)


def _add_issue(request: Request, form: FormData, viewer: Viewer, settings: Settings) -> Response:
    values = text_fields(form, tuple(IssueFields.model_fields))
    try:
        fields = IssueFields.model_validate(values)
    except ValidationError as err:
        return page(request, viewer, "issue_new", title="New issue", values=values, errors=field_errors(err), status=422)
    with transaction(settings.database_url) as session:
        issue_id = create_issue(session=session, fields=fields, editor=viewer.name).id
    return see_other(f"/admin/issues/{issue_id}")


def _approve(request: Request, form: FormData, viewer: Viewer, settings: Settings, issue_id: int) -> Response:
    version = str(form.get("version", ""))
    if not version.isdigit():
        raise ContentError("the form has no issue version; reload the page")
    try:
        with transaction(settings.database_url) as session:
            approve_issue(session=session, settings=settings, issue_id=issue_id, version=int(version),
                          editor=viewer.name)
    except NewsletterError as err:
        return see_other(f"/admin/issues/{issue_id}/preview", notice=sentence(f"Not approved: {err}"), request=request)
    return see_other(f"/admin/issues/{issue_id}/preview", request=request,
                     notice="Approved: the issue is ready" + (" to schedule." if viewer.is_admin else " for an admin to schedule."))


def _test_send(request: Request, form: FormData, viewer: Viewer, settings: Settings, provider: Provider,
               issue_id: int) -> Response:
    try:
        with transaction(settings.database_url) as session:  # rendered inside, sent after
            proof = prepare_test(session=session, settings=settings, issue_id=issue_id, to=viewer.email,
                                 edition=str(form.get("edition") or "") or None)
        send_test(settings=settings, provider=provider, message=proof)
    except NewsletterError as err:
        return see_other(f"/admin/issues/{issue_id}/preview", notice=sentence(f"No test sent: {err}"), request=request)
    return see_other(f"/admin/issues/{issue_id}/preview", notice=f"A test is on its way to {viewer.email}.",
                     request=request)


def _schedule(request: Request, form: FormData, viewer: Viewer, settings: Settings, issue_id: int) -> Response:
    now = "now" in form
    try:
        with transaction(settings.database_url) as session:
            send = schedule_issue(session=session, settings=settings, issue_id=issue_id,
                                  list_names=[str(name) for name in form.getlist("lists")],
                                  at=None if now else str(form.get("at", "")), timezone=str(form.get("timezone", "UTC")))
            send_id, at, zone = send.id, send.scheduled_at, send.timezone
    except NewsletterError as err:
        return see_other(f"/admin/issues/{issue_id}/preview", notice=sentence(f"Not scheduled: {err}"), request=request)
    return see_other(f"/admin/sends/{send_id}", request=request,
                     notice="Sending now." if at is None else f"Scheduled for {scheduled_for(at, zone)}.")
