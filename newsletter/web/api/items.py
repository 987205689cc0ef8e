"""``/api/items``: the item inbox."""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from newsletter.db import transaction
from newsletter.editorial.drafts import ItemDraft, ItemTranslationDraft
from newsletter.editorial.editions import item_translations, translate_item
from newsletter.editorial.items import (
    MAX_SEARCH_LENGTH,
    MAX_SEARCH_WORDS,
    create_item,
    get_item,
    item_uses,
    search_items,
    update_item,
)
from newsletter.web.api.routing import ApiRoute
from newsletter.web.deps import IdPath, SettingsDep

LanguagePath = Annotated[str, Path(max_length=20, pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$",
                                   description="A language tag, such as es or pt-BR.")]
from newsletter.web.security import Editor

router = APIRouter(prefix="/items", tags=["items"], route_class=ApiRoute)


class ItemOut(ItemDraft):
    """An item as stored, with the issues it is in."""

    id: int
    used_in: list[int] = []
    translations: dict[str, ItemTranslationDraft] = {}  # by language (PUT .../translations/{language})


class ItemList(BaseModel):
    items: list[ItemOut]


def _out(item, uses) -> ItemOut:
    return ItemOut(**{f: getattr(item, f) for f in ItemDraft.model_fields}, id=item.id,
                   used_in=[u.issue_id for u in uses.get(item.id, [])],
                   translations=item_translations(item, [t.language for t in item.translations]))


@router.get("")
def list_items(viewer: Editor, settings: SettingsDep, unused: bool = False, q: Annotated[str, Query(
    max_length=MAX_SEARCH_LENGTH, description=f"Words to find, at most {MAX_SEARCH_WORDS}.")] = "") -> ItemList:
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
def read_item(item_id: IdPath, viewer: Editor, settings: SettingsDep) -> ItemOut:
    """One item."""
    with transaction(settings.database_url) as session:
        return _out(get_item(session=session, item_id=item_id), item_uses(session=session, item_ids=[item_id]))


@router.put("/{item_id}/translations/{language}")
def translate(item_id: IdPath, language: LanguagePath, draft: ItemTranslationDraft, viewer: Editor,
              settings: SettingsDep) -> ItemOut:
    """Store the item in ``language`` (an issue's edition): each field given replaces the stored one
    (blank clears it); a field left out keeps what is stored. A translation left with no field is removed."""
    with transaction(settings.database_url) as session:
        item = translate_item(session=session, item_id=item_id, language=language, draft=draft)
        return _out(item, item_uses(session=session, item_ids=[item_id]))


@router.put("/{item_id}")
def replace_item(item_id: IdPath, draft: ItemDraft, viewer: Editor, settings: SettingsDep) -> ItemOut:
    """Replace an item's fields."""
    with transaction(settings.database_url) as session:
        item = update_item(session=session, item_id=item_id, draft=draft)
        return _out(item, item_uses(session=session, item_ids=[item_id]))
