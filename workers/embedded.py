"""An in-process Celery worker for the embedded mode (no broker configured)."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from celery import Celery


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
