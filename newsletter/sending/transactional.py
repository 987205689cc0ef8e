"""Single messages outside any send: the double opt-in confirmation, and test sends of an issue."""

from email.utils import make_msgid

from sqlalchemy.orm import Session

from newsletter.config import Settings
from newsletter.editorial import get_issue, issue_content
from newsletter.errors import ContentError, ProviderError
from newsletter.links import Links
from newsletter.providers.base import OutgoingBatch, Provider, Recipient
from newsletter.rendering.personalise import PersonalisableTemplate
from newsletter.rendering.render import render_email, render_issue
from newsletter.subscribers.addresses import normalise_email
from newsletter.subscribers.consent import PendingConfirmation


def send_confirmation(*, settings: Settings, provider: Provider, pending: PendingConfirmation) -> None:
    """Email ``pending`` the link that confirms their subscription, through ``provider``."""
    links = Links(settings)
    html, text = render_email(
        "confirm",
        settings,
        confirm_url=links.confirm_url(pending.subscriber_id, pending.list_id),
        list_title=pending.list_title,
        name=pending.name,
    )
    recipient = Recipient(
        delivery_id=0,
        email=pending.email,
        name=pending.name,
        message_id=make_msgid("confirm", domain=settings.sender_domain),
        unsubscribe_url=links.unsubscribe_url(pending.subscriber_id, pending.list_id),
        fields={},
    )
    _send_one(settings, provider, f"Confirm your subscription to {pending.list_title}", html, text, recipient)


def send_test(*, session: Session, settings: Settings, provider: Provider, issue_id: int, to: str) -> str:
    """Send issue ``issue_id`` as it would go out, subject marked [Test], to one address.

    The unsubscribe link of a test message leads nowhere (nobody is subscribed by it).
    Returns the Message-ID.
    """
    try:
        address = normalise_email(to)
    except ValueError as err:
        raise ContentError(f"{to!r} is not a valid address: {err}") from None
    issue = get_issue(session=session, issue_id=issue_id)
    rendered = render_issue(issue_content(issue), settings)
    unsubscribe_url = f"{settings.base_url}/unsubscribe/test-message"
    recipient = Recipient(
        delivery_id=0,
        email=address,
        name=None,
        message_id=make_msgid("test", domain=settings.sender_domain),
        unsubscribe_url=unsubscribe_url,
        fields={
            "name": "there",
            "email": address,
            "unsubscribe_url": unsubscribe_url,
            "web_url": Links(settings).archive_url(issue.slug),
        },
    )
    _send_one(settings, provider, f"[Test] {rendered.subject}", rendered.html, rendered.text, recipient)
    return recipient.message_id


def _send_one(settings: Settings, provider: Provider, subject: str, html: PersonalisableTemplate,
              text: PersonalisableTemplate, recipient: Recipient) -> None:
    batch = OutgoingBatch(
        send_id=None,
        batch_id=None,
        subject=subject,
        from_email=settings.from_email,
        from_name=settings.from_name,
        reply_to=settings.reply_to,
        list_unsubscribe_mailto=settings.list_unsubscribe_mailto,
        html=html,
        text=text,
        recipients=[recipient],
    )
    [result] = provider.send_batch(batch)
    if not result.accepted:
        raise ProviderError(provider.name, result.error or "the message was refused")
