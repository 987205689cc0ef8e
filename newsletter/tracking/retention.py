"""Retention: raw delivery events older than NEWSLETTER_EVENT_RETENTION_DAYS are deleted, a
chunk per transaction; what reports need of them is kept.

The ledger grows by at least one row per recipient per send (delivered), then opens and
clicks: kept forever it would outgrow everything else. Each send's counts (``send_counts``,
``send_link_counts``, ``send_domain_counts``: tracking/counts.py) were added to when the events
were recorded and are not touched here, nor are the ``delivery_firsts`` that keep unique counts
exact, nor the suppressions (an event a suppression names is only unlinked from it). The
per-recipient export and the report's hour-by-hour chart, read from the raw events, are empty
for a send whose events are gone.
"""

import datetime as dt

from sqlalchemy import delete, select

from newsletter.config import Settings
from newsletter.db.engine import transaction
from newsletter.db.models import DeliveryEvent, utcnow

CHUNK = 5000  # rows per transaction: short locks, bounded undo
ROUND_SECONDS = 3600  # how often it runs (beat; the embedded mode): hourly is plenty for days


def cutoff(settings: Settings, now: dt.datetime | None = None) -> dt.datetime:
    """The moment before which raw events are deleted."""
    return (now or utcnow()) - dt.timedelta(days=settings.event_retention_days)


def delete_old_events(*, settings: Settings, now: dt.datetime | None = None, chunk: int = CHUNK,
                      rounds: int = 200) -> int:
    """Delete the raw events that happened before :func:`cutoff`, ``chunk`` per transaction, at
    most ``rounds`` transactions (the next run goes on); how many were deleted."""
    before, deleted = cutoff(settings, now), 0
    for _ in range(rounds):
        with transaction(settings.database_url) as session:
            ids = select(DeliveryEvent.id).where(DeliveryEvent.occurred_at < before).order_by(DeliveryEvent.id) \
                .limit(chunk).scalar_subquery()
            count = session.execute(delete(DeliveryEvent).where(DeliveryEvent.id.in_(ids))
                                    .execution_options(synchronize_session=False)).rowcount
        deleted += count
        if count < chunk:
            break
    return deleted
