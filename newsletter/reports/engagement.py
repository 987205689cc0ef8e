"""What readers did with a send: clicks (people's apart from machines'), each item ranked by
its human clicks, clicks hour by hour over the first 72 hours, and opens (an estimate).

Counted by the database from the ledger's ``clicked`` and ``opened`` events, a few GROUP BY
queries whatever the send's size; the hour of a click is worked out in SQL too.
"""

import datetime as dt

from sqlalchemy import ColumnElement, Integer, and_, case, cast, exists, func, literal, select
from sqlalchemy.orm import Session

from newsletter.db.models import (
    DeliveryEvent,
    IssueEntry,
    IssueSection,
    Item,
    MailingList,
    Send,
    SendLink,
    SendList,
    as_utc,
)
from newsletter.reports.models import ClickReport, ItemClicks, OpenReport

HOURS = 72  # the click chart's span, from the send's start

_event = DeliveryEvent
_human, _machine = _event.machine.is_(False), _event.machine.is_(True)


def click_report(*, session: Session, send: Send) -> ClickReport:
    """The send's clicks (the click rate is left to build_send_report, which knows its base)."""
    clicked = and_(_event.send_id == send.id, _event.kind == "clicked", _event.delivery_id.is_not(None))
    totals = session.execute(select(
        func.count(case((_human, _event.delivery_id)).distinct()),
        func.count(case((_human, 1))), func.count(case((_machine, 1))),
    ).where(clicked)).one()
    by_url = {row.url: row for row in session.execute(
        select(_event.url, func.count(case((_human, 1))).label("human"),
               func.count(case((_human, _event.delivery_id)).distinct()).label("people"),
               func.count(case((_machine, 1))).label("machine"))
        .where(clicked).group_by(_event.url))}
    tracked = session.scalar(select(exists().where(SendLink.send_id == send.id))) or False
    return ClickReport(
        tracked=tracked, human_clickers=totals[0], click_rate=None,
        human_clicks=totals[1], machine_clicks_filtered=totals[2],
        by_hour=clicks_by_hour(session=session, send=send), items=_ranked_items(session, send, by_url),
    )


def _ranked_items(session: Session, send: Send, by_url: dict) -> list[ItemClicks]:
    """Every item of the send's issue, most human clicks first (the issue's order breaks ties).
    A link's clicks go to the item the link table names for it (the first with that link)."""
    link_items = dict(session.execute(select(SendLink.url, SendLink.item_id).where(SendLink.send_id == send.id)).all())
    rows = session.execute(
        select(Item.id, Item.headline, Item.url)
        .join(IssueEntry, IssueEntry.item_id == Item.id).join(IssueSection, IssueSection.id == IssueEntry.section_id)
        .where(IssueSection.issue_id == send.issue_id).order_by(IssueSection.position, IssueEntry.position)
    ).all()
    items = []
    for item_id, headline, url in rows:
        counted = by_url.get(url) if url and link_items.get(url, item_id) == item_id else None
        items.append((item_id, headline, url, counted.human if counted else 0, counted.people if counted else 0,
                      counted.machine if counted else 0))
    items.sort(key=lambda item: -item[3])  # stable: the issue's order among equals
    return [ItemClicks(rank=rank, item_id=item_id, headline=headline, url=url, human_clicks=human,
                       human_clickers=people, machine_clicks=machine)
            for rank, (item_id, headline, url, human, people, machine) in enumerate(items, start=1)]


def clicks_by_hour(*, session: Session, send: Send) -> list[int]:
    """Human clicks in each of the first HOURS hours after the send started (zeros before)."""
    hours = [0] * HOURS
    if send.started_at is None:
        return hours
    start = as_utc(send.started_at)
    hour = _hours_since(session, _event.occurred_at, start).label("hour")
    rows = session.execute(
        select(hour, func.count()).where(
            _event.send_id == send.id, _event.kind == "clicked", _event.delivery_id.is_not(None), _human,
            _event.occurred_at >= start, _event.occurred_at < start + dt.timedelta(hours=HOURS))
        .group_by(hour)
    ).all()
    for number, count in rows:
        if number is not None and 0 <= int(number) < HOURS:
            hours[int(number)] += count
    return hours


def _hours_since(session: Session, moment: ColumnElement, start: dt.datetime) -> ColumnElement[int]:
    """Whole hours from ``start`` to ``moment``, in SQL (SQLite keeps times as text)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.floor(func.extract("epoch", moment - literal(start)) / 3600)
    naive = start.replace(tzinfo=None).isoformat(sep=" ")
    return cast((func.julianday(moment) - func.julianday(naive)) * 24, Integer)


def open_report(*, session: Session, send: Send) -> OpenReport:
    """The send's opens, an estimate (the open rate is left to build_send_report)."""
    tracked = session.scalar(select(exists().where(
        SendList.send_id == send.id, MailingList.id == SendList.list_id, MailingList.track_opens))) or False
    people, machine = session.execute(select(
        func.count(case((_human, _event.delivery_id)).distinct()), func.count(case((_machine, 1))),
    ).where(_event.send_id == send.id, _event.kind == "opened", _event.delivery_id.is_not(None))).one()
    return OpenReport(tracked=tracked, human_openers=people, open_rate=None,
                      machine_opens_filtered=machine)

