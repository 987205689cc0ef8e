"""Intake's routes through the real web server, which fetches from a real local page server:
POST /api/items/from-url, the feeds API, the link and paste pages, the feeds page."""

import pytest

from newsletter.intake.polling import poll_due_feeds
from tests.conftest import make_settings
from tests.fakes.web_pages import PageServer
from tests.intake.feeds import RSS
from tests.intake.pasted import BLOG_INDEX
from tests.intake.test_links import OPENGRAPH
from tests.web.conftest import LiveServer, add_user, free_port, sign_in, start_server


@pytest.fixture
def site():
    with PageServer() as server:
        yield server


@pytest.fixture
def intake_server(tmp_path, database_url):
    """The web app, allowed to fetch from 127.0.0.1 (the page server)."""
    settings = make_settings(tmp_path, database_url=database_url, base_url=f"http://127.0.0.1:{free_port()}",
                             fetch_allow_private=True, fetch_timeout=3)
    server, thread = start_server(settings)
    yield LiveServer(settings.base_url, settings, None)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def editor(intake_server):
    add_user(intake_server.settings, "ed@example.org", "editor", "Edith Editor")
    client = sign_in(intake_server, "ed@example.org")
    yield client
    client.close()


def api(client, method, path, **kwargs):
    return client.request(method, f"/api{path}", headers={"X-CSRF-Token": client.csrf}, **kwargs)


def test_an_item_from_a_url_through_the_api(site, editor):
    url = site.add("/story", OPENGRAPH)
    proposed = api(editor, "POST", "/items/from-url", json={"url": url, "save": False})
    assert proposed.status_code == 201 and proposed.json()["id"] is None
    saved = api(editor, "POST", "/items/from-url", json={"url": url, "tags": ["courts"]})
    body = saved.json()
    assert saved.status_code == 201 and body["headline"] == "Activists detained & released"
    assert (body["author"], body["tags"], body["note"]) == ("Ana López", ["courts"], None)
    again = api(editor, "POST", "/items/from-url", json={"url": url, "save": False}).json()
    assert again["note"] == "already in the inbox: “Activists detained & released”"
    twice = api(editor, "POST", "/items/from-url", json={"url": url}).json()  # saved all the same, with the note
    assert twice["id"] == body["id"] + 1 and twice["note"] == again["note"]
    stored = api(editor, "GET", f"/items/{body['id']}").json()
    assert stored["url"] == url and stored["image_alt"] == "The court steps"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # about HTTP, not the database
@pytest.mark.parametrize("url, status, message", [
    ("ftp://example.org/x", 422, "absolute http"), ("{site}/missing", 422, "answered 404"),
])
def test_a_url_that_cannot_be_fetched_is_a_422_that_says_why(site, editor, url, status, message):
    response = api(editor, "POST", "/items/from-url", json={"url": url.format(site=site.url(""))})
    assert response.status_code == status and message in response.text


def test_feeds_through_the_api(site, editor, intake_server):
    created = api(editor, "POST", "/feeds", json={"url": site.add("/rss", RSS, content_type="application/rss+xml"),
                                                  "name": "Partner", "tags": "partners, ngo", "poll_minutes": 30})
    assert created.status_code == 201 and created.json()["tags"] == ["partners", "ngo"]
    feed_id = created.json()["id"]
    assert api(editor, "POST", "/feeds", json={"url": site.url("/rss"), "name": "Again"}).status_code == 422
    assert api(editor, "POST", "/feeds", json={"url": "https://x.example/f", "name": "X",
                                               "poll_minutes": 1}).status_code == 422
    poll_due_feeds(settings=intake_server.settings)  # what the beat task does
    [feed] = api(editor, "GET", "/feeds").json()["feeds"]
    assert feed["items_added"] == 2 and feed["last_error"] is None
    renamed = api(editor, "PUT", f"/feeds/{feed_id}", json={"url": site.url("/rss"), "name": "Partner Press",
                                                             "keywords": ["court"]})
    assert renamed.status_code == 200 and renamed.json()["keywords"] == ["court"] and renamed.json()["items_added"] == 2
    assert api(editor, "POST", f"/feeds/{feed_id}/poll").status_code == 202
    assert api(editor, "DELETE", f"/feeds/{feed_id}").status_code == 204
    assert api(editor, "GET", f"/feeds/{feed_id}").status_code == 404
    assert len(api(editor, "GET", "/items").json()["items"]) == 2  # its items stay


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_pages(site, editor, intake_server):
    filled = editor.get("/admin/intake/link", params={"url": site.add("/story", OPENGRAPH)})
    assert filled.status_code == 200 and 'value="Activists detained &amp; released"' in filled.text
    refused = editor.get("/admin/intake/link", params={"url": "http://127.0.0.1:1/nothing"})
    assert refused.status_code == 422 and "could not be fetched" in refused.text
    saved = editor.post("/admin/intake/link", data={"url": "", "headline": "", "csrf_token": editor.csrf})
    assert saved.status_code == 422 and "headline" in saved.text

    review = editor.post("/admin/intake/paste", data={"pasted": BLOG_INDEX, "action": "review",
                                                      "csrf_token": editor.csrf})
    assert review.status_code == 200 and "2 items found" in review.text and "no link" in review.text
    accepted = editor.post("/admin/intake/paste", data={
        "action": "accept", "count": "2", "csrf_token": editor.csrf, "p0_accept": "1", "p0_headline": "Kept",
        "p0_url": "", "p0_language": "en", "p1_headline": "Not ticked", "p1_language": "en"})
    assert accepted.status_code == 303
    inbox = editor.get("/admin/items").text
    assert "Kept" in inbox and "Not ticked" not in inbox and "no link" in inbox

    added = editor.post("/admin/feeds", data={"url": "not a link", "name": "X", "csrf_token": editor.csrf})
    assert added.status_code == 422 and "not added" in added.text
    assert "Add to" in editor.get("/admin/account").text and "/admin/intake/link?url=" in editor.get(
        "/admin/account").text
