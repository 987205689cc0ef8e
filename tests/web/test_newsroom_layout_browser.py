"""How the newsroom's pages are laid out, measured in a real Chromium: the composer shows an
article's own inputs only with that format, its fields line up and read alike, its editions'
tabs wrap on a phone; the inbox's past clicks, a send report's links and its chart's figures
can be read on a phone; the preview marks the edition it shows.
NEWSLETTER_SCREENSHOTS=folder keeps screenshots of them to look at."""

import os
import re
from itertools import pairwise
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.tracking.click_helpers import accepted_ago, send_issue
from tests.web.test_admin_browser import signed_in_page
from tests.web.test_browser import browser  # noqa: F401 - the shared Chromium fixture
from tests.web.test_composer import add_item, new_issue, save

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
ARTICLE_ONLY = ("#f-body", "#f-dateline", "#f-byline", "#t-es-body", "#t-es-dateline", "#t-es-byline")
# The width of an input's placeholder and the room its box gives text.
PLACEHOLDER = """(input) => {
  const style = getComputedStyle(input), context = document.createElement("canvas").getContext("2d");
  context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return [context.measureText(input.placeholder).width, room];
}"""


def shots(tmp_path) -> Path:
    return Path(os.environ.get("NEWSLETTER_SCREENSHOTS", tmp_path))


def top(page, selector: str) -> float:
    return page.locator(selector).bounding_box()["y"]


def a_translated_issue(editor, editions=("es",)) -> int:
    """A brief in English with ``editions``, a call to action and an item translated into Spanish."""
    item = add_item(editor, 1)
    issue_id = new_issue(editor)
    saved = save(editor, issue_id, 1, [{"title": "Asia", "item_ids": [item]}], editions=list(editions),
                 cta_text="Your gift helps.", cta_button="Donate", cta_url="https://example.org/give",
                 cta_position="after_section", cta_section=1)
    assert saved.status_code == 200, saved.text
    assert editor.put(f"/api/items/{item}/translations/es", json={"headline": "Titular"},
                      headers={"X-CSRF-Token": editor.csrf}).status_code == 200
    return issue_id


@SQLITE
def test_the_composer_shows_an_articles_inputs_with_that_format_only(live_server, editor, browser, tmp_path):  # noqa: F811
    issue_id = a_translated_issue(editor)
    page = signed_in_page(browser, live_server, "ed@example.org")
    page.goto(f"{live_server.url}/admin/issues/{issue_id}")
    page.get_by_role("tab", name=re.compile("español")).click()
    for selector in ARTICLE_ONLY:  # a brief of items has no body, dateline or byline
        expect(page.locator(selector)).to_be_hidden()
    page.get_by_label("Format", exact=True).select_option("article")
    for selector in ARTICLE_ONLY:
        expect(page.locator(selector)).to_be_visible()
    page.locator("#t-es-byline").fill("Benito Rogelio")
    page.locator("#f-body").fill("The statement.")
    expect(page.locator("#save-state")).to_contain_text("Saved at")
    assert top(page, "#f-dateline") == top(page, "#f-byline") and top(page, "#t-es-dateline") == top(page, "#t-es-byline")
    page.locator("#t-es-dateline").scroll_into_view_if_needed()
    page.screenshot(path=shots(tmp_path) / "composer-article-es.png")

    page.reload()  # an article's page shows them from the start
    expect(page.locator("#f-body")).to_have_value("The statement.")
    with page.expect_response(lambda r: r.request.method == "PUT" and r.ok):
        page.get_by_label("Format", exact=True).select_option("items")
    for selector in ARTICLE_ONLY:
        expect(page.locator(selector)).to_be_hidden()
    stored = editor.get(f"/api/issues/{issue_id}").json()  # hidden, still saved as they were
    assert (stored["format"], stored["body"], stored["translations"]["es"]["byline"]) == (
        "items", "The statement.", "Benito Rogelio")
    page.context.close()


@SQLITE
def test_the_composers_fields_line_up_and_read_alike(live_server, editor, browser, tmp_path):  # noqa: F811
    issue_id = a_translated_issue(editor)
    page = signed_in_page(browser, live_server, "ed@example.org")
    page.goto(f"{live_server.url}/admin/issues/{issue_id}")
    # Side by side, whatever their hints: the button's label and link, in the edition too.
    assert top(page, "#f-cta-url") == top(page, "#f-cta-button")
    number, text = (page.locator(s).bounding_box() for s in ("#f-cta-section", "#f-cta-url"))
    assert (number["height"], number["width"]) == (text["height"], text["width"])  # not a small bare box
    assert page.locator("#f-cta-position").bounding_box()["height"] == number["height"]  # the select beside it
    page.locator("#f-cta-section").scroll_into_view_if_needed()
    page.screenshot(path=shots(tmp_path) / "composer-call-to-action.png")
    page.get_by_role("tab", name=re.compile("español")).click()
    assert top(page, "#t-es-cta_url") == top(page, "#t-es-cta_button")
    page.get_by_text("Translate into español").click()
    box = page.locator("[data-item-translation]")
    weight = "(el) => getComputedStyle(el).fontWeight"
    assert box.get_by_label("Headline").evaluate(weight) == page.locator("#t-es-title").evaluate(weight) == "400"
    box.scroll_into_view_if_needed()
    page.screenshot(path=shots(tmp_path) / "composer-item-translation.png")
    page.context.close()


@SQLITE
def test_the_editions_tabs_wrap_as_buttons_on_a_phone(live_server, editor, browser, tmp_path):  # noqa: F811
    issue_id = a_translated_issue(editor, editions=("es", "ar"))
    phone = signed_in_page(browser, live_server, "ed@example.org", width=375)
    phone.goto(f"{live_server.url}/admin/issues/{issue_id}")
    tabs = phone.get_by_role("tab")
    expect(tabs).to_have_count(3)
    phone.locator(".editions").screenshot(path=shots(tmp_path) / "composer-tabs-375.png")
    # Each a whole button, not the top of a tab stepping down the page; each line filled.
    edges = [tab.evaluate("(el) => getComputedStyle(el).borderBottomWidth") for tab in tabs.all()]
    assert edges == ["1px"] * 3
    line = phone.get_by_role("tablist").bounding_box()
    for tab in tabs.all():
        box = tab.bounding_box()
        assert line["x"] <= box["x"] and box["x"] + box["width"] <= line["x"] + line["width"] + 0.5, box
    ends = {}
    for box in (tab.bounding_box() for tab in tabs.all()):
        ends[box["y"]] = max(ends.get(box["y"], 0), box["x"] + box["width"])
    assert all(abs(end - (line["x"] + line["width"])) < 1 for end in ends.values()), (ends, line)
    phone.context.close()


@SQLITE
def test_the_inbox_shows_past_clicks_on_a_phone_and_its_whole_search_hint(live_server, editor, browser,  # noqa: F811
                                                                           tmp_path):
    sent = send_issue(live_server.settings, {"weekly": ["ana@example.org"]})
    accepted_ago(live_server.settings.database_url, 60)
    link = next(url for url in sent.tracked_links("ana@example.org") if f"/c/{sent.send_id}/2/" in url)
    assert live_server.client.get(link).status_code == 302
    add_item(editor, 4, source="Source 2")  # the second item's, clicked once
    for width in (1280, 375):
        page = signed_in_page(browser, live_server, "ed@example.org", width=width)
        page.goto(f"{live_server.url}/admin/items")
        row = page.get_by_role("row", name=re.compile("Story 4"))
        expect(row.locator(".past-clicks")).to_be_visible()
        expect(row.locator(".past-clicks")).to_have_text("Past issues: 1.0 human clicks per item (1 item)")
        for field in ("#q", "#intake-url") if width > 1000 else ("#q",):  # a link's hint is long for a phone
            placeholder, room = page.locator(field).evaluate(PLACEHOLDER)
            assert placeholder <= room, (width, field, placeholder, room)
        page.screenshot(path=shots(tmp_path) / f"inbox-{width}.png")
        page.context.close()


@SQLITE
def test_a_send_reports_links_and_chart_figures_read_on_a_phone(live_server, editor, browser, tmp_path):  # noqa: F811
    long = "https://example.org/campaigns/2026/a-rather-long-address-for-the-donation-page-in-spanish"
    sent = send_issue(live_server.settings, {"weekly": ["ana@example.org"]},
                      call_to_action={"text": "Your gift stops abuses.", "button": "Donate", "url": long})
    accepted_ago(live_server.settings.database_url, 60)
    for link in sent.tracked_links("ana@example.org")[:2]:
        assert live_server.client.get(link).status_code == 302
    phone = signed_in_page(browser, live_server, "ed@example.org", width=375)
    phone.goto(f"{live_server.url}/admin/sends/{sent.send_id}/report")
    links = phone.locator("#other-links")
    expect(links).to_contain_text(long)
    box = links.locator("xpath=..")  # its scrolling box: the long link wraps, nothing is cut off
    assert box.evaluate("(el) => el.scrollWidth <= el.clientWidth")
    ticks = phone.locator("#clicks-chart svg text.tick")
    chart = phone.locator("#clicks-chart svg").bounding_box()
    figures = [tick.bounding_box() for tick in ticks.all()]
    assert len(figures) == 5 + 6  # the value axis's five, one label every 12 hours
    for figure in figures:  # readable, and inside the drawing
        assert figure["height"] >= 10, figure
        assert chart["x"] <= figure["x"] and figure["x"] + figure["width"] <= chart["x"] + chart["width"], figure
        assert chart["y"] <= figure["y"] and figure["y"] + figure["height"] <= chart["y"] + chart["height"], figure
    hours = [tick.bounding_box() for tick in ticks.all() if tick.text_content().endswith("h")]
    assert len(hours) == 6 and all(a["x"] + a["width"] < b["x"] for a, b in pairwise(hours))  # apart
    phone.locator("#clicks-chart").screenshot(path=shots(tmp_path) / "report-chart-375.png")
    box.screenshot(path=shots(tmp_path) / "report-other-links-375.png")
    phone.context.close()


@SQLITE
def test_the_preview_marks_the_edition_it_shows(live_server, editor, browser, tmp_path):  # noqa: F811
    issue_id = a_translated_issue(editor, editions=("es", "ar"))
    page = signed_in_page(browser, live_server, "ed@example.org")
    page.goto(f"{live_server.url}/admin/issues/{issue_id}/preview?edition=ar")
    look = "(el) => [getComputedStyle(el).fontWeight, getComputedStyle(el).textDecorationLine]"
    links = page.get_by_role("navigation", name="Language editions").get_by_role("link")
    expect(links).to_have_count(3)
    current = page.locator('.edition-links a[aria-current="page"]')
    expect(current).to_have_attribute("lang", "ar")
    assert current.evaluate(look) == ["700", "none"]
    assert [link.evaluate(look) for link in links.all()[:2]] == [["400", "underline"]] * 2
    page.locator(".edition-links").screenshot(path=shots(tmp_path) / "preview-editions.png")
    page.context.close()
