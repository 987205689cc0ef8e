"""Feeds polled from a real local server into the database: conditional GETs, dedupe across
feeds and re-polls, failures recorded and backed off without stopping the others."""

import datetime as dt

from sqlalchemy import func, select

from newsletter.db import transaction
from newsletter.db.models import FeedSource, Item, as_utc
from newsletter.intake.polling import MAX_NEW_PER_POLL, poll_due_feeds
from newsletter.intake.sources import FeedDraft, add_feed
from tests.conftest import make_settings
from tests.intake.feeds import (
    ATOM,
    ENTITIES_AND_CDATA,
    JSON_FEED,
    MALFORMED,
    NOT_A_FEED,
    RDF,
    RSS,
    RSS_091,
    RSS_092,
    WITHOUT_LINKS,
    rss,
)


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


def test_rss_0_91_0_92_and_1_0_served_and_stored(pages, tmp_path, database_url):
    settings = make_settings(tmp_path, database_url=database_url, fetch_allow_private=True)
    add(settings, pages.add("/091", RSS_091, content_type="application/rss+xml; charset=iso-8859-1"), "Wire")
    add(settings, pages.add("/092", RSS_092, content_type="text/xml"), "Wire 0.92")
    add(settings, pages.add("/rdf", RDF, content_type="application/rdf+xml"), "Journal")
    assert sorted(o.added for o in poll_due_feeds(settings=settings)) == [1, 1, 1]
    stored = {i.source: i for i in items(settings)}
    assert (stored["Wire"].headline, stored["Wire"].url) == ("Café raid condemned", "https://wire.example/raid")
    assert stored["Wire 0.92"].image_url == "https://wire92.example/strike.jpg"
    rdf = stored["Journal"]
    assert (rdf.headline, rdf.url, rdf.byline) == ("Detention without trial, explained", "https://journal.example/a/1",
                                                   "Mia Chen")
    assert rdf.blurb == "What the new rules allow. Who they affect."
    assert as_utc(rdf.published_at) == dt.datetime(2026, 11, 28, 7, 15, tzinfo=dt.UTC)


def test_a_conditional_get_by_last_modified(pages, tmp_path, database_url):
    settings = make_settings(tmp_path, database_url=database_url, fetch_allow_private=True)
    feed_id = add(settings, pages.add("/rss", RSS, content_type="application/rss+xml",
                                      last_modified="Tue, 01 Dec 2026 09:00:00 GMT"), "Partner")
    assert [o.added for o in poll_due_feeds(settings=settings)] == [2]
    assert (feed(settings, feed_id).etag, feed(settings, feed_id).last_modified) == (
        None, "Tue, 01 Dec 2026 09:00:00 GMT")
    [again] = poll_due_feeds(settings=settings, every=True)
    assert (again.unchanged, again.added, pages.conditional["/rss"]) == (True, 0, 1)
    assert len(items(settings)) == 2 and feed(settings, feed_id).last_modified == "Tue, 01 Dec 2026 09:00:00 GMT"


def test_a_feeds_own_interval_or_the_setting_sets_its_next_poll(pages, tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("NEWSLETTER_FEED_POLL_MINUTES", "45")
    settings = make_settings(tmp_path, database_url=database_url, fetch_allow_private=True)
    own = add(settings, pages.add("/a", rss("A", [("A story", "https://a.example/1")]), content_type="text/xml"), "A",
              poll_minutes=15)
    default = add(settings, pages.add("/b", rss("B", [("B story", "https://b.example/1")]), content_type="text/xml"), "B")
    assert [(o.added, o.error) for o in poll_due_feeds(settings=settings)] == [(1, None), (1, None)]
    for feed_id, minutes in ((own, 15), (default, 45)):
        row = feed(settings, feed_id)
        assert as_utc(row.next_due_at) - as_utc(row.last_polled_at) == dt.timedelta(minutes=minutes)


def test_a_poll_cut_short_keeps_no_validators_so_the_next_gets_the_rest(pages, tmp_path, database_url):
    settings = make_settings(tmp_path, database_url=database_url, fetch_allow_private=True)
    entries = [(f"Story {n}", f"https://long.example/{n}") for n in range(MAX_NEW_PER_POLL + 5)]
    feed_id = add(settings, pages.add("/long", rss("Long", entries), content_type="text/xml", etag='"v1"',
                                      last_modified="Tue, 01 Dec 2026 09:00:00 GMT"), "Long")
    [first] = poll_due_feeds(settings=settings)
    assert (first.added, first.left) == (MAX_NEW_PER_POLL, 5)
    assert (feed(settings, feed_id).etag, feed(settings, feed_id).last_modified) == (None, None)
    [second] = poll_due_feeds(settings=settings, every=True)
    assert (second.unchanged, second.added, second.left, pages.conditional["/long"]) == (False, 5, 0, 0)
    assert feed(settings, feed_id).etag == '"v1"' and len(items(settings)) == MAX_NEW_PER_POLL + 5
    [third] = poll_due_feeds(settings=settings, every=True)
    assert third.unchanged and pages.conditional["/long"] == 1


def test_an_entry_without_a_link_waits_in_the_inbox_once(pages, tmp_path, database_url):
    settings = make_settings(tmp_path, database_url=database_url, fetch_allow_private=True)
    add(settings, pages.add("/s", WITHOUT_LINKS, content_type="application/rss+xml"), "Statements")
    [outcome] = poll_due_feeds(settings=settings)
    assert (outcome.added, outcome.unlinked) == (2, 1)
    statement = items(settings)[0]
    assert (statement.headline, statement.url, statement.blurb) == ("Statement on the verdict", "",
                                                                    "We welcome the verdict. The work goes on.")
    [again] = poll_due_feeds(settings=settings, every=True)
    assert (again.added, again.known) == (0, 2) and len(items(settings)) == 2


def test_beat_polls_the_due_feeds_every_minute(tmp_path):
    from workers.celery_app import make_celery
    from workers.tasks import poll_feeds_task

    entry = make_celery(make_settings(tmp_path)).conf.beat_schedule["poll-feeds"]
    assert (entry["task"], entry["schedule"]) == (poll_feeds_task.name, 60)
