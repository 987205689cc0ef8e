"""Feed sources as editors manage them: added, listed, removed, asked to poll now."""

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from newsletter.content.models import SingleLine, Url
from newsletter.db.models import FeedSource
from newsletter.editorial.drafts import Language, Optional, Tags
from newsletter.errors import ContentError, NotFoundError


class FeedDraft(BaseModel):
    """A feed source as an editor enters it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    url: Url
    name: Annotated[SingleLine, Field(max_length=200)]
    tags: Tags = []
    language: Language = "en"
    keywords: Annotated[Tags, Field(description="Only entries mentioning one of these; none: every entry.")] = []
    poll_minutes: Annotated[Annotated[int, Field(ge=5, le=7 * 24 * 60)] | None, Optional, Field(
        description="Minutes between polls; null: NEWSLETTER_FEED_POLL_MINUTES.")] = None


def add_feed(*, session: Session, draft: FeedDraft) -> FeedSource:
    """Store a new feed source, due for its first poll at once."""
    if session.scalar(select(FeedSource.id).where(FeedSource.url == draft.url)) is not None:
        raise ContentError(f"{draft.url} is already a feed source", field="url")
    feed = FeedSource(**draft.model_dump())
    session.add(feed)
    session.flush()
    return feed


def list_feeds(*, session: Session) -> list[FeedSource]:
    """Every feed source, by name."""
    return list(session.scalars(select(FeedSource).order_by(FeedSource.name, FeedSource.id)))


def get_feed(*, session: Session, feed_id: int) -> FeedSource:
    """Feed source ``feed_id``, or NotFoundError."""
    feed = session.get(FeedSource, feed_id)
    if feed is None:
        raise NotFoundError(f"there is no feed {feed_id} (see `newsletter feeds list`)")
    return feed


def update_feed(*, session: Session, feed_id: int, draft: FeedDraft) -> FeedSource:
    """Replace feed ``feed_id``'s fields; its polling state (ETag, errors, when due) stays."""
    feed = get_feed(session=session, feed_id=feed_id)
    if draft.url != feed.url and session.scalar(select(FeedSource.id).where(FeedSource.url == draft.url)):
        raise ContentError(f"{draft.url} is already a feed source", field="url")
    if draft.url != feed.url:
        feed.etag = feed.last_modified = None  # another address: its validators mean nothing there
    for name, value in draft.model_dump().items():
        setattr(feed, name, value)
    session.flush()
    return feed


def remove_feed(*, session: Session, feed_id: int) -> FeedSource:
    """Stop polling feed ``feed_id``; the items it brought stay in the inbox."""
    feed = get_feed(session=session, feed_id=feed_id)
    session.delete(feed)
    session.flush()
    return feed


def poll_soon(*, session: Session, feed_id: int, now: dt.datetime) -> FeedSource:
    """Make feed ``feed_id`` due now: the next round of polling (beat's, within a minute) takes it."""
    feed = get_feed(session=session, feed_id=feed_id)
    feed.next_due_at = now
    session.flush()
    return feed
