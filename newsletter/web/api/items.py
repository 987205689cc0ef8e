"""``/api/items``: the item inbox."""

from fastapi import APIRouter
from pydantic import BaseModel

from newsletter.db import transaction
from newsletter.editorial.drafts import ItemDraft
from newsletter.editorial.items import create_item, get_item, item_uses, search_items, update_item
from newsletter.web.deps import SettingsDep
from newsletter.web.security import Editor

router = APIRouter(prefix="/items", tags=["items"])


class ItemOut(ItemDraft):
    """An item as stored, with the issues it is in."""

    id: int
    used_in: list[int] = []


class ItemList(BaseModel):
    items: list[ItemOut]


def _out(item, uses) -> ItemOut:
    return ItemOut(**{f: getattr(item, f) for f in ItemDraft.model_fields}, id=item.id,
                   used_in=[u.issue_id for u in uses.get(item.id, [])])


@router.get("")
def list_items(viewer: Editor, settings: SettingsDep, q: str = "", unused: bool = False) -> ItemList:
    """Items matching every word of ``q``, newest first; ``unused=true``: only the inbox."""
    with transaction(settings.database_url) as session:
        found = search_items(session=session, query=q, unused_only=unused)
        uses = item_uses(session=session, item_ids=[i.id for i in found])
        return ItemList(items=[_out(i, uses) for i in found])


@router.post("", status_code=201)
def add_item(draft: ItemDraft, viewer: Editor, settings: SettingsDep) -> ItemOut:
    """Add an item to the inbox."""
    with transaction(settings.database_url) as session:
        return _out(create_item(session=session, draft=draft), {})


@router.get("/{item_id}")
def read_item(item_id: int, viewer: Editor, settings: SettingsDep) -> ItemOut:
    """One item."""
    with transaction(settings.database_url) as session:
        return _out(get_item(session=session, item_id=item_id), item_uses(session=session, item_ids=[item_id]))


@router.put("/{item_id}")
def replace_item(item_id: int, draft: ItemDraft, viewer: Editor, settings: SettingsDep) -> ItemOut:
    """Replace an item's fields."""
    with transaction(settings.database_url) as session:
        item = update_item(session=session, item_id=item_id, draft=draft)
        return _out(item, item_uses(session=session, item_ids=[item_id]))
