"""The public archive over HTTP: issues as they were sent, at the address of the date they went out."""

import datetime as dt
import xml.etree.ElementTree as ET

import lxml.html
import pytest
from sqlalchemy import select, update

from newsletter.db import transaction
from newsletter.db.models import Issue, Item, Send
from newsletter.editorial import save_issue
from newsletter.sending import create_send
from tests.factories import issue
from tests.web.test_composer import add_item, new_issue, save

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
ATOM = {"a": "http://www.w3.org/2005/Atom"}


def send_now(editor, admin, issue_id, version):
    """Approve issue ``issue_id`` (at ``version``) and send it now, as the newsroom does."""
    approved = editor.post(f"/api/issues/{issue_id}/approve", json={"version": version},
                           headers={"X-CSRF-Token": editor.csrf})
    assert approved.status_code == 200, approved.text
    sent = admin.post(f"/api/issues/{issue_id}/schedule", json={"lists": ["weekly"]},
                      headers={"X-CSRF-Token": admin.csrf})
    assert sent.status_code == 201, sent.text


def doc(response):
    return lxml.html.document_fromstring(response.text)


def feed_titles(client):
    root = ET.fromstring(client.get("/archive/feed.xml").content)
    return [entry.findtext("a:title", namespaces=ATOM) for entry in root.findall("a:entry", ATOM)]


def test_editing_a_sent_issue_leaves_its_archive_page_as_sent(live_server, editor, admin):
    item_id = add_item(editor, 1, headline="Court frees reporters")
    issue_id = new_issue(editor)
    assert save(editor, issue_id, 1, [{"item_ids": [item_id]}], subject="Reporters freed").status_code == 200
    send_now(editor, admin, issue_id, 2)

    # Edited after it went out: the item by an editor, the title by any other way in.
    changed = {"url": "https://example.org/story/1", "headline": "Court frees nobody", "blurb": "Changed."}
    assert editor.put(f"/api/items/{item_id}", json=changed, headers={"X-CSRF-Token": editor.csrf}).status_code == 200
    with transaction(live_server.settings.database_url) as session:
        session.execute(update(Issue).where(Issue.id == issue_id).values(title="A New Title"))

    shown = doc(live_server.client.get("/archive/2026-12-04-the-weekly-brief"))
    assert shown.findtext(".//h1") == "The Weekly Brief"
    assert shown.xpath("//article//h2/a/text()") == ["Court frees reporters"]
    assert "What happened in story 1." in shown.text_content() and "Changed." not in shown.text_content()
    index = doc(live_server.client.get("/archive"))
    assert "A New Title" not in index.text_content()
    assert feed_titles(live_server.client) == ["Reporters freed"]


def test_an_issue_lives_at_the_address_of_its_date_as_sent_and_its_first_address_redirects(
        live_server, editor, admin):
    issue_id = new_issue(editor)  # for 4 December: its address is made now
    moved = save(editor, issue_id, 1, [{"item_ids": [add_item(editor, 1)]}], date="2026-12-11")
    assert moved.status_code == 200
    send_now(editor, admin, issue_id, 2)

    page = live_server.client.get("/archive/2026-12-11-the-weekly-brief")
    assert page.status_code == 200 and doc(page).xpath("//p[@class='meta']/text()")[0] == "11 December 2026"
    old = live_server.client.get("/archive/2026-12-04-the-weekly-brief", follow_redirects=False)
    assert (old.status_code, old.headers["location"]) == (301, "/archive/2026-12-11-the-weekly-brief")
    index = doc(live_server.client.get("/archive"))
    assert index.xpath("//ul[@class='issues']//a/@href") == ["/archive/2026-12-11-the-weekly-brief"]
    root = ET.fromstring(live_server.client.get("/archive/feed.xml").content)
    assert root.find("a:entry/a:link", ATOM).get("href") == f"{live_server.url}/archive/2026-12-11-the-weekly-brief"


def test_each_row_of_the_archive_says_its_date_and_subject(live_server, editor, admin):
    for n, (date, subject) in enumerate((("2026-12-04", "Reporters freed"), ("2026-12-11", None)), start=1):
        issue_id = new_issue(editor)
        fields = {"date": date, "subject": subject} if subject else {"date": date}
        assert save(editor, issue_id, 1, [{"item_ids": [add_item(editor, n)]}], **fields).status_code == 200
        send_now(editor, admin, issue_id, 2)

    rows = doc(live_server.client.get("/archive")).xpath("//ul[@class='issues']/li")
    assert [" ".join(row.text_content().split()) for row in rows] == [
        "11 December 2026 The Weekly Brief", "4 December 2026 Reporters freed"]
    assert [row.xpath(".//time/@datetime")[0] for row in rows] == ["2026-12-11", "2026-12-04"]
    assert feed_titles(live_server.client) == ["The Weekly Brief: 11 December 2026", "Reporters freed"]


@SQLITE
def test_the_home_page_is_the_archive_with_a_way_in_for_staff(live_server):
    home = live_server.client.get("/")
    assert home.status_code == 302 and home.headers["location"] == "/archive"
    archive = doc(live_server.client.get("/", follow_redirects=True))
    assert archive.findtext(".//h1") == "Past issues"
    [sign_in] = archive.xpath("//footer//a[@href='/login']")
    assert sign_in.text_content() == "Staff sign-in"
    assert live_server.client.get("/login").status_code == 200


def start_send(settings, issue_id):
    """Send issue ``issue_id`` now (started; nobody needs to be on the list for the archive)."""
    with transaction(settings.database_url) as session:
        return create_send(session=session, settings=settings, issue_id=issue_id, list_names=["weekly"]).id


def test_an_address_leads_to_one_issue_when_dates_move(live_server):
    settings = live_server.settings
    with transaction(settings.database_url) as session:
        moved = save_issue(session=session, content=issue(1, title="Moved", date="2023-12-29"))
        planned = save_issue(session=session, content=issue(1, title="Planned", date="2024-01-05"))
        moved.title, moved.date = "Planned", dt.date(2024, 1, 5)  # onto the other issue's date and title
        ids = {"moved": moved.id, "planned": planned.id}
    start_send(settings, ids["moved"])
    with transaction(settings.database_url) as session:  # a third, made after: a draft
        assert save_issue(session=session, content=issue(1, title="Planned", date="2024-01-05")).slug == \
            "2024-01-05-planned-3"
    start_send(settings, ids["planned"])

    def shown(path):
        response = live_server.client.get(path)
        return response.status_code, response.headers.get("location")

    assert shown("/archive/2024-01-05-planned") == (200, None)  # the issue made for that date keeps it
    assert shown("/archive/2024-01-05-planned-2") == (200, None)
    assert shown("/archive/2023-12-29-moved") == (301, "/archive/2024-01-05-planned-2")
    assert shown("/archive/2024-01-05-planned-3") == (404, None)
    index = doc(live_server.client.get("/archive"))
    assert index.xpath("//ul[@class='issues']//a/@href") == ["/archive/2024-01-05-planned", "/archive/2024-01-05-planned-2"]
    with transaction(settings.database_url) as session:
        addresses = dict(session.execute(select(Send.issue_id, Send.archive_slug)).all())
    assert addresses == {ids["moved"]: "2024-01-05-planned-2", ids["planned"]: "2024-01-05-planned"}


@SQLITE
def test_the_archive_shows_the_first_send_and_the_live_issue_for_sends_older_than_snapshots(live_server):
    settings = live_server.settings
    with transaction(settings.database_url) as session:
        old = save_issue(session=session, content=issue(1, title="Old", date="2023-12-01"))
        new = save_issue(session=session, content=issue(1, title="New", date="2023-12-08"))
        ids = old.id, new.id
    old_send = start_send(settings, ids[0])
    start_send(settings, ids[1])
    with transaction(settings.database_url) as session:
        session.execute(update(Send).where(Send.id == old_send).values(archive=None, archive_slug=None))  # as before 0007
        session.execute(update(Item).values(headline="Edited since"))
    start_send(settings, ids[1])  # sent again, as edited: the archive keeps the first

    headlines = {path: doc(live_server.client.get(path)).xpath("//article//h2/a/text()")
                 for path in ("/archive/2023-12-01-old", "/archive/2023-12-08-new")}
    assert headlines == {"/archive/2023-12-01-old": ["Edited since"], "/archive/2023-12-08-new": ["Headline number 1"]}


@SQLITE
def test_a_scheduled_issue_is_not_in_the_archive_before_it_goes_out(live_server):
    settings = live_server.settings
    with transaction(settings.database_url) as session:
        issue_id = save_issue(session=session, content=issue(1)).id
        create_send(session=session, settings=settings, issue_id=issue_id, list_names=["weekly"],
                    scheduled_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC), timezone="UTC")
    assert live_server.client.get("/archive/2023-12-29-the-weekly-brief").status_code == 404
    assert "No issue has been sent yet." in live_server.client.get("/archive").text
