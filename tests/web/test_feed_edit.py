"""Editing a feed source on the newsroom's Feeds page: GET /admin/feeds/{id}/edit shows its form,
filled; POST /admin/feeds/{id} saves it, or shows the form again with what is wrong."""

import html

from newsletter.db import transaction
from newsletter.intake.sources import FeedDraft, add_feed, get_feed

FEED = {"url": "https://partner.example/rss", "name": "Partner", "tags": "partners, ngo", "language": "en",
        "keywords": "", "poll_minutes": "30"}


def stored_feed(settings, feed_id: int) -> dict:
    with transaction(settings.database_url) as session:
        feed = get_feed(session=session, feed_id=feed_id)
        return {name: getattr(feed, name) for name in FeedDraft.model_fields}


def a_feed(settings) -> int:
    with transaction(settings.database_url) as session:
        return add_feed(session=session, draft=FeedDraft.model_validate(FEED)).id


def test_an_editor_changes_a_feeds_name_and_keywords(live_server, editor):
    feed_id = a_feed(live_server.settings)
    listed = editor.get("/admin/feeds").text
    assert f'href="/admin/feeds/{feed_id}/edit"' in listed  # each row links to its form
    form = editor.get(f"/admin/feeds/{feed_id}/edit")
    assert form.status_code == 200 and "Edit the feed “Partner”" in html.unescape(form.text)
    for name, value in FEED.items():  # filled with what is stored, each field under its own label
        assert f'<label for="feed-{name}">' in form.text
        assert f'id="feed-{name}" name="{name}"' in form.text and f'value="{value}"' in form.text

    saved = editor.post(f"/admin/feeds/{feed_id}", data=FEED | {
        "name": "Partner Press", "keywords": "court, prison", "csrf_token": editor.csrf})
    assert saved.status_code == 303 and saved.headers["location"] == "/admin/feeds"
    page = html.unescape(editor.get("/admin/feeds").text)
    assert "Saved the feed “Partner Press”." in page
    assert "Partner Press" in page and "only entries mentioning court, prison" in page
    assert stored_feed(live_server.settings, feed_id) == {
        "url": FEED["url"], "name": "Partner Press", "tags": ["partners", "ngo"], "language": "en",
        "keywords": ["court", "prison"], "poll_minutes": 30}


def test_a_bad_link_is_a_422_that_says_why_and_changes_nothing(live_server, editor):
    feed_id = a_feed(live_server.settings)
    before = stored_feed(live_server.settings, feed_id)
    refused = editor.post(f"/admin/feeds/{feed_id}", data=FEED | {
        "url": "ftp://x", "name": "Renamed", "csrf_token": editor.csrf})
    assert refused.status_code == 422
    assert "The feed was not saved" in refused.text and 'id="feed-url-error"' in refused.text
    assert 'value="ftp://x"' in refused.text and 'value="Renamed"' in refused.text  # what was typed, kept
    assert stored_feed(live_server.settings, feed_id) == before


def test_an_unknown_feed_is_a_404(live_server, editor):
    feed_id = a_feed(live_server.settings) + 1000
    assert editor.get(f"/admin/feeds/{feed_id}/edit").status_code == 404
    assert editor.post(f"/admin/feeds/{feed_id}", data=FEED | {"csrf_token": editor.csrf}).status_code == 404
    assert editor.post(f"/admin/feeds/{feed_id}", data=FEED | {  # bad input too: no form for a feed not there
        "url": "ftp://x", "csrf_token": editor.csrf}).status_code == 404


def test_someone_not_signed_in_is_sent_to_sign_in(live_server):
    feed_id = a_feed(live_server.settings)
    shown = live_server.client.get(f"/admin/feeds/{feed_id}/edit")
    assert shown.status_code == 303 and shown.headers["location"].startswith("/login?next=")
    posted = live_server.client.post(f"/admin/feeds/{feed_id}", data=FEED | {"name": "Taken over"})
    assert posted.status_code == 303 and posted.headers["location"].startswith("/login?next=")
    assert stored_feed(live_server.settings, feed_id)["name"] == "Partner"
