"""Thin Celery tasks over plain functions of :mod:`newsletter.sending`, the background imports
and the confirmation emails the subscribe form owes."""

import logging
import threading

from newsletter.config import Settings, get_settings
from newsletter.db.engine import transaction
from newsletter.db.models import utcnow
from newsletter.intake.polling import poll_due_feeds
from newsletter.operations import metrics
from newsletter.operations.logging import log_context
from newsletter.providers import Provider, provider_from_settings
from newsletter.sending import freeze_send
from newsletter.sending.ratelimit import RateLimiter, limiter_from_settings
from newsletter.sending.sweep import SweepReport, batches_to_queue, sweep
from newsletter.sending.transactional import send_owed_confirmation
from newsletter.subscribers.confirmations import confirmations_to_send
from newsletter.subscribers.imports import imports_to_run, run_import
from newsletter.tracking.click_stream import drain_clicks
from newsletter.tracking.retention import delete_old_events
from newsletter.tracking.mailbox import poll_bounce_mailbox
from newsletter.tracking.refusals import send_batch_recording_refusals
from workers.celery_app import app

log = logging.getLogger(__name__)


_PARTS: dict[Settings, tuple[Provider, RateLimiter]] = {}
_PARTS_LOCK = threading.Lock()  # the threads pool's first tasks must not each open a pool


def sending_parts(settings: Settings) -> tuple[Provider, RateLimiter]:
    """The provider and the shared rate limiter, made once per process for each settings
    (and watched: metrics). The provider keeps the SMTP pool's connections."""
    with _PARTS_LOCK:
        if settings not in _PARTS:
            provider = metrics.TimedProvider(provider_from_settings(settings))
            limiter = metrics.WatchedRateLimiter(limiter_from_settings(settings, provider.name), provider.name)
            _PARTS[settings] = (provider, limiter)
        provider, limiter = _PARTS[settings]
    return provider, limiter


@app.task(name="newsletter.send_batch")
def send_batch_task(batch_id: int) -> None:
    """Claim and send one batch; a no-op if another worker has it or it is done.

    Retries are not Celery retries: a batch that must wait goes back to ``pending`` with a
    ``retry_at`` in the database, and the sweep queues it again when it is due. Recipients
    the relay refused are recorded in the ledger as bounces.
    """
    settings = get_settings()
    provider, limiter = sending_parts(settings)
    with log_context(batch_id=batch_id), metrics.batch_in_progress(provider.name):
        outcome = send_batch_recording_refusals(settings=settings, provider=provider, batch_id=batch_id,
                                                limiter=limiter)
        metrics.count_batch(provider.name, outcome)
        if outcome is not None:
            log.info("batch %s %s: %s accepted, %s failed, %s suppressed", batch_id, outcome.status,
                     outcome.accepted, outcome.failed, outcome.suppressed)


@app.task(name="newsletter.sweep")
def sweep_task() -> None:
    """Start due sends, take back stuck batches, queue what is ready (run by beat)."""
    run_sweep(get_settings())


@app.task(name="newsletter.poll_bounces")
def poll_bounces_task() -> None:
    """Record the bounces waiting in the bounce mailbox (run by beat; a no-op unless
    NEWSLETTER_BOUNCE_IMAP_HOST is set)."""
    poll_bounce_mailbox(settings=get_settings())


@app.task(name="newsletter.poll_feeds")
def poll_feeds_task() -> None:
    """Poll the feeds that are due, saving their new entries as inbox items (run by beat every
    minute; a feed's own interval says when it is due)."""
    poll_due_feeds(settings=get_settings())


@app.task(name="newsletter.delete_old_events")
def delete_old_events_task() -> None:
    """Delete raw delivery events past NEWSLETTER_EVENT_RETENTION_DAYS; counts stay (run by beat)."""
    delete_old_events(settings=get_settings())


@app.task(name="newsletter.drain_clicks")
def drain_clicks_task() -> None:
    """Record the clicks the web app buffered in Redis (published by every sweep when there is
    a shared Redis; what a drain that stopped had read is taken over by a later one)."""
    drain_clicks(settings=get_settings())


@app.task(name="newsletter.import_subscribers")
def import_task(import_id: int) -> None:
    """Import a CSV file uploaded in the web app (a no-op unless it is running)."""
    settings = get_settings()
    run_import(settings=settings, import_id=import_id)
    metrics.count_import(settings=settings, import_id=import_id)


@app.task(name="newsletter.send_confirmation")
def send_confirmation_task(subscriber_id: int, list_id: int) -> None:
    """Send the confirmation email a membership owes (a no-op if it owes none any more)."""
    settings = get_settings()
    provider, _ = sending_parts(settings)
    send_owed_confirmation(settings=settings, provider=provider, subscriber_id=subscriber_id, list_id=list_id)


def run_sweep(settings: Settings) -> SweepReport:
    """One sweep, with a task published for every batch as soon as it is ready, one for every
    uploaded file waiting to be imported, and one for every confirmation email owed."""
    provider, _ = sending_parts(settings)
    report = sweep(settings=settings, resend_is_harmless=provider.resend_is_harmless, on_batches=publish)
    with transaction(settings.database_url) as session:
        now = utcnow()
        import_ids = imports_to_run(session=session, settings=settings, now=now)
        confirmations = confirmations_to_send(session=session, settings=settings, now=now)
    for import_id in import_ids:
        import_task.delay(import_id)
    for subscriber_id, list_id in confirmations:
        send_confirmation_task.delay(subscriber_id, list_id)
    if settings.shared_redis_url:  # where the web app buffers clicks (tracking/click_stream.py)
        drain_clicks_task.apply_async(queue="control", expires=settings.poll_interval)
    return report


def queue_send(settings: Settings, send_id: int) -> None:
    """Freeze what is left of a started send's recipients, publishing each chunk's batches as
    it commits, then publish a task for every other ready batch (not waiting for the sweep)."""
    freeze_send(settings=settings, send_id=send_id, on_batches=publish)
    with transaction(settings.database_url) as session:
        ready = batches_to_queue(session=session, settings=settings, now=utcnow(), send_id=send_id)
    publish(ready)  # after commit: the UPDATE locked these batches, and workers would wait to claim them


def publish(batch_ids: list[int]) -> None:
    """Publish a send_batch task for each of ``batch_ids``."""
    for batch_id in batch_ids:
        send_batch_task.delay(batch_id)
