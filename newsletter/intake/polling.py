"""Feed sources: added by editors, polled when due (conditional GET, parse, dedupe, save),
each failure recorded on its feed and backed off, never stopping the others."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newsletter.config import Settings
from newsletter.db import transaction
from newsletter.db.models import FeedSource, utcnow
from newsletter.errors import ContentError, NewsletterError
from newsletter.intake.feeds import FeedDefaults, parse_feed
from newsletter.intake.fetch import FEED_TYPES, Fetched, fetch
from newsletter.intake.inbox import hold_new_stories, known_stories, save_proposal

MAX_BACKOFF = dt.timedelta(hours=24)
MAX_NEW_PER_POLL = 100  # a first poll of a long archive does not flood the inbox
POLL_THREADS = 16  # polling waits on the network: many feeds at once, one process
FEED_ROUND_SECONDS = 60  # how often beat (or the embedded worker) looks for due feeds


@dataclass(frozen=True)
class FeedClaim:
    """A due feed taken by one poller (see :func:`claim_due_feeds`)."""

    id: int
    url: str
    etag: str | None
    last_modified: str | None
    defaults: FeedDefaults


@dataclass(frozen=True)
class PollOutcome:
    """What one poll of one feed did."""

    feed_id: int
    name: str
    added: int = 0
    unlinked: int = 0  # of those added, entries without a link: flagged in the inbox until one is added
    known: int = 0  # entries whose story was already an item
    left: int = 0  # new entries past MAX_NEW_PER_POLL, for the next poll
    unchanged: bool = False  # 304: nothing new since the last poll
    error: str | None = None


def interval(feed: FeedSource, settings: Settings) -> dt.timedelta:
    """How often ``feed`` is polled: its own minutes, else NEWSLETTER_FEED_POLL_MINUTES."""
    return dt.timedelta(minutes=feed.poll_minutes or settings.feed_poll_minutes)


def claim_due_feeds(*, session: Session, settings: Settings, now: dt.datetime, every: bool = False) -> list[FeedClaim]:
    """Take the feeds due at ``now`` (every feed with ``every``): each is moved out of the way
    by a conditioned UPDATE, so two pollers never poll one feed at once. A poller that dies
    leaves it due again after the lease."""
    lease = now + dt.timedelta(seconds=settings.fetch_timeout * 2 + 60)
    query = select(FeedSource).order_by(FeedSource.next_due_at, FeedSource.id)
    if not every:
        query = query.where(FeedSource.next_due_at <= now)
    claims = []
    for feed in session.scalars(query).all():
        taken = session.execute(update(FeedSource).where(FeedSource.id == feed.id,
                                                         FeedSource.next_due_at == feed.next_due_at)
                                .values(next_due_at=lease).execution_options(synchronize_session=False))
        if taken.rowcount == 1:
            claims.append(FeedClaim(feed.id, feed.url, feed.etag, feed.last_modified, FeedDefaults(
                feed.name, feed.language, tuple(feed.tags or ()), tuple(feed.keywords or ()))))
    return claims


def record_poll(*, session: Session, settings: Settings, claim: FeedClaim, fetched: Fetched | None,
                error: str | None, now: dt.datetime) -> PollOutcome:
    """Save a fetched feed's new entries as inbox items and schedule its next poll; or record
    ``error`` on the feed and back off (doubling, up to a day)."""
    feed = session.get(FeedSource, claim.id)
    if feed is None:  # removed while it was being polled
        return PollOutcome(claim.id, claim.defaults.name or "", error="removed")
    outcome = PollOutcome(feed.id, feed.name, unchanged=fetched is not None and fetched.status == 304)
    if fetched is not None and not outcome.unchanged:
        try:
            outcome = _save_entries(session, settings, feed, fetched)
        except NewsletterError as err:
            error = str(err)
    feed.last_polled_at = now
    if error:
        feed.failures += 1
        feed.last_error = error
        feed.next_due_at = now + min(interval(feed, settings) * 2 ** min(feed.failures - 1, 10), MAX_BACKOFF)
        return PollOutcome(feed.id, feed.name, error=error)
    feed.failures, feed.last_error = 0, None
    if outcome.left:  # cut short: the next poll must get the whole feed again, not a 304
        feed.etag = feed.last_modified = None
    elif fetched.etag or fetched.last_modified or not outcome.unchanged:
        feed.etag, feed.last_modified = fetched.etag, fetched.last_modified
    feed.next_due_at = now + interval(feed, settings)
    return outcome


def poll_due_feeds(*, settings: Settings, every: bool = False, now: dt.datetime | None = None) -> list[PollOutcome]:
    """Poll the feeds that are due (all of them with ``every``): fetched side by side, each
    saved in its own transaction as it arrives; one feed's failure is its own."""
    now = now or utcnow()
    with transaction(settings.database_url) as session:
        claims = claim_due_feeds(session=session, settings=settings, now=now, every=every)
    outcomes = []
    with ThreadPoolExecutor(max_workers=max(1, min(POLL_THREADS, len(claims)))) as pool:
        for claim, (fetched, error) in zip(claims, pool.map(lambda c: _fetch(c, settings), claims)):
            with transaction(settings.database_url) as session:
                outcomes.append(record_poll(session=session, settings=settings, claim=claim, fetched=fetched,
                                            error=error, now=utcnow()))
    return outcomes


def _fetch(claim: FeedClaim, settings: Settings) -> tuple[Fetched | None, str | None]:
    try:
        return fetch(claim.url, settings=settings, accept=FEED_TYPES, etag=claim.etag,
                     last_modified=claim.last_modified), None
    except NewsletterError as err:
        return None, str(err)


def _save_entries(session: Session, settings: Settings, feed: FeedSource, fetched: Fetched) -> PollOutcome:
    proposals = parse_feed(fetched.body, url=fetched.url, content_type=fetched.content_type,
                           defaults=FeedDefaults(feed.name, feed.language, tuple(feed.tags or ()),
                                                 tuple(feed.keywords or ())),
                           blurb_chars=settings.blurb_chars)
    stories = {p.canonical_url: p for p in proposals}  # an entry without a link: keyed by its feed and id
    hold_new_stories(session=session)  # until commit: another poller's check waits for these inserts
    known = known_stories(session=session, canonical_urls=list(stories))
    new = [proposal for key, proposal in stories.items() if key not in known]
    added = unlinked = tried = 0
    for proposal in new:
        if added >= MAX_NEW_PER_POLL:
            break
        tried += 1
        try:
            save_proposal(session=session, proposal=proposal)
        except ContentError:
            continue  # an entry our items cannot hold (a control character...): the others still come
        added, unlinked = added + 1, unlinked + (not proposal.url)
    feed.items_added += added
    return PollOutcome(feed.id, feed.name, added=added, unlinked=unlinked, known=len(known), left=len(new) - tried)
