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
    run it: due scheduled sends start, retries and recovered batches are queued."""
    from workers import app
    from workers.tasks import run_sweep

    stopped = threading.Event()

    def sweep_until_stopped() -> None:
        while not stopped.wait(settings.poll_interval):
            try:
                run_sweep(settings)
            except Exception:  # a failed sweep is retried at the next interval
                log.exception("sweep failed")

    with embedded_worker(app):
        sweeper = threading.Thread(target=sweep_until_stopped, name="embedded-sweep", daemon=True)
        sweeper.start()
        try:
            yield
        finally:
            stopped.set()
            sweeper.join(timeout=30)
