"""The editors' and admins' main journey in a real headless Chromium, with a real Celery
worker (and beat) over Redis and PostgreSQL, sending to the file provider.

Set NEWSLETTER_SCREENSHOTS=docs/screenshots to keep the screenshots it takes.
"""

import datetime as dt
import os
import shutil
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from newsletter.db import transaction
from newsletter.db.models import Delivery
from newsletter.subscribers import create_list
from tests.cli import cli_env
from tests.conftest import make_settings
from tests.sending.helpers import add_people
from tests.web.conftest import PASSWORD, add_user, free_port, start_server
from tests.web.test_browser import browser  # noqa: F401 - the shared Chromium fixture
from tests.workers.processes import start_celery, stop

READERS = 24
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def stack(tmp_path, postgres_url, redis_url):
    """The web app in this process; a `celery worker -B` process; both on PostgreSQL and Redis.

    One recipient a batch at 3 a second (the shared Redis limit) makes a send slow enough to pause.
    """
    values = dict(database_url=postgres_url, broker_url=redis_url, outbox_dir=tmp_path / "outbox", batch_size=1,
                  rate_limit_per_second=3, poll_interval=1, base_url=f"http://127.0.0.1:{free_port()}")
    settings = make_settings(tmp_path, **values)
    with transaction(postgres_url) as session:
        create_list(session=session, name="weekly", title="The Weekly Brief")
    add_people(postgres_url, "weekly", [f"reader{n}@example.org" for n in range(READERS)])
    add_user(settings, "edith@example.org", "editor", "Edith Editor")
    add_user(settings, "ada@example.org", "admin", "Ada Admin")
    server, thread = start_server(settings)
    worker = start_celery("worker", "-B", "--concurrency", "1", "--without-gossip", "--without-mingle",
                          "--schedule", str(tmp_path / "beat-schedule"), env=cli_env(tmp_path, **values),
                          cwd=tmp_path, log=tmp_path / "worker.log")
    yield settings
    stop(worker)
    server.should_exit = True
    thread.join(timeout=10)


def shoot(page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    if keep := os.environ.get("NEWSLETTER_SCREENSHOTS"):
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)


def sign_in(page, url: str, email: str) -> None:
    page.goto(f"{url}/admin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Issues")


def add_item(page, url: str, headline: str, blurb: str, link: str) -> None:
    page.goto(f"{url}/admin/items/new")
    page.get_by_label("Link", exact=True).fill(link)
    page.get_by_label("Headline", exact=True).fill(headline)
    page.get_by_label("Blurb").fill(blurb)
    page.get_by_role("button", name="Add to inbox").click()
    expect(page.get_by_role("status")).to_contain_text(f"Added “{headline}”")


def entries(page) -> list[str]:
    return page.locator("li.entry").evaluate_all("els => els.map(e => e.dataset.headline)")


def composing(page) -> None:
    """Wait for the composer's script: a click before it listens would be lost."""
    expect(page.get_by_role("heading", level=1)).to_contain_text("Compose")
    expect(page.locator("#composer[data-ready]")).to_be_attached()


def saved(page) -> None:
    expect(page.locator("#save-state")).to_contain_text("Saved at", timeout=10_000)


def test_compose_check_approve_schedule_and_steer_a_send(stack, browser, tmp_path):  # noqa: F811
    url = stack.base_url
    editor = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    sign_in(editor, url, "edith@example.org")

    # The inbox: two items, one still without its blurb.
    add_item(editor, url, "Court frees <b>three</b> journalists", "An appeals court overturned the verdicts.",
             "https://example.org/court")
    add_item(editor, url, "Flood relief blocked at the border", "", "https://example.org/flood")

    # Compose: a new issue, the two items added from the inbox and a third written from the
    # composer, then reordered two ways.
    editor.goto(f"{url}/admin/issues/new")
    editor.get_by_label("Title").fill("The Weekly Brief")
    editor.get_by_role("button", name="Create and compose").click()
    composing(editor)
    editor.get_by_label("Intro").fill("Three stories from a long week.")
    for headline in ("Court frees <b>three</b> journalists", "Flood relief blocked at the border"):
        editor.get_by_role("button", name=f"Add “{headline}” to the issue").click()
    saved(editor)
    editor.get_by_role("link", name="Write a new item for this issue").click()
    editor.get_by_label("Link", exact=True).fill("https://example.org/ngo")
    editor.get_by_label("Headline", exact=True).fill("New law threatens NGOs")
    editor.get_by_label("Blurb").fill("The bill would cap foreign funding at 10%.")
    editor.get_by_role("button", name="Add to the issue").click()
    composing(editor)
    saved(editor)  # back in the composer, the new item is in the issue
    assert entries(editor) == ["Court frees <b>three</b> journalists", "Flood relief blocked at the border",
                               "New law threatens NGOs"]
    editor.get_by_role("button", name="Move “New law threatens NGOs” up").focus()
    editor.keyboard.press("Enter")  # the keyboard alternative to dragging
    expect(editor.locator("#save-state")).to_contain_text("Saved at")
    editor.locator("li.entry").nth(2).drag_to(editor.locator("li.entry").nth(0), target_position={"x": 30, "y": 3})
    saved(editor)
    order = ["Flood relief blocked at the border", "Court frees <b>three</b> journalists", "New law threatens NGOs"]
    assert entries(editor) == order
    shoot(editor, tmp_path, "composer")
    editor.reload()  # what was saved is what is shown
    assert entries(editor) == order

    # Preview: the error blocks approval until the item is fixed.
    editor.get_by_role("link", name="Preview and check").click()
    expect(editor.locator("#checks")).to_contain_text("“Flood relief blocked at the border” has no blurb.")
    expect(editor.get_by_role("button", name="Approve")).to_be_disabled()
    editor.locator("#checks").get_by_role("link", name="Fix the item").click()
    editor.get_by_label("Blurb").fill("Aid trucks have waited for nine days.")
    editor.get_by_role("button", name="Save item").click()
    expect(editor.locator("#checks")).to_contain_text("All checks pass.")
    frame = editor.frame_locator("iframe[title='The email at phone width']")
    expect(frame.get_by_role("link", name="Court frees <b>three</b> journalists", exact=True)).to_be_visible()
    shoot(editor, tmp_path, "preview")
    editor.get_by_role("button", name="Approve").click()
    expect(editor.get_by_role("status")).to_contain_text("Approved")
    expect(editor.locator("#schedule")).to_have_count(0)  # an editor cannot schedule
    expect(editor.get_by_text("Approved: an admin schedules it.")).to_be_visible()

    # The admin schedules it for the next minute, London time; beat starts it then, and the
    # dashboard, which updates by itself, follows it. The admin pauses and resumes it there.
    admin = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Asia/Tokyo").new_page()
    sign_in(admin, url, "ada@example.org")
    admin.get_by_role("link", name="Preview").first.click()
    expect(admin.get_by_label("Time zone")).to_have_value("Asia/Tokyo")  # the browser's own, by default
    admin.get_by_label("The Weekly Brief").check()
    at = (dt.datetime.now(LONDON) + dt.timedelta(seconds=75)).replace(second=0, microsecond=0)
    admin.get_by_label("Date and time").fill(at.strftime("%Y-%m-%dT%H:%M"))
    admin.get_by_label("Time zone").fill("Europe/London")
    admin.get_by_role("button", name="Schedule", exact=True).click()
    status = admin.locator("#send-status")
    expect(status).to_have_attribute("data-status", "scheduled")
    dashboard = admin.url
    admin.get_by_role("link", name="Sends", exact=True).click()
    expect(admin.get_by_role("table", name="Upcoming")).to_contain_text(at.strftime("%Y-%m-%d %H:%M"))
    admin.goto(dashboard)
    expect(status).to_have_attribute("data-status", "sending", timeout=90_000)
    assert dt.datetime.now(LONDON) >= at  # not before its time
    accepted = admin.locator('[data-count="accepted"]')
    expect(accepted).not_to_have_text("0", timeout=20_000)
    admin.get_by_role("button", name="Pause").click()
    expect(status).to_have_attribute("data-status", "paused")
    time.sleep(2)  # a batch under way when the pause came may still finish
    held = _accepted(stack)
    time.sleep(2)
    assert _accepted(stack) == held < READERS  # paused: nothing more goes out
    shoot(admin, tmp_path, "send-dashboard")
    admin.get_by_role("button", name="Resume").click()
    expect(accepted).to_have_text(str(READERS), timeout=60_000)  # no reload: the page polls
    expect(status).to_have_attribute("data-status", "sent", timeout=10_000)
    assert len(list((tmp_path / "outbox").glob("send-*/*.eml"))) == READERS  # each reader once


def _accepted(settings) -> int:
    with transaction(settings.database_url) as session:
        return session.scalar(select(func.count()).where(Delivery.status == "accepted"))
