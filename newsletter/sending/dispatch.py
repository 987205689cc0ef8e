"""Sending one batch: claim it, hand it to the provider, record every outcome.

The database is the source of truth. A batch is claimed with a state-conditioned update
(``pending`` -> ``submitting``), so a redelivered task for a batch another worker holds or
has finished does nothing. Recipients who unsubscribed or were suppressed after the send
was frozen are skipped (``suppressed``). The outcome of every recipient, the batch and, when
it is the last batch, the send are written in one transaction.
"""

import hashlib
import hmac
import logging
from dataclasses import dataclass

from sqlalchemy import and_, exists, select, update
from sqlalchemy.orm import Session

from newsletter.config import Settings
from newsletter.db.engine import transaction
from newsletter.db.models import Batch, Delivery, Issue, Send, Subscriber, Subscription, utcnow
from newsletter.errors import ProviderError, TransientProviderError
from newsletter.links import Links
from newsletter.providers.base import OutgoingBatch, Provider, Recipient, RecipientResult
from newsletter.rendering.personalise import PersonalisableTemplate

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchOutcome:
    """What happened to a batch a worker claimed."""

    batch_id: int
    accepted: int
    failed: int
    suppressed: int


def send_batch(*, settings: Settings, provider: Provider, batch_id: int) -> BatchOutcome | None:
    """Claim and send batch ``batch_id``; None if it was not pending (already taken or done).

    A TransientProviderError returns the batch to ``pending`` and is re-raised for the caller
    to retry later; any other error fails the batch's recipients with its message. Recipients
    the provider marks ``retry`` stay pending, the batch too, and TransientProviderError is
    raised after the others' outcomes are recorded: a retry sends only those recipients.
    """
    url = settings.database_url
    with transaction(url) as session:
        if not _claim(session, batch_id):
            return None
        outgoing, suppressed = _load(session, settings, batch_id)
    try:
        results = provider.send_batch(outgoing) if outgoing.recipients else []
    except TransientProviderError as err:
        with transaction(url) as session:
            session.execute(
                update(Batch).where(Batch.id == batch_id, Batch.status == "submitting")
                .values(status="pending", error=str(err))
            )
        raise
    except Exception as err:  # recorded on every recipient, so the batch never hangs
        log.error("batch %s failed: %s", batch_id, err, exc_info=not isinstance(err, ProviderError))
        results = [RecipientResult(r.delivery_id, False, error=str(err)) for r in outgoing.recipients]
    with transaction(url) as session:
        _record(session, outgoing, results)
    retry = [r for r in results if r.retry]
    if retry:  # recorded above: the retry sends only these
        raise TransientProviderError(provider.name, f"{len(retry)} recipients left for a retry: {retry[0].error}")
    accepted = sum(r.accepted for r in results)
    return BatchOutcome(batch_id, accepted, len(results) - accepted, suppressed)


def _claim(session: Session, batch_id: int) -> bool:
    claimed = session.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.status == "pending")
        .values(status="submitting", claimed_at=utcnow(), attempts=Batch.attempts + 1)
    )
    return claimed.rowcount == 1


def _load(session: Session, settings: Settings, batch_id: int) -> tuple[OutgoingBatch, int]:
    batch = session.get_one(Batch, batch_id)
    send = session.get_one(Send, batch.send_id)
    slug = session.scalar(select(Issue.slug).where(Issue.id == send.issue_id))
    still_eligible = (
        select(Subscription.subscriber_id)
        .join(Subscriber, Subscriber.id == Subscription.subscriber_id)
        .where(
            Subscription.subscriber_id == Delivery.subscriber_id,
            Subscription.list_id == Delivery.list_id,
            Subscription.status == "confirmed",
            Subscriber.status == "active",
        )
    )
    in_batch = and_(
        Delivery.send_id == batch.send_id,
        Delivery.batch_number == batch.number,
        Delivery.status == "pending",
    )
    suppressed = session.execute(
        update(Delivery)
        .where(in_batch, ~exists(still_eligible))
        .values(status="suppressed", updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    rows = session.execute(
        select(Delivery.id, Delivery.subscriber_id, Delivery.list_id, Delivery.email, Delivery.name)
        .where(in_batch)
        .order_by(Delivery.id)
    ).all()
    links = Links(settings)
    web_url = links.archive_url(slug)
    recipients = []
    for delivery_id, subscriber_id, list_id, email, name in rows:
        unsubscribe_url = links.unsubscribe_url(subscriber_id, list_id)
        recipients.append(
            Recipient(
                delivery_id=delivery_id,
                email=email,
                name=name,
                message_id=_message_id(settings, send.id, delivery_id),
                unsubscribe_url=unsubscribe_url,
                fields={
                    "name": name or "there",
                    "email": email,
                    "unsubscribe_url": unsubscribe_url,
                    "web_url": web_url,
                },
            )
        )
    outgoing = OutgoingBatch(
        send_id=send.id,
        batch_id=batch.id,
        subject=send.subject,
        from_email=settings.from_email,
        from_name=settings.from_name,
        reply_to=settings.reply_to,
        list_unsubscribe_mailto=settings.list_unsubscribe_mailto,
        html=PersonalisableTemplate(send.html_template, escape_html=True),
        text=PersonalisableTemplate(send.text_template, escape_html=False),
        recipients=recipients,
    )
    return outgoing, suppressed


def _record(session: Session, outgoing: OutgoingBatch, results: list[RecipientResult]) -> None:
    now = utcnow()
    if results:
        session.execute(
            update(Delivery),
            [
                {
                    "id": r.delivery_id,
                    "status": "pending" if r.retry else "accepted" if r.accepted else "failed",
                    "provider_message_id": r.provider_message_id,
                    "error": r.error,
                    "updated_at": now,
                }
                for r in results
            ],
        )
    failed = [r for r in results if not r.accepted]
    if any(r.retry for r in results):
        status = "pending"
    elif failed and len(failed) == len(results):
        status = "failed"
    else:
        status = "done"
    session.execute(
        update(Batch)
        .where(Batch.id == outgoing.batch_id)
        .values(status=status, finished_at=None if status == "pending" else now,
                error=failed[0].error if failed else None)
    )
    unfinished = exists().where(
        Batch.send_id == outgoing.send_id, Batch.status.in_(("pending", "submitting"))
    )
    session.execute(
        update(Send)
        .where(Send.id == outgoing.send_id, Send.status == "sending", ~unfinished)
        .values(status="sent", finished_at=now)
    )


def _message_id(settings: Settings, send_id: int, delivery_id: int) -> str:
    """A Message-ID stable across retries of one delivery and unique to this deployment."""
    tag = hmac.new(settings.secret_key.encode(), f"{send_id}.{delivery_id}".encode(), hashlib.sha256)
    return f"<{send_id}.{delivery_id}.{tag.hexdigest()[:16]}@{settings.sender_domain}>"
