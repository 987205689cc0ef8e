"""The embedded mode (no broker): a Celery worker and the sweep, in threads of this process."""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from celery import Celery

from newsletter.config import Settings

log = logging.getLogger(__name__)


@contextmanager
def embedded_worker(app: Celery, *, concurrency: int = 2) -> Iterator[None]:
    """Run a Celery worker in a background thread of this process until the block ends.

    It consumes the in-memory broker the same tasks a `celery worker` process would
    consume from Redis, with the same serialisation and acknowledgement rules.
    """
    worker = app.WorkController(
        pool="threads",
        concurrency=concurrency,
        hostname="embedded@localhost",
        without_heartbeat=True,
        without_mingle=True,
        without_gossip=True,
        loglevel="WARNING",
    )
    thread = threading.Thread(target=worker.start, name="embedded-celery-worker", daemon=True)
    thread.start()
    try:
        yield
    finally:
        worker.stop(in_sighandler=False)
        thread.join(timeout=10)


@contextmanager
def embedded_dispatch(settings: Settings) -> Iterator[None]:
    """An embedded worker, and the sweep every NEWSLETTER_POLL_INTERVAL seconds as beat would
    run it: due scheduled sends start, retries and recovered batches are queued. With a bounce
    mailbox (NEWSLETTER_BOUNCE_IMAP_HOST), it is read every NEWSLETTER_BOUNCE_POLL_SECONDS; due
    feeds are polled every minute; raw events past NEWSLETTER_EVENT_RETENTION_DAYS are deleted
    every hour."""
    from newsletter.intake.polling import FEED_ROUND_SECONDS, poll_due_feeds
    from newsletter.tracking import retention
    from newsletter.tracking.mailbox import poll_bounce_mailbox
    from workers import app
    from workers.tasks import run_sweep

    stopped = threading.Event()

    def every(seconds: float, name: str, work) -> threading.Thread:
        def run_until_stopped() -> None:
            while not stopped.wait(seconds):
                try:
                    work()
                except Exception:  # a failed round is retried at the next interval
                    log.exception("%s failed", name)

        return threading.Thread(target=run_until_stopped, name=f"embedded-{name}", daemon=True)

    loops = [every(settings.poll_interval, "sweep", lambda: run_sweep(settings)),
             every(FEED_ROUND_SECONDS, "feed-poll", lambda: poll_due_feeds(settings=settings)),
             every(retention.ROUND_SECONDS, "retention", lambda: retention.delete_old_events(settings=settings))]
    if settings.bounce_imap_host:
        loops.append(every(settings.bounce_poll_seconds, "bounce-poll",
                           lambda: poll_bounce_mailbox(settings=settings)))
    with embedded_worker(app):
        for loop in loops:
            loop.start()
        try:
            yield
        finally:
            stopped.set()
            for loop in loops:
                loop.join(timeout=30)
