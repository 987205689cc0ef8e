"""Feeds polled from a real local server into the database: conditional GETs, dedupe across
feeds and re-polls, failures recorded and backed off without stopping the others."""

import datetime as dt

from sqlalchemy import func, select

from newsletter.db import transaction
from newsletter.db.models import FeedSource, Item, as_utc
from newsletter.intake.polling import poll_due_feeds
from newsletter.intake.sources import FeedDraft, add_feed
from tests.conftest import make_settings
from tests.intake.feeds import ATOM, ENTITIES_AND_CDATA, JSON_FEED, MALFORMED, NOT_A_FEED, RSS, rss


def add(settings, url, name, **fields):
    with transaction(settings.database_url) as session:
        return add_feed(session=session, draft=FeedDraft(url=url, name=name, **fields)).id


def items(settings) -> list[Item]:
    with transaction(settings.database_url) as session:
        found = list(session.scalars(select(Item).order_by(Item.id)))
        session.expunge_all()
        return found


def feed(settings, feed_id) -> FeedSource:
    with transaction(settings.database_url) as session:
        row = session.get(FeedSource, feed_id)
        session.expunge(row)
        return row


def test_new_entries_arrive_once_across_feeds_and_polls(pages, tmp_path, database_url):
    settings = make_settings(tmp_path, database_url=database_url, fetch_allow_private=True, fetch_timeout=2)
    partner = add(settings, pages.add("/rss", RSS, content_type="application/rss+xml", etag='"r1"'), "Partner",
                  tags=["partners"])
    echo = rss("Aggregator", [("Court frees five (via aggregator)",
                               "http://www.partner.example/news/court?fbclid=abc"),
                              ("Only here", "https://agg.example/only")])
    add(settings, pages.add("/echo", echo, content_type="application/xml"), "Aggregator")
    first = poll_due_feeds(settings=settings)
    assert sorted((o.name, o.added) for o in first) == [("Aggregator", 1), ("Partner", 2)]
    stored = items(settings)
    assert [i.headline for i in stored] == ["Court frees five activists", "Elections postponed again", "Only here"]
    assert [i.source for i in stored] == ["Partner", "Partner", "Aggregator"]
    court = stored[0]
    assert (court.canonical_url, court.byline, court.tags) == ("https://partner.example/news/court", "Ana López",
                                                               ["partners"])

    assert poll_due_feeds(settings=settings) == []  # nothing due yet
    again = poll_due_feeds(settings=settings, every=True)
    assert {o.name: (o.added, o.unchanged) for o in again} == {"Partner": (0, True), "Aggregator": (0, False)}
    assert pages.conditional["/rss"] == 1 and len(items(settings)) == 3


def test_a_failing_feed_records_its_error_and_backs_off(pages, tmp_path, database_url):
    settings = make_settings(tmp_path, database_url=database_url, fetch_allow_private=True, fetch_timeout=1,
                             feed_poll_minutes=30)
    broken = {
        "missing": add(settings, pages.url("/gone"), "Missing"),
        "page": add(settings, pages.add("/page", NOT_A_FEED), "Page"),
        "slow": add(settings, pages.add("/slow", RSS, content_type="application/rss+xml", delay=2.5), "Slow"),
    }
    malformed = add(settings, pages.add("/bad", MALFORMED, content_type="text/xml"), "Malformed")
    good = add(settings, pages.add("/json", JSON_FEED, content_type="application/feed+json"), "Blog")
    now = dt.datetime.now(dt.UTC)
    outcomes = {o.name: o for o in poll_due_feeds(settings=settings, now=now)}
    assert "404" in outcomes["Missing"].error and "text/html, not a feed" in outcomes["Page"].error
    assert "did not answer within" in outcomes["Slow"].error
    assert outcomes["Blog"].added == 2 and outcomes["Malformed"].added == 1, outcomes
    for feed_id in broken.values():
        row = feed(settings, feed_id)
        assert row.failures == 1 and row.last_error
        assert as_utc(row.next_due_at) - as_utc(row.last_polled_at) == dt.timedelta(minutes=30)
    for feed_id in (malformed, good):
        assert feed(settings, feed_id).last_error is None
    poll_due_feeds(settings=settings, every=True)
    row = feed(settings, broken["missing"])
    assert row.failures == 2 and as_utc(row.next_due_at) - as_utc(row.last_polled_at) == dt.timedelta(minutes=60)
    pages.add("/gone", RSS, content_type="application/rss+xml")  # the site is back
    poll_due_feeds(settings=settings, every=True)
    row = feed(settings, broken["missing"])
    assert (row.failures, row.last_error) == (0, None)


def test_atom_and_entities_served_and_stored(pages, tmp_path, database_url):
    settings = make_settings(tmp_path, database_url=database_url, fetch_allow_private=True)
    add(settings, pages.add("/atom", ATOM, content_type="application/atom+xml; charset=utf-8"), "Policy")
    add(settings, pages.add("/entities", ENTITIES_AND_CDATA, content_type="text/xml"), "Entities")
    poll_due_feeds(settings=settings)
    stored = {i.headline: i for i in items(settings)}
    assert set(stored) == {"A new law & its critics", "Rights & wrongs: “quotes” inside", "AT&T “numeric” entities — too"}
    law = stored["A new law & its critics"]
    assert (law.byline, law.image_url, law.image_alt) == ("Benedict Rogers", "https://policy.example/law.jpg", "Parliament")
    assert stored["Rights & wrongs: “quotes” inside"].blurb == "Café owners & workers met. They agreed — finally."


def test_keywords_and_the_feeds_language(pages, tmp_path, database_url):
    settings = make_settings(tmp_path, database_url=database_url, fetch_allow_private=True)
    add(settings, pages.add("/rss", RSS, content_type="application/rss+xml"), "Partner", keywords=["court"],
        language="es")
    [outcome] = poll_due_feeds(settings=settings)
    [item] = items(settings)
    assert outcome.added == 1 and (item.headline, item.language) == ("Court frees five activists", "es")
    with transaction(database_url) as session:
        assert session.scalar(select(func.count()).select_from(Item)) == 1


def test_beat_polls_the_due_feeds_every_minute(tmp_path):
    from workers.celery_app import make_celery
    from workers.tasks import poll_feeds_task

    entry = make_celery(make_settings(tmp_path)).conf.beat_schedule["poll-feeds"]
    assert (entry["task"], entry["schedule"]) == (poll_feeds_task.name, 60)
