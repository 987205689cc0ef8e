"""The provider interface: a provider-neutral batch in, one result per recipient out.

A batch carries the issue rendered once (HTML and text with per-recipient slots) and its
recipients with their field values. Providers that speak MIME (file, console, SMTP) build a
message per recipient with :mod:`newsletter.providers.mime`; API providers (SendGrid) may
send the template once with substitutions instead.
"""

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

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
    # Which version of the message is theirs: 0 the batch's html and text, n its variants[n - 1]
    # (links plain, or with the open image: sending/variants.py).
    variant: int = 0


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
    variants: tuple[tuple[PersonalisableTemplate, PersonalisableTemplate], ...] = ()  # (html, text) each

    def documents(self, recipient: Recipient) -> tuple[PersonalisableTemplate, PersonalisableTemplate]:
        """The (html, text) templates of ``recipient``'s version of the message."""
        return self.variants[recipient.variant - 1] if recipient.variant else (self.html, self.text)


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
    # The relay's reply code when it refused this recipient's address (RCPT TO); not set when
    # it refused our sender or the message, which says nothing about the address.
    smtp_code: int | None = None


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

    def stream_batch(self, batch: OutgoingBatch,
                     on_results: Callable[[list[RecipientResult]], None]) -> list[RecipientResult]:
        """:meth:`send_batch`, also handing answers to ``on_results`` as they come, from any
        thread, so they can be recorded before the batch ends. A provider that answers for the
        whole batch at once (this default) hands none; every answer is in what it returns."""
        return self.send_batch(batch)


class EventKind(StrEnum):
    """What happened to a message after the provider took it: one vocabulary for every
    provider, each mapping its own names onto it (as django-anymail does)."""

    QUEUED = "queued"  # the provider took it (SendGrid's "processed")
    DELIVERED = "delivered"  # the receiving server accepted it
    DEFERRED = "deferred"  # the receiving server said "later"; the provider keeps trying
    BOUNCED = "bounced"  # refused: ``bounce`` says hard (permanent) or soft (temporary)
    DROPPED = "dropped"  # the provider did not send it (a suppression of its own, say)
    COMPLAINED = "complained"  # marked as spam
    UNSUBSCRIBED = "unsubscribed"  # through the provider's own link or list-unsubscribe
    OPENED = "opened"
    CLICKED = "clicked"


@dataclass(slots=True)  # not frozen: a frozen one takes 3x as long to make, and a webhook makes a thousand
class ProviderEvent:
    """What a provider reports later about a message, in our terms, with its own payload.

    ``event_id`` is the provider's id of the event: the ledger records an event once, however
    often it is delivered. ``machine`` is set when the provider says a machine did it (an
    Apple Mail Privacy Protection open). ``raw`` is the provider's payload as it came.
    """

    kind: EventKind
    email: str
    send_id: int | None
    batch_id: int | None
    delivery_id: int | None
    message_id: str | None
    reason: str | None = None
    event_id: str | None = None
    provider: str = "sendgrid"
    occurred_at: dt.datetime | None = None
    bounce: str | None = None  # hard or soft, for a bounce
    status: str | None = None  # the SMTP status, e.g. 5.1.1, where the provider gives it
    url: str | None = None  # the link, for a click
    machine: bool = False
    raw: dict[str, Any] | None = None

    @property
    def proves_acceptance(self) -> bool:
        """Whether the event proves the provider took its batch's call (any event about one
        of the batch's messages does: a call is taken or refused whole)."""
        return self.batch_id is not None

    @property
    def hard_bounce(self) -> bool:
        """A permanent refusal: the address is suppressed at once."""
        return self.kind is EventKind.BOUNCED and self.bounce == "hard"
