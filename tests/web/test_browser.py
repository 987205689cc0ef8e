"""The subscriber's journey in a real headless Chromium: subscribe, confirm, unsubscribe."""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

from tests.conftest import require
from tests.subscribers.test_confirmation_queue import run_confirmations
from tests.web.test_reader_pages_languages import reader
from tests.web.test_subscriber_pages import confirm_link, status_of

CHROMIUM = os.environ.get("NEWSLETTER_TEST_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    require(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_subscribe_confirm_unsubscribe_at_phone_width(live_server, phone, tmp_path):
    phone.goto(f"{live_server.url}/subscribe/weekly")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Subscribe to The Weekly Brief")
    phone.get_by_label("Email address").fill("zoe@example.org")
    phone.get_by_label("Name").fill("Zoë")
    phone.screenshot(path=tmp_path / "subscribe.png", full_page=True)
    phone.get_by_role("button", name="Subscribe").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Check your inbox")

    run_confirmations(live_server.settings)  # what the sweep and a worker do with the email it owes
    [message] = live_server.outbox()
    phone.goto(confirm_link(message))
    phone.get_by_role("button", name="Confirm my subscription").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("You are subscribed")
    assert status_of(live_server, "zoe@example.org") == "confirmed"

    phone.goto(message["List-Unsubscribe"].strip("<>"))
    assert status_of(live_server, "zoe@example.org") == "confirmed"  # opening the page is not enough
    phone.get_by_role("button", name="Unsubscribe").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    assert status_of(live_server, "zoe@example.org") == "unsubscribed"
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375  # nothing overflows the phone's width


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_form_is_usable_with_the_keyboard_alone(live_server, phone):
    phone.goto(f"{live_server.url}/subscribe/weekly")
    order = []
    for _ in range(5):
        phone.keyboard.press("Tab")
        order.append(phone.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
    assert order == ["Skip to content", "The Weekly Brief", "email", "name", "Subscribe"]  # the honeypot is skipped
    phone.keyboard.press("Shift+Tab")
    phone.keyboard.press("Shift+Tab")
    phone.keyboard.type("keys@example.org")
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Check your inbox")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_arabic_reader_s_preferences_read_right_to_left_at_phone_width(live_server, phone, tmp_path):
    """NEWSLETTER_SCREENSHOTS=folder keeps the screenshot, to look at."""
    _, preferences_url = reader(live_server, "ar")
    phone.goto(f"{live_server.url}{preferences_url}")
    phone.get_by_label("الاسم").fill("آنا")
    phone.get_by_label("لا تتتبّع ما أنقر عليه أو أفتحه").check()
    phone.get_by_role("button", name="احفظ التفضيلات").click()
    expect(phone.get_by_role("status")).to_have_text("حُفظت تفضيلاتك.")
    box, label = (phone.locator(selector).bounding_box() for selector in ("#no-tracking", "label[for=no-tracking]"))
    assert box["x"] > label["x"]  # the box first, at the right
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375  # nothing overflows the phone's width
    assert Axe().run(phone).response["violations"] == []
    phone.screenshot(path=Path(os.environ.get("NEWSLETTER_SCREENSHOTS", tmp_path)) / "preferences-ar.png",
                     full_page=True)
