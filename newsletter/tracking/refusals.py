"""Recipients the relay refused during the send, recorded in the ledger as bounces.

A 5xx answer to RCPT TO already fails that delivery (sending/dispatch.py). It is also a
bounce, as if it had come back by mail: recorded once per delivery with the relay's code and
words, it suppresses the address like any other (a 5.1.1 at once; a refusal for policy,
5.7.x, counted as soft). A refusal of our sender or of the message is not about the address
and is not recorded here.
"""

from newsletter.config import Settings
from newsletter.db.engine import transaction
from newsletter.providers.base import (
    EventKind,
    OutgoingBatch,
    Provider,
    ProviderEvent,
    RecipientResult,
)
from newsletter.sending.dispatch import BatchOutcome, send_batch
from newsletter.sending.ratelimit import RateLimiter
from newsletter.tracking.bounces import classify, smtp_status
from newsletter.tracking.ledger import apply_provider_events


def send_batch_recording_refusals(*, settings: Settings, provider: Provider, batch_id: int,
                                  limiter: RateLimiter | None = None) -> BatchOutcome | None:
    """:func:`newsletter.sending.send_batch`, then the recipients the relay refused recorded
    in the ledger, in a transaction of their own."""
    watched = _RefusalWatch(provider)
    outcome = send_batch(settings=settings, provider=watched, batch_id=batch_id, limiter=limiter)
    if watched.refused:
        with transaction(settings.database_url) as session:
            apply_provider_events(session=session, settings=settings, events=watched.refused)
    return outcome


def refusal_events(batch: OutgoingBatch, results: list[RecipientResult]) -> list[ProviderEvent]:
    """A bounce event for each recipient of ``batch`` whose address the relay refused (5xx)."""
    recipients = {r.delivery_id: r for r in batch.recipients}
    events = []
    for result in results:
        if result.smtp_code is None or not 500 <= result.smtp_code < 600 or result.delivery_id not in recipients:
            continue
        recipient = recipients[result.delivery_id]
        reply = (result.error or str(result.smtp_code)).removeprefix(f"{result.smtp_code} ")
        status = smtp_status(reply)
        if status is not None and not status.startswith("5."):
            status = None  # a 5xx reply quoting some other code
        # Without an enhanced code, 552 is the RFC 5321 "exceeded storage allocation": full.
        bounce = "soft" if status is None and result.smtp_code == 552 else classify(status, permanent=True)
        events.append(ProviderEvent(
            kind=EventKind.BOUNCED, email=recipient.email, send_id=batch.send_id,
            batch_id=None,  # not a sign that the batch was taken: it was answered, recipient by recipient
            delivery_id=recipient.delivery_id, message_id=recipient.message_id,
            reason=result.error, event_id=f"refused/{recipient.delivery_id}", provider="smtp",
            bounce=bounce, status=status, raw={"smtp_code": result.smtp_code, "smtp_reply": reply},
        ))
    return events


class _RefusalWatch(Provider):
    """Passes each batch to ``provider`` and keeps the refusals in its answer: one per call
    (a provider is shared by a worker's threads)."""

    def __init__(self, provider: Provider):
        self.provider = provider
        self.name = provider.name  # type: ignore[misc]
        self.resend_is_harmless = provider.resend_is_harmless  # type: ignore[misc]
        self.refused: list[ProviderEvent] = []

    def send_batch(self, batch: OutgoingBatch) -> list[RecipientResult]:
        return self.stream_batch(batch, lambda _: None)

    def stream_batch(self, batch: OutgoingBatch, on_results) -> list[RecipientResult]:
        results = self.provider.stream_batch(batch, on_results)
        self.refused += refusal_events(batch, results)
        return results
