"""What a new editor and admin met in their first hour in the newsroom: rows that tell the
issues apart, pages that offer only what can still be done, and messages in the newsroom's
own words (not the command line's)."""

import datetime as dt
import re

import lxml.html
import pytest
from sqlalchemy import delete, update

from newsletter.db import transaction
from newsletter.db.models import MailingList, Send
from tests.web.test_admin_browser import approve
from tests.web.test_composer import add_item, new_issue, save

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def html_of(client, path: str) -> lxml.html.HtmlElement:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return lxml.html.fromstring(response.text)


def text_of(element) -> str:
    """The text as a browser lays it out: runs of whitespace are one space."""
    return " ".join(element.text_content().split())


def row_of(page, issue_id: int) -> lxml.html.HtmlElement:
    [row] = page.xpath(f"//tbody/tr[.//a[@href='/admin/issues/{issue_id}/preview']]")
    return row


def links(element) -> dict[str, str]:
    """{visible text: href} of the links in ``element``."""
    return {" ".join((a.text or "").split()): a.get("href") for a in element.iter("a")}


def ready_issue(client, n: int, **fields) -> int:
    issue_id = new_issue(client)
    assert save(client, issue_id, 1, [{"item_ids": [add_item(client, n)]}], **fields).status_code == 200
    approve(client, issue_id, 2)
    return issue_id


def schedule(client, issue_id: int, **plan) -> int:
    response = client.post(f"/api/issues/{issue_id}/schedule", json={"lists": ["weekly"], **plan},
                           headers={"X-CSRF-Token": client.csrf})
    assert response.status_code == 201, response.text
    return response.json()["send_id"]


@SQLITE
def test_each_row_of_the_issue_list_shows_the_date_and_the_subject(live_server, editor):
    plain = new_issue(editor)  # "The Weekly Brief", like every week's
    named = new_issue(editor)
    assert save(editor, named, 1, [{"item_ids": []}], date="2026-12-11", subject="Courts and elections").status_code == 200
    page = html_of(editor, "/admin/issues")
    assert "The Weekly Brief: 4 December 2026" in text_of(row_of(page, plain))  # the subject it goes out with
    assert "2026-12-04" in text_of(row_of(page, plain))
    assert "Courts and elections" in text_of(row_of(page, named)) and "2026-12-11" in text_of(row_of(page, named))


@SQLITE
def test_a_scheduled_or_sent_issue_offers_its_preview_and_archive_instead_of_edit(live_server, admin):
    draft = new_issue(admin)
    scheduled = ready_issue(admin, 1)
    schedule(admin, scheduled, at="2099-12-04 08:00")
    sent = ready_issue(admin, 2, date="2026-11-27")
    schedule(admin, sent)  # now
    page = html_of(admin, "/admin/issues")
    assert links(row_of(page, draft))["Edit"] == f"/admin/issues/{draft}"
    for issue_id in (scheduled, sent):
        row = links(row_of(page, issue_id))
        assert "Edit" not in row and f"/admin/issues/{issue_id}" not in row.values()
        assert row["Preview"] == f"/admin/issues/{issue_id}/preview"
    archive = links(row_of(page, sent))["View in archive"]
    assert admin.get(archive, follow_redirects=True).status_code == 200
    assert "View in archive" not in links(row_of(page, scheduled))

    for issue_id in (scheduled, sent):
        composer = html_of(admin, f"/admin/issues/{issue_id}")
        assert "it can no longer be changed" in text_of(composer)
        shown = links(composer.get_element_by_id("main"))
        assert not [text for text in shown if text.startswith("Edit")]  # no item to edit, nothing to add
        assert not [href for href in shown.values() if href.startswith("/admin/items")]
        assert not composer.xpath("//button[normalize-space()='Add a section' or normalize-space()='Remove']")
        assert shown["Preview"] == f"/admin/issues/{issue_id}/preview"
    assert links(html_of(admin, f"/admin/issues/{sent}").get_element_by_id("main"))["View in archive"] == archive


@SQLITE
def test_with_no_list_the_schedule_form_says_to_create_one_first(live_server, admin):
    issue_id = ready_issue(admin, 1)
    with transaction(live_server.settings.database_url) as session:
        session.execute(delete(MailingList))
    form = html_of(admin, f"/admin/issues/{issue_id}/preview").get_element_by_id("schedule")
    assert "There is no list to send to yet" in text_of(form)
    assert links(form)["Create a list"] == "/admin/lists"
    assert all(button.get("disabled") is not None for button in form.iter("button"))


@SQLITE
def test_scheduling_to_no_list_says_so_in_the_newsroom_s_words(live_server, admin):
    issue_id = ready_issue(admin, 1)
    response = admin.post(f"/admin/issues/{issue_id}/schedule", follow_redirects=True,
                          data={"csrf_token": admin.csrf, "at": "2099-12-04T08:00", "timezone": "UTC"})
    notice = text_of(lxml.html.fromstring(response.text).find_class("notice")[0])
    assert notice == "Not scheduled: choose at least one list to send to."
    assert "--list" not in response.text


@SQLITE
def test_the_send_dashboard_puts_spaces_between_its_sentences(live_server, admin):
    send_id = schedule(admin, ready_issue(admin, 1), at="2099-12-04 08:00", timezone="Europe/London")
    started = dt.datetime(2099, 12, 4, 8, 0, tzinfo=dt.UTC)
    with transaction(live_server.settings.database_url) as session:
        session.execute(update(Send).where(Send.id == send_id).values(
            status="sent", started_at=started, finished_at=started + dt.timedelta(minutes=3)))
    summary = text_of(html_of(admin, f"/admin/sends/{send_id}").xpath("//p[starts-with(normalize-space(), 'Subject')]")[0])
    assert re.search(r"Scheduled for .+ UTC\)\. Started .+ UTC\. Finished .+ UTC\.$", summary), summary
