"""A subscriber's own page: name, language and lists, reached through a signed link, in their
language (subscribers/languages.py ``page_language``)."""

import re
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse

from newsletter.config import Settings
from newsletter.content.safety import check_text
from newsletter.db import transaction
from newsletter.editorial.archive import reader_chrome
from newsletter.subscribers.consent import get_preferences, update_preferences
from newsletter.subscribers.languages import language_choices, may_choose, page_language
from newsletter.tokens import Purpose, read_token
from newsletter.web.deps import PagesDep, SettingsDep
from newsletter.web.pages import Pages

router = APIRouter(tags=["subscribers"])
_LIST_ID = re.compile(r"^\d{1,9}$")


@router.get("/preferences/{token}", response_class=HTMLResponse)
def preferences_page(token: str, settings: SettingsDep, pages: PagesDep) -> HTMLResponse:
    """The preferences form."""
    [subscriber_id] = read_token(settings.secret_key, Purpose.PREFERENCES, token, arity=1)
    with transaction(settings.database_url) as session:
        language = page_language(session=session, subscriber_id=subscriber_id)
    return _page(settings, pages, subscriber_id, language, saved=False, error=None)


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
    clicks and opens may be tracked (ticked ``no_tracking``: not). The answer is in the language
    the form was read in, even when the reader chose another: the next visit is in that one."""
    [subscriber_id] = read_token(settings.secret_key, Purpose.PREFERENCES, token, arity=1)
    with transaction(settings.database_url) as session:
        offered = may_choose(session=session, subscriber_id=subscriber_id, language=language)
        read_in = page_language(session=session, subscriber_id=subscriber_id)
    if not offered:
        return _page(settings, pages, subscriber_id, read_in, saved=False, error="choose_a_language", status=400)
    try:
        clean_name = check_text(name) if name.strip() else None
    except ValueError:
        return _page(settings, pages, subscriber_id, read_in, saved=False, error="name_invalid", status=400)
    list_ids = {int(v) for v in lists or [] if _LIST_ID.match(v)}
    with transaction(settings.database_url) as session:
        update_preferences(session=session, subscriber_id=subscriber_id, name=clean_name,
                           language=language, list_ids=list_ids, tracking_opt_out=no_tracking == "yes")
    return _page(settings, pages, subscriber_id, read_in, saved=True, error=None)


def _page(settings: Settings, pages: Pages, subscriber_id: int, language: str, *, saved: bool, error: str | None,
          status: int = 200) -> HTMLResponse:
    """The page in ``language``; ``error``: the key of the site phrase that says what is wrong."""
    chrome = reader_chrome(language)
    with transaction(settings.database_url) as session:
        prefs = get_preferences(session=session, subscriber_id=subscriber_id)
        languages = language_choices(session=session, current=prefs.language, page_language=language)
    return pages.render("preferences", status=status, chrome=chrome, title=chrome.words["your_preferences"],
                        prefs=prefs, languages=languages, saved=saved, error=chrome.words[error] if error else None)
