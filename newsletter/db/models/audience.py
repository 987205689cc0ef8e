"""Audience: mailing lists, subscribers, and subscriptions joining them (status per list);
a subscriber's own ``status`` is the global suppression no list membership overrides."""

import datetime as dt
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
    func,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from newsletter.db.models.base import Base, utcnow


class MailingList(Base):
    """A list people subscribe to, such as ``weekly`` or ``weekly-es``."""

    __tablename__ = "lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)  # the subscribe page's pitch
    # Offered on every subscriber's preferences page; a private list only to its members.
    public: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Links in its sends go through /c/... and each reader's click is recorded (tracking/clicks.py).
    track_clicks: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Its sends carry a 1x1 image, /o/<send>/<token>, whose fetch is an open (tracking/opens.py).
    track_opens: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now())


class SubscriberImport(Base):
    """A CSV file uploaded in the web app, imported into a list in the background (see
    subscribers/imports.py): the file until it is imported, then the importer's report."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("lists.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    confirmed: Mapped[bool]  # the admin holds these people's consent
    status: Mapped[str] = mapped_column(String(20), index=True)  # queued -> running -> done | failed
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)  # cleared once imported
    size: Mapped[int] = mapped_column(Integer)
    bytes_read: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now())
    started_at: Mapped[dt.datetime | None]
    progress_at: Mapped[dt.datetime | None]  # when a chunk last went in: a worker that stops is noticed
    finished_at: Mapped[dt.datetime | None]


class Subscriber(Base):
    """A person, by normalised address. ``status`` other than ``active`` suppresses all mail."""

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(20))
    # active, unsubscribed (from everything), bounced, complained
    status: Mapped[str] = mapped_column(String(20), default="active", server_default="active")
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source: Mapped[str | None] = mapped_column(String(100))
    # They asked not to be tracked (preferences page): plain links and no open image for them.
    tracking_opt_out: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now())


class Subscription(Base):
    """A subscriber on a list, with the status of that membership."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        Index("ix_subscriptions_confirmation_requested_at", "confirmation_requested_at",
              postgresql_where=text("confirmation_requested_at IS NOT NULL"),
              sqlite_where=text("confirmation_requested_at IS NOT NULL")),
    )

    list_id: Mapped[int] = mapped_column(
        ForeignKey("lists.id", ondelete="CASCADE"), primary_key=True
    )
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # pending (awaiting opt-in), confirmed, unsubscribed
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now())
    confirmed_at: Mapped[dt.datetime | None]
    unsubscribed_at: Mapped[dt.datetime | None]
    # A confirmation email is owed (the subscribe form asked for one); the sweep hands it to a
    # worker (queued), which sends it and clears both.
    confirmation_requested_at: Mapped[dt.datetime | None]
    confirmation_queued_at: Mapped[dt.datetime | None]

