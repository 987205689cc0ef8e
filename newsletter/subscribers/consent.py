"""A subscriber's own consent: subscribing (double opt-in), confirming, unsubscribing and
preferences. Every function is idempotent and none tells a caller whether an address existed.

Someone who left (unsubscribed from a list or from everything, bounced or complained) comes
back only by confirming it themselves, through the link the subscribe form emails them: not
through the form alone (anyone can type their address), an import, an admin adding them, or
a preferences link (it travels in every issue, so it can be forwarded).
"""

from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from newsletter.db.models import MailingList, Subscriber, Subscription, utcnow
from newsletter.errors import ContentError, InvalidLinkError
from newsletter.subscribers.addresses import normalise_email
from newsletter.subscribers.lists import get_list
from newsletter.subscribers.rows import confirm_pending, ensure_subscriber, ensure_subscription

SUPPRESSED = ("bounced", "complained")
# What the person's own status says they left; unsubscribing from everything and complaining
# withdrew consent to every list, a bounce did not.
_LEFT = {
    "unsubscribed": "unsubscribed from every list",
    "bounced": "their address bounced",
    "complained": "they reported the newsletter as spam",
}
_WITHDREW_ALL = ("unsubscribed", "complained")


def why_left(*, subscriber_status: str, membership_status: str | None) -> str | None:
    """Why nobody but the person can put them on a list (None when they have not left it)."""
    if subscriber_status != "active":
        reason = _LEFT.get(subscriber_status, subscriber_status)
    elif membership_status == "unsubscribed":
        reason = "unsubscribed from this list"
    else:
        return None
    return f"{reason}; only they can subscribe again, by confirming it themselves"


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

    A new address, or one not yet on the list, becomes pending. No existing membership
    changes: whoever typed the address, someone who unsubscribed stays unsubscribed until
    they click the emailed link. Nobody is emailed when the address is already confirmed on
    the list, bounced or complained: the caller shows the same page either way, so the form
    reveals nothing. Two requests at once make one subscriber.
    """
    try:
        address = normalise_email(email)
    except ValueError as err:
        raise ContentError(f"that is not a valid email address ({err})") from None
    mailing_list = get_list(session=session, name=list_name)
    subscriber = ensure_subscriber(session=session, email=address, name=name or None, source=source)
    if subscriber.status in SUPPRESSED:
        return None
    subscription = ensure_subscription(session=session, list_id=mailing_list.id, subscriber_id=subscriber.id)
    return pending_confirmation(subscriber=subscriber, subscription=subscription, mailing_list=mailing_list)


def pending_confirmation(
    *, subscriber: Subscriber, subscription: Subscription, mailing_list: MailingList
) -> PendingConfirmation | None:
    """Who to email a confirmation link for this membership: nobody when the address bounced
    or complained, or is already confirmed on the list (asked again when the email is sent,
    since either may have changed since the form was submitted)."""
    if subscriber.status in SUPPRESSED or (subscription.status == "confirmed" and subscriber.status == "active"):
        return None
    return PendingConfirmation(
        subscriber.id, mailing_list.id, subscriber.email, subscriber.name, mailing_list.title or mailing_list.name
    )


def confirm_subscription(*, session: Session, subscriber_id: int, list_id: int) -> MailingList:
    """Confirm the membership that the person's own confirmation link names; returns the list.

    The click is their consent, from the mailbox the link went to, so it is the one way back
    for someone who left: the membership is confirmed even if they had unsubscribed from it,
    and a person who unsubscribed from everything, bounced or complained is active again.
    Their other lists stay off if they had unsubscribed from everything or complained (that
    withdrew consent to every list); after a bounce, which withdrew nothing, they resume.
    Confirming twice is the same as once.
    """
    subscriber, subscription = _membership(session, subscriber_id, list_id)
    now = utcnow()
    if subscription.status != "confirmed":
        subscription.status, subscription.confirmed_at = "confirmed", now
    if subscriber.status in _WITHDREW_ALL:
        session.execute(
            update(Subscription)
            .where(Subscription.subscriber_id == subscriber_id, Subscription.list_id != list_id,
                   Subscription.status == "confirmed")
            .values(status="unsubscribed", unsubscribed_at=now)
        )
    subscriber.status = "active"
    return session.get_one(MailingList, list_id)


def unsubscribe(*, session: Session, subscriber_id: int, list_id: int) -> MailingList:
    """Unsubscribe from one list, at once; unsubscribing twice is the same as once."""
    _, subscription = _membership(session, subscriber_id, list_id)
    if subscription.status != "unsubscribed":
        subscription.status, subscription.unsubscribed_at = "unsubscribed", utcnow()
    return session.get_one(MailingList, list_id)


@dataclass(frozen=True)
class ListChoice:
    """A list on the preferences page."""

    mailing_list: MailingList
    subscribed: bool  # confirmed, and mail goes to them
    left: bool  # see why_left: not a box to tick, only the subscribe form brings them back


@dataclass(frozen=True)
class Preferences:
    """What the preferences page shows: the person, and the public lists and their own."""

    email: str
    name: str | None
    language: str | None
    lists: list[ListChoice]
    tracking_opt_out: bool = False  # no tracked links and no open image in their messages


def get_preferences(*, session: Session, subscriber_id: int) -> Preferences:
    """A subscriber's name, language, and the lists they may choose: every public list and
    every list they are or were on (a private list is nobody else's business)."""
    subscriber = _subscriber(session, subscriber_id)
    memberships = _memberships(session, subscriber_id)
    return Preferences(subscriber.email, subscriber.name, subscriber.language, _choices(session, subscriber, memberships),
                       subscriber.tracking_opt_out)


def update_preferences(
    *, session: Session, subscriber_id: int, name: str | None, language: str | None, list_ids: set[int],
    tracking_opt_out: bool | None = None,
) -> None:
    """Set name and language, and subscribe to exactly the offered lists in ``list_ids``; with
    ``tracking_opt_out`` (None: as it is), whether their messages carry no tracked link and no
    open image (sending/variants.py decides per reader from it).

    The signed link proves the mailbox, so lists ticked here are confirmed at once; but the
    link can be forwarded, so lists the person left (see ListChoice) do not change here, and
    lists not offered to them (private ones they are not on) are ignored.
    """
    subscriber = _subscriber(session, subscriber_id)
    subscriber.name, subscriber.language = name or None, language or None
    if tracking_opt_out is not None:
        subscriber.tracking_opt_out = tracking_opt_out
    memberships = _memberships(session, subscriber_id)
    for choice in _choices(session, subscriber, memberships):
        list_id, membership = choice.mailing_list.id, memberships.get(choice.mailing_list.id)
        if choice.left:
            continue
        if list_id in list_ids and not choice.subscribed:
            ensure_subscription(session=session, list_id=list_id, subscriber_id=subscriber_id)
            confirm_pending(session=session, list_id=list_id, subscriber_id=subscriber_id)
        elif list_id not in list_ids and membership is not None and membership.status != "unsubscribed":
            membership.status, membership.unsubscribed_at = "unsubscribed", utcnow()


def _memberships(session: Session, subscriber_id: int) -> dict[int, Subscription]:
    return {s.list_id: s for s in session.scalars(select(Subscription).where(Subscription.subscriber_id == subscriber_id))}


def _choices(session: Session, subscriber: Subscriber, memberships: dict[int, Subscription]) -> list[ListChoice]:
    offered = session.scalars(
        select(MailingList).where(or_(MailingList.public, MailingList.id.in_(list(memberships))))
        .order_by(MailingList.name)
    )
    choices = []
    for mailing_list in offered:
        membership = memberships.get(mailing_list.id)
        status = membership.status if membership else None
        left = why_left(subscriber_status=subscriber.status, membership_status=status) is not None
        choices.append(ListChoice(mailing_list, subscribed=not left and status == "confirmed", left=left))
    return choices


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
