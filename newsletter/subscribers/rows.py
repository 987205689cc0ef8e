"""Subscriber and membership rows written safely when two requests write them at once.

A form submitted twice, or two admins adding one person, race between looking for a row and
inserting it, and the second insert would hit the unique index. So rows are made with
INSERT ... ON CONFLICT DO NOTHING and read afterwards: both requests get the one row (on
PostgreSQL the second insert waits for the first transaction, then sees its row). A status
changes only from the state it was read in (a conditional UPDATE), so a confirmation never
overwrites an unsubscribe that committed in between.
"""

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newsletter.db.engine import dialect_insert
from newsletter.db.models import Subscriber, Subscription, utcnow


def ensure_subscriber(*, session: Session, email: str, name: str | None, source: str) -> Subscriber:
    """The subscriber with the normalised address ``email``; made active, with ``name`` and
    ``source``, if there is none."""
    session.execute(
        dialect_insert(session, Subscriber)
        .values(email=email, name=name, status="active", attributes={}, source=source)
        .on_conflict_do_nothing(index_elements=["email"])
    )
    return session.scalars(select(Subscriber).where(Subscriber.email == email)).one()


def ensure_subscription(*, session: Session, list_id: int, subscriber_id: int) -> Subscription:
    """The subscriber's membership of the list; made ``pending`` if there is none."""
    session.execute(
        dialect_insert(session, Subscription)
        .values(list_id=list_id, subscriber_id=subscriber_id, status="pending")
        .on_conflict_do_nothing(index_elements=["list_id", "subscriber_id"])
    )
    return session.get_one(Subscription, (list_id, subscriber_id))


def confirm_pending(*, session: Session, list_id: int, subscriber_id: int) -> None:
    """Confirm the membership if it is still pending (an unsubscribe in between stands)."""
    session.execute(
        update(Subscription)
        .where(Subscription.list_id == list_id, Subscription.subscriber_id == subscriber_id,
               Subscription.status == "pending")
        .values(status="confirmed", confirmed_at=utcnow())
    )
