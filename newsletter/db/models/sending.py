"""Sending: a send freezes an issue's rendering and its recipients (one delivery per person),
grouped into batches that workers claim one at a time."""

import datetime as dt
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from newsletter.db.models.base import Base, utcnow


class Send(Base):
    """An issue sent to one or more lists, with its rendering frozen at the start."""

    __tablename__ = "sends"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id"), index=True)
    # scheduled -> sending -> sent; held (found too late: waits for an admin), paused, cancelled
    status: Mapped[str] = mapped_column(String(20), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)  # why it is held or paused
    subject: Mapped[str] = mapped_column(String(250))
    language: Mapped[str | None] = mapped_column(String(20))  # the main edition's (its other editions: send_editions)
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
    heartbeat_at: Mapped[dt.datetime | None]  # written every few seconds by the worker sending it
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
    edition: Mapped[str | None] = mapped_column(String(20))  # the language of the edition they get
    # pending, accepted (by the provider), failed, suppressed (unsubscribed since the freeze),
    # cancelled (the send was cancelled before it reached them)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    provider_message_id: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime | None]

