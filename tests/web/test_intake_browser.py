"""Intake in a real Chromium: an editor pastes a link and saves the filled form, pastes a
newsletter and accepts its items, adds a feed and sees its items arrive after a poll.
Set NEWSLETTER_SCREENSHOTS=docs/screenshots to keep the screenshots it takes."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from newsletter.intake.polling import poll_due_feeds
from tests.intake.feeds import rss
from tests.intake.pasted import NEWSLETTER
from tests.intake.test_links import OPENGRAPH
from tests.web.conftest import PASSWORD, add_user
from tests.web.test_browser import browser  # noqa: F401 - the shared Chromium fixture
from tests.web.test_intake_http import intake_server, site  # noqa: F401 - the web app that may fetch, the site
from tests.web.test_journey import shoot

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@SQLITE
def test_link_paste_and_feed_into_the_inbox(browser, intake_server, site, tmp_path):  # noqa: F811
    add_user(intake_server.settings, "ed@example.org", "editor", "Edith Editor")
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{intake_server.url}/login")
    page.get_by_label("Email address").fill("ed@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{intake_server.url}/admin/items")
    page.get_by_label("Add from a link").fill(site.add("/story?utm_source=twitter", OPENGRAPH))
    page.get_by_role("button", name="Fetch").click()
    expect(page.get_by_label("Headline")).to_have_value("Activists detained & released")
    expect(page.get_by_label("Author")).to_have_value("Ana López")
    expect(page.get_by_label("Image description (alt text)")).to_have_value("The court steps")
    page.get_by_label("Tags").fill("courts")
    shoot(page, tmp_path, "intake-link-filled")
    axe = Axe()
    assert axe.run(page).response["violations"] == []
    page.get_by_role("button", name="Add to inbox").click()
    expect(page.get_by_role("status").or_(page.locator(".notice"))).to_contain_text("Added “Activists detained")

    page.get_by_role("link", name="Import pasted text").click()
    page.get_by_label("Pasted text").fill(NEWSLETTER)
    page.get_by_role("button", name="Find the items").click()
    expect(page.get_by_role("heading", name="3 items found")).to_be_visible()
    expect(page.get_by_label("Headline").nth(1)).to_have_value("Elections postponed again")
    expect(page.locator(".proposal").nth(1)).to_contain_text("no link")
    page.get_by_label("Link").nth(1).fill("https://partner.example/news/elections")
    shoot(page, tmp_path, "intake-paste-review")
    assert axe.run(page).response["violations"] == []
    page.get_by_role("button", name="Add the ticked items to the inbox").click()
    expect(page.get_by_role("link", name="Elections postponed again")).to_be_visible()
    expect(page.get_by_role("link", name="A new law on assembly")).to_be_visible()

    page.get_by_role("link", name="Feeds").click()
    feed = rss("Partner Press", [("Court frees five", "https://partner.example/news/court?utm_source=rss"),
                                 ("Elections postponed again", "https://partner.example/news/elections"),
                                 ("Journalist released after a year", "https://partner.example/news/journalist")])
    page.get_by_label("Feed link").fill(site.add("/rss", feed, content_type="application/rss+xml"))
    page.get_by_label("Name").fill("Partner Press")
    page.get_by_label("Tags").fill("partners")
    page.get_by_role("button", name="Add feed").click()
    page.get_by_label("Feed link").fill(site.url("/gone.xml"))
    page.get_by_label("Name").fill("Old blog")
    page.get_by_role("button", name="Add feed").click()
    page.get_by_role("button", name="Poll Partner Press now").click()
    poll_due_feeds(settings=intake_server.settings)  # what beat does within the minute
    page.reload()
    expect(page.locator(".feed-error")).to_contain_text("answered 404")
    shoot(page, tmp_path, "intake-feeds")
    assert axe.run(page).response["violations"] == []
    expect(page.locator("tr", has_text="Partner Press")).to_contain_text("ok")
    page.get_by_role("link", name="Inbox").click()
    expect(page.get_by_role("link", name="Journalist released after a year")).to_be_visible()
    # the paste brought the court story, and the editor gave the elections story its link: not added twice
    expect(page.get_by_role("link", name="Court frees five", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Elections postponed again")).to_have_count(1)
    shoot(page, tmp_path, "intake-inbox")
