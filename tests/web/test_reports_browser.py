"""The send report and the suppression list in a real Chromium: at desktop and phone widths
nothing scrolls sideways and axe-core finds nothing; a bounce is lifted with a click.
NEWSLETTER_SCREENSHOTS=folder keeps a screenshot of each page to look at."""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.reports.helpers import HAPPENINGS, report_events, sent_send
from tests.web.test_admin_browser import signed_in_page
from tests.web.test_browser import browser  # noqa: F401 - the shared Chromium fixture

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
LONG = "someone.with.a.rather.long.address.for.a.phone@subdomain.of.an-organisation-with-a-long-name.example"


def fill_the_reports(settings) -> dict[str, str]:
    """A send to 17 domains (7 of them "other") whose ledger holds every kind of event, with
    complaints over the limit, and the suppressions they cause, of each kind. {name: path}"""
    emails = [f"g{n}@gmail.com" for n in range(6)] + [f"p@d{n:02}.example" for n in range(12)] + [LONG]
    emails += sorted({email for _, email, *_ in HAPPENINGS if email != "stranger@example.org"})
    send_id, deliveries = sent_send(settings, emails)
    report_events(settings, deliveries, *HAPPENINGS, *[("delivered", e) for e in emails[:12] if e != "g5@gmail.com"],
                  ("bounced", LONG, "hard"), ("bounced", "g5@gmail.com", "hard"))
    return {"send with a report": f"/admin/sends/{send_id}", "suppressions": "/admin/suppressions",
            "suppressions with the lifted ones": "/admin/suppressions?lifted=true"}


@SQLITE
def test_the_report_and_the_suppressions_fit_phones_and_pass_axe(live_server, admin, browser, tmp_path):  # noqa: F811
    pages = fill_the_reports(live_server.settings)
    admin.post("/admin/suppressions/lift", data={"email": "g5@gmail.com", "csrf_token": admin.csrf})
    axe = Axe()
    folder = Path(os.environ.get("NEWSLETTER_SCREENSHOTS", tmp_path))
    for width in (1280, 375):
        page = signed_in_page(browser, live_server, "ad@example.org", width=width)
        for name, path in pages.items():
            page.goto(f"{live_server.url}{path}")
            page.screenshot(path=folder / f"{width}-{name.replace(' ', '-')}.png", full_page=True)
            scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert scroll <= inner, (width, name, scroll)
            violations = [(v["id"], [n["target"] for n in v["nodes"]]) for v in axe.run(page).response["violations"]]
            assert violations == [], (width, name)
        page.goto(f"{live_server.url}/admin/sends/{pages['send with a report'].rsplit('/', 1)[1]}")
        expect(page.locator("#complaint-warning")).to_contain_text("Complaints are over the limit")
        expect(page.get_by_role("row", name="Other domains")).to_be_visible()
        page.context.close()


@SQLITE
def test_a_bounce_is_lifted_with_a_click_on_a_phone(live_server, admin, browser, tmp_path):  # noqa: F811
    fill_the_reports(live_server.settings)
    page = signed_in_page(browser, live_server, "ad@example.org", width=375)
    page.get_by_role("link", name="Suppressions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suppressions")
    expect(page.get_by_role("button", name="Lift the bounce of ana@example.org")).to_have_count(0)  # a complaint
    expect(page.get_by_role("cell", name=LONG, exact=True)).to_have_count(1)  # still a table, stacked on a phone
    page.get_by_role("button", name=f"Lift the bounce of {LONG}").click()
    expect(page.get_by_role("status")).to_contain_text(f"{LONG} gets mail again")
    expect(page.get_by_role("cell", name=LONG, exact=True)).to_have_count(0)
    page.get_by_role("link", name="Show the lifted ones too").click()
    expect(page.get_by_role("row").filter(has_text=LONG)).to_contain_text("by ad@example.org")
    axe_violations = Axe().run(page).response["violations"]
    assert axe_violations == []
    page.context.close()
