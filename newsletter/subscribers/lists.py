"""Mailing lists: creating them, finding them, counting their members by status."""

import re
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from newsletter.content.safety import check_text
from newsletter.db.models import MailingList, Subscriber, Subscription
from newsletter.errors import ContentError, NotFoundError

_LIST_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


@dataclass(frozen=True)
class ListCounts:
    """Members of a list by status; ``suppressed`` are confirmed but globally suppressed."""

    name: str
    title: str | None
    pending: int
    confirmed: int
    unsubscribed: int
    suppressed: int


def create_list(*, session: Session, name: str, title: str | None = None) -> MailingList:
    """Create a list named ``name`` (lower case letters, digits, - and _)."""
    if not _LIST_NAME.match(name):
        raise ContentError(
            f"list name {name!r} is not valid: use lower case letters, digits, - and _ "
            "(for example weekly or weekly-es)"
        )
    if session.scalar(select(MailingList.id).where(MailingList.name == name)) is not None:
        raise ContentError(f"a list named {name!r} already exists")
    if title is not None:
        try:
            title = check_text(title) if title.strip() else None
        except ValueError as err:
            raise ContentError(f"the list's title {err}") from None
        if title and len(title) > 200:
            raise ContentError("the list's title must be at most 200 characters")
    mailing_list = MailingList(name=name, title=title)
    session.add(mailing_list)
    session.flush()
    return mailing_list


def get_list(*, session: Session, name: str) -> MailingList:
    """The list named ``name``, or NotFoundError."""
    mailing_list = session.scalar(select(MailingList).where(MailingList.name == name))
    if mailing_list is None:
        raise NotFoundError(
            f"there is no list named {name!r} (create it with `newsletter lists create {name}`)"
        )
    return mailing_list


def list_counts(*, session: Session) -> list[ListCounts]:
    """Every list with its members counted by status."""
    active = Subscriber.status == "active"

    def count(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    rows = session.execute(
        select(
            MailingList.name,
            MailingList.title,
            count(Subscription.status == "pending"),
            count((Subscription.status == "confirmed") & active),
            count(Subscription.status == "unsubscribed"),
            count((Subscription.status == "confirmed") & ~active),
        )
        .outerjoin(Subscription, Subscription.list_id == MailingList.id)
        .outerjoin(Subscriber, Subscriber.id == Subscription.subscriber_id)
        .group_by(MailingList.id, MailingList.name, MailingList.title)
        .order_by(MailingList.name)
    )
    return [ListCounts(*row) for row in rows]
