"""Unsubscribing: one click from the mail client (RFC 8058), or one press on the page. Both
pages speak the reader's language (subscribers/languages.py ``page_language``)."""

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse

from newsletter.db import transaction
from newsletter.editorial.archive import reader_chrome
from newsletter.links import Links
from newsletter.subscribers.consent import unsubscribe
from newsletter.subscribers.languages import page_language
from newsletter.tokens import Purpose, read_token
from newsletter.web.deps import PagesDep, SettingsDep

router = APIRouter(tags=["subscribers"])


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_page(token: str, settings: SettingsDep, pages: PagesDep) -> HTMLResponse:
    """A page with a button: following the link alone (as link scanners do) changes nothing."""
    subscriber_id, _ = read_token(settings.secret_key, Purpose.UNSUBSCRIBE, token, arity=2)
    with transaction(settings.database_url) as session:
        chrome = reader_chrome(page_language(session=session, subscriber_id=subscriber_id))
    words = chrome.words
    return pages.render(
        "action", chrome=chrome, title=words["unsubscribe_title"], paragraphs=[words["unsubscribe_question"]],
        action=f"/unsubscribe/{token}", button=words["unsubscribe_button"],
        link={"url": Links(settings).preferences_url(subscriber_id), "label": words["or_manage_preferences"]},
    )


@router.get("/unsubscribe/{token}/preferences")
def preferences_from_message(token: str, settings: SettingsDep) -> RedirectResponse:
    """The footer's "Manage your preferences" link: the message's unsubscribe token names the
    reader, so every message can lead to their preferences without a second token a reader."""
    subscriber_id, _ = read_token(settings.secret_key, Purpose.UNSUBSCRIBE, token, arity=2)
    return RedirectResponse(Links(settings).preferences_url(subscriber_id), status_code=303)


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_now(token: str, settings: SettingsDep, pages: PagesDep) -> HTMLResponse:
    """Unsubscribe at once: no login, no confirmation, no CSRF token (mail providers post here
    with ``List-Unsubscribe=One-Click``). The signed token is the proof. Idempotent."""
    subscriber_id, list_id = read_token(settings.secret_key, Purpose.UNSUBSCRIBE, token, arity=2)
    with transaction(settings.database_url) as session:
        mailing_list = unsubscribe(session=session, subscriber_id=subscriber_id, list_id=list_id)
        title = mailing_list.title or mailing_list.name
        chrome = reader_chrome(page_language(session=session, subscriber_id=subscriber_id))
    words = chrome.words
    return pages.message(
        words["unsubscribed"], words["unsubscribed_from"].format(newsletter=title), chrome=chrome,
        link={"url": Links(settings).preferences_url(subscriber_id), "label": words["changed_your_mind"]},
    )
