"""The item inbox: add, edit and search curated items."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from newsletter.config import Settings
from newsletter.db import transaction
from newsletter.editorial.drafts import ItemDraft
from newsletter.editorial.items import create_item, get_item, item_uses, search_items, update_item
from newsletter.reports import inbox_history
from newsletter.web.admin.render import page, see_other
from newsletter.web.deps import IdPath, SettingsDep
from newsletter.web.forms import field_errors, run_form, text_fields
from newsletter.web.security import Editor, Viewer, safe_next

router = APIRouter(prefix="/admin/items", tags=["admin"])
FIELDS = tuple(ItemDraft.model_fields)
INBOX = "/admin/items"  # where an item form goes back to when it was not opened from elsewhere


@router.get("", response_class=HTMLResponse)
def inbox(request: Request, viewer: Editor, settings: SettingsDep, q: str = "", show: str = "inbox") -> HTMLResponse:
    """Items not yet in an issue (or all items), newest first, filtered by ``q``."""
    with transaction(settings.database_url) as session:
        items = search_items(session=session, query=q, unused_only=show != "all")
        uses = item_uses(session=session, item_ids=[i.id for i in items])
        history = inbox_history(session=session)
        session.expunge_all()
    return page(request, viewer, "items", title="Inbox" if show != "all" else "All items",
                items=items, uses=uses, q=q, show=show, history=history)


@router.get("/new", response_class=HTMLResponse)
def new_item_form(request: Request, viewer: Editor, next: str = "") -> HTMLResponse:
    """An empty item form."""
    return page(request, viewer, "item_form", title="Add an item", values={"language": "en"}, errors={},
                item=None, uses=[], next=safe_next(next, INBOX))


@router.post("/new", response_class=HTMLResponse)
async def add_item(request: Request, viewer: Editor, settings: SettingsDep) -> Response:
    """Store a new item, or show the form again with what is wrong."""
    return await run_form(request, _add_item, viewer, settings)


@router.get("/{item_id}", response_class=HTMLResponse)
def edit_item_form(request: Request, item_id: IdPath, viewer: Editor, settings: SettingsDep, next: str = "") -> HTMLResponse:
    """The form of an existing item, and the issues it is in."""
    with transaction(settings.database_url) as session:
        item = get_item(session=session, item_id=item_id)
        values = {f: getattr(item, f) for f in FIELDS}
        values["tags"] = ", ".join(item.tags)
        uses = item_uses(session=session, item_ids=[item_id]).get(item_id, [])
        session.expunge_all()
    return page(request, viewer, "item_form", title="Edit item", values=values, errors={}, item=item,
                uses=uses, next=safe_next(next, INBOX))


@router.post("/{item_id}", response_class=HTMLResponse)
async def save_item(request: Request, item_id: IdPath, viewer: Editor, settings: SettingsDep) -> Response:
    """Save an item, or show the form again with what is wrong."""
    return await run_form(request, _save_item, viewer, settings, item_id)


def _add_item(request: Request, form: FormData, viewer: Viewer, settings: Settings) -> Response:
    values, next_url = _values(form)
    try:
        draft = ItemDraft.model_validate(values)
    except ValidationError as err:
        return page(request, viewer, "item_form", title="Add an item", values=values, errors=field_errors(err),
                    item=None, uses=[], next=next_url, status=422)
    with transaction(settings.database_url) as session:
        item_id = create_item(session=session, draft=draft).id
    if next_url.startswith("/admin/issues/"):  # from the composer: it adds the new item to the issue
        return see_other(f"{next_url}?add={item_id}")
    return see_other(next_url, notice=f"Added “{draft.headline}”.", request=request)


def _save_item(request: Request, form: FormData, viewer: Viewer, settings: Settings, item_id: int) -> Response:
    values, next_url = _values(form)
    with transaction(settings.database_url) as session:
        item = get_item(session=session, item_id=item_id)
        try:
            draft = ItemDraft.model_validate(values)
        except ValidationError as err:
            uses = item_uses(session=session, item_ids=[item_id]).get(item_id, [])
            session.expunge_all()
            return page(request, viewer, "item_form", title="Edit item", values=values, errors=field_errors(err),
                        item=item, uses=uses, next=next_url, status=422)
        update_item(session=session, item_id=item_id, draft=draft)
    return see_other(next_url, notice=f"Saved “{draft.headline}”.", request=request)


def _values(form: FormData) -> tuple[dict[str, str], str]:
    return text_fields(form, FIELDS), safe_next(str(form.get("next", "")), INBOX)
