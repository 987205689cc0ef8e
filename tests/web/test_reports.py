"""The send report through the real web server: on the send's page (a table, a table by domain,
a banner when complaints are high), from GET /api/sends/{id}/report, and who may read it."""

import datetime as dt

import lxml.html
import pytest

from tests.reports.helpers import EXPECTED, every_kind, report_events, sent_send
from tests.tracking.click_helpers import accepted_ago, send_issue
from tests.web.test_admin_details import html_of, text_of
from tests.web.test_admin_sends import scheduled_send

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
LABELS = {"Recipients": "recipients", "Accepted": "accepted", "Delivered": "delivered", "Deferred": "deferred",
          "Bounced: hard": "bounced_hard", "Bounced: soft": "bounced_soft", "Dropped": "dropped",
          "Complaints": "complaints", "Unsubscribes": "unsubscribes"}


def shown_report(page: lxml.html.HtmlElement) -> dict[str, int]:
    """{the API's name: count} of the report's table, read from the page."""
    rows = page.xpath("//section[@id='send-report']//table[caption='Recipients by outcome']/tbody/tr")
    return {LABELS[row.find("th").text.strip()]: int(row.findall("td")[0].text.replace(",", "")) for row in rows}


def shown_domains(page: lxml.html.HtmlElement) -> list[list[str]]:
    return [[text_of(td) for td in row.findall("td")]
            for row in page.xpath("//table[@aria-labelledby='domains-heading']/tbody/tr")]


def banner(page: lxml.html.HtmlElement) -> tuple[str, str] | None:
    """(class, text) of the complaint-rate banner, if the page has one."""
    found = page.xpath("//*[@id='complaint-warning']")
    return (found[0].get("class"), text_of(found[0])) if found else None


def test_the_send_page_shows_every_fate_the_ledger_holds(live_server, admin):
    send_id = every_kind(live_server.settings)
    page = html_of(admin, f"/admin/sends/{send_id}")
    assert shown_report(page) == EXPECTED
    assert shown_domains(page) == [["example.com", "2", "1", "0"], ["example.net", "2", "0", "2"],
                                   ["example.org", "2", "2", "0"]]
    kind, words = banner(page)  # 1 complaint of 3 delivered
    assert kind == "alert" and "Complaints are over the limit: 33.33% of delivered messages" in words
    assert "Gmail and Yahoo start refusing or junking a bulk sender’s mail at 0.30%" in words
    rate = text_of(page.get_element_by_id("complaint-rate"))
    assert rate.startswith("Complaint rate: 33.33% of delivered over")
    # shares of the accepted recipients: 3 of 6 delivered, 1 of 6 complained
    delivered = page.xpath("//table[caption='Recipients by outcome']//tr[th[starts-with(., 'Delivered')]]/td")
    assert [td.text for td in delivered] == ["3", "50.0%"]


def test_the_api_gives_the_report_to_admins_and_editors_and_nobody_else(live_server, admin, editor):
    send_id = every_kind(live_server.settings)
    shown = admin.get(f"/api/sends/{send_id}/report")
    assert shown.status_code == 200, shown.text
    report = shown.json()
    assert {name: report[name] for name in EXPECTED} == EXPECTED
    assert (report["complaint_base"], report["complaint_level"], report["complaint_limit"]) == ("delivered", "over", 0.003)
    assert report["complaint_rate"] == pytest.approx(1 / 3)
    assert report["domains"][0] == {"domain": "example.com", "recipients": 2, "delivered": 1, "bounced": 0}
    assert report["other_domains"] is None
    assert editor.get(f"/api/sends/{send_id}/report").json() == report  # counts name nobody: editors may read them
    assert editor.get(f"/admin/sends/{send_id}").status_code == 403  # the page (with its recipients) is not theirs
    assert live_server.client.get(f"/api/sends/{send_id}/report").status_code == 401
    missing = admin.get("/api/sends/999/report")
    assert (missing.status_code, missing.json()) == (404, {"detail": "there is no send 999"})


def test_editors_read_a_sends_report_in_the_newsroom_without_its_recipients(live_server, admin, editor):
    send_id = every_kind(live_server.settings)
    page = html_of(editor, f"/admin/sends/{send_id}/report")
    assert shown_report(page) == EXPECTED
    assert page.xpath("//table[@id='item-ranking']") and page.xpath("//*[@id='clicks-heading']")
    assert page.xpath("//*[@id='events-export']") == []  # the per-recipient CSV names people: not theirs
    assert editor.get(f"/admin/sends/{send_id}/events.csv").status_code == 403
    issue_id = int(page.xpath("//main//a[contains(@href, '/preview')]/@href")[0].split("/")[3])
    preview = html_of(editor, f"/admin/issues/{issue_id}/preview")  # the issue's page leads there
    assert preview.xpath(f"//a[@href='/admin/sends/{send_id}/report']")
    assert html_of(admin, f"/admin/sends/{send_id}/report").xpath("//*[@id='events-export']")
    assert live_server.client.get(f"/admin/sends/{send_id}/report", follow_redirects=False).status_code in (302, 303)


@SQLITE
def test_a_send_not_started_has_no_report_page_yet(live_server, editor):
    send_id = scheduled_send(live_server, dt.datetime(2099, 12, 4, 8, tzinfo=dt.UTC), "UTC")
    shown = editor.get(f"/admin/sends/{send_id}/report")
    assert shown.status_code == 404 and "has not started" in shown.text
    assert editor.get("/admin/sends/999/report").status_code == 404


@SQLITE
def test_the_banner_warns_from_a_tenth_of_a_percent_and_says_over_from_three_tenths(live_server, admin):
    people = [f"reader{n}@example.org" for n in range(1000)]
    send_id, deliveries = sent_send(live_server.settings, people)
    report_events(live_server.settings, deliveries, *[("delivered", email) for email in people])
    page = html_of(admin, f"/admin/sends/{send_id}")
    assert banner(page) is None and "0.00% of delivered ok" in text_of(page.get_element_by_id("complaint-rate"))

    report_events(live_server.settings, deliveries, ("complained", people[0]))  # 1 in 1,000: 0.1%
    kind, words = banner(html_of(admin, f"/admin/sends/{send_id}"))
    assert kind == "caution" and words.startswith("Complaints are high: 0.10% of delivered messages were marked as spam.")
    assert "Keep it under 0.10%" in words

    report_events(live_server.settings, deliveries, ("complained", people[1]), ("complained", people[2]))  # 0.3%
    kind, words = banner(html_of(admin, f"/admin/sends/{send_id}"))
    assert kind == "alert" and words.startswith("Complaints are over the limit: 0.30% of delivered messages")


@SQLITE
def test_the_rate_is_of_accepted_messages_while_none_is_reported_delivered(live_server, admin):
    send_id, deliveries = sent_send(live_server.settings, ["ana@example.org", "bo@example.org"])
    page = html_of(admin, f"/admin/sends/{send_id}")
    rate = text_of(page.get_element_by_id("complaint-rate"))
    assert rate.startswith("Complaint rate: 0.00% of accepted ok") and "the provider has reported none delivered" in rate
    report_events(live_server.settings, deliveries, ("complained", "ana@example.org"))  # and no delivery reported
    page = html_of(admin, f"/admin/sends/{send_id}")
    assert text_of(page.get_element_by_id("complaint-rate")).startswith("Complaint rate: 50.00% of accepted over")
    assert banner(page)[1].startswith("Complaints are over the limit: 50.00% of accepted messages")
    assert shown_domains(page) == [["example.org", "2", "0", "0"]]


@SQLITE
def test_a_send_not_started_has_no_report_on_its_page_and_an_empty_one_from_the_api(live_server, admin):
    send_id = scheduled_send(live_server, dt.datetime(2099, 12, 4, 8, tzinfo=dt.UTC), "UTC")
    page = html_of(admin, f"/admin/sends/{send_id}")
    assert page.xpath("//*[@id='send-report']") == [] and page.xpath("//*[@id='progress-heading']")
    report = admin.get(f"/api/sends/{send_id}/report").json()
    assert (report["recipients"], report["domains"], report["complaint_level"]) == (0, [], "ok")


def test_the_send_page_shows_the_call_to_action_buttons_clicks_apart_from_the_items(live_server, admin):
    donate = "https://example.org/donate"
    sent = send_issue(live_server.settings, {"weekly": ["ana@example.org"]},
                      call_to_action={"text": "Your gift stops abuses.", "button": "Donate", "url": donate})
    accepted_ago(live_server.settings.database_url, 60)
    [button] = [url for url in sent.tracked_links("ana@example.org") if f"/c/{sent.send_id}/4/" in url]
    assert live_server.client.get(button).status_code == 302  # ana clicks "Donate"
    page = html_of(admin, f"/admin/sends/{sent.send_id}")
    rows = [[text_of(cell) for cell in row.xpath("td")] for row in page.xpath("//table[@id='other-links']/tbody/tr")]
    assert rows == [[donate, "1", "1", "0"]]
    items = page.xpath("//table[@id='item-ranking']/tbody/tr/td[3]")
    assert [text_of(cell) for cell in items] == ["0", "0", "0"]
