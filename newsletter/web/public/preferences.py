"""A subscriber's own page: name, language and lists, reached through a signed link."""

import re
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse

from newsletter.config import Settings
from newsletter.content.safety import check_text
from newsletter.db import transaction
from newsletter.subscribers.consent import get_preferences, update_preferences
from newsletter.subscribers.languages import language_choices, may_choose
from newsletter.tokens import Purpose, read_token
from newsletter.web.deps import PagesDep, SettingsDep
from newsletter.web.pages import Pages

router = APIRouter(tags=["subscribers"])
_LIST_ID = re.compile(r"^\d{1,9}$")


@router.get("/preferences/{token}", response_class=HTMLResponse)
def preferences_page(token: str, settings: SettingsDep, pages: PagesDep) -> HTMLResponse:
    """The preferences form."""
    [subscriber_id] = read_token(settings.secret_key, Purpose.PREFERENCES, token, arity=1)
    return _page(settings, pages, subscriber_id, saved=False, error=None)


@router.post("/preferences/{token}", response_class=HTMLResponse)
def save_preferences(
    token: str,
    settings: SettingsDep,
    pages: PagesDep,
    name: Annotated[str, Form(max_length=200)] = "",
    language: Annotated[str, Form(max_length=20)] = "",
    lists: Annotated[list[str] | None, Form()] = None,
    no_tracking: Annotated[str, Form(max_length=10)] = "",
) -> HTMLResponse:
    """Save name, language, the lists ticked (an unticked list is unsubscribed) and whether
    clicks and opens may be tracked (ticked ``no_tracking``: not)."""
    [subscriber_id] = read_token(settings.secret_key, Purpose.PREFERENCES, token, arity=1)
    with transaction(settings.database_url) as session:
        offered = may_choose(session=session, subscriber_id=subscriber_id, language=language)
    if not offered:
        return _page(settings, pages, subscriber_id, saved=False, error="Choose a language from the list.", status=400)
    try:
        clean_name = check_text(name) if name.strip() else None
    except ValueError as err:
        return _page(settings, pages, subscriber_id, saved=False, error=f"Your name {err}.", status=400)
    list_ids = {int(v) for v in lists or [] if _LIST_ID.match(v)}
    with transaction(settings.database_url) as session:
        update_preferences(session=session, subscriber_id=subscriber_id, name=clean_name,
                           language=language, list_ids=list_ids, tracking_opt_out=no_tracking == "yes")
    return _page(settings, pages, subscriber_id, saved=True, error=None)


def _page(settings: Settings, pages: Pages, subscriber_id: int, *, saved: bool, error: str | None, status: int = 200) -> HTMLResponse:
    with transaction(settings.database_url) as session:
        prefs = get_preferences(session=session, subscriber_id=subscriber_id)
        languages = language_choices(session=session, current=prefs.language)
    return pages.render("preferences", status=status, title="Your preferences", prefs=prefs,
                        languages=languages, saved=saved, error=error)
