"""A subscriber's own consent: subscribing (double opt-in), confirming, unsubscribing and
preferences. Every function is idempotent and none tells a caller whether an address existed.

Global suppression (bounced, complained) is never lifted here: only an admin can.
A global unsubscribe is lifted when the person confirms a new subscription themselves.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsletter.db.models import MailingList, Subscriber, Subscription, utcnow
from newsletter.errors import ContentError, InvalidLinkError
from newsletter.subscribers.addresses import normalise_email
from newsletter.subscribers.lists import get_list

SUPPRESSED = ("bounced", "complained")


@dataclass(frozen=True)
class PendingConfirmation:
    """Someone who must be sent a confirmation email for a list."""

    subscriber_id: int
    list_id: int
    email: str
    name: str | None
    list_title: str


def request_subscription(
    *, session: Session, email: str, name: str | None, list_name: str, source: str = "web"
) -> PendingConfirmation | None:
    """Record a wish to subscribe; who to send a confirmation email to, if anyone.

    Nobody is emailed when the address is already confirmed on the list or is suppressed:
    the caller shows the same page either way, so the form reveals nothing.
    """
    try:
        address = normalise_email(email)
    except ValueError as err:
        raise ContentError(f"that is not a valid email address ({err})") from None
    mailing_list = get_list(session=session, name=list_name)
    subscriber = session.scalar(select(Subscriber).where(Subscriber.email == address))
    if subscriber is None:
        subscriber = Subscriber(email=address, name=name or None, status="active", attributes={}, source=source)
        session.add(subscriber)
        session.flush()
    if subscriber.status in SUPPRESSED:
        return None
    subscription = session.get(Subscription, (mailing_list.id, subscriber.id))
    if subscription is None:
        session.add(Subscription(list_id=mailing_list.id, subscriber_id=subscriber.id, status="pending"))
    elif subscription.status == "confirmed" and subscriber.status == "active":
        return None
    elif subscription.status == "unsubscribed":
        subscription.status = "pending"
    return PendingConfirmation(
        subscriber.id, mailing_list.id, subscriber.email, subscriber.name, mailing_list.title or mailing_list.name
    )


def confirm_subscription(*, session: Session, subscriber_id: int, list_id: int) -> MailingList:
    """Confirm a pending subscription (a confirmed one stays confirmed); returns the list."""
    subscriber, subscription = _membership(session, subscriber_id, list_id)
    if subscriber.status in SUPPRESSED:
        raise InvalidLinkError("this link is not valid or has expired")
    if subscription.status != "confirmed":
        subscription.status, subscription.confirmed_at = "confirmed", utcnow()
    if subscriber.status == "unsubscribed":  # they opted in again themselves
        subscriber.status = "active"
    return session.get_one(MailingList, list_id)


def unsubscribe(*, session: Session, subscriber_id: int, list_id: int) -> MailingList:
    """Unsubscribe from one list, at once; unsubscribing twice is the same as once."""
    _, subscription = _membership(session, subscriber_id, list_id)
    if subscription.status != "unsubscribed":
        subscription.status, subscription.unsubscribed_at = "unsubscribed", utcnow()
    return session.get_one(MailingList, list_id)


@dataclass(frozen=True)
class Preferences:
    """What the preferences page shows: the person and every list with their membership."""

    email: str
    name: str | None
    language: str | None
    lists: list[tuple[MailingList, bool]]  # (list, subscribed)


def get_preferences(*, session: Session, subscriber_id: int) -> Preferences:
    """A subscriber's name, language and lists."""
    subscriber = _subscriber(session, subscriber_id)
    subscribed = set(
        session.scalars(
            select(Subscription.list_id).where(
                Subscription.subscriber_id == subscriber_id, Subscription.status == "confirmed"
            )
        )
    )
    lists = session.scalars(select(MailingList).order_by(MailingList.name)).all()
    return Preferences(subscriber.email, subscriber.name, subscriber.language, [(m, m.id in subscribed) for m in lists])


def update_preferences(
    *, session: Session, subscriber_id: int, name: str | None, language: str | None, list_ids: set[int]
) -> None:
    """Set name and language, and subscribe to exactly ``list_ids``.

    The signed link proves the mailbox, so lists ticked here are confirmed at once.
    """
    subscriber = _subscriber(session, subscriber_id)
    subscriber.name, subscriber.language = name or None, language or None
    now = utcnow()
    known = set(session.scalars(select(MailingList.id)))
    memberships = {s.list_id: s for s in session.scalars(select(Subscription).where(Subscription.subscriber_id == subscriber_id))}
    for list_id in known:
        membership, wanted = memberships.get(list_id), list_id in list_ids
        if wanted and (membership is None or membership.status != "confirmed"):
            if membership is None:
                membership = Subscription(list_id=list_id, subscriber_id=subscriber_id, status="confirmed")
                session.add(membership)
            membership.status, membership.confirmed_at = "confirmed", now
        elif not wanted and membership is not None and membership.status != "unsubscribed":
            membership.status, membership.unsubscribed_at = "unsubscribed", now
    if list_ids & known and subscriber.status == "unsubscribed":
        subscriber.status = "active"


def _subscriber(session: Session, subscriber_id: int) -> Subscriber:
    subscriber = session.get(Subscriber, subscriber_id)
    if subscriber is None:  # a validly signed token for a deleted subscriber
        raise InvalidLinkError("this link is not valid or has expired")
    return subscriber


def _membership(session: Session, subscriber_id: int, list_id: int) -> tuple[Subscriber, Subscription]:
    subscriber = _subscriber(session, subscriber_id)
    subscription = session.get(Subscription, (list_id, subscriber_id))
    if subscription is None:
        raise InvalidLinkError("this link is not valid or has expired")
    return subscriber, subscription
