"""An outgoing batch built from a real rendering, for provider tests."""

from newsletter.config import Settings
from newsletter.providers import OutgoingBatch, Recipient
from newsletter.rendering import render_issue
from tests.factories import issue


def recipient(n: int, *, name: str | None = "Zoë Müller", email: str | None = None) -> Recipient:
    email = email or f"reader{n}@example.org"
    unsubscribe = f"https://news.example.org/unsubscribe/token-{n}"
    return Recipient(
        delivery_id=n,
        email=email,
        name=name,
        message_id=f"<1.{n}.abc@example.org>",
        unsubscribe_url=unsubscribe,
        fields={"name": name or "there", "email": email, "unsubscribe_url": unsubscribe,
                "web_url": "https://news.example.org/archive/x"},
    )


def outgoing_batch(settings: Settings, recipients: list[Recipient], **overrides) -> OutgoingBatch:
    rendered = render_issue(issue(3, subject="Brief: ünïcode — a subject long enough to be folded over lines"), settings)
    values = dict(
        send_id=1, batch_id=1, subject=rendered.subject, from_email="brief@example.org",
        from_name="The Weekly Brief", reply_to=None, list_unsubscribe_mailto=None,
        html=rendered.html, text=rendered.text, recipients=recipients,
    )
    values.update(overrides)
    return OutgoingBatch(**values)
