"""What readers did, read in a real Chromium: after a real send (over SMTP, to a real server)
whose readers clicked the links they received through the live /c/ redirects, the send's report ranks the items and draws the clicks hour by hour, and the
SVG's figures and its table for screen readers agree; a list's page draws its weeks. Axe finds
nothing. NEWSLETTER_SCREENSHOTS=folder keeps the screenshots (docs/screenshots has them)."""

import datetime as dt
import os
import re
import time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select, update

from newsletter.db import transaction
from newsletter.db.models import (
    DeliveryEvent,
    MailingList,
    Send,
    Subscriber,
    Subscription,
    Suppression,
    utcnow,
)
from tests.providers.test_smtp import Sink
from tests.providers.test_smtp import start as start_smtp
from tests.tracking.click_helpers import accepted_ago, parts_of, send_issue
from tests.web.test_admin_browser import signed_in_page
from tests.web.test_browser import browser  # noqa: F401 - the shared Chromium fixture

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
PEOPLE = [f"reader{n}@example.org" for n in range(6)]
# (reader, link) clicked through the live server, and the hour after the start each happened.
CLICKS = [(0, 2, 0), (1, 2, 0), (2, 2, 1), (3, 1, 1), (4, 2, 3), (5, 2, 7), (0, 3, 3), (1, 1, 26), (2, 3, 50)]

FIGURES = """(selector) => {
  const root = document.querySelector(selector);
  const bars = [...root.querySelectorAll('svg rect')].map(r => [r.dataset.series, r.dataset.label,
      Number(r.dataset.value), r.querySelector('title').textContent, r.getBBox().height]);
  const heads = [...root.querySelectorAll('table thead th')].map(th => th.textContent);
  const rows = [...root.querySelectorAll('table tbody tr')].map(tr => [...tr.children].map(c => c.textContent));
  const svg = root.querySelector('svg');
  return {bars, heads, rows, role: svg.getAttribute('role'), labelledby: svg.getAttribute('aria-labelledby'),
          title: svg.querySelector('title').textContent, width: svg.getBoundingClientRect().width};
}"""


def agree(figures: dict) -> dict[tuple[str, str], int]:
    """Check that every bar of the chart is a cell of its table with the same figure, and that
    bars' heights follow their figures; {(series, label): figure}."""
    assert figures["role"] == "img" and figures["labelledby"].split()[0].endswith("-title") and figures["title"]
    table = {(series, row[0]): int(value.replace(",", "")) for row in figures["rows"]
             for series, value in zip(figures["heads"][1:], row[1:], strict=True)}
    bars = {(series, label): value for series, label, value, _, _ in figures["bars"]}
    assert bars == table and len(bars) == len(figures["bars"])
    for series, label, value, title, height in figures["bars"]:
        assert title == f"{label}, {series}: {value:,}"
    tallest = max(figures["bars"], key=lambda bar: bar[2])
    for *_, value, _, height in figures["bars"]:
        assert abs(height - tallest[4] * value / tallest[2]) < 0.5 if tallest[2] else height == 0
    return bars


def real_clicks(live_server) -> int:
    """A send to PEOPLE on weekly, through a real SMTP server, whose readers click CLICKS (in
    the messages as the server received them) through the live server: its id."""
    sink = Sink()
    server = start_smtp(sink)
    try:
        over_smtp = live_server.settings.model_copy(update={
            "email_backend": "smtp", "smtp_host": "127.0.0.1", "smtp_port": server.port, "smtp_tls": "none"})
        sent = send_issue(over_smtp, {"weekly": PEOPLE}, opens={"weekly": True},
                          received=lambda: {to: parts_of(raw) for to, raw in sink.messages})
    finally:
        server.stop()
    assert sorted(sent.messages) == PEOPLE
    accepted_ago(live_server.settings.database_url, 60)  # people, not scanners checking the links at once
    for reader in PEOPLE[:4]:  # four readers' mail apps show the open image
        image = re.search(r'src="([^"]*/o/[^"]*)"', sent.messages[reader][0])[1]
        assert live_server.client.get(image).status_code == 200
    seen, seen_at = set(), 0.0
    for reader, link, _ in CLICKS:
        if reader in seen:  # a person's second link, not within a second of their first (a scanner's burst)
            time.sleep(max(0.0, 1.1 - (time.monotonic() - seen_at)))
        seen.add(reader)
        seen_at = time.monotonic()
        tracked = [url for url in sent.tracked_links(PEOPLE[reader]) if f"/c/{sent.send_id}/{link}/" in url][0]
        assert live_server.client.get(tracked).status_code == 302
    start = utcnow() - dt.timedelta(hours=60)
    with transaction(live_server.settings.database_url) as session:
        session.execute(update(Send).where(Send.id == sent.send_id).values(started_at=start))
        ids = session.scalars(select(DeliveryEvent.id).where(DeliveryEvent.kind == "clicked")
                              .order_by(DeliveryEvent.id)).all()
        assert len(ids) == len(CLICKS)
        for event_id, (*_, hour) in zip(ids, CLICKS, strict=True):  # when each happened, for the chart
            session.execute(update(DeliveryEvent).where(DeliveryEvent.id == event_id)
                            .values(occurred_at=start + dt.timedelta(hours=hour, minutes=20)))
    return sent.send_id


def list_history(settings) -> None:
    """Weekly's members joining, leaving, bouncing and complaining over the last weeks."""
    now = utcnow()
    with transaction(settings.database_url) as session:
        weekly = session.scalar(select(MailingList).where(MailingList.name == "weekly"))
        for n in range(24):
            person = Subscriber(email=f"member{n}@example.net", attributes={})
            session.add(person)
            session.flush()
            joined = now - dt.timedelta(days=7 * (n % 10) + 1)
            left = now - dt.timedelta(days=7 * (n % 4)) if n % 5 == 0 else None
            session.add(Subscription(list_id=weekly.id, subscriber_id=person.id, confirmed_at=joined,
                                     status="unsubscribed" if left else "confirmed", unsubscribed_at=left))
            if n % 7 == 3:
                session.add(Suppression(subscriber_id=person.id, reason="bounced" if n != 10 else "complained",
                                        created_at=now - dt.timedelta(days=7 * (n % 3))))


@SQLITE
def test_the_report_and_a_lists_weeks_read_the_same_in_the_chart_and_its_table(live_server, admin, browser,  # noqa: F811
                                                                               tmp_path):
    send_id = real_clicks(live_server)
    list_history(live_server.settings)
    folder = Path(os.environ.get("NEWSLETTER_SCREENSHOTS", tmp_path))
    page = signed_in_page(browser, live_server, "ad@example.org", width=1280)
    page.goto(f"{live_server.url}/admin/sends/{send_id}")
    expect(page.locator("#click-summary")).to_contain_text("6 readers clicked")
    ranking = page.locator("#item-ranking tbody tr")
    expect(ranking.nth(0)).to_contain_text("Headline number 2")
    assert [ranking.nth(n).locator("td").nth(2).inner_text() for n in range(3)] == ["5", "2", "2"]
    expect(page.locator("#open-summary")).to_contain_text("4 readers opened it")
    bars = agree(page.evaluate(FIGURES, "#clicks-chart"))
    expected = [0] * 72
    for *_, hour in CLICKS:
        expected[hour] += 1
    assert [bars["Human clicks", f"{hour}h"] for hour in range(72)] == expected
    assert Axe().run(page).response["violations"] == []
    page.locator("#clicks-heading").scroll_into_view_if_needed()
    page.locator("#send-report").screenshot(path=folder / "report-clicks.png")

    page.goto(f"{live_server.url}/admin/lists/weekly")
    weeks = agree(page.evaluate(FIGURES, "#health-chart"))
    totals = {name: sum(v for (series, _), v in weeks.items() if series == name)
              for name in ("subscribed", "unsubscribed", "bounced", "complained")}
    assert totals["subscribed"] >= 24 and (totals["unsubscribed"], totals["bounced"], totals["complained"]) == (5, 2, 1)
    assert Axe().run(page).response["violations"] == []
    page.locator("#list-health").screenshot(path=folder / "list-health.png")
    page.set_viewport_size({"width": 375, "height": 800})
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner
    page.context.close()
