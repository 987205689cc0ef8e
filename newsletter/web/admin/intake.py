"""Intake in the newsroom: a pasted link fills the item form, a pasted newsletter is reviewed
item by item, and the feeds page shows each feed's last poll and error; a feed is added,
edited, polled now or removed there."""

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from newsletter.config import Settings
from newsletter.db import transaction
from newsletter.db.models import utcnow
from newsletter.errors import ContentError, FetchError
from newsletter.intake import ProposedItem
from newsletter.intake.inbox import save_proposal, seen_notes
from newsletter.intake.links import note_for, propose_link
from newsletter.intake.paste import propose_from_paste
from newsletter.intake.sources import (
    FeedDraft,
    add_feed,
    get_feed,
    list_feeds,
    poll_soon,
    remove_feed,
    update_feed,
)
from newsletter.intake.text import iso_moment
from newsletter.web.admin.render import page, see_other
from newsletter.web.deps import IdPath, SettingsDep
from newsletter.web.forms import field_errors, run_form, text_fields
from newsletter.web.security import Editor, Viewer

router = APIRouter(prefix="/admin", tags=["admin"])
ITEM_FIELDS = ("url", "headline", "blurb", "source", "byline", "language", "image_url", "image_alt", "tags",
               "published", "canonical")
FEED_FIELDS = tuple(FeedDraft.model_fields)
MAX_PASTE_CHARS = 200_000
MAX_PROPOSALS = 300


@router.get("/intake/link", response_class=HTMLResponse)
def link_form(request: Request, viewer: Editor, settings: SettingsDep, url: str = "") -> HTMLResponse:
    """Paste a link (or arrive from the bookmarklet): the page is fetched and the form filled."""
    if not url.strip():
        return page(request, viewer, "intake_link", title="Add from a link", values={}, errors={}, note=None,
                    fetched=False)
    try:
        proposal = propose_link(url, settings=settings)
    except FetchError as err:
        return page(request, viewer, "intake_link", title="Add from a link", values={"url": url},
                    errors=field_errors(err), note=None, fetched=False, status=422)
    with transaction(settings.database_url) as session:
        note = note_for(session=session, proposal=proposal, now=utcnow()).note
    return page(request, viewer, "intake_link", title="Check and save", values=_values_of(proposal), errors={},
                note=note, fetched=True)


@router.post("/intake/link", response_class=HTMLResponse)
async def save_link(request: Request, viewer: Editor, settings: SettingsDep) -> Response:
    """Save the checked item in the inbox, or show the form again with what is wrong."""
    return await run_form(request, _save_link, viewer, settings)


@router.get("/intake/paste", response_class=HTMLResponse)
def paste_form(request: Request, viewer: Editor) -> HTMLResponse:
    """Paste a newsletter or an index page."""
    return page(request, viewer, "intake_paste", title="Import pasted text", pasted="", proposals=None,
                errors={}, language="en", tags="")


@router.post("/intake/paste", response_class=HTMLResponse)
async def paste(request: Request, viewer: Editor, settings: SettingsDep) -> Response:
    """Propose the pasted text's items for review; or save the ticked ones."""
    return await run_form(request, _paste, viewer, settings)


@router.get("/feeds", response_class=HTMLResponse)
def feeds(request: Request, viewer: Editor, settings: SettingsDep) -> HTMLResponse:
    """Every feed source, with its last poll and last error, and a form to add one."""
    return _feeds_page(request, viewer, settings, values={"language": "en"}, errors={})


@router.post("/feeds", response_class=HTMLResponse)
async def new_feed(request: Request, viewer: Editor, settings: SettingsDep) -> Response:
    """Add a feed source, or show the page again with what is wrong."""
    return await run_form(request, _add_feed, viewer, settings)


@router.get("/feeds/{feed_id}/edit", response_class=HTMLResponse)
def edit_feed(request: Request, feed_id: IdPath, viewer: Editor, settings: SettingsDep) -> HTMLResponse:
    """A feed's form, filled with its name, link, tags, language, keywords and interval."""
    return _edit_page(request, viewer, settings, feed_id, values=None, errors={})


@router.post("/feeds/{feed_id}", response_class=HTMLResponse)
async def save_feed(request: Request, feed_id: IdPath, viewer: Editor, settings: SettingsDep) -> Response:
    """Save a feed's changed fields, or show its form again with what is wrong."""
    return await run_form(request, _save_feed, viewer, settings, feed_id)


@router.post("/feeds/{feed_id}/poll", response_class=HTMLResponse)
async def poll_now(request: Request, feed_id: IdPath, viewer: Editor, settings: SettingsDep) -> Response:
    """Make a feed due now: the workers poll it within a minute."""
    return await run_form(request, _feed_action, settings, feed_id, poll=True)


@router.post("/feeds/{feed_id}/remove", response_class=HTMLResponse)
async def remove(request: Request, feed_id: IdPath, viewer: Editor, settings: SettingsDep) -> Response:
    """Stop polling a feed; its items stay in the inbox."""
    return await run_form(request, _feed_action, settings, feed_id, poll=False)


def _save_link(request: Request, form: FormData, viewer: Viewer, settings: Settings) -> Response:
    values = text_fields(form, ITEM_FIELDS, strip=True)
    try:
        with transaction(settings.database_url) as session:
            item = save_proposal(session=session, proposal=_proposal(values))
            headline = item.headline
    except ContentError as err:
        return page(request, viewer, "intake_link", title="Check and save", values=values, errors=field_errors(err),
                    note=None, fetched=True, status=422)
    return see_other("/admin/items", notice=f"Added “{headline}”.", request=request)


def _paste(request: Request, form: FormData, viewer: Viewer, settings: Settings) -> Response:
    pasted, language, tags = str(form.get("pasted", ""))[:MAX_PASTE_CHARS], str(form.get("language") or "en"), \
        str(form.get("tags", ""))
    context = {"title": "Import pasted text", "pasted": pasted, "language": language, "tags": tags}
    if form.get("action") != "accept":
        proposals = propose_from_paste(pasted, blurb_chars=settings.blurb_chars, language=language,
                                       tags=[t for t in tags.split(",") if t.strip()])
        with transaction(settings.database_url) as session:
            notes = seen_notes(session=session, canonical_urls=[p.canonical_url for p in proposals], now=utcnow())
        rows = [_values_of(p) | {"note": notes.get(p.canonical_url)} for p in proposals]
        return page(request, viewer, "intake_paste", proposals=rows, errors={}, **context)
    count = str(form.get("count", ""))
    rows = [{name: str(form.get(f"p{n}_{name}", "")).strip() for name in ITEM_FIELDS}
            | {"accept": bool(form.get(f"p{n}_accept"))}
            for n in range(min(int(count), MAX_PROPOSALS) if count.isdigit() else 0)]
    errors: dict[int, str] = {}
    with transaction(settings.database_url) as session:
        for n, row in enumerate(rows):
            if row["accept"]:
                try:
                    save_proposal(session=session, proposal=_proposal(row))
                except ContentError as err:
                    errors[n] = str(err)
        if errors:
            session.rollback()  # all or none: the editor fixes the rest and accepts again
    if errors:
        return page(request, viewer, "intake_paste", proposals=rows, errors=errors, status=422, **context)
    saved = sum(row["accept"] for row in rows)
    return see_other("/admin/items", notice=f"Added {saved} item{'s' if saved != 1 else ''} to the inbox.",
                     request=request)


def _add_feed(request: Request, form: FormData, viewer: Viewer, settings: Settings) -> Response:
    values = text_fields(form, FEED_FIELDS, strip=True)
    try:
        draft = FeedDraft.model_validate(values)
        with transaction(settings.database_url) as session:
            add_feed(session=session, draft=draft)
    except (ValidationError, ContentError) as err:
        return _feeds_page(request, viewer, settings, values=values, errors=field_errors(err), status=422)
    return see_other("/admin/feeds", notice=f"Added the feed “{draft.name}”: it is polled within a minute.",
                     request=request)


def _save_feed(request: Request, form: FormData, viewer: Viewer, settings: Settings, feed_id: int) -> Response:
    values = text_fields(form, FEED_FIELDS, strip=True)
    try:
        draft = FeedDraft.model_validate(values)
        with transaction(settings.database_url) as session:
            update_feed(session=session, feed_id=feed_id, draft=draft)
    except (ValidationError, ContentError) as err:
        return _edit_page(request, viewer, settings, feed_id, values=values, errors=field_errors(err), status=422)
    return see_other("/admin/feeds", notice=f"Saved the feed “{draft.name}”.", request=request)


def _feed_action(request: Request, form: FormData, settings: Settings, feed_id: int, *, poll: bool) -> Response:
    with transaction(settings.database_url) as session:
        if poll:
            name = poll_soon(session=session, feed_id=feed_id, now=utcnow()).name
            notice = f"“{name}” will be polled within a minute."
        else:
            name = remove_feed(session=session, feed_id=feed_id).name
            notice = f"Removed the feed “{name}”; its items stay in the inbox."
    return see_other("/admin/feeds", notice=notice, request=request)


def _feeds_page(request: Request, viewer: Viewer, settings: Settings, *, values: dict, errors: dict,
                status: int = 200) -> HTMLResponse:
    with transaction(settings.database_url) as session:
        rows = list_feeds(session=session)
        session.expunge_all()
    return page(request, viewer, "feeds", title="Feeds", feeds=rows, values=values, errors=errors, status=status)


def _edit_page(request: Request, viewer: Viewer, settings: Settings, feed_id: int, *, values: dict | None,
               errors: dict, status: int = 200) -> HTMLResponse:
    """The feed's form, with ``values`` as typed, or (None) as stored; NotFoundError (a 404) for no such feed."""
    with transaction(settings.database_url) as session:
        feed = get_feed(session=session, feed_id=feed_id)
        stored = {name: getattr(feed, name) for name in FEED_FIELDS}
    if values is None:
        values = stored | {"tags": ", ".join(stored["tags"]), "keywords": ", ".join(stored["keywords"])}
    return page(request, viewer, "feed_edit", title=f"Edit the feed “{stored['name']}”", feed_id=feed_id,
                values=values, errors=errors, status=status)


def _values_of(proposal: ProposedItem) -> dict[str, str]:
    return {"url": proposal.url, "headline": proposal.headline, "blurb": proposal.blurb,
            "source": proposal.source or "", "byline": proposal.byline or "", "language": proposal.language,
            "image_url": proposal.image_url or "", "image_alt": proposal.image_alt or "",
            "tags": ", ".join(proposal.tags), "canonical": proposal.canonical or "",
            "published": proposal.published_at.isoformat() if proposal.published_at else ""}


def _proposal(values: dict[str, str]) -> ProposedItem:
    published: dt.datetime | None = iso_moment(values.get("published"))
    return ProposedItem(
        headline=values.get("headline", ""), blurb=values.get("blurb", ""), url=values.get("url", ""),
        source=values.get("source") or None, image_url=values.get("image_url") or None,
        image_alt=values.get("image_alt") or None, byline=values.get("byline") or None, published_at=published,
        language=values.get("language") or "en", tags=[t.strip() for t in values.get("tags", "").split(",") if t.strip()],
        canonical=values.get("canonical") or None)
