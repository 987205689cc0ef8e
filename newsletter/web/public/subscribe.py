"""Subscribing with double opt-in: the form, then the confirmation link."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from newsletter.content.safety import check_text
from newsletter.db import transaction
from newsletter.db.models import utcnow
from newsletter.errors import ContentError
from newsletter.links import Links
from newsletter.subscribers import get_list
from newsletter.subscribers.confirmations import owe_confirmation
from newsletter.subscribers.consent import confirm_subscription, request_subscription
from newsletter.tokens import Purpose, read_token
from newsletter.web.deps import LimiterDep, PagesDep, SettingsDep
from newsletter.web.pages import Pages
from newsletter.web.ratelimit import RateLimiter

router = APIRouter(tags=["subscribers"])


def _address_limiter(request: Request) -> RateLimiter:
    return request.app.state.address_limiter


# Confirmation emails per address: a stranger with many client addresses cannot flood one inbox.
AddressLimiterDep = Annotated[RateLimiter, Depends(_address_limiter)]


@router.get("/subscribe/{list_name}", response_class=HTMLResponse)
def subscribe_form(list_name: str, settings: SettingsDep, pages: PagesDep) -> HTMLResponse:
    """The subscribe form of a list."""
    with transaction(settings.database_url) as session:
        mailing_list = get_list(session=session, name=list_name)
    return pages.render("subscribe", title=f"Subscribe to {mailing_list.title or mailing_list.name}",
                        list_name=mailing_list.name, description=mailing_list.description, email="", name="",
                        error=None)


@router.post("/subscribe/{list_name}", response_class=HTMLResponse)
def subscribe(
    list_name: str,
    request: Request,
    settings: SettingsDep,
    pages: PagesDep,
    limiter: LimiterDep,
    address_limiter: AddressLimiterDep,
    email: Annotated[str, Form(max_length=320)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    website: Annotated[str, Form(max_length=500)] = "",
) -> HTMLResponse:
    """Take a subscription request. The answer is the same whether or not the address is known,
    and whether or not it is over its limit of confirmation emails (then none is sent).

    The confirmation email is only recorded as owed: a worker sends it (see
    subscribers.confirmations), so this public page never waits on the mail relay."""
    client = request.client.host if request.client else "unknown"
    if not limiter.allow(client):
        return pages.message("Too many attempts", "Please wait a few minutes and try again.", status=429)
    check_inbox = pages.message(
        "Check your inbox",
        f"If {email.strip()} can receive email, a message with a confirmation link is on its way.",
        "Click the link in it to start receiving the newsletter. It works for seven days.",
    )
    if website:  # the honeypot: only robots fill in a field people cannot see
        return check_inbox
    try:
        clean_name = check_text(name) if name.strip() else None
    except ValueError as err:
        return _form_again(pages, list_name, email, name, f"Your name {err}.")
    try:
        with transaction(settings.database_url) as session:
            pending = request_subscription(session=session, email=email, name=clean_name, list_name=list_name)
    except ContentError:
        return _form_again(pages, list_name, email, name, "Please enter a valid email address, such as name@example.org.")
    if pending is not None and address_limiter.allow(pending.email):
        with transaction(settings.database_url) as session:
            owe_confirmation(session=session, subscriber_id=pending.subscriber_id, list_id=pending.list_id,
                             now=utcnow())
    return check_inbox


def _form_again(pages: Pages, list_name: str, email: str, name: str, error: str) -> HTMLResponse:
    return pages.render("subscribe", status=400, title="Subscribe", list_name=list_name, description=None,
                        email=email, name=name, error=error)


@router.get("/confirm/{token}", response_class=HTMLResponse)
def confirm_page(token: str, settings: SettingsDep, pages: PagesDep) -> HTMLResponse:
    """Ask for one press to confirm (a GET changes nothing)."""
    read_token(settings.secret_key, Purpose.CONFIRM, token, arity=2)
    return pages.render("action", title="Confirm your subscription",
                        paragraphs=["One more step: confirm that you want to receive the newsletter."],
                        action=f"/confirm/{token}", button="Confirm my subscription", link=None)


@router.post("/confirm/{token}", response_class=HTMLResponse)
def confirm(token: str, settings: SettingsDep, pages: PagesDep) -> HTMLResponse:
    """Confirm the subscription the token names."""
    subscriber_id, list_id = read_token(settings.secret_key, Purpose.CONFIRM, token, arity=2)
    with transaction(settings.database_url) as session:
        mailing_list = confirm_subscription(session=session, subscriber_id=subscriber_id, list_id=list_id)
        title = mailing_list.title or mailing_list.name
    return pages.message(
        "You are subscribed",
        f"Thank you. {title} will arrive in your inbox from the next issue.",
        link={"url": Links(settings).preferences_url(subscriber_id), "label": "Manage your preferences"},
    )
