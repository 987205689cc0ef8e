"""Retention: raw events older than NEWSLETTER_EVENT_RETENTION_DAYS are deleted, chunk by chunk;
the send's counts, its report's figures and the suppressions the events caused are kept."""

import datetime as dt
import time
from types import SimpleNamespace

from sqlalchemy import func, select, update

from newsletter.db import transaction
from newsletter.db.models import DeliveryEvent, Suppression, utcnow
from newsletter.reports import send_report
from newsletter.tracking.clicks import new_click, record_clicks
from newsletter.tracking.retention import delete_old_events
from tests.conftest import make_settings
from tests.reports.helpers import report_events
from tests.tracking.click_helpers import ITEM_LINKS, accepted_ago, send_issue


def test_old_raw_events_go_and_the_counts_stay(db_settings, tmp_path):
    sent = send_issue(db_settings)
    accepted_ago(db_settings.database_url, 60)
    with transaction(db_settings.database_url) as session:
        record_clicks(session=session, settings=db_settings, clicks=[
            new_click(send_id=sent.send_id, link_id=link, url=ITEM_LINKS[link - 1], delivery_id=sent.deliveries[email],
                      method="GET", client=None) for email, link in (("ana@example.org", 2), ("bo@example.org", 3))])
    deliveries = {email: SimpleNamespace(id=delivery_id, send_id=sent.send_id)
                  for email, delivery_id in sent.deliveries.items()}
    report_events(db_settings, deliveries, ("delivered", "ana@example.org"), ("bounced", "bo@example.org", "hard"))
    with transaction(db_settings.database_url) as session:
        before = send_report(session=session, send_id=sent.send_id)
        # Every event but ana's delivery happened 200 days ago.
        session.execute(update(DeliveryEvent).where(DeliveryEvent.kind != "delivered")
                        .values(occurred_at=utcnow() - dt.timedelta(days=200)))
    settings = make_settings(tmp_path, database_url=db_settings.database_url, event_retention_days=180)
    assert delete_old_events(settings=settings, chunk=2) == 3  # two chunks of two, the second short
    with transaction(db_settings.database_url) as session:
        assert session.scalars(select(DeliveryEvent.kind)).all() == ["delivered"]
        after = send_report(session=session, send_id=sent.send_id)
        [suppression] = session.scalars(select(Suppression)).all()
        assert suppression.reason == "bounced" and suppression.event_id is None  # kept, unlinked
    assert after.clicks.by_hour == [0] * 72 and before.clicks.by_hour != after.clicks.by_hour  # raw: gone
    keep = {"by_hour"}
    assert after.clicks.model_dump(exclude=keep) == before.clicks.model_dump(exclude=keep)
    assert (after.clicks.human_clickers, after.bounced_hard, after.delivered) == (2, 1, 1)
    assert [(i.url, i.human_clicks) for i in after.clicks.items][:2] == [(ITEM_LINKS[1], 1), (ITEM_LINKS[2], 1)]
    assert delete_old_events(settings=settings) == 0
    with transaction(db_settings.database_url) as session:
        assert session.scalar(select(func.count()).select_from(DeliveryEvent)) == 1


def test_the_embedded_mode_deletes_old_events_too(db_settings, tmp_path, monkeypatch):
    from newsletter.tracking import retention
    from workers.embedded import embedded_dispatch

    sent = send_issue(db_settings)
    deliveries = {email: SimpleNamespace(id=delivery_id, send_id=sent.send_id)
                  for email, delivery_id in sent.deliveries.items()}
    report_events(db_settings, deliveries, ("delivered", "ana@example.org"), ("delivered", "bo@example.org"))
    with transaction(db_settings.database_url) as session:
        session.execute(update(DeliveryEvent).where(DeliveryEvent.email == "bo@example.org")
                        .values(occurred_at=utcnow() - dt.timedelta(days=200)))
    monkeypatch.setattr(retention, "ROUND_SECONDS", 0.05)  # hourly, as beat runs it, is too long to wait for
    settings = make_settings(tmp_path, database_url=db_settings.database_url, event_retention_days=180)
    with embedded_dispatch(settings):  # as `newsletter serve` without a broker runs it
        deadline = time.monotonic() + 10
        while remaining(settings) != ["ana@example.org"] and time.monotonic() < deadline:
            time.sleep(0.05)
    assert remaining(settings) == ["ana@example.org"]


def remaining(settings) -> list[str]:
    with transaction(settings.database_url) as session:
        return session.scalars(select(DeliveryEvent.email).order_by(DeliveryEvent.email)).all()
