"""An admin's changes to a list one person at a time, and exporting a list."""

from collections.abc import Iterator
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsletter.content.safety import check_text
from newsletter.csv_safety import SafeCsvWriter
from newsletter.db.models import Subscriber, Subscription, utcnow
from newsletter.errors import ContentError, NotFoundError
from newsletter.subscribers.addresses import normalise_email
from newsletter.subscribers.consent import why_left
from newsletter.subscribers.lists import get_list
from newsletter.subscribers.rows import confirm_pending, ensure_subscriber, ensure_subscription

EXPORT_COLUMNS = ["email", "name", "language", "status", "subscribed_at", "confirmed_at"]
STATUSES = ("confirmed", "pending", "unsubscribed", "all")


def add_subscriber(*, session: Session, email: str, name: str | None, list_name: str, confirmed: bool) -> str:
    """Put a person on a list, pending, or confirmed when the admin holds their consent; the
    resulting status.

    Nobody who left comes back this way: someone who unsubscribed from the list or from
    everything, bounced or complained is refused with a ContentError saying why (only their
    own confirmation brings them back). Two adds of one address at once make one subscriber.
    """
    try:
        address = normalise_email(email)
        clean_name = check_text(name) if name else None
    except ValueError as err:
        raise ContentError(f"{email!r}: {err}") from None
    list_id = get_list(session=session, name=list_name).id
    subscriber = ensure_subscriber(session=session, email=address, name=clean_name, source="admin")
    membership = session.get(Subscription, (list_id, subscriber.id))
    refusal = why_left(subscriber_status=subscriber.status, membership_status=membership.status if membership else None)
    if refusal is not None:
        raise ContentError(f"{address} cannot be added: {refusal}")
    subscription = ensure_subscription(session=session, list_id=list_id, subscriber_id=subscriber.id)
    if confirmed:  # only from pending: an unsubscribe that commits in between stands
        confirm_pending(session=session, list_id=list_id, subscriber_id=subscriber.id)
    return subscription.status


def remove_subscriber(*, session: Session, email: str, list_name: str) -> None:
    """Take a person off a list. Kept as unsubscribed, so no later import puts them back."""
    try:
        address = normalise_email(email)
    except ValueError as err:
        raise ContentError(f"{email!r}: {err}") from None
    list_id = get_list(session=session, name=list_name).id
    subscription = session.scalar(
        select(Subscription).join(Subscriber).where(Subscription.list_id == list_id, Subscriber.email == address)
    )
    if subscription is None:
        raise NotFoundError(f"{address} is not on the list {list_name!r}")
    if subscription.status != "unsubscribed":
        subscription.status, subscription.unsubscribed_at = "unsubscribed", utcnow()


def export_subscribers(*, session: Session, list_name: str, status: str, out: TextIO) -> int:
    """Write a list's members as CSV (the import's format plus statuses); how many rows.

    Streams the rows twice: once to learn the attribute columns, once to write them.
    """
    if status not in STATUSES:
        raise ContentError(f"status must be one of {', '.join(STATUSES)}")
    list_id = get_list(session=session, name=list_name).id
    attribute_names = sorted({key for attributes in _rows(session, list_id, status, Subscriber.attributes) for key in attributes})
    writer = SafeCsvWriter(out)
    writer.writerow(EXPORT_COLUMNS + attribute_names)
    count = 0
    for subscriber, subscription in _rows(session, list_id, status, Subscriber, Subscription):
        status_text = subscription.status if subscriber.status == "active" else subscriber.status
        writer.writerow(
            [subscriber.email, subscriber.name or "", subscriber.language or "", status_text,
             _iso(subscription.created_at), _iso(subscription.confirmed_at)]
            + [subscriber.attributes.get(name, "") for name in attribute_names]
        )
        count += 1
    return count


def _rows(session: Session, list_id: int, status: str, *columns) -> Iterator:
    query = (
        select(*columns)
        .join(Subscription, Subscription.subscriber_id == Subscriber.id)
        .where(Subscription.list_id == list_id)
        .order_by(Subscriber.id)
        .execution_options(yield_per=2000)
    )
    if status != "all":
        query = query.where(Subscription.status == status)
    result = session.execute(query)
    return (row[0] if len(columns) == 1 else tuple(row) for row in result)


def _iso(moment) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""
