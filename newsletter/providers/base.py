"""The provider interface: a provider-neutral batch in, one result per recipient out.

A batch carries the issue rendered once (HTML and text with per-recipient slots) and its
recipients with their field values. Providers that speak MIME (file, console, SMTP) build a
message per recipient with :mod:`newsletter.providers.mime`; API providers (SendGrid) may
send the template once with substitutions instead.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from newsletter.rendering.personalise import PersonalisableTemplate


@dataclass(frozen=True)
class Recipient:
    """One recipient of a batch."""

    delivery_id: int
    email: str
    name: str | None
    message_id: str  # "<...@domain>", stable across retries of the same delivery
    unsubscribe_url: str
    fields: dict[str, str]  # a value for every template field


@dataclass(frozen=True)
class OutgoingBatch:
    """What a provider is asked to deliver: one message, many recipients."""

    send_id: int | None  # None for a single transactional message
    batch_id: int | None
    subject: str
    from_email: str
    from_name: str
    reply_to: str | None
    list_unsubscribe_mailto: str | None
    html: PersonalisableTemplate
    text: PersonalisableTemplate
    recipients: list[Recipient]


@dataclass(frozen=True)
class RecipientResult:
    """The provider's answer for one recipient.

    ``retry`` marks a recipient not delivered for a passing reason (a lost connection, a 4xx):
    it stays pending, and only such recipients are sent again when the batch is retried.
    """

    delivery_id: int
    accepted: bool
    provider_message_id: str | None = None
    error: str | None = None
    retry: bool = False


class Provider(ABC):
    """Delivers batches; per-recipient refusals come back as results.

    A batch-wide failure raises a ProviderError: TransientProviderError when nothing was
    delivered and a later try may work, AmbiguousDeliveryError when the provider may have
    accepted the batch, ProviderAuthError when no batch can succeed until a setting changes.
    """

    name: ClassVar[str]
    # True when delivering a batch twice does no harm (the file outbox rewrites the same
    # files): a batch whose worker died mid-post is then simply sent again.
    resend_is_harmless: ClassVar[bool] = False

    @abstractmethod
    def send_batch(self, batch: OutgoingBatch) -> list[RecipientResult]:
        """Deliver every recipient of ``batch``; one result per recipient, in any order."""


@dataclass(frozen=True)
class ProviderEvent:
    """What a provider reports later about a message, in our terms.

    ``kind``: accepted (it was processed, delivered, opened...), bounced (a hard bounce),
    complained (marked as spam), unsubscribed (through the provider), dropped (never sent).
    """

    kind: str
    email: str
    send_id: int | None
    batch_id: int | None
    delivery_id: int | None
    message_id: str | None
    reason: str | None = None
