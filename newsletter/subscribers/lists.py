"""Mailing lists: creating them, finding them, counting their members by status."""

import re
from dataclasses import dataclass

from sqlalchemy import case, func, select, true
from sqlalchemy.orm import Session

from newsletter.content.safety import check_text
from newsletter.db.models import MailingList, Subscriber, Subscription
from newsletter.errors import ContentError, NotFoundError

_LIST_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
MAX_TITLE, MAX_DESCRIPTION = 200, 2000


@dataclass(frozen=True)
class ListCounts:
    """Members of a list by status; ``suppressed`` are confirmed but globally suppressed."""

    name: str
    title: str | None
    pending: int
    confirmed: int
    unsubscribed: int
    suppressed: int
    track_clicks: bool = True
    track_opens: bool = False


def create_list(
    *, session: Session, name: str, title: str | None = None, description: str | None = None, public: bool = True,
    track_clicks: bool = True, track_opens: bool = False,
) -> MailingList:
    """Create a list named ``name`` (lower case letters, digits, - and _).

    ``description`` is the subscribe page's pitch (paragraphs separated by a blank line); a
    list that is not ``public`` is offered on the preferences page only to its own members.
    With ``track_clicks``, the links of its sends record who clicked them; with ``track_opens``
    (off by default), its sends carry an open image.
    """
    if not _LIST_NAME.match(name):
        raise ContentError(
            f"list name {name!r} is not valid: use lower case letters, digits, - and _ "
            "(for example weekly or weekly-es)", field="name",
        )
    if session.scalar(select(MailingList.id).where(MailingList.name == name)) is not None:
        raise ContentError(f"a list named {name!r} already exists", field="name")
    mailing_list = MailingList(name=name, track_clicks=track_clicks, track_opens=track_opens)
    _describe(mailing_list, title=title, description=description, public=public)
    session.add(mailing_list)
    session.flush()
    return mailing_list


def update_list(
    *, session: Session, name: str, title: str | None, description: str | None, public: bool,
    track_clicks: bool | None = None, track_opens: bool | None = None,
) -> MailingList:
    """Set the title, description, public flag and tracking of the list ``name`` (see
    create_list); an empty title or description clears it, a tracking left None stays."""
    mailing_list = set_tracking(session=session, name=name, clicks=track_clicks, opens=track_opens)
    _describe(mailing_list, title=title, description=description, public=public)
    return mailing_list


def set_tracking(*, session: Session, name: str, clicks: bool | None, opens: bool | None) -> MailingList:
    """Switch the click and open tracking of the list ``name`` for its next sends (None leaves
    that one as it is)."""
    mailing_list = get_list(session=session, name=name)
    if clicks is not None:
        mailing_list.track_clicks = clicks
    if opens is not None:
        mailing_list.track_opens = opens
    return mailing_list


def _describe(mailing_list: MailingList, *, title: str | None, description: str | None, public: bool) -> None:
    mailing_list.title = _checked(title, "title", MAX_TITLE, multiline=False)
    mailing_list.description = _checked(description, "description", MAX_DESCRIPTION, multiline=True)
    mailing_list.public = public


def _checked(value: str | None, field: str, limit: int, *, multiline: bool) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        value = check_text(value, multiline=multiline)
    except ValueError as err:
        raise ContentError(f"the list's {field} {err}", field=field) from None
    if len(value) > limit:
        raise ContentError(f"the list's {field} must be at most {limit} characters", field=field)
    return value


def get_list(*, session: Session, name: str) -> MailingList:
    """The list named ``name``, or NotFoundError."""
    mailing_list = session.scalar(select(MailingList).where(MailingList.name == name))
    if mailing_list is None:
        raise NotFoundError(
            f"there is no list named {name!r} (create it with `newsletter lists create {name}`)"
        )
    return mailing_list


def list_counts(*, session: Session, name: str | None = None) -> list[ListCounts]:
    """Every list (or only the one named ``name``) with its members counted by status."""
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
            MailingList.track_clicks,
            MailingList.track_opens,
        )
        .outerjoin(Subscription, Subscription.list_id == MailingList.id)
        .outerjoin(Subscriber, Subscriber.id == Subscription.subscriber_id)
        .group_by(MailingList.id, MailingList.name, MailingList.title, MailingList.track_clicks,
                  MailingList.track_opens)
        .where(MailingList.name == name if name is not None else true())
        .order_by(MailingList.name)
    )
    return [ListCounts(*row) for row in rows]
