"""Single messages outside any send, such as the double opt-in confirmation."""

from email.utils import make_msgid

from newsletter.config import Settings
from newsletter.errors import ProviderError
from newsletter.links import Links
from newsletter.providers.base import OutgoingBatch, Provider, Recipient
from newsletter.rendering.render import render_email
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
    unsubscribe_url = links.unsubscribe_url(pending.subscriber_id, pending.list_id)
    recipient = Recipient(
        delivery_id=0,
        email=pending.email,
        name=pending.name,
        message_id=make_msgid("confirm", domain=settings.sender_domain),
        unsubscribe_url=unsubscribe_url,
        fields={},
    )
    batch = OutgoingBatch(
        send_id=None,
        batch_id=None,
        subject=f"Confirm your subscription to {pending.list_title}",
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
        raise ProviderError(provider.name, result.error or "the confirmation email was refused")
