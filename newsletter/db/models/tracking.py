"""Tracking: what providers and readers did with a delivery, and why an address is suppressed."""

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    literal,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from newsletter.db.models.base import Base, utcnow


class DeliveryEvent(Base):
    """What a provider reported about a delivery after it took it (tracking/ledger.py): one row
    per event, recorded once however often the provider repeats it (``provider, event_id``)."""

    __tablename__ = "delivery_events"
    __table_args__ = (
        UniqueConstraint("provider", "event_id"),
        Index("ix_delivery_events_send_kind", "send_id", "kind"),
        # Partial: only the events looked up again are indexed (a query must name the kind
        # with kind_is for the planner to use them): soft bounces by subscriber, clicks by delivery.
        Index("ix_delivery_events_bounces", "subscriber_id", "occurred_at",
              postgresql_where=text("kind = 'bounced'"), sqlite_where=text("kind = 'bounced'")),
        Index("ix_delivery_events_clicks", "delivery_id", "occurred_at",
              postgresql_where=text("kind = 'clicked'"), sqlite_where=text("kind = 'clicked'")),
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

    @classmethod
    def kind_is(cls, kind: str):
        """``kind = '<kind>'`` written into the statement rather than bound: a prepared
        statement's generic plan cannot use a partial index for a bound kind."""
        return cls.kind == literal(kind, literal_execute=True)


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


class SendCount(Base):
    """A kept count of one send (tracking/counts.py): events of a kind (``delivered``,
    ``clicked_human``, ...) or recipients with at least one (``unique_delivered``, ...), added to
    in the transaction that records the events, so that reports never recount the ledger and
    outlive its retention."""

    __tablename__ = "send_counts"

    send_id: Mapped[int] = mapped_column(ForeignKey("sends.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class SendLinkCount(Base):
    """Kept click counts of one link of a send (tracking/counts.py): human and machine clicks,
    and the recipients with at least one human click on it."""

    __tablename__ = "send_link_counts"

    send_id: Mapped[int] = mapped_column(ForeignKey("sends.id", ondelete="CASCADE"), primary_key=True)
    link_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    human_clicks: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    machine_clicks: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    human_clickers: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class SendDomainCount(Base):
    """Kept counts of one recipient domain of a send: recipients (counted once the send is
    frozen, by the report: reports/queries.py), and recipients delivered and bounced (counted
    with the events: tracking/counts.py)."""

    __tablename__ = "send_domain_counts"

    send_id: Mapped[int] = mapped_column(ForeignKey("sends.id", ondelete="CASCADE"), primary_key=True)
    domain: Mapped[str] = mapped_column(String(255), primary_key=True)
    recipients: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    delivered: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    bounced: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class DeliveryFirst(Base):
    """That a delivery has had an event of a kind (``delivered``, ``clicked_human``,
    ``link:3``...): the first one counts its recipient in a unique count, later ones do not.
    The primary key makes that exact under concurrent writers (tracking/counts.py)."""

    __tablename__ = "delivery_firsts"

    delivery_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    what: Mapped[str] = mapped_column(String(24), primary_key=True)
