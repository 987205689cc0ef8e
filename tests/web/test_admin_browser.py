"""The newsroom in a real Chromium: two editors on one issue, phone width, keyboard, axe-core."""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.web.conftest import PASSWORD, add_user
from tests.web.test_admin_lists import run_imports
from tests.web.test_browser import browser  # noqa: F401 - the shared Chromium fixture
from tests.web.test_composer import add_item, new_issue, save

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def signed_in_page(browser, server, email, width=1280):  # noqa: F811
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(f"{server.url}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Issues")
    return page


def approve(client, issue_id: int, version: int) -> None:
    response = client.post(f"/api/issues/{issue_id}/approve", json={"version": version},
                           headers={"X-CSRF-Token": client.csrf})
    assert response.status_code == 200, response.text


def fill_the_newsroom(server, admin) -> dict[str, str]:
    """Data on every newsroom page, as an editor and an admin meet it: a draft whose checks
    find errors and warnings (a long unbroken link among them), an approved issue waiting for
    its schedule form, a scheduled one, a sent one, a list with members and an import report,
    a colleague.
    Returns {what the page is: its path}."""
    long_link = "http://example.org/2026/12/04/" + "-".join(["the-regional-court-upholds-the-ban"] * 4)
    items = [add_item(admin, 1), add_item(admin, 2), add_item(admin, 3, url=long_link, blurb=""),
             add_item(admin, 4)]
    draft = new_issue(admin)
    assert save(admin, draft, 1, [{"title": "Asia", "item_ids": items[:3]}, {"title": "Empty", "item_ids": []}],
                subject="A subject line long enough to be cut off on most phones, as editors sometimes write"
                ).status_code == 200
    ready = new_issue(admin)
    assert save(admin, ready, 1, [{"item_ids": [items[3]]}], subject="Courts, elections and a long subject "
                "line that phones cut off").status_code == 200
    approve(admin, ready, 2)
    scheduled = new_issue(admin)
    assert save(admin, scheduled, 1, [{"title": "Asia", "item_ids": items[:2]}]).status_code == 200
    approve(admin, scheduled, 2)
    plan = {"lists": ["weekly", "weekly-es"], "at": "2099-12-04 08:00", "timezone": "America/Argentina/ComodRivadavia"}
    send_id = admin.post(f"/api/issues/{scheduled}/schedule", json=plan,
                         headers={"X-CSRF-Token": admin.csrf}).json()["send_id"]
    sent = new_issue(admin)
    assert save(admin, sent, 1, [{"item_ids": [items[3]]}], date="2026-11-27").status_code == 200
    approve(admin, sent, 2)
    assert admin.post(f"/api/issues/{sent}/schedule", json={"lists": ["weekly"]},  # now
                      headers={"X-CSRF-Token": admin.csrf}).status_code == 201
    colleague = add_user(server.settings, "colleague.with.a.long.address@example.org")
    admin.post("/api/lists/weekly/subscribers", json={"email": "reader@example.org", "name": "Reader"},
               headers={"X-CSRF-Token": admin.csrf})  # the members table, with its actions
    admin.post("/api/lists/weekly/import", headers={"X-CSRF-Token": admin.csrf},
               files={"file": ("people.csv", b"email\nana@example.org\nnot-an-address\n", "text/csv")})
    run_imports(server.settings)  # the import's report, and the recent imports
    return {
        "inbox": "/admin/items", "new item": "/admin/items/new", "item": f"/admin/items/{items[0]}",
        "issues": "/admin/issues", "new issue": "/admin/issues/new", "composer": f"/admin/issues/{draft}",
        "preview with checks": f"/admin/issues/{draft}/preview", "schedule form": f"/admin/issues/{ready}/preview",
        "scheduled composer": f"/admin/issues/{scheduled}", "scheduled preview": f"/admin/issues/{scheduled}/preview",
        "sent composer": f"/admin/issues/{sent}",
        "sends": "/admin/sends", "send": f"/admin/sends/{send_id}", "cancel a send": f"/admin/sends/{send_id}/cancel",
        "lists": "/admin/lists", "list": "/admin/lists/weekly", "users": "/admin/users",
        "user": f"/admin/users/{colleague}", "account": "/admin/account", "branding": "/admin/branding",
        "feeds": "/admin/feeds", "add from a link": "/admin/intake/link", "paste a newsletter": "/admin/intake/paste",
    }


@SQLITE
def test_two_editors_on_one_issue_the_second_is_told_and_nothing_is_overwritten(live_server, editor, browser):  # noqa: F811
    add_user(live_server.settings, "bo@example.org", "editor", "Bo Other")
    issue_id = new_issue(editor)
    assert save(editor, issue_id, 1, [{"item_ids": [add_item(editor, 1)]}]).status_code == 200
    first = signed_in_page(browser, live_server, "ed@example.org")
    second = signed_in_page(browser, live_server, "bo@example.org")
    for page in (first, second):
        page.goto(f"{live_server.url}/admin/issues/{issue_id}")

    first.get_by_label("Title", exact=True).fill("The Weekly Brief: special edition")
    expect(first.locator("#save-state")).to_contain_text("Saved at")
    second.get_by_label("Intro").fill("Bo's intro, typed on a stale page.")
    expect(second.get_by_role("alert")).to_contain_text("Edith Editor changed this issue since you opened it")
    expect(second.locator("#save-state")).to_contain_text("Not saved")

    stored = editor.get(f"/api/issues/{issue_id}").json()
    assert (stored["title"], stored["intro"]) == ("The Weekly Brief: special edition", "This week.")
    second.get_by_role("button", name="reload to see their changes").click()
    expect(second.get_by_label("Title", exact=True)).to_have_value("The Weekly Brief: special edition")


@SQLITE
@pytest.mark.parametrize("width", [1280, 1024, 375])
def test_every_page_fits_the_screen_without_scrolling_sideways(live_server, admin, browser, width, tmp_path):  # noqa: F811
    """Desktop, laptop and phone: nothing is cut off at the right of any newsroom page.
    NEWSLETTER_SCREENSHOTS=folder keeps a screenshot of each page to look at."""
    pages = fill_the_newsroom(live_server, admin)
    page = signed_in_page(browser, live_server, "ad@example.org", width=width)
    overflowing = {}

    def measure(name: str, path: str) -> None:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")  # the preview's frames are laid out
        shot = Path(os.environ.get("NEWSLETTER_SCREENSHOTS", tmp_path)) / f"{width}-{name.replace(' ', '-')}.png"
        page.screenshot(path=shot, full_page=True)
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll > inner:
            overflowing[name] = scroll

    for name, path in pages.items():
        measure(name, path)
    page.context.clear_cookies()
    measure("sign in", "/login")
    assert overflowing == {}, f"wider than {width} px"
    page.context.close()


@SQLITE
def test_the_composer_works_from_the_keyboard_on_a_phone(live_server, editor, browser):  # noqa: F811
    items = [add_item(editor, n) for n in (1, 2)]
    issue_id = new_issue(editor)
    assert save(editor, issue_id, 1, [{"title": "Asia", "item_ids": items}]).status_code == 200
    phone = signed_in_page(browser, live_server, "ed@example.org", width=375)
    phone.goto(f"{live_server.url}/admin/issues/{issue_id}")
    phone.get_by_role("button", name="Move “Story 2” up").focus()
    phone.keyboard.press("Enter")
    expect(phone.locator("#save-state")).to_contain_text("Saved at")
    assert editor.get(f"/api/issues/{issue_id}").json()["sections"][0]["item_ids"] == items[::-1]
    focused = phone.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == "Move “Story 2” up"  # focus stays on the moved item's button
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.getAttribute('aria-label')") == "Move “Story 2” down"

    phone.get_by_role("button", name="Add a section").click()
    phone.keyboard.type("Africa")  # focus is in the new section's title
    phone.get_by_role("button", name="Move section 2 up").click()
    expect(phone.locator("#save-state")).to_contain_text("Saved at")
    sections = editor.get(f"/api/issues/{issue_id}").json()["sections"]
    assert sections == [{"title": "Africa", "item_ids": []}, {"title": "Asia", "item_ids": items[::-1]}]
    assert phone.evaluate("document.activeElement.getAttribute('aria-label')") == "Move section 1 up"


@SQLITE
def test_every_page_passes_axe_at_desktop_and_phone_widths(live_server, admin, browser):  # noqa: F811
    """axe-core's rules (labels, names, contrast, landmarks, focusable scroll regions...) on
    every page of the newsroom, with data on it, including a form showing its errors."""
    pages = fill_the_newsroom(live_server, admin)
    axe = Axe()
    for width in (1280, 375):
        page = signed_in_page(browser, live_server, "ad@example.org", width=width)
        for name, path in pages.items():
            page.goto(f"{live_server.url}{path}")
            violations = [(v["id"], [n["target"] for n in v["nodes"]]) for v in axe.run(page).response["violations"]]
            assert violations == [], (width, name)
        page.goto(f"{live_server.url}{pages['scheduled composer']}")  # shown, not editable
        expect(page.get_by_label("Title", exact=True)).to_be_disabled()
        expect(page.get_by_role("button", name="Add a section")).to_have_count(0)
        page.goto(f"{live_server.url}/admin/items/new")
        page.get_by_label("Link", exact=True).fill("javascript:alert(1)")
        page.get_by_label("Headline", exact=True).fill("A headline")
        page.get_by_role("button", name="Add to inbox").click()  # refused: the form shows its error
        expect(page.get_by_role("alert")).to_contain_text("1 field to fix")
        assert axe.run(page).response["violations"] == []
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/login")
        assert axe.run(page).response["violations"] == []
        page.context.close()


@SQLITE
def test_the_checks_spoken_levels_take_no_room_on_screen(live_server, admin, browser):  # noqa: F811
    """"error:" and "warning:" are read out before each finding, and never drawn (over the
    email's frame, as they were once)."""
    pages = fill_the_newsroom(live_server, admin)
    page = signed_in_page(browser, live_server, "ad@example.org")
    page.goto(f"{live_server.url}{pages['preview with checks']}")
    findings = page.locator("#checks ul.findings > li")
    expect(findings).to_have_count(4)
    for finding in findings.all():
        level = finding.locator("span").first
        assert re.fullmatch(r"(error|warning): ", level.text_content()), finding.inner_html()
        box = level.bounding_box()
        assert box is not None and box["width"] <= 1 and box["height"] <= 1, (finding.inner_text(), box)
    spoken = page.locator("#checks ul.findings").aria_snapshot()
    assert '- listitem: "error: Section 2 (Empty) is empty: add items or remove it."' in spoken, spoken
    assert '- listitem: "warning: The subject has 83 characters' in spoken, spoken
