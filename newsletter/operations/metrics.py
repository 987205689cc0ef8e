"""The service's Prometheus metrics: what the workers and the web app count, and what /metrics
reads from the database and the broker when it is scraped.

Counted where it happens (in every process, in files under NEWSLETTER_METRICS_DIR when it is
set, see :mod:`newsletter.operations.metrics_dir`):

- ``newsletter_batches_total{provider, outcome}``: batches a worker handled: ``sent``,
  ``retried`` (back to pending: a transient error, the rate limit, a pause), ``failed``,
  ``ambiguous`` (the provider may have them; awaiting confirmation)
- ``newsletter_recipients_total{provider, outcome}``: ``accepted``, ``failed``, ``suppressed``
- ``newsletter_provider_call_seconds{provider}``: one call to the provider (a batch, or one
  confirmation email), answered or not
- ``newsletter_rate_limit_wait_seconds{provider}`` and ``newsletter_rate_limit_deferred_total``:
  the shared rate limit's waits, and the batches sent back because the wait was too long
- ``newsletter_batches_in_progress{provider}``: batches being sent right now
- ``newsletter_webhook_events_total{provider, kind}`` and
  ``newsletter_webhook_events_applied_total{provider, result}`` (``recorded`` or ``repeated``)
- ``newsletter_import_rows_total{outcome}`` (``accepted``, ``rejected``) and
  ``newsletter_imports_total{status}`` (``done``, ``failed``): background CSV imports

Read when scraped: ``newsletter_sends{state}``, ``newsletter_unfinished_batches{state}``,
``newsletter_queue_messages{queue}`` (Redis broker) and ``newsletter_dependency_up{dependency}``.
"""

import glob
import logging
import os
import threading
import time
from collections import Counter as Tally
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from sqlalchemy import func, select

from newsletter.config import Settings
from newsletter.db.engine import transaction
from newsletter.db.models import Batch, Send, SubscriberImport
from newsletter.providers.base import OutgoingBatch, Provider, ProviderEvent, RecipientResult
from newsletter.sending.dispatch import BatchOutcome
from newsletter.sending.ratelimit import RateLimiter, Reservation
from newsletter.sending.states import BatchStatus, SendStatus
from newsletter.subscribers.imports import report_of

log = logging.getLogger(__name__)

# The Celery queues (workers/celery_app.py) and kombu's Redis keys for their priority levels.
QUEUES = ("celery", "control")
_PRIORITY_KEYS = ("", "\x06\x163", "\x06\x166", "\x06\x169")
_OUTCOMES = {"done": "sent", "pending": "retried", "failed": "failed", "ambiguous": "ambiguous"}
_UNFINISHED = (BatchStatus.PENDING, BatchStatus.SUBMITTING, BatchStatus.POSTING, BatchStatus.AMBIGUOUS)


class _Metrics:
    """The metric objects, made at first use: prometheus_client must not be imported before the
    entry point has chosen the metrics folder."""

    def __init__(self) -> None:
        from prometheus_client import Counter, Gauge, Histogram

        self.batches = Counter("newsletter_batches", "Batches handled by workers, by outcome.",
                               ["provider", "outcome"])
        self.recipients = Counter("newsletter_recipients", "Recipients of handled batches, by outcome.",
                                  ["provider", "outcome"])
        self.provider_seconds = Histogram(
            "newsletter_provider_call_seconds", "Seconds one call to the provider took, answered or not.",
            ["provider"], buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120))
        self.rate_limit_wait = Histogram(
            "newsletter_rate_limit_wait_seconds", "Seconds a batch waited for its turn under the rate limit.",
            ["provider"], buckets=(0, 0.1, 0.5, 1, 2.5, 5, 10, 20, 30))
        self.rate_limit_deferred = Counter(
            "newsletter_rate_limit_deferred", "Batches sent back to the queue: their turn was too far.",
            ["provider"])
        self.in_progress = Gauge("newsletter_batches_in_progress", "Batches being sent right now.",
                                 ["provider"], multiprocess_mode="livesum")
        self.webhook_events = Counter("newsletter_webhook_events", "Webhook events received, by kind.",
                                      ["provider", "kind"])
        self.webhook_applied = Counter(
            "newsletter_webhook_events_applied", "Webhook events recorded in the ledger, or repeats of "
            "recorded ones.", ["provider", "result"])
        self.import_rows = Counter("newsletter_import_rows", "Rows of background CSV imports.", ["outcome"])
        self.imports = Counter("newsletter_imports", "Background CSV imports finished.", ["status"])


_made: list[_Metrics] = []
_making = threading.Lock()


def _metrics() -> _Metrics:
    # Once per process, whichever thread comes first (the embedded worker's threads race here).
    if not _made:
        with _making:
            if not _made:
                _made.append(_Metrics())
    return _made[0]


@contextmanager
def batch_in_progress(provider: str) -> Iterator[None]:
    """Count a batch as being sent while the block runs."""
    gauge = _metrics().in_progress.labels(provider)
    gauge.inc()
    try:
        yield
    finally:
        gauge.dec()


def count_batch(provider: str, outcome: BatchOutcome | None) -> None:
    """Count what a worker did with a batch (None: it was not there to take, nothing to count)."""
    if outcome is None:
        return
    metrics = _metrics()
    metrics.batches.labels(provider, _OUTCOMES.get(outcome.status, outcome.status)).inc()
    for name, count in (("accepted", outcome.accepted), ("failed", outcome.failed),
                        ("suppressed", outcome.suppressed)):
        if count:
            metrics.recipients.labels(provider, name).inc(count)


def count_webhook_events(provider: str, events: Iterable[ProviderEvent], *, recorded: int, repeated: int) -> None:
    """Count a delivery of webhook events and what the ledger made of them."""
    metrics = _metrics()
    for kind, count in Tally(event.kind.value for event in events).items():  # a label lookup costs ~5 us
        metrics.webhook_events.labels(provider, kind).inc(count)
    metrics.webhook_applied.labels(provider, "recorded").inc(recorded)
    metrics.webhook_applied.labels(provider, "repeated").inc(repeated)


def count_import(*, settings: Settings, import_id: int) -> None:
    """Count the rows of a finished background import, from its report."""
    with transaction(settings.database_url) as session:
        job = session.get(SubscriberImport, import_id)
        if job is None or job.status not in ("done", "failed"):
            return
        status, report = job.status, report_of(job)
    metrics = _metrics()
    metrics.imports.labels(status).inc()
    if report is not None:
        metrics.import_rows.labels("accepted").inc(report.accepted)
        metrics.import_rows.labels("rejected").inc(report.rejected_count)


class TimedProvider(Provider):
    """``provider``, with every call timed (newsletter_provider_call_seconds)."""

    def __init__(self, provider: Provider):
        self.provider = provider
        self.name = provider.name  # type: ignore[misc]
        self.resend_is_harmless = provider.resend_is_harmless  # type: ignore[misc]

    def send_batch(self, batch: OutgoingBatch) -> list[RecipientResult]:
        return self.stream_batch(batch, lambda _: None)

    def stream_batch(self, batch: OutgoingBatch, on_results) -> list[RecipientResult]:
        started = time.perf_counter()
        try:
            return self.provider.stream_batch(batch, on_results)
        finally:
            _metrics().provider_seconds.labels(self.name).observe(time.perf_counter() - started)


class WatchedRateLimiter(RateLimiter):
    """``limiter``, with its waits and refusals counted."""

    def __init__(self, limiter: RateLimiter, provider: str):
        # Not RateLimiter.__init__: the watched limiter keeps its own connection and state.
        self.limiter = limiter
        self.provider = provider
        self.buckets = limiter.buckets
        self.max_wait = limiter.max_wait

    def reserve(self, count: int) -> Reservation:
        """:meth:`RateLimiter.reserve`, counted."""
        turn = self.limiter.reserve(count)
        if self.buckets and count > 0:
            if turn.granted:
                _metrics().rate_limit_wait.labels(self.provider).observe(turn.wait)
            else:
                _metrics().rate_limit_deferred.labels(self.provider).inc()
        return turn


def scrape(settings: Settings) -> tuple[bytes, str]:
    """The metrics in Prometheus's text format, and its content type: from every process's
    files when NEWSLETTER_METRICS_DIR is set (else this process's), and the state of the
    service read now."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

    registry = CollectorRegistry()  # a fresh one per scrape: the files change between scrapes
    registry.register(_every_process(settings.metrics_dir) if settings.metrics_dir else _ThisProcess())
    registry.register(_ServiceState(settings))
    return generate_latest(registry), CONTENT_TYPE_LATEST


def _every_process(metrics_dir: Path):
    from prometheus_client import multiprocess

    class EveryProcessGroup(multiprocess.MultiProcessCollector):
        """prometheus_client's collector over the files of every process group's folder."""

        def collect(self):
            files = glob.glob(os.path.join(self._path, "*", "*.db"))
            return self.merge(files, accumulate=True)

    metrics_dir.mkdir(parents=True, exist_ok=True)
    return EveryProcessGroup(None, path=str(metrics_dir))


class _ThisProcess:
    """The metrics of this process alone (no shared folder: the embedded mode)."""

    def collect(self):
        from prometheus_client import REGISTRY

        _metrics()  # every metric, at zero until counted
        return REGISTRY.collect()


class _ServiceState:
    """What the database and the broker say now: sends and unfinished batches by state, the
    messages waiting in each queue, and whether each could be read."""

    def __init__(self, settings: Settings):
        self.settings = settings

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        up = GaugeMetricFamily("newsletter_dependency_up", "1 if this scrape could read it, else 0.",
                               labels=["dependency"])
        try:
            sends, batches = _states(self.settings.database_url)
        except Exception as err:  # noqa: BLE001 - an unreachable database is a metric, not a failed scrape
            log.warning("metrics: cannot read the database: %s", err)
            up.add_metric(["database"], 0)
        else:
            up.add_metric(["database"], 1)
            yield _gauge("newsletter_sends", "Sends by state.", "state",
                            {state.value: sends.get(state.value, 0) for state in SendStatus})
            yield _gauge("newsletter_unfinished_batches", "Batches not yet done, "
                            "failed or cancelled, by state.", "state",
                            {state.value: batches.get(state.value, 0) for state in _UNFINISHED})
        broker = self.settings.broker_url or ""
        if broker.startswith(("redis://", "rediss://")):
            try:
                lengths = queue_lengths(broker)
            except redis.RedisError as err:
                log.warning("metrics: cannot read the broker: %s", err)
                up.add_metric(["broker"], 0)
            else:
                up.add_metric(["broker"], 1)
                yield _gauge("newsletter_queue_messages", "Tasks waiting in each "
                                "Celery queue.", "queue", lengths)
        yield up


def _states(database_url: str) -> tuple[dict[str, int], dict[str, int]]:
    with transaction(database_url) as session:
        sends = dict(session.execute(select(Send.status, func.count()).group_by(Send.status)).all())
        batches = dict(session.execute(
            select(Batch.status, func.count()).where(Batch.status.in_(_UNFINISHED)).group_by(Batch.status)
        ).all())
    return sends, batches


def queue_lengths(broker_url: str) -> dict[str, int]:
    """Tasks waiting in each Celery queue of a Redis broker (every priority level)."""
    client = redis.Redis.from_url(broker_url, socket_connect_timeout=2, socket_timeout=2)
    try:
        pipe = client.pipeline(transaction=False)
        for queue in QUEUES:
            for suffix in _PRIORITY_KEYS:
                pipe.llen(queue + suffix)
        counts = pipe.execute()
    finally:
        client.close()
    step = len(_PRIORITY_KEYS)
    return {queue: sum(counts[i * step:(i + 1) * step]) for i, queue in enumerate(QUEUES)}


def _gauge(name: str, documentation: str, label: str, values: dict[str, int]):
    from prometheus_client.core import GaugeMetricFamily

    metric = GaugeMetricFamily(name, documentation, labels=[label])
    for value, count in values.items():
        metric.add_metric([value], count)
    return metric
