"""What readers did with a send: clicks (people's apart from machines'), each item ranked by
its human clicks, clicks hour by hour over the first 72 hours, and opens (an estimate).

The totals and the clicks of each link are the send's kept counts (tracking/counts.py), which
outlive the raw events' retention; the clicks of each hour are counted from the ledger's
``clicked`` events (one GROUP BY, the hour worked out in SQL), so the chart of a send older
than NEWSLETTER_EVENT_RETENTION_DAYS is empty.
"""

import datetime as dt

from sqlalchemy import ColumnElement, Integer, and_, cast, exists, func, literal, select
from sqlalchemy.orm import Session

from newsletter.db.models import (
    DeliveryEvent,
    IssueEntry,
    IssueSection,
    Item,
    MailingList,
    Send,
    SendCount,
    SendLink,
    SendLinkCount,
    SendList,
    as_utc,
)
from newsletter.reports.models import ClickReport, ItemClicks, LinkClicks, OpenReport

HOURS = 72  # the click chart's span, from the send's start

_event = DeliveryEvent
_human = _event.machine.is_(False)


def click_report(*, session: Session, send: Send) -> ClickReport:
    """The send's clicks (the click rate is left to build_send_report, which knows its base)."""
    counts = kept_counts(session, send.id)
    links = session.execute(
        select(SendLink.link_id, SendLink.url, SendLink.item_id, SendLinkCount.human_clicks,
               SendLinkCount.human_clickers, SendLinkCount.machine_clicks)
        .outerjoin(SendLinkCount, and_(SendLinkCount.send_id == SendLink.send_id,
                                       SendLinkCount.link_id == SendLink.link_id))
        .where(SendLink.send_id == send.id)
    ).all()
    return ClickReport(
        tracked=bool(links), human_clickers=counts.get("unique_clicked_human", 0), click_rate=None,
        human_clicks=counts.get("clicked_human", 0), machine_clicks_filtered=counts.get("clicked_machine", 0),
        by_hour=clicks_by_hour(session=session, send=send), items=_ranked_items(session, send, links),
        other_links=[LinkClicks(url=link.url, human_clicks=link.human_clicks or 0,
                                human_clickers=link.human_clickers or 0, machine_clicks=link.machine_clicks or 0)
                     for link in sorted(links) if link.item_id is None],
    )


def kept_counts(session: Session, send_id: int) -> dict[str, int]:
    """The send's kept counts by name (tracking/counts.py): they outlive the raw events."""
    return dict(session.execute(select(SendCount.name, SendCount.n).where(SendCount.send_id == send_id)).all())


def _ranked_items(session: Session, send: Send, links: list) -> list[ItemClicks]:
    """Every item of the send's issue, most human clicks first (the issue's order breaks ties).
    A link's clicks go to the item the link table names for it (the first with that link); an
    item's links in every edition add up (a reader gets one edition: nobody is counted twice)."""
    by_item: dict[int, tuple[int, int, int]] = {}
    for link in links:
        if link.item_id is not None:
            human, people, machine = by_item.get(link.item_id, (0, 0, 0))
            by_item[link.item_id] = (human + (link.human_clicks or 0), people + (link.human_clickers or 0),
                                     machine + (link.machine_clicks or 0))
    rows = session.execute(
        select(Item.id, Item.headline, Item.url)
        .join(IssueEntry, IssueEntry.item_id == Item.id).join(IssueSection, IssueSection.id == IssueEntry.section_id)
        .where(IssueSection.issue_id == send.issue_id).order_by(IssueSection.position, IssueEntry.position)
    ).all()
    items, seen = [], set()
    for item_id, headline, url in rows:
        counted = by_item.get(item_id) if item_id not in seen else None
        seen.add(item_id)
        items.append((item_id, headline, url, *(counted or (0, 0, 0))))
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
    counts = kept_counts(session, send.id)
    return OpenReport(tracked=tracked, human_openers=counts.get("unique_opened_human", 0), open_rate=None,
                      machine_opens_filtered=counts.get("opened_machine", 0))
