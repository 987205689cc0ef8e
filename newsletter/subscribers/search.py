"""Finding the members of a list: by address or name, by status, a page at a time."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newsletter.db.models import Subscriber, Subscription
from newsletter.errors import ContentError
from newsletter.subscribers.lists import get_list

# The statuses of list_counts, so that a count and the members it counts agree:
# "confirmed" are confirmed and not suppressed; "suppressed" are confirmed but the person is
# globally suppressed (unsubscribed from everything, bounced or complained).
SEARCH_STATUSES = ("confirmed", "pending", "unsubscribed", "suppressed")
MAX_LIMIT = 1000


@dataclass(frozen=True)
class ListMember:
    """A person on a list, with the status of their membership."""

    email: str
    name: str | None
    language: str | None
    status: str  # pending, confirmed or unsubscribed: the subscription's
    suppressed: str | None  # the person's status when it stops all mail (bounced, ...), else None
    source: str | None
    subscribed_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    unsubscribed_at: dt.datetime | None


@dataclass(frozen=True)
class MemberPage:
    """One page of a search and how many members match in all."""

    total: int
    members: list[ListMember]
    limit: int
    offset: int


def search_members(
    *, session: Session, list_name: str, query: str = "", status: str | None = None, limit: int = 100,
    offset: int = 0,
) -> MemberPage:
    """Members of ``list_name`` whose address or name contains ``query`` (any case), with the
    status ``status`` (one of SEARCH_STATUSES, or None for all), by address."""
    if status not in (None, *SEARCH_STATUSES):
        raise ContentError(f"status must be one of {', '.join(SEARCH_STATUSES)}, not {status!r}")
    if not 1 <= limit <= MAX_LIMIT:
        raise ContentError(f"limit must be between 1 and {MAX_LIMIT}")
    if offset < 0:
        raise ContentError("offset cannot be negative")
    list_id = get_list(session=session, name=list_name).id
    conditions = [Subscription.list_id == list_id]
    words = query.strip().lower()
    if words:
        conditions.append(
            func.lower(Subscriber.email).contains(words, autoescape=True)
            | func.lower(func.coalesce(Subscriber.name, "")).contains(words, autoescape=True)
        )
    active = Subscriber.status == "active"
    if status == "confirmed":
        conditions += [Subscription.status == "confirmed", active]
    elif status == "suppressed":
        conditions += [Subscription.status == "confirmed", ~active]
    elif status is not None:
        conditions.append(Subscription.status == status)

    joined = select(Subscriber, Subscription).join(Subscription, Subscription.subscriber_id == Subscriber.id)
    total = session.scalar(
        select(func.count()).select_from(Subscription).join(Subscriber, Subscriber.id == Subscription.subscriber_id)
        .where(*conditions)
    )
    rows = session.execute(joined.where(*conditions).order_by(Subscriber.email).limit(limit).offset(offset))
    members = [
        ListMember(
            email=subscriber.email, name=subscriber.name, language=subscriber.language,
            status=subscription.status, suppressed=None if subscriber.status == "active" else subscriber.status,
            source=subscriber.source, subscribed_at=subscription.created_at,
            confirmed_at=subscription.confirmed_at, unsubscribed_at=subscription.unsubscribed_at,
        )
        for subscriber, subscription in rows
    ]
    return MemberPage(total=total or 0, members=members, limit=limit, offset=offset)
