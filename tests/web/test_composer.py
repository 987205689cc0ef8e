"""Composing, previewing, checking, approving and scheduling an issue over HTTP."""

import pytest
from sqlalchemy import select

from newsletter.db import transaction
from newsletter.db.models import Issue, Send
from tests.web.conftest import add_user, sign_in

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def add_item(client, n, **fields):
    data = {"url": f"https://example.org/story/{n}", "headline": f"Story {n}", "blurb": f"What happened in story {n}.",
            **fields}
    response = client.post("/api/items", json=data, headers={"X-CSRF-Token": client.csrf})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def new_issue(client, title="The Weekly Brief"):
    response = client.post("/admin/issues/new", data={"title": title, "date": "2026-12-04", "intro": "This week.",
                                                      "csrf_token": client.csrf})
    assert response.status_code == 303
    return int(response.headers["location"].rsplit("/", 1)[1])


def save(client, issue_id, version, sections, **fields):
    body = {"version": version, "title": "The Weekly Brief", "date": "2026-12-04", "intro": "This week.",
            "sections": sections, **fields}
    return client.put(f"/api/issues/{issue_id}", json=body, headers={"X-CSRF-Token": client.csrf})


def test_the_second_of_two_concurrent_saves_is_refused_and_overwrites_nothing(live_server, editor):
    add_user(live_server.settings, "bo@example.org", "editor", "Bo Other")
    other = sign_in(live_server, "bo@example.org")
    items = [add_item(editor, n) for n in (1, 2, 3)]
    issue_id = new_issue(editor)

    first = save(editor, issue_id, 1, [{"title": "Asia", "item_ids": items[:2]}])
    assert first.status_code == 200 and first.json()["version"] == 2
    second = save(other, issue_id, 1, [{"item_ids": [items[2]]}], intro="Bo's intro")
    assert second.status_code == 409
    assert second.json()["updated_by"] == "Edith Editor"
    assert "Edith Editor changed this issue since you opened it" in second.json()["detail"]

    stored = editor.get(f"/api/issues/{issue_id}").json()
    assert stored["sections"] == [{"title": "Asia", "item_ids": items[:2]}]
    assert stored["intro"] == "This week." and stored["version"] == 2
    assert save(other, issue_id, 2, [{"item_ids": [items[2], items[0]]}]).status_code == 200  # after reloading
    other.close()


@SQLITE
def test_a_save_with_unsafe_text_is_refused_with_the_field(live_server, editor):
    issue_id = new_issue(editor)
    response = save(editor, issue_id, 1, [{"item_ids": []}], subject="Line one\r\nBcc: victim@example.org")
    assert response.status_code == 422
    assert "single line" in response.text
    assert editor.get(f"/api/issues/{issue_id}").json()["subject"] is None


def test_preflight_errors_block_approval_until_fixed(live_server, editor):
    good = add_item(editor, 1)
    blurbless = add_item(editor, 2, blurb="", image_url="https://example.org/i.png")
    issue_id = new_issue(editor)
    assert save(editor, issue_id, 1, [{"item_ids": [good, blurbless]}, {"title": "Empty", "item_ids": []}]).status_code == 200

    checks = editor.get(f"/api/issues/{issue_id}/preview").json()
    errors = [f["message"] for f in checks["findings"] if f["level"] == "error"]
    assert checks["approvable"] is False
    assert any("“Story 2” has no blurb" in e for e in errors)
    assert any("image without alt text" in e for e in errors)
    assert any("Section 2 (Empty) is empty" in e for e in errors)
    refused = editor.post(f"/api/issues/{issue_id}/approve", json={"version": 2}, headers={"X-CSRF-Token": editor.csrf})
    assert refused.status_code == 422 and "has no blurb" in refused.json()["detail"]

    fixed = {"url": "https://example.org/story/2", "headline": "Story 2", "blurb": "Now it has one.",
             "image_url": "https://example.org/i.png", "image_alt": "A courtroom"}
    assert editor.put(f"/api/items/{blurbless}", json=fixed, headers={"X-CSRF-Token": editor.csrf}).status_code == 200
    assert save(editor, issue_id, 2, [{"item_ids": [good, blurbless]}]).status_code == 200
    page = editor.get(f"/admin/issues/{issue_id}/preview").text
    assert "All checks pass." in page
    rendered = editor.get(f"/api/issues/{issue_id}/preview").json()
    assert "Now it has one." in rendered["html"] and "Now it has one." in rendered["text"]
    assert rendered["html_bytes"] == len(rendered["html"].encode())
    approved = editor.post(f"/admin/issues/{issue_id}/approve", data={"version": 3, "csrf_token": editor.csrf})
    assert approved.status_code == 303
    assert editor.get(f"/api/issues/{issue_id}").json()["status"] == "ready"

    # Changing an approved issue takes the approval back.
    assert save(editor, issue_id, 4, [{"item_ids": [blurbless, good]}]).json()["status"] == "draft"


def test_only_an_admin_schedules_and_only_a_ready_issue(live_server, editor, admin):
    issue_id = new_issue(editor)
    assert save(editor, issue_id, 1, [{"item_ids": [add_item(editor, 1)]}]).status_code == 200
    plan = {"lists": ["weekly"], "at": "2099-12-04 08:00", "timezone": "Europe/London"}

    not_ready = admin.post(f"/api/issues/{issue_id}/schedule", json=plan, headers={"X-CSRF-Token": admin.csrf})
    assert not_ready.status_code == 409
    editor.post(f"/api/issues/{issue_id}/approve", json={"version": 2}, headers={"X-CSRF-Token": editor.csrf})

    assert editor.post(f"/api/issues/{issue_id}/schedule", json=plan, headers={"X-CSRF-Token": editor.csrf}).status_code == 403
    form = {"lists": "weekly", "at": "2099-12-04T08:00", "timezone": "Europe/London", "csrf_token": editor.csrf}
    assert editor.post(f"/admin/issues/{issue_id}/schedule", data=form).status_code == 403
    assert "Schedule</button>" not in editor.get(f"/admin/issues/{issue_id}/preview").text
    with transaction(live_server.settings.database_url) as session:
        assert session.scalars(select(Send)).all() == []

    response = admin.post(f"/admin/issues/{issue_id}/schedule", data={**form, "csrf_token": admin.csrf})
    assert response.status_code == 303
    with transaction(live_server.settings.database_url) as session:
        [send] = session.scalars(select(Send)).all()
        assert (send.status, send.timezone, send.list_names) == ("scheduled", "Europe/London", "weekly")
        assert send.scheduled_at.hour == 8  # London is on UTC in December
        assert session.get(Issue, issue_id).status == "scheduled"
    assert save(editor, issue_id, 3, [{"item_ids": []}]).status_code == 409  # scheduled: frozen


@SQLITE
def test_markup_in_a_headline_is_text_on_every_page_and_in_the_email(live_server, editor):
    evil = '<script>alert("x")</script>'
    item_id = add_item(editor, 1, headline=f"Court rules {evil}")
    issue_id = new_issue(editor, title=f"Brief {evil}")
    assert save(editor, issue_id, 1, [{"item_ids": [item_id]}], title=f"Brief {evil}").status_code == 200
    for path in (f"/admin/issues/{issue_id}", f"/admin/issues/{issue_id}/preview", f"/admin/issues/{issue_id}/email.html",
                 "/admin/issues", f"/admin/items/{item_id}", "/admin/items?show=all"):
        html = editor.get(path).text
        assert "<script>alert" not in html, path
        assert "&lt;script&gt;alert" in html, path
    frame = editor.get(f"/admin/issues/{issue_id}/email.html")
    assert frame.headers["content-security-policy"].startswith("sandbox")
    page_policy = editor.get(f"/admin/issues/{issue_id}").headers["content-security-policy"]
    assert "script-src 'self';" in page_policy and "base-uri 'none'" in page_policy  # no inline scripts run


@SQLITE
def test_the_api_takes_a_bearer_token_without_csrf(live_server, editor):
    from newsletter.accounts import create_api_token

    with transaction(live_server.settings.database_url) as session:
        token = create_api_token(session=session, user_id=1, name="intake script")
    import httpx

    with httpx.Client(base_url=live_server.url, headers={"Authorization": f"Bearer {token}"}) as script:
        created = script.post("/api/items", json={"url": "https://example.org/x", "headline": "From a script"})
        assert created.status_code == 201
        assert script.get("/api/issues").status_code == 200
        assert script.post("/api/issues/1/schedule", json={"lists": ["weekly"]}).status_code == 403  # an editor's token
    refused = httpx.post(f"{live_server.url}/api/items", json={"url": "https://example.org/y", "headline": "Y"},
                         headers={"Authorization": "Bearer nl_not-a-token"})
    assert refused.status_code == 401
    assert httpx.get(f"{live_server.url}/api/openapi.json").json()["info"]["title"].endswith("API")


@SQLITE
def test_changing_an_item_of_an_approved_issue_takes_the_approval_back(live_server, editor):
    item_id = add_item(editor, 1)
    issue_id = new_issue(editor)
    assert save(editor, issue_id, 1, [{"item_ids": [item_id]}]).status_code == 200
    editor.post(f"/api/issues/{issue_id}/approve", json={"version": 2}, headers={"X-CSRF-Token": editor.csrf})
    assert editor.get(f"/api/issues/{issue_id}").json()["status"] == "ready"
    assert "which is approved: saving a change returns it to draft" in editor.get(f"/admin/items/{item_id}").text

    changed = {"url": "https://example.org/story/1", "headline": "Story 1, corrected", "blurb": "Now right."}
    assert editor.put(f"/api/items/{item_id}", json=changed, headers={"X-CSRF-Token": editor.csrf}).status_code == 200
    issue = editor.get(f"/api/issues/{issue_id}").json()
    assert (issue["status"], issue["version"]) == ("draft", 4)  # an open composer's next save is told
