"""The Celery application, configured from the settings.

With NEWSLETTER_BROKER_URL unset the broker is in-process memory and the CLI runs an
embedded worker (:mod:`workers.embedded`); with a Redis URL, `celery -A workers worker`
processes do the work and one `celery -A workers beat` runs the sweep every
NEWSLETTER_POLL_INTERVAL seconds (and reads the bounce mailbox every
NEWSLETTER_BOUNCE_POLL_SECONDS, when there is one). Tasks carry ids only: the database holds all state.
"""

import logging
import os

from celery import Celery
from celery.signals import (
    celeryd_init,
    setup_logging,
    worker_process_init,
    worker_process_shutdown,
    worker_ready,
)
from kombu import Queue

from newsletter.config import Settings, get_settings
from newsletter.intake.polling import FEED_ROUND_SECONDS
from newsletter.operations.heap import freeze_startup_heap
from newsletter.operations.logging import configure_logging
from newsletter.operations.metrics_dir import forget_process, use_metrics_dir
from newsletter.tracking.retention import ROUND_SECONDS as RETENTION_ROUND_SECONDS


def make_celery(settings: Settings) -> Celery:
    """A Celery app for ``settings``."""
    app = Celery("newsletter", broker=settings.broker_url or "memory://")
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,  # outcomes live in the database
        task_acks_late=True,  # a batch lost with its worker is delivered again...
        task_reject_on_worker_lost=True,  # ...even when the worker was killed by a signal
        worker_prefetch_multiplier=1,  # batches are long; do not hoard them
        # A SendGrid call mostly waits on the network: several batches in flight in each process.
        # (SMTP sends a batch over many connections itself: one batch per process, prefork.)
        **({"worker_pool": "threads", "worker_concurrency": settings.sendgrid_concurrency}
           if settings.email_backend == "sendgrid" else {}),
        broker_connection_retry_on_startup=True,
        broker_transport_options={"polling_interval": 0.05} if not settings.broker_url else {},
        worker_hijack_root_logger=False,
        timezone="UTC",
        # The sweep has a queue of its own so it never waits behind a million recipients' batches.
        task_queues=[Queue("celery"), Queue("control")],
        task_routes={name: {"queue": "control"} for name in (
            "newsletter.sweep", "newsletter.poll_bounces", "newsletter.delete_old_events",
            "newsletter.send_confirmation",  # a person waits for it: not behind a send's batches
        )},
        beat_schedule={
            "sweep": {
                "task": "newsletter.sweep",
                "schedule": settings.poll_interval,
                "options": {"expires": settings.poll_interval},  # a missed sweep is not worth running late
            },
            "delete-old-events": {  # retention
                "task": "newsletter.delete_old_events",
                "schedule": RETENTION_ROUND_SECONDS,
                "options": {"expires": RETENTION_ROUND_SECONDS},
            },
            "poll-feeds": {  # each feed is due at its own interval: this only looks for due ones
                "task": "newsletter.poll_feeds",
                "schedule": FEED_ROUND_SECONDS,
                "options": {"expires": FEED_ROUND_SECONDS},
            },
            **({"poll-bounces": {
                "task": "newsletter.poll_bounces",
                "schedule": settings.bounce_poll_seconds,
                "options": {"expires": settings.bounce_poll_seconds},
            }} if settings.bounce_imap_host else {}),
        },
    )
    return app


settings = get_settings()
use_metrics_dir(settings)  # before any task counts: a worker's pool children inherit the folder
app = make_celery(settings)


@worker_ready.connect
@worker_process_init.connect
def _freeze_startup_heap(**_) -> None:
    freeze_startup_heap()  # the worker (a prefork pool's child too) is ready: see operations/heap.py


@worker_process_shutdown.connect
def _forget_stopped_process(pid: int | None = None, **_) -> None:
    forget_process(pid or os.getpid())  # its live gauges (batches in progress) stop counting


if settings.log_format == "json":

    @setup_logging.connect
    def _json_logs(loglevel=None, **_) -> None:  # connected: Celery leaves logging to us
        configure_logging(settings, level=loglevel or logging.INFO)

    @celeryd_init.connect
    def _json_from_the_start(instance, **_) -> None:
        instance.quiet = True  # the startup banner is not a log line
        configure_logging(settings)  # already: the worker warns before it sets up logging
