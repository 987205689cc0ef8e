"""The Celery application, configured from the settings.

With NEWSLETTER_BROKER_URL unset the broker is in-process memory and the CLI runs an
embedded worker (:mod:`workers.embedded`); with a Redis URL, `celery -A workers worker`
processes do the work and one `celery -A workers beat` runs the sweep every
NEWSLETTER_POLL_INTERVAL seconds (and reads the bounce mailbox every
NEWSLETTER_BOUNCE_POLL_SECONDS, when there is one). Tasks carry ids only: the database holds all state.
"""

from celery import Celery
from kombu import Queue

from newsletter.config import Settings, get_settings


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
        broker_connection_retry_on_startup=True,
        broker_transport_options={"polling_interval": 0.05} if not settings.broker_url else {},
        worker_hijack_root_logger=False,
        timezone="UTC",
        # The sweep has a queue of its own so it never waits behind a million recipients' batches.
        task_queues=[Queue("celery"), Queue("control")],
        task_routes={name: {"queue": "control"} for name in (
            "newsletter.sweep", "newsletter.poll_bounces",
            "newsletter.send_confirmation",  # a person waits for it: not behind a send's batches
        )},
        beat_schedule={
            "sweep": {
                "task": "newsletter.sweep",
                "schedule": settings.poll_interval,
                "options": {"expires": settings.poll_interval},  # a missed sweep is not worth running late
            },
            **({"poll-bounces": {
                "task": "newsletter.poll_bounces",
                "schedule": settings.bounce_poll_seconds,
                "options": {"expires": settings.bounce_poll_seconds},
            }} if settings.bounce_imap_host else {}),
        },
    )
    return app


app = make_celery(get_settings())
