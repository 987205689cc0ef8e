"""The database schema. Alembic migrations in ``migrations/`` must match it (a test checks).

Editorial: items collected through the week, issues made of sections of items.
People: the editors and admins who use the web app, and their API tokens.
Audience: mailing lists, subscribers, and subscriptions joining them (status per list);
a subscriber's own ``status`` is the global suppression no list membership overrides.
Sending: a send freezes an issue's rendering and its recipients (one delivery per person),
grouped into batches that workers claim one at a time.
"""

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """A stored time, timezone-aware: SQLite hands back naive datetimes, and every one is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: DateTime(timezone=True), dict[str, Any]: JSON}


class Item(Base):
    """A curated item: headline, blurb and link, collected before it goes into an issue."""

    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    headline: Mapped[str] = mapped_column(String(300))
    blurb: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(200))
    image_url: Mapped[str | None] = mapped_column(String(2000))
    image_alt: Mapped[str | None] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(20), default="en")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime | None] = mapped_column(onupdate=utcnow)


class Issue(Base):
    """One issue of the newsletter: its front matter and ordered sections."""

    __tablename__ = "issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    date: Mapped[dt.date] = mapped_column(Date)
    subject: Mapped[str | None] = mapped_column(String(250))
    preheader: Mapped[str | None] = mapped_column(String(250))
    intro: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(20), default="en")
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft, ready, scheduled, sent
    # Bumped by every save: a save based on an older version is refused (no lost edits).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_by: Mapped[str | None] = mapped_column(String(200))  # who saved last, for display
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    sections: Mapped[list["IssueSection"]] = relationship(
        back_populates="issue", order_by="IssueSection.position", cascade="all, delete-orphan"
    )


class IssueSection(Base):
    """A titled (or untitled) run of items within an issue."""

    __tablename__ = "issue_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(200))

    issue: Mapped[Issue] = relationship(back_populates="sections")
    entries: Mapped[list["IssueEntry"]] = relationship(
        back_populates="section", order_by="IssueEntry.position", cascade="all, delete-orphan"
    )


class IssueEntry(Base):
    """An item's place in a section of an issue."""

    __tablename__ = "issue_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("issue_sections.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)

    section: Mapped[IssueSection] = relationship(back_populates="entries")
    item: Mapped[Item] = relationship()


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


class Send(Base):
    """An issue sent to one or more lists, with its rendering frozen at the start."""

    __tablename__ = "sends"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id"), index=True)
    # scheduled -> sending -> sent; held (found too late: waits for an admin), paused, cancelled
    status: Mapped[str] = mapped_column(String(20), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)  # why it is held or paused
    subject: Mapped[str] = mapped_column(String(250))
    html_template: Mapped[str] = mapped_column(Text)
    text_template: Mapped[str] = mapped_column(Text)
    list_names: Mapped[str] = mapped_column(String(1000))  # for display; the audience is send_lists
    recipient_count: Mapped[int] = mapped_column(Integer, default=0)  # frozen so far
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now())
    scheduled_at: Mapped[dt.datetime | None]  # in UTC; None: started at once
    timezone: Mapped[str | None] = mapped_column(String(60))  # the admin's, for display
    started_at: Mapped[dt.datetime | None]
    # Recipients are frozen in chunks in subscriber id order (see sending/freeze.py): when a
    # chunk last committed, and when the last one did.
    freeze_progress_at: Mapped[dt.datetime | None]
    frozen_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    forced_errors: Mapped[str | None] = mapped_column(Text)  # pre-flight errors overridden by --force
    # The issue's content as sent (for the archive) and its archive address, from its date then.
    archive: Mapped[dict[str, Any] | None]
    archive_slug: Mapped[str | None] = mapped_column(String(140), index=True)


class SendList(Base):
    """A list a send goes to: its audience as rows, read by the freeze, with room for a filter
    (``language``: only that edition's readers; None: everyone on the list)."""

    __tablename__ = "send_lists"

    send_id: Mapped[int] = mapped_column(ForeignKey("sends.id", ondelete="CASCADE"), primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("lists.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str | None] = mapped_column(String(20))


class Batch(Base):
    """Up to ``batch_size`` deliveries of a send: the unit a worker claims and submits."""

    __tablename__ = "batches"
    __table_args__ = (UniqueConstraint("send_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    send_id: Mapped[int] = mapped_column(ForeignKey("sends.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    # pending -> submitting (claimed) -> posting (handed to the provider) -> done or failed;
    # ambiguous (the provider may have it; awaiting confirmation), cancelled
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    queued_at: Mapped[dt.datetime | None]  # when a task for it was last published
    retry_at: Mapped[dt.datetime | None]  # not to be claimed before
    claimed_at: Mapped[dt.datetime | None]
    posted_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    # Its deliveries by outcome, written with them (sending/states.py); pending = size - the rest.
    accepted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    suppressed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cancelled: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Delivery(Base):
    """One recipient of one send, frozen when the send started: the record of who got it.

    A ledger written only by the freeze, from a join that guarantees its ids: it has no
    foreign keys, which cost a million-recipient freeze two thirds of its time (migration
    0003), and on PostgreSQL its pages keep room for each row's one update (fillfactor 40).
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("send_id", "subscriber_id"),
        Index("ix_deliveries_send_batch", "send_id", "batch_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    send_id: Mapped[int] = mapped_column(Integer)
    batch_number: Mapped[int] = mapped_column(Integer)
    subscriber_id: Mapped[int] = mapped_column(Integer)
    list_id: Mapped[int] = mapped_column(Integer)
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(200))
    # pending, accepted (by the provider), failed, suppressed (unsubscribed since the freeze),
    # cancelled (the send was cancelled before it reached them)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    provider_message_id: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime | None]


class User(Base):
    """An editor or an admin of the web app. Subscribers are not users."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # editor, admin
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id, with its parameters
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    # In every session cookie; bumped by signing out and by a new password, which ends every
    # session of the user, copies of the cookie included.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now())


class ApiToken(Base):
    """A bearer token for the JSON API, stored as its SHA-256 (the token is shown once)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now())
    last_used_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship()


class DeliveryEvent(Base):
    """What a provider reported about a delivery after it took it (tracking/ledger.py): one row
    per event, recorded once however often the provider repeats it (``provider, event_id``)."""

    __tablename__ = "delivery_events"
    __table_args__ = (
        UniqueConstraint("provider", "event_id"),
        Index("ix_delivery_events_send_kind", "send_id", "kind"),
        Index("ix_delivery_events_subscriber_kind", "subscriber_id", "kind", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(200))
    # delivered, deferred, bounced, dropped, complained, unsubscribed, opened, clicked, queued
    kind: Mapped[str] = mapped_column(String(20))
    send_id: Mapped[int | None] = mapped_column(Integer)
    delivery_id: Mapped[int | None] = mapped_column(Integer)
    subscriber_id: Mapped[int | None] = mapped_column(Integer)
    email: Mapped[str] = mapped_column(String(320))
    bounce: Mapped[str | None] = mapped_column(String(4))  # hard, soft
    status: Mapped[str | None] = mapped_column(String(20))  # the SMTP status, e.g. 5.1.1
    reason: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2000))
    machine: Mapped[bool] = mapped_column(default=False, server_default=false())
    occurred_at: Mapped[dt.datetime]
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now())
    raw: Mapped[dict[str, Any] | None]


class Suppression(Base):
    """Why an address stopped getting mail (tracking/suppression.py): the event that caused it,
    and, once lifted, when and by whom. Only a bounce can be lifted by an admin; a complaint
    or an unsubscribe ends only when the person confirms a subscription themselves."""

    __tablename__ = "suppressions"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(20))  # bounced, complained, unsubscribed
    detail: Mapped[str | None] = mapped_column(Text)  # the provider's words
    event_id: Mapped[int | None] = mapped_column(ForeignKey("delivery_events.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now())
    lifted_at: Mapped[dt.datetime | None]
    lifted_by: Mapped[str | None] = mapped_column(String(320))


class SendLink(Base):
    """A link of a send's email, numbered when the send was created (sending/create.py): a click
    on ``/c/<send>/<link>/<token>`` is recorded and redirected to ``url``, and to no other
    address (tracking/clicks.py). A send's links never change once it exists."""

    __tablename__ = "send_links"

    send_id: Mapped[int] = mapped_column(ForeignKey("sends.id", ondelete="CASCADE"), primary_key=True)
    link_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1, 2, ... in reading order
    url: Mapped[str] = mapped_column(String(2000))
    # The item the link leads to, so that reports can rank items; None once the item is deleted.
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="SET NULL"), index=True)
