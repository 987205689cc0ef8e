"""The sends pages and /api/sends, through the real web server: the dashboard of a send and its
live figures, pause, resume, cancel, reschedule, failed recipients and their retry, and who may."""

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from newsletter.db import transaction
from newsletter.db.models import Delivery, Issue, Send, Subscriber, as_utc, utcnow
from newsletter.editorial import save_issue
from newsletter.providers import RecipientResult
from newsletter.sending import create_send, pending_batch_ids, send_batch
from newsletter.sending.sweep import sweep
from tests.conftest import make_settings, require
from tests.factories import issue
from tests.sending.helpers import RecordingProvider, add_people, freeze

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
EVIL = "<script>alert('owned')</script> 550 mailbox unavailable"


class RefusingProvider(RecordingProvider):
    """Accepts everyone but ``refuse``, refused for good with ``EVIL`` as the reason."""

    def __init__(self, refuse):
        super().__init__()
        self.refuse = set(refuse)

    def send_batch(self, batch):
        self.batches.append(batch)
        return [RecipientResult(r.delivery_id, r.email not in self.refuse, r.message_id,
                                error=EVIL if r.email in self.refuse else None)
                for r in batch.recipients]


def make_issue(url: str, title: str = "The Weekly Brief") -> int:
    with transaction(url) as session:
        return save_issue(session=session, content=issue(2, title=title)).id


def started_send(live_server, tmp_path) -> tuple[int, object]:
    """A send to six people in batches of two: batch 0 sent (p1 refused with EVIL), batch 2 sent
    (p4 unsubscribed since the freeze: suppressed), batch 1 still pending. (send id, settings)"""
    settings = make_settings(tmp_path, database_url=live_server.settings.database_url, batch_size=2)
    url = settings.database_url
    add_people(url, "weekly", [f"p{n}@example.org" for n in range(6)])
    issue_id = make_issue(url)
    send_id, _ = freeze(settings, issue_id)
    with transaction(url) as session:
        session.scalars(select(Subscriber).where(Subscriber.email == "p4@example.org")).one().status = "unsubscribed"
        first, _, last = pending_batch_ids(session=session, send_id=send_id)
    provider = RefusingProvider({"p1@example.org"})
    send_batch(settings=settings, provider=provider, batch_id=first)
    send_batch(settings=settings, provider=provider, batch_id=last)
    return send_id, settings


def scheduled_send(live_server, at: dt.datetime, timezone: str, title: str = "The Weekly Brief") -> int:
    settings = live_server.settings
    issue_id = make_issue(settings.database_url, title)
    with transaction(settings.database_url) as session:
        return create_send(session=session, settings=settings, issue_id=issue_id, list_names=["weekly"],
                           scheduled_at=at, timezone=timezone).id


def counts_in_db(url: str, send_id: int) -> dict[str, int]:
    with transaction(url) as session:
        return dict(session.execute(
            select(Delivery.status, func.count()).where(Delivery.send_id == send_id).group_by(Delivery.status)).all())


def status_in_db(url: str, send_id: int) -> str:
    with transaction(url) as session:
        return session.get_one(Send, send_id).status


def shown_counts(page: str) -> dict[str, int]:
    """The figures of the dashboard, as a browser test would read them."""
    return {name: int(value) for name, value in re.findall(r'<strong data-count="(\w+)" data-value="(\d+)">', page)}


def page_status(page: str) -> str:
    return re.search(r'id="send-status" class="badge \w+" data-status="(\w+)"', page).group(1)


def freezing_shown(page: str) -> bool:
    """Whether the page says the send's recipients are still being frozen."""
    return re.search(r'<p class="hint" id="send-freezing"( hidden)?>', page).group(1) is None


def visible_actions(page: str) -> set[str]:
    """The action buttons the page shows (those not hidden)."""
    actions = page.split('id="send-actions">')[1].split("</section>")[0]
    shown = set()
    for block in re.findall(r"<div data-when=[^>]*>.*?</div>", actions, flags=re.S):
        if not re.match(r"<div[^>]* hidden>", block):
            shown.add(re.search(r">([^<>]+)</(?:button|a)>", block).group(1).strip())
    return shown


def test_the_dashboard_shows_the_counts_and_the_json_progress_matches_the_database(live_server, admin, tmp_path):
    send_id, _ = started_send(live_server, tmp_path)
    url = live_server.settings.database_url
    assert counts_in_db(url, send_id) == {"accepted": 2, "failed": 1, "suppressed": 1, "pending": 2}

    response = admin.get(f"/admin/sends/{send_id}")
    assert response.status_code == 200
    page = response.text
    assert shown_counts(page) == {"pending": 2, "accepted": 2, "failed": 1, "suppressed": 1, "cancelled": 0}
    assert page_status(page) == "sending"
    assert '<meter id="send-meter" min="0" max="6" value="4">' in page
    assert re.search(r'<div id="send-live" aria-live="polite">', page)
    assert '<script src="/static/send.js" defer></script>' in page
    assert visible_actions(page) == {"Pause", "Retry failed recipients", "Cancel send…"}

    progress = admin.get(f"/api/sends/{send_id}").json()
    db = counts_in_db(url, send_id)
    assert {k: progress[k] for k in ("pending", "accepted", "failed", "suppressed", "cancelled")} == {
        k: db.get(k, 0) for k in ("pending", "accepted", "failed", "suppressed", "cancelled")}
    assert (progress["status"], progress["total"], progress["done"], progress["finished"]) == ("sending", 6, 4, False)
    assert progress["rate"] > 0 and progress["eta"] is not None and progress["estimated_finish"]

    listing = admin.get("/admin/sends").text
    row = re.search(rf'<tr data-send="{send_id}">.*?</tr>', listing, flags=re.S).group(0)
    assert 'data-status="sending"' in row and '"accepted">2<' in row and '"failed">1<' in row
    assert admin.get("/api/sends").json()["recent"][0]["counts"] == {
        "pending": 2, "accepted": 2, "failed": 1, "suppressed": 1, "cancelled": 0}
    assert admin.get("/static/send.js").status_code == 200


def test_pause_then_resume_changes_the_status(live_server, admin, tmp_path):
    send_id, _ = started_send(live_server, tmp_path)
    url = live_server.settings.database_url
    response = admin.post(f"/admin/sends/{send_id}/pause", data={"csrf_token": admin.csrf})
    assert response.status_code == 303 and response.headers["location"] == f"/admin/sends/{send_id}"
    assert status_in_db(url, send_id) == "paused"
    page = admin.get(f"/admin/sends/{send_id}").text
    assert page_status(page) == "paused" and "paused by an admin" in page
    assert "Paused: no new batch starts" in page  # the notice, once
    assert visible_actions(page) == {"Resume", "Retry failed recipients", "Cancel send…"}

    response = admin.post(f"/admin/sends/{send_id}/pause", data={"csrf_token": admin.csrf})
    assert response.status_code == 409 and "only a sending send can be made paused" in response.text

    response = admin.post(f"/admin/sends/{send_id}/resume", data={"csrf_token": admin.csrf})
    assert response.status_code == 303
    assert status_in_db(url, send_id) == "sending"
    assert page_status(admin.get(f"/admin/sends/{send_id}").text) == "sending"

    # The same through the API, from the browser (the CSRF header) or a script.
    headers = {"X-CSRF-Token": admin.csrf}
    assert admin.post(f"/api/sends/{send_id}/pause", headers=headers).json()["status"] == "paused"
    response = admin.post(f"/api/sends/{send_id}/pause", headers=headers)
    assert response.status_code == 409 and "is paused" in response.json()["detail"]
    assert admin.post(f"/api/sends/{send_id}/resume", headers=headers).json()["status"] == "sending"
    assert status_in_db(url, send_id) == "sending"


@SQLITE
def test_only_admins_may_see_or_steer_sends(live_server, admin, editor, tmp_path):
    send_id, _ = started_send(live_server, tmp_path)
    pages = ["/admin/sends", f"/admin/sends/{send_id}", f"/admin/sends/{send_id}/cancel"]
    posts = [f"/admin/sends/{send_id}/{action}" for action in ("pause", "resume", "cancel", "retry", "reschedule")]
    api_gets = ["/api/sends", f"/api/sends/{send_id}", f"/api/sends/{send_id}/failed"]
    api_posts = [f"/api/sends/{send_id}/{action}" for action in ("pause", "resume", "cancel", "retry", "reschedule")]
    body = {"at": "2099-01-01 08:00", "timezone": "UTC"}
    for path in pages:
        assert editor.get(path).status_code == 403, path
    for path in posts:
        response = editor.post(path, data={"csrf_token": editor.csrf, **body})
        assert response.status_code == 403, path
        assert "only an admin can do this" in response.text.lower()
    for path in api_gets:
        assert editor.get(path).status_code == 403, path
    for path in api_posts:
        response = editor.post(path, headers={"X-CSRF-Token": editor.csrf}, json=body)
        assert response.status_code == 403, path
        assert response.json() == {"detail": "only an admin can do this"}
    anonymous = live_server.client
    for path in pages:
        response = anonymous.get(path)
        assert response.status_code == 303 and response.headers["location"] == f"/login?next={path}", path
    for path in posts:
        assert anonymous.post(path, data=body).headers["location"].startswith("/login"), path
    for path in api_gets:
        assert anonymous.get(path).status_code == 401, path
    for path in api_posts:
        assert anonymous.post(path, json=body).status_code == 401, path
    assert status_in_db(live_server.settings.database_url, send_id) == "sending"  # nobody changed it
    assert "Sends" not in editor.get("/admin/items").text.split("</nav>")[0]  # not offered in the menu
    assert admin.get(f"/admin/sends/{send_id}").status_code == 200


@SQLITE
def test_a_scheduled_send_is_listed_in_its_zone_and_cancelled_after_a_confirmation(live_server, admin):
    url = live_server.settings.database_url
    at = dt.datetime(2099, 7, 4, 7, 0, tzinfo=dt.UTC)  # 08:00 in London (summer time)
    send_id = scheduled_send(live_server, at, "Europe/London", title="Summer <special>")
    listing = admin.get("/admin/sends").text
    upcoming = listing.split('id="upcoming-heading"')[1].split('id="recent-heading"')[0]
    assert f'href="/admin/sends/{send_id}"' in upcoming
    assert '<time datetime="2099-07-04T07:00:00Z">2099-07-04 08:00 Europe/London</time>' in upcoming
    assert "2099-07-04 07:00 UTC" in upcoming
    assert "Summer &lt;special&gt;" in upcoming
    api = admin.get("/api/sends").json()
    assert [(s["id"], s["scheduled_local"], s["timezone"]) for s in api["upcoming"]] == [
        (send_id, "2099-07-04 08:00", "Europe/London")]
    assert dt.datetime.fromisoformat(api["upcoming"][0]["scheduled_at"]) == at

    page = admin.get(f"/admin/sends/{send_id}").text
    assert page_status(page) == "scheduled"
    assert visible_actions(page) == {"Cancel send…"}
    assert 'value="2099-07-04T08:00"' in page and "<option selected>Europe/London</option>" in page

    confirm = admin.get(f"/admin/sends/{send_id}/cancel")
    assert confirm.status_code == 200
    assert "This cannot be undone" in confirm.text and "Yes, cancel send" in confirm.text
    assert status_in_db(url, send_id) == "scheduled"  # asking is not cancelling

    response = admin.post(f"/admin/sends/{send_id}/cancel", data={"csrf_token": admin.csrf})
    assert response.status_code == 303
    assert status_in_db(url, send_id) == "cancelled"
    with transaction(url) as session:
        assert session.get_one(Issue, session.get_one(Send, send_id).issue_id).status == "draft"
    page = admin.get(f"/admin/sends/{send_id}").text
    assert page_status(page) == "cancelled" and f"Send {send_id} is cancelled." in page
    assert visible_actions(page) == set()
    assert admin.get(f"/admin/sends/{send_id}/cancel").status_code == 409  # nothing left to cancel
    assert admin.get("/api/sends").json()["upcoming"] == []
    assert admin.get(f"/api/sends/{send_id}").json()["finished"] is True


@SQLITE
def test_reschedule_refuses_a_past_time_clearly_and_moves_a_send(live_server, admin):
    url = live_server.settings.database_url
    at = utcnow() + dt.timedelta(days=2)
    send_id = scheduled_send(live_server, at, "Europe/London")
    before = as_utc(at)

    response = admin.post(f"/admin/sends/{send_id}/reschedule",
                          data={"csrf_token": admin.csrf, "at": "2020-01-06T08:00", "timezone": "Europe/London"})
    assert response.status_code == 422
    assert '<p class="field-error" id="at-error">2020-01-06 08:00 Europe/London is in the past.</p>' in response.text
    assert 'aria-invalid="true" aria-describedby="at-error"' in response.text
    response = admin.post(f"/admin/sends/{send_id}/reschedule",
                          data={"csrf_token": admin.csrf, "at": "2099-01-06T08:00", "timezone": "Mars/Olympus"})
    assert response.status_code == 422 and "Unknown time zone" in response.text
    with transaction(url) as session:
        send = session.get_one(Send, send_id)
        assert (as_utc(send.scheduled_at), send.timezone) == (before, "Europe/London")

    response = admin.post(f"/admin/sends/{send_id}/reschedule",
                          data={"csrf_token": admin.csrf, "at": "2099-01-06T08:00", "timezone": "America/New_York"})
    assert response.status_code == 303
    with transaction(url) as session:
        send = session.get_one(Send, send_id)
        assert (as_utc(send.scheduled_at), send.timezone, send.status) == (
            dt.datetime(2099, 1, 6, 13, 0, tzinfo=dt.UTC), "America/New_York", "scheduled")
    page = admin.get(f"/admin/sends/{send_id}").text
    assert "Rescheduled for 2099-01-06 08:00 America/New_York (2099-01-06 13:00 UTC)." in page

    headers = {"X-CSRF-Token": admin.csrf}
    response = admin.post(f"/api/sends/{send_id}/reschedule", headers=headers,
                          json={"at": "2001-01-01 08:00", "timezone": "UTC"})
    assert response.status_code == 422 and response.json()["detail"] == "2001-01-01 08:00 UTC is in the past"
    response = admin.post(f"/api/sends/{send_id}/reschedule", headers=headers,
                          json={"at": "2099-02-01 09:30", "timezone": "Europe/Madrid"})
    assert response.status_code == 200
    moved = response.json()
    assert (moved["scheduled_local"], moved["scheduled_at"][:16]) == ("2099-02-01 09:30", "2099-02-01T08:30")
    assert admin.post("/api/sends/999/reschedule", headers=headers, json={"at": "2099-02-01 09:30"}).status_code == 404


@SQLITE
def test_a_held_send_is_rescheduled_or_sent_now(live_server, admin):
    url = live_server.settings.database_url
    add_people(url, "weekly", ["a@example.org"])
    late = utcnow() - dt.timedelta(days=2)
    first, second = (scheduled_send(live_server, late, "Europe/Madrid") for _ in range(2))
    assert sweep(settings=live_server.settings, resend_is_harmless=True).held == [first, second]
    page = admin.get(f"/admin/sends/{first}").text
    assert page_status(page) == "held" and "resume it to send now, or cancel it" in page
    assert visible_actions(page) == {"Send now", "Cancel send…"}
    assert '<section class="card" aria-labelledby="reschedule-heading" data-when="scheduled held">' in page

    response = admin.post(f"/admin/sends/{first}/reschedule",
                          data={"csrf_token": admin.csrf, "at": "2099-03-01T10:00", "timezone": "Europe/Madrid"})
    assert response.status_code == 303
    with transaction(url) as session:
        send = session.get_one(Send, first)
        assert (send.status, send.status_reason, as_utc(send.scheduled_at)) == (
            "scheduled", None, dt.datetime(2099, 3, 1, 9, 0, tzinfo=dt.UTC))

    response = admin.post(f"/admin/sends/{second}/resume", data={"csrf_token": admin.csrf})
    assert response.status_code == 303
    assert status_in_db(url, second) == "sending"
    page = admin.get(f"/admin/sends/{second}").text
    assert "Sending now." in page and freezing_shown(page)
    assert sweep(settings=live_server.settings, resend_is_harmless=True).frozen == [second]  # the web queues nothing
    assert counts_in_db(url, second) == {"pending": 1}
    assert not freezing_shown(admin.get(f"/admin/sends/{second}").text)


@SQLITE
def test_a_started_send_cannot_be_rescheduled(live_server, admin, tmp_path):
    send_id, _ = started_send(live_server, tmp_path)
    response = admin.post(f"/admin/sends/{send_id}/reschedule",
                          data={"csrf_token": admin.csrf, "at": "2099-01-06T08:00", "timezone": "UTC"})
    assert response.status_code == 409
    assert "only a scheduled or held send can be rescheduled" in response.text
    response = admin.post(f"/api/sends/{send_id}/reschedule", headers={"X-CSRF-Token": admin.csrf},
                          json={"at": "2099-01-06 08:00", "timezone": "UTC"})
    assert response.status_code == 409
    assert status_in_db(live_server.settings.database_url, send_id) == "sending"


@SQLITE
def test_failed_recipients_are_listed_escaped_and_retried(live_server, admin, tmp_path):
    send_id, settings = started_send(live_server, tmp_path)
    url = settings.database_url
    page = admin.get(f"/admin/sends/{send_id}").text
    table = page.split('id="failed-rows">')[1].split("</tbody>")[0]
    assert "<td>p1@example.org</td>" in table
    assert "<td>&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt; 550 mailbox unavailable</td>" in table  # text
    assert "<script>" not in page.split("<main")[1].split("</main>")[0]
    assert admin.get(f"/api/sends/{send_id}/failed").json() == {
        "send_id": send_id, "total": 1, "recipients": [{"email": "p1@example.org", "error": EVIL}]}

    response = admin.post(f"/admin/sends/{send_id}/retry", data={"csrf_token": admin.csrf})
    assert response.status_code == 303
    assert counts_in_db(url, send_id) == {"accepted": 2, "suppressed": 1, "pending": 3}
    page = admin.get(f"/admin/sends/{send_id}").text
    assert "1 failed recipient queued again." in page
    assert shown_counts(page) == {"pending": 3, "accepted": 2, "failed": 0, "suppressed": 1, "cancelled": 0}
    assert 'id="failed-table" hidden' in page and "No recipient has failed." in page
    assert "Retry failed recipients" not in visible_actions(page)

    # Sent again, the retried recipient is accepted this time.
    with transaction(url) as session:
        batch_ids = pending_batch_ids(session=session, send_id=send_id)
    for batch_id in batch_ids:
        send_batch(settings=settings, provider=RecordingProvider(), batch_id=batch_id)
    progress = admin.get(f"/api/sends/{send_id}").json()
    assert [progress[k] for k in ("status", "accepted", "failed", "pending", "finished")] == ["sent", 5, 0, 0, True]
    response = admin.post(f"/api/sends/{send_id}/retry", headers={"X-CSRF-Token": admin.csrf})
    assert response.status_code == 200 and response.json()["retried"] == 0


@SQLITE
def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(live_server, admin, tmp_path):
    send_id, _ = started_send(live_server, tmp_path)
    url = live_server.settings.database_url
    for data in ({}, {"csrf_token": "forged"}):
        for action in ("pause", "cancel", "retry"):
            response = admin.post(f"/admin/sends/{send_id}/{action}", data=data)
            assert response.status_code == 403, action
            assert "did not come from this site" in response.text
    for headers in ({}, {"X-CSRF-Token": "forged"}):
        for action in ("pause", "cancel", "retry"):
            assert admin.post(f"/api/sends/{send_id}/{action}", headers=headers).status_code == 403
    assert status_in_db(url, send_id) == "sending"
    assert counts_in_db(url, send_id) == {"accepted": 2, "failed": 1, "suppressed": 1, "pending": 2}


@SQLITE
def test_an_unknown_send_is_not_found(live_server, admin):
    assert admin.get("/admin/sends/999").status_code == 404
    assert admin.get("/api/sends/999").status_code == 404
    assert admin.post("/api/sends/999/pause", headers={"X-CSRF-Token": admin.csrf}).status_code == 404


@SQLITE
def test_the_api_documents_its_answers(live_server):
    paths = live_server.client.get("/api/openapi.json").json()["paths"]
    ok = {path: paths[path][method]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
          for path, method in (("/sends", "get"), ("/sends/{send_id}", "get"), ("/sends/{send_id}/retry", "post"),
                               ("/sends/{send_id}/failed", "get"), ("/sends/{send_id}/reschedule", "post"))}
    assert ok == {"/sends": "SendList", "/sends/{send_id}": "ProgressOut", "/sends/{send_id}/retry": "RetryOut",
                  "/sends/{send_id}/failed": "FailedList", "/sends/{send_id}/reschedule": "SendOut"}
    assert "409" in paths["/sends/{send_id}/pause"]["post"]["responses"]


@SQLITE
def test_the_dashboard_updates_in_place_in_a_browser(live_server, admin, tmp_path):
    """send.js: the figures, the status and the buttons follow the send without a reload."""
    from playwright.sync_api import expect, sync_playwright

    from tests.web.test_browser import CHROMIUM, FLAGS

    require(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    send_id, settings = started_send(live_server, tmp_path)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport={"width": 375, "height": 740})
        context.add_cookies([{"name": name, "value": value, "url": live_server.url}
                             for name, value in admin.cookies.items()])
        tab = context.new_page()
        tab.goto(f"{live_server.url}/admin/sends/{send_id}")
        expect(tab.locator('[data-count="accepted"]')).to_have_text("2")
        expect(tab.locator("#send-poll-state")).to_have_text("Updates every 2 seconds.")
        tab.evaluate("window.notReloaded = true")

        with transaction(settings.database_url) as session:
            [batch_id] = pending_batch_ids(session=session, send_id=send_id)
        send_batch(settings=settings, provider=RefusingProvider({"p3@example.org"}), batch_id=batch_id)

        expect(tab.locator("#send-status")).to_have_attribute("data-status", "sent", timeout=8000)
        expect(tab.locator('[data-count="accepted"]')).to_have_text("3")
        expect(tab.locator('[data-count="failed"]')).to_have_text("2")
        expect(tab.locator('[data-count="pending"]')).to_have_text("0")
        expect(tab.locator("#send-meter")).to_have_attribute("value", "6")
        expect(tab.get_by_role("button", name="Pause")).to_be_hidden()
        expect(tab.get_by_role("button", name="Retry failed recipients")).to_be_visible()
        expect(tab.locator("#failed-rows tr")).to_have_count(2)  # the table follows the count
        expect(tab.locator("#failed-rows")).to_contain_text("<script>alert('owned')</script>")  # as text
        expect(tab.locator("#send-poll-state")).to_have_text("This send is finished.")
        assert tab.evaluate("window.notReloaded") is True
        tab.screenshot(path=tmp_path / "send-dashboard.png", full_page=True)
        browser.close()

