"""What readers did, in the send's report: clicks recorded by the real click path (people's and
machines'), every item ranked by human clicks, the clicks of the first 72 hours hour by hour,
and the chart drawn from them agreeing with its table."""

import datetime as dt
import re

from sqlalchemy import select, update

from newsletter.db import transaction
from newsletter.db.models import Delivery, Item, Send, SendLink, Subscriber, utcnow
from newsletter.reports import inbox_history, send_report
from newsletter.reports.charts import Series, bar_chart, clicks_chart
from newsletter.tracking.clicks import Click, new_click, record_clicks
from tests.factories import item
from tests.tracking.click_helpers import ITEM_LINKS, send_issue

PEOPLE = ["ana@example.org", "bo@example.org", "cy@example.org", "dee@example.org"]


def started_hours_ago(url: str, send_id: int, hours: int) -> dt.datetime:
    """Make the send look started, and every message accepted, ``hours`` ago; that moment."""
    start = utcnow() - dt.timedelta(hours=hours)
    with transaction(url) as session:
        session.execute(update(Send).where(Send.id == send_id).values(started_at=start))
        session.execute(update(Delivery).values(updated_at=start))
    return start


def click_at(settings, sent, links: dict[str, int], email: str, url: str, at: dt.datetime, method: str = "GET"):
    made = new_click(send_id=sent.send_id, link_id=links[url], url=url, delivery_id=sent.deliveries[email],
                     method=method, client="192.0.2.9")
    with transaction(settings.database_url) as session:
        record_clicks(session=session, settings=settings, clicks=[Click(**{**made.__dict__, "at": at.timestamp()})])


def test_items_are_ranked_by_human_clicks_and_the_hours_add_up(db_settings):
    sent = send_issue(db_settings, {"weekly": PEOPLE})
    start = started_hours_ago(db_settings.database_url, sent.send_id, 80)
    with transaction(db_settings.database_url) as session:
        links = dict(session.execute(select(SendLink.url, SendLink.link_id).where(SendLink.send_id == sent.send_id)).all())
    first, second, third = ITEM_LINKS
    hour = dt.timedelta(hours=1)
    for email, url, after, method in [
        ("ana@example.org", second, 0.5 * hour, "GET"), ("ana@example.org", second, 5.2 * hour, "GET"),
        ("ana@example.org", first, 5.5 * hour, "GET"), ("bo@example.org", second, 1.2 * hour, "GET"),
        ("cy@example.org", third, 30.1 * hour, "GET"),
        ("cy@example.org", first, 30.2 * hour, "HEAD"),  # a scanner's HEAD: a machine
        ("dee@example.org", first, dt.timedelta(seconds=2), "GET"),  # seconds after delivery: a machine
        ("dee@example.org", third, 75 * hour, "GET"),  # after the chart's 72 hours, still counted
    ]:
        click_at(db_settings, sent, links, email, url, start + after, method)
    with transaction(db_settings.database_url) as session:
        report = send_report(session=session, send_id=sent.send_id)
    clicks = report.clicks
    assert clicks.tracked and not report.opens.tracked
    assert (clicks.human_clickers, clicks.human_clicks, clicks.machine_clicks_filtered) == (4, 6, 2)
    assert clicks.click_rate == 4 / 4 and report.complaint_base == "accepted"
    ranked = [(i.rank, i.url, i.human_clicks, i.human_clickers, i.machine_clicks) for i in clicks.items]
    assert ranked == [(1, second, 3, 2, 0), (2, third, 2, 2, 0), (3, first, 1, 1, 2)]
    expected_hours = [0] * 72
    for number in (0, 1, 5, 5, 30):
        expected_hours[number] += 1
    assert clicks.by_hour == expected_hours
    with transaction(db_settings.database_url) as session:
        for url, tags in ((first, ["politics"]), (second, ["politics", "asia"]), (third, ["asia"])):
            session.execute(update(Item).where(Item.url == url).values(tags=tags))
        history = inbox_history(session=session)
    assert [(r.name, r.items, r.human_clicks, r.clicks_per_item) for r in history.sources] == [
        ("Source 2", 1, 3, 3.0), ("Source 3", 1, 2, 2.0), ("Source 1", 1, 1, 1.0)]
    assert [(r.name, r.items, r.human_clicks, r.clicks_per_item) for r in history.tags] == [
        ("asia", 2, 5, 2.5), ("politics", 2, 4, 2.0)]


def test_a_tie_keeps_the_issues_order_and_an_unclicked_issue_ranks_every_item(db_settings):
    sent = send_issue(db_settings)
    with transaction(db_settings.database_url) as session:
        report = send_report(session=session, send_id=sent.send_id)
    assert [(i.rank, i.url, i.human_clicks) for i in report.clicks.items] == [
        (1, ITEM_LINKS[0], 0), (2, ITEM_LINKS[1], 0), (3, ITEM_LINKS[2], 0)]
    assert report.clicks.by_hour == [0] * 72 and report.clicks.click_rate == 0


def chart_figures(markup: str) -> tuple[list[tuple[str, str, int]], list[list[str]]]:
    """(series, label, value) of each bar of the SVG, and the rows of the table after it."""
    bars = [(s, label, int(v)) for s, label, v in
            re.findall(r'<rect [^>]*data-series="([^"]*)" data-label="([^"]*)" data-value="(\d+)"', markup)]
    table = markup.split("<table", 1)[1]
    rows = [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", table)]
    return bars, rows


def test_a_chart_is_accessible_svg_with_the_same_figures_as_its_table():
    markup = bar_chart(chart_id="weeks", title="Health <by week>", description="Four weeks.",
                       labels=["W1", "W2", "W3"], series=[Series("subscribed", [3, 0, 7]), Series("bounced", [1, 2, 0])],
                       label_heading="Week")
    assert re.search(r'<svg [^>]*role="img" aria-labelledby="weeks-title weeks-desc"', markup)
    assert '<title id="weeks-title">Health &lt;by week&gt;</title>' in markup
    bars, rows = chart_figures(markup)
    assert rows[0] == ["Week", "subscribed", "bounced"]
    table = {(series, row[0]): int(value) for row in rows[1:]
             for series, value in zip(rows[0][1:], row[1:], strict=True)}
    assert {(series, label): value for series, label, value in bars} == table
    assert table[("subscribed", "W3")] == 7 and len(bars) == 6


def test_the_click_chart_draws_every_hour():
    hours = [0] * 72
    hours[3], hours[40] = 5, 2
    bars, rows = chart_figures(clicks_chart(hours))
    assert [value for _, _, value in bars] == hours and len(rows) == 73
    assert rows[4] == ["3h", "5"]


def test_a_lists_health_counts_each_week(db_settings):
    from newsletter.db.models import MailingList, Subscriber, Subscription, Suppression
    from newsletter.reports import list_health

    monday = dt.date(2026, 11, 30)
    at = lambda days: dt.datetime.combine(monday + dt.timedelta(days=days), dt.time(12), dt.UTC)  # noqa: E731
    with transaction(db_settings.database_url) as session:
        weekly, other = MailingList(name="weekly"), MailingList(name="other")
        people = [Subscriber(email=f"p{n}@example.org", attributes={}) for n in range(5)]
        session.add_all([weekly, other, *people])
        session.flush()
        session.add_all([
            Subscription(list_id=weekly.id, subscriber_id=people[0].id, status="confirmed", confirmed_at=at(1)),
            Subscription(list_id=weekly.id, subscriber_id=people[1].id, status="confirmed", confirmed_at=at(-6)),
            Subscription(list_id=weekly.id, subscriber_id=people[2].id, status="unsubscribed", confirmed_at=at(-20),
                         unsubscribed_at=at(2)),
            Subscription(list_id=weekly.id, subscriber_id=people[3].id, status="confirmed", confirmed_at=at(-90)),
            Subscription(list_id=other.id, subscriber_id=people[4].id, status="confirmed", confirmed_at=at(1)),
            Suppression(subscriber_id=people[3].id, reason="bounced", created_at=at(-1)),
            Suppression(subscriber_id=people[1].id, reason="complained", created_at=at(3)),
            Suppression(subscriber_id=people[4].id, reason="bounced", created_at=at(3)),  # not on weekly
        ])
        session.flush()
        weeks = list_health(session=session, list_id=weekly.id, weeks=4, today=monday + dt.timedelta(days=3))
    assert [w.week for w in weeks] == [monday - dt.timedelta(weeks=n) for n in (3, 2, 1, 0)]
    assert [(w.subscribed, w.unsubscribed, w.bounced, w.complained) for w in weeks] == [
        (1, 0, 0, 0), (0, 0, 0, 0), (1, 0, 1, 0), (1, 1, 0, 1)]


def test_an_items_clicks_in_every_edition_add_up_and_it_is_one_item_sent(db_settings):
    with transaction(db_settings.database_url) as session:  # bo reads Spanish
        session.add(Subscriber(email="bo@example.org", language="es", attributes={}))
    spanish = "https://example.org/es/news/1"
    sent = send_issue(db_settings, {"weekly": ["ana@example.org", "bo@example.org", "cy@example.org"]},
                      editions=["es"], translations={"es": {"title": "El Informe Semanal"}},
                      items=[item(1, translations={"es": {"headline": "Titular 1", "url": spanish}}), item(2), item(3)])
    assert "Titular 1" in sent.messages["bo@example.org"][1]  # bo got the Spanish edition
    start = started_hours_ago(db_settings.database_url, sent.send_id, 2)
    with transaction(db_settings.database_url) as session:
        links = dict(session.execute(select(SendLink.url, SendLink.link_id).where(SendLink.send_id == sent.send_id)).all())
    for email, url in (("ana@example.org", ITEM_LINKS[0]), ("bo@example.org", spanish), ("cy@example.org", ITEM_LINKS[1])):
        click_at(db_settings, sent, links, email, url, start + dt.timedelta(minutes=30))
    with transaction(db_settings.database_url) as session:
        report = send_report(session=session, send_id=sent.send_id)
        history = inbox_history(session=session)
    assert [(i.url, i.human_clicks, i.human_clickers) for i in report.clicks.items] == [
        (ITEM_LINKS[0], 2, 2), (ITEM_LINKS[1], 1, 1), (ITEM_LINKS[2], 0, 0)]
    assert sum(i.human_clicks for i in report.clicks.items) == report.clicks.human_clicks == 3
    assert [(r.name, r.items, r.human_clicks) for r in history.sources] == [
        ("Source 1", 1, 2), ("Source 2", 1, 1), ("Source 3", 1, 0)]
