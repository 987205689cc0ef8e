"""Sending one batch: claim it, hand it to the provider, record every outcome.

The database is the source of truth, and a batch moves through states that say how far it
got, so that whatever crashes, the next step is clear (see README, "Delivery guarantee"):

    pending --claim--> submitting --about to post--> posting --answer--> done | failed
                 ^                                       |
                 +---- transient error (retry_at) -------+--- no clear answer ---> ambiguous

Every step is a state-conditioned update, so a redelivered task for a batch another worker
holds or has finished does nothing, and a paused or cancelled send is never posted. Recipients
who unsubscribed or were suppressed after the freeze are skipped (``suppressed``). Answers a
provider gives recipient by recipient (SMTP) are recorded as they come, while the batch beats
(sending/progress.py); the rest, the batch and, when it is the last, the send are written in
one transaction.

LOCK ORDER: every transaction that changes several of them locks a batch row first, then its
deliveries, then the send (the worker recording an outcome, the webhook confirming one, an
admin retrying failed recipients), so that two of them meeting on one batch wait for each other instead of deadlocking.
"""

import datetime as dt
import logging
import random
import time
from dataclasses import dataclass

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from newsletter.config import Settings
from newsletter.content.phrases import unnamed_reader
from newsletter.db.engine import transaction
from newsletter.db.models import (
    Batch,
    Delivery,
    Issue,
    Send,
    Subscriber,
    Subscription,
    utcnow,
)
from newsletter.errors import (
    AmbiguousDeliveryError,
    ProviderAuthError,
    ProviderError,
    TransientProviderError,
)
from newsletter.links import Links
from newsletter.providers.base import OutgoingBatch, Provider, Recipient, RecipientResult
from newsletter.rendering.personalise import PersonalisableTemplate
from newsletter.sending.editions import batch_rendering
from newsletter.sending.message_tokens import NO_CLICK_TOKEN, click_key, click_token, message_tag
from newsletter.sending.progress import BatchProgress, record_outcomes
from newsletter.sending.ratelimit import RateLimiter
from newsletter.sending.states import (
    B,
    BatchStatus,
    DeliveryStatus,
    S,
    finish_if_complete,
    move_deliveries,
    transition,
)
from newsletter.sending.variants import load_tracking

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchOutcome:
    """What happened to a batch a worker claimed: the state it was left in, and counts."""

    batch_id: int
    status: str  # done, failed, pending (to be retried), ambiguous
    accepted: int = 0
    failed: int = 0
    suppressed: int = 0
    error: str | None = None


def send_batch(
    *, settings: Settings, provider: Provider, batch_id: int, limiter: RateLimiter | None = None
) -> BatchOutcome | None:
    """Claim and send batch ``batch_id``; None if it was not there to take (already taken,
    finished, not yet due, or its send is not sending).

    A transient failure puts the batch back to ``pending`` with a ``retry_at``; recipients
    the provider marks ``retry`` stay pending and only they are sent next time. An answer
    that may hide an acceptance leaves the batch ``ambiguous``; a refusal of our credentials
    puts it back and pauses the send. Any other error fails the batch's recipients.
    """
    url = settings.database_url
    with transaction(url) as session:
        claim = _claim(session, batch_id)
        if claim is None:
            return None
        attempt, number = claim
        outgoing, suppressed = _load(session, settings, batch_id)
    # Answers are recorded as they come and the batch beats until its outcome is written.
    with BatchProgress(url=url, send_id=outgoing.send_id, batch_id=batch_id, number=number, attempt=attempt,
                       heartbeat_seconds=settings.batch_stuck_after / 5) as progress:
        return _post(url, provider, limiter, outgoing, progress, suppressed=suppressed)


def _post(url: str, provider: Provider, limiter: RateLimiter | None, outgoing: OutgoingBatch,
          progress: BatchProgress, *, suppressed: int) -> BatchOutcome:
    """Wait for the batch's turn, hand it to the provider and record the answer."""
    batch_id, attempt = progress.batch_id, progress.attempt
    if outgoing.recipients and limiter is not None:
        turn = limiter.reserve(len(outgoing.recipients))
        if not turn.granted:
            return _put_back(url, batch_id, B.SUBMITTING, delay=turn.wait - limiter.max_wait / 2,
                             error=None, suppressed=suppressed)
        time.sleep(turn.wait)
    with transaction(url) as session:
        if not _mark_posting(session, batch_id):  # paused, cancelled or recovered meanwhile
            return _put_back(url, batch_id, B.SUBMITTING, delay=0, error=None, suppressed=suppressed)
    ids = {"send_id": outgoing.send_id, "batch_id": batch_id}  # for JSON log lines (NEWSLETTER_LOG_FORMAT)
    try:
        results = provider.stream_batch(outgoing, progress.add) if outgoing.recipients else []
    except TransientProviderError as err:
        delay = err.retry_after if err.retry_after is not None else _backoff(attempt)
        return _put_back(url, batch_id, B.POSTING, delay=delay, error=str(err), suppressed=suppressed)
    except AmbiguousDeliveryError as err:
        log.warning("batch %s: outcome unknown, awaiting confirmation: %s", batch_id, err, extra=ids)
        with transaction(url) as session:
            session.execute(transition(Batch, B.POSTING, B.AMBIGUOUS, Batch.id == batch_id, error=str(err)))
        return BatchOutcome(batch_id, "ambiguous", suppressed=suppressed, error=str(err))
    except ProviderAuthError as err:
        log.error("batch %s: %s; pausing send %s", batch_id, err, outgoing.send_id, extra=ids)
        with transaction(url) as session:
            session.execute(transition(Send, S.SENDING, S.PAUSED, Send.id == outgoing.send_id,
                                       status_reason=f"{err} (fix it, then resume the send)"))
        return _put_back(url, batch_id, B.POSTING, delay=0, error=str(err), suppressed=suppressed)
    except Exception as err:  # recorded on every recipient still unanswered, so the batch never hangs
        log.error("batch %s failed: %s", batch_id, err, exc_info=not isinstance(err, ProviderError), extra=ids)
        given = progress.given  # what the relay answered before the failure stands (accepted is accepted)
        results = [given.get(r.delivery_id) or RecipientResult(r.delivery_id, False, error=str(err))
                   for r in outgoing.recipients]
    accepted = sum(r.accepted for r in results)
    # A batch that got somewhere is retried soon, however many attempts came before.
    retry_at = utcnow() + dt.timedelta(seconds=_backoff(1 if accepted else attempt))
    with transaction(url) as session:
        status = _record(session, outgoing, results, progress, retry_at=retry_at)
    failed = sum(not r.accepted and not r.retry for r in results)
    error = next((r.error for r in results if not r.accepted), None)
    return BatchOutcome(batch_id, status, accepted, failed, suppressed, error)


def _claim(session: Session, batch_id: int) -> tuple[int, int] | None:
    """Take a due, pending batch of a sending send; (its attempt, its number), or None."""
    sending = exists().where(Send.id == Batch.send_id, Send.status == S.SENDING)
    due = (Batch.retry_at.is_(None)) | (Batch.retry_at <= utcnow())
    claimed = session.execute(
        transition(Batch, B.PENDING, B.SUBMITTING, Batch.id == batch_id, due, sending,
                   claimed_at=utcnow(), heartbeat_at=utcnow(), attempts=Batch.attempts + 1)
        .returning(Batch.attempts, Batch.number)
    ).first()
    return tuple(claimed) if claimed else None


def _mark_posting(session: Session, batch_id: int) -> bool:
    """Record that the batch is about to reach the provider, if its send is still sending."""
    sending = exists().where(Send.id == Batch.send_id, Send.status == S.SENDING)
    posting = session.execute(
        transition(Batch, B.SUBMITTING, B.POSTING, Batch.id == batch_id, sending, posted_at=utcnow())
    )
    return posting.rowcount == 1


def _put_back(url: str, batch_id: int, state: BatchStatus, *, delay: float, error: str | None,
              suppressed: int) -> BatchOutcome:
    """Return a batch from ``state`` to pending, due again after ``delay`` seconds."""
    with transaction(url) as session:
        session.execute(transition(Batch, state, B.PENDING, Batch.id == batch_id, error=error,
                                   retry_at=utcnow() + dt.timedelta(seconds=max(0.0, delay))))
    return BatchOutcome(batch_id, "pending", suppressed=suppressed, error=error)


def _backoff(attempt: int) -> float:
    """Seconds before retry ``attempt`` + 1: exponential from 5 s to 10 min, with jitter."""
    return min(600.0, 5.0 * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)


def _load(session: Session, settings: Settings, batch_id: int) -> tuple[OutgoingBatch, int]:
    batch = session.get_one(Batch, batch_id)
    send = session.get_one(Send, batch.send_id)
    rendering = batch_rendering(session, send, batch.number)  # the edition of the batch's readers
    # The archive address the send was made with (sends before migration 0007: the issue's).
    slug = send.archive_slug or session.scalar(select(Issue.slug).where(Issue.id == send.issue_id))
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
    rows = session.execute(
        select(Delivery.id, Delivery.subscriber_id, Delivery.list_id, Delivery.email, Delivery.name,
               exists(still_eligible).label("eligible"))
        .where(in_batch)
        .order_by(Delivery.id)
    ).all()
    gone = [row.id for row in rows if not row.eligible]
    if gone:  # unsubscribed or suppressed since the freeze
        move_deliveries(session, send_id=batch.send_id, batch_number=batch.number, where=[Delivery.id.in_(gone)],
                        from_=DeliveryStatus.PENDING, to=DeliveryStatus.SUPPRESSED)
    links = Links(settings)
    web_url = links.archive_url(slug, rendering.edition)
    # Tracked links and the open image (sending/variants.py): each reader gets the version of the
    # message their list and their own choice allow, and their signed token where it has a slot.
    tracking = load_tracking(session=session, send=rendering, base_url=settings.base_url,
                             subscriber_ids=[row.subscriber_id for row in rows if row.eligible])
    if tracking is None:
        html = PersonalisableTemplate(rendering.html_template, escape_html=True)
        text = PersonalisableTemplate(rendering.text_template, escape_html=False)
    else:
        (html, text), key = tracking.versions.documents[0], click_key(settings.secret_key)
    recipients = []
    message_id_suffix = f"{message_tag(settings, send.id)}@{settings.sender_domain}>"
    for delivery_id, subscriber_id, list_id, email, name, eligible in rows:
        if not eligible:
            continue
        unsubscribe_url = links.unsubscribe_url(subscriber_id, list_id)
        fields = {"name": name or unnamed_reader(rendering.language), "email": email, "unsubscribe_url": unsubscribe_url, "web_url": web_url}
        variant = 0
        if tracking is not None:
            variant, tokened = tracking.version(list_id, subscriber_id)
            fields["click_token"] = click_token(key, send.id, delivery_id) if tokened else NO_CLICK_TOKEN
        recipients.append(
            Recipient(
                delivery_id=delivery_id,
                email=email,
                name=name,
                message_id=f"<{send.id}.{delivery_id}.{message_id_suffix}",
                unsubscribe_url=unsubscribe_url,
                fields=fields,
                variant=variant,
            )
        )
    outgoing = OutgoingBatch(
        send_id=send.id,
        batch_id=batch.id,
        subject=rendering.subject,
        from_email=settings.from_email,
        from_name=settings.from_name,
        reply_to=settings.reply_to,
        list_unsubscribe_mailto=settings.list_unsubscribe_mailto,
        html=html,
        text=text,
        recipients=recipients,
        variants=tracking.versions.extra if tracking else (),
    )
    return outgoing, len(gone)


def _record(session: Session, outgoing: OutgoingBatch, results: list[RecipientResult], progress: BatchProgress, *,
            retry_at: dt.datetime) -> str:
    """Write the batch's outcome, every recipient's not yet recorded, then the send's; the
    batch's status.

    Rows are locked in the same order everywhere (batch, deliveries, send; see LOCK ORDER
    in the module docstring), so a webhook confirming this batch at the same moment waits
    instead of deadlocking.
    """
    now = utcnow()
    failed = [r for r in results if not r.accepted]
    if any(r.retry for r in results):
        status, values = B.PENDING, {"retry_at": retry_at}
    elif failed and len(failed) == len(results):
        status, values = B.FAILED, {"finished_at": now}
    else:
        status, values = B.DONE, {"finished_at": now}
    # The answer counts unless the batch was claimed again since (attempts); the sweep may have
    # taken it back meanwhile, into ambiguous or pending, and the answer settles it.
    session.execute(transition(
        Batch, (B.POSTING, B.AMBIGUOUS, B.PENDING), status, Batch.id == outgoing.batch_id,
        Batch.attempts == progress.attempt, error=failed[0].error if failed else None, **values))
    record_outcomes(session, send_id=outgoing.send_id, number=progress.number,
                    results=[r for r in results if r.delivery_id not in progress.recorded])
    finish_if_complete(session, outgoing.send_id)
    return status
