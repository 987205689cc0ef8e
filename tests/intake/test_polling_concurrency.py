"""Two pollers at once (beat, and an editor's `newsletter feeds poll --all`) each saving a
feed that carries the same story: the story becomes one item, though canonical_url has no
unique index (an editor may add a story again on purpose)."""

import threading

from sqlalchemy import select

from newsletter.db import transaction
from newsletter.db.models import Item, utcnow
from newsletter.intake.fetch import FEED_TYPES, fetch
from newsletter.intake.polling import claim_due_feeds, record_poll
from newsletter.intake.sources import FeedDraft, add_feed
from tests.conftest import make_settings
from tests.intake.feeds import rss

STORY = ("Court frees five activists", "https://partner.example/news/court")


def test_two_pollers_at_once_add_a_story_two_feeds_carry_once(pages, tmp_path, database_url):
    settings = make_settings(tmp_path, database_url=database_url, fetch_allow_private=True)
    with transaction(database_url) as session:
        for name in ("Partner", "Aggregator"):
            url = pages.add(f"/{name}", rss(name, [STORY]), content_type="application/rss+xml")
            add_feed(session=session, draft=FeedDraft(url=url, name=name))
    with transaction(database_url) as session:
        first, second = claim_due_feeds(session=session, settings=settings, now=utcnow())
    fetched = {claim.id: fetch(claim.url, settings=settings, accept=FEED_TYPES) for claim in (first, second)}
    outcomes = {}

    def record(claim) -> None:
        with transaction(database_url) as session:
            outcomes[claim.id] = record_poll(session=session, settings=settings, claim=claim,
                                             fetched=fetched[claim.id], error=None, now=utcnow())

    other = threading.Thread(target=record, args=(second,))
    with transaction(database_url) as session:  # the first poller has saved its entries, not yet committed
        outcomes[first.id] = record_poll(session=session, settings=settings, claim=first, fetched=fetched[first.id],
                                         error=None, now=utcnow())
        other.start()
        other.join(timeout=1)
        waited = other.is_alive()
    other.join(timeout=30)
    assert waited, "the second poller checked for new stories while the first one's were not committed"
    assert (outcomes[first.id].added, outcomes[second.id].added, outcomes[second.id].known) == (1, 0, 1)
    with transaction(database_url) as session:
        assert session.scalars(select(Item.headline)).all() == [STORY[0]]
