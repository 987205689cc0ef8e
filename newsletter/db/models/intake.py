"""Intake: the feeds polled for new inbox items."""

import datetime as dt

from sqlalchemy import JSON, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from newsletter.db.models.base import Base, utcnow


class FeedSource(Base):
    """A feed (RSS, Atom or JSON Feed) whose new entries become inbox items."""

    __tablename__ = "feed_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")  # given to its items
    language: Mapped[str] = mapped_column(String(20), default="en")
    # Only entries whose title or summary mention one of these (none: every entry).
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    poll_minutes: Mapped[int | None] = mapped_column(Integer)  # None: NEWSLETTER_FEED_POLL_MINUTES
    etag: Mapped[str | None] = mapped_column(String(500))  # for the next conditional GET
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_polled_at: Mapped[dt.datetime | None]
    next_due_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now(), index=True)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # in a row: the backoff
    last_error: Mapped[str | None] = mapped_column(Text)  # shown on the feeds page until a poll works
    items_added: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now())
