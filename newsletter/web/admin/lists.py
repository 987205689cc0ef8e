"""The lists pages (admins only): lists with their counts, a list's members (added and
unsubscribed one by one), CSV import and export, and what the list says about itself."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.datastructures import FormData, UploadFile

from newsletter.config import Settings
from newsletter.content.models import MAX_DB_INT
from newsletter.db import transaction
from newsletter.errors import ContentError
from newsletter.reports import health_chart, list_health
from newsletter.subscribers import (
    SEARCH_STATUSES,
    create_list,
    get_list,
    list_counts,
    normalise_email,
    search_members,
    update_list,
)
from newsletter.subscribers.imports import queue_import, recent_imports, report_of
from newsletter.subscribers.membership import add_subscriber, remove_subscriber
from newsletter.web.admin.render import page, see_other, sentence
from newsletter.web.csv_files import export_response
from newsletter.web.deps import SettingsDep
from newsletter.web.forms import field_errors, run_form, text_fields
from newsletter.web.security import Admin, Viewer

router = APIRouter(prefix="/admin/lists", tags=["admin"])
PAGE_SIZE = 100


@router.get("", response_class=HTMLResponse)
def lists_page(request: Request, viewer: Admin, settings: SettingsDep) -> HTMLResponse:
    """Every list with its members counted by status, and the form to create one."""
    return _lists_page(request, viewer, settings, values={}, errors={})


@router.post("", response_class=HTMLResponse)
async def add_list(request: Request, viewer: Admin, settings: SettingsDep) -> Response:
    """Create a list, or show the form again with what is wrong."""
    return await run_form(request, _add_list, viewer, settings)


@router.get("/{name}", response_class=HTMLResponse)
def list_page(request: Request, name: str, viewer: Admin, settings: SettingsDep, q: str = "", status: str = "",
              page_number: Annotated[int, Query(alias="page", le=MAX_DB_INT // PAGE_SIZE)] = 1) -> HTMLResponse:
    """A list's members, searched by address or name and filtered by status, 100 at a time."""
    return _list_page(request, viewer, settings, name, q=q, status=status, page_number=page_number)


@router.post("/{name}/import", response_class=HTMLResponse)
async def import_csv(request: Request, name: str, viewer: Admin, settings: SettingsDep) -> Response:
    """Queue an uploaded CSV to be imported into the list by a worker; the list page then
    follows its progress and shows its report."""
    return await run_form(request, _queue_import, viewer, settings, name)


@router.post("/{name}/subscribers", response_class=HTMLResponse)
async def add_one(request: Request, name: str, viewer: Admin, settings: SettingsDep) -> Response:
    """Put one person on the list: pending, or confirmed when the admin holds their consent."""
    return await run_form(request, _add_one, viewer, settings, name)


@router.post("/{name}/unsubscribe", response_class=HTMLResponse)
async def unsubscribe_one(request: Request, name: str, viewer: Admin, settings: SettingsDep) -> Response:
    """Take one person off the list, on their behalf; the page they came from is shown again."""
    return await run_form(request, _unsubscribe_one, settings, name)


@router.post("/{name}/about", response_class=HTMLResponse)
async def describe_list(request: Request, name: str, viewer: Admin, settings: SettingsDep) -> Response:
    """Set the list's title, its description (the subscribe page's pitch) and whether it is
    public (offered on every subscriber's preferences page) or private (only to its members)."""
    return await run_form(request, _describe_list, viewer, settings, name)


@router.get("/{name}/export.csv")
def export_csv(name: str, viewer: Admin, settings: SettingsDep, status: str = "confirmed") -> StreamingResponse:
    """The list's members with ``status`` (confirmed, pending, unsubscribed or all) as a CSV download."""
    return export_response(settings, name, status)


def _add_list(request: Request, form: FormData, viewer: Viewer, settings: Settings) -> Response:
    values = text_fields(form, ("name", "title"), strip=True)
    if not values["name"]:
        errors = {"name": "Give the list a name, for example weekly or weekly-es."}
    else:
        try:
            with transaction(settings.database_url) as session:
                create_list(session=session, name=values["name"], title=values["title"] or None)
        except ContentError as err:
            errors = field_errors(err, default="name")
        else:
            return see_other(f"/admin/lists/{values['name']}", notice=f"Created the list {values['name']}.",
                             request=request)
    return _lists_page(request, viewer, settings, values=values, errors=errors, status=422)


def _describe_list(request: Request, form: FormData, viewer: Viewer, settings: Settings, name: str) -> Response:
    values = {**text_fields(form, ("title", "description")),
              **{flag: form.get(flag) == "yes" for flag in ("public", "track_clicks", "track_opens")}}
    try:
        with transaction(settings.database_url) as session:
            update_list(session=session, name=name, title=values["title"], description=values["description"],
                        public=values["public"], track_clicks=values["track_clicks"],
                        track_opens=values["track_opens"])
    except ContentError as err:
        return _list_page(request, viewer, settings, name, about_values=values, status_code=422,
                          about_errors=field_errors(err, default="description"))
    return see_other(f"/admin/lists/{name}", request=request,
                     notice=f"Saved: the list is {'public' if values['public'] else 'private'} and tracks "
                            f"{' and '.join(n for n in ('clicks', 'opens') if values[f'track_{n}']) or 'nothing'}.")


def _unsubscribe_one(request: Request, form: FormData, settings: Settings, name: str) -> Response:
    email = str(form.get("email", ""))
    back = {key: str(form.get(key, "")) for key in ("q", "status", "page") if form.get(key)}
    with transaction(settings.database_url) as session:
        remove_subscriber(session=session, email=email, list_name=name)
    query = f"?{urlencode(back)}" if back else ""
    return see_other(f"/admin/lists/{name}{query}", request=request,
                     notice=f"{email} is unsubscribed from {name}; no import will add them back.")


def _add_one(request: Request, form: FormData, viewer: Viewer, settings: Settings, name: str) -> Response:
    values = {**text_fields(form, ("email", "name"), strip=True), "confirmed": form.get("confirmed") == "yes"}
    try:
        with transaction(settings.database_url) as session:
            status = add_subscriber(session=session, email=values["email"], name=values["name"] or None,
                                    list_name=name, confirmed=values["confirmed"])
    except ContentError as err:
        return _list_page(request, viewer, settings, name, add_values=values, status_code=422,
                          add_error=sentence(str(err)))
    email = normalise_email(values["email"])
    return see_other(f"/admin/lists/{name}?{urlencode({'q': email})}", request=request,
                     notice=f"{email} is on {name}: {status}.")


def _queue_import(request: Request, form: FormData, viewer: Viewer, settings: Settings, name: str) -> Response:
    upload = form.get("file")
    upload = upload if isinstance(upload, UploadFile) and upload.filename else None
    confirmed = form.get("confirmed") == "yes"
    with transaction(settings.database_url) as session:
        get_list(session=session, name=name)  # a missing list is a 404 before anything else
    if upload is None:
        return _list_page(request, viewer, settings, name, confirmed=confirmed, status_code=422,
                          choose_file=True)
    with transaction(settings.database_url) as session:
        queue_import(session=session, list_name=name, filename=upload.filename or "", data=upload.file.read(),
                     confirmed=confirmed, created_by=viewer.email)
    return see_other(f"/admin/lists/{name}", request=request,
                     notice=f"{upload.filename} is uploaded; this page follows its import.")


def _lists_page(request: Request, viewer: Viewer, settings: Settings, *, values: dict[str, str],
                errors: dict[str, str], status: int = 200) -> HTMLResponse:
    with transaction(settings.database_url) as session:
        counts = list_counts(session=session)
    return page(request, viewer, "lists", title="Lists", lists=counts, values=values, errors=errors, status=status)


def _list_page(request: Request, viewer: Viewer, settings: Settings, name: str, *, q: str = "", status: str = "",
               page_number: int = 1, confirmed: bool = False, choose_file: bool = False,
               add_values: dict | None = None, add_error: str | None = None, about_values: dict | None = None,
               about_errors: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    if status and status not in SEARCH_STATUSES:
        raise ContentError(f"status must be one of {', '.join(SEARCH_STATUSES)}")
    page_number = max(page_number, 1)
    with transaction(settings.database_url) as session:
        mailing_list = get_list(session=session, name=name)
        found = search_members(session=session, list_name=name, query=q, status=status or None, limit=PAGE_SIZE,
                               offset=(page_number - 1) * PAGE_SIZE)
        counts = next(c for c in list_counts(session=session) if c.name == name)
        imports = recent_imports(session=session, list_name=name)
        health = health_chart(list_health(session=session, list_id=mailing_list.id))
        session.expunge_all()
    latest = imports[0] if imports else None
    return page(request, viewer, "list", title=mailing_list.title or mailing_list.name, status=status_code,
                mailing_list=mailing_list, counts=counts, found=found, q=q, status_filter=status,
                statuses=SEARCH_STATUSES, page_number=page_number, page_size=PAGE_SIZE, confirmed=confirmed,
                choose_file=choose_file, imports=imports, latest=latest, health_chart=health,
                report=report_of(latest) if latest else None, max_upload_mb=settings.max_upload_mb,
                add_values=add_values or {}, add_error=add_error, about_errors=about_errors or {},
                about=about_values or {"title": mailing_list.title or "", "description": mailing_list.description or "",
                                       "public": mailing_list.public, "track_clicks": mailing_list.track_clicks,
                                       "track_opens": mailing_list.track_opens})
