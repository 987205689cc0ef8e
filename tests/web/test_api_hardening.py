"""What a hostile or careless client can send, through the real HTTP stack: bodies refused
before they are read, numbers past the database's integers, JSON of the wrong types, text
too long or carrying invisible formatting characters. Every answer is a 4xx, never a 500."""

import json
import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select

from newsletter.accounts import create_api_token
from newsletter.db import transaction
from newsletter.db.models import Subscriber, User
from tests.conftest import make_settings
from tests.fakes.sendgrid import FakeSendGrid
from tests.web.conftest import add_user, csrf_of, free_port, start_server

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
TOO_BIG = "99999999999999999999"  # past 64 bits
RLO, LRI, PDI, ZWSP, BOM, RLM = "\u202e", "\u2066", "\u2069", "\u200b", "\ufeff", "\u200f"


@pytest.fixture
def api(live_server) -> httpx.Client:
    """A client with an admin's API token."""
    user_id = add_user(live_server.settings, "root@example.org", "admin")
    with transaction(live_server.settings.database_url) as session:
        token = create_api_token(session=session, user_id=user_id, name="probe")
    # A new connection each time: a refused body leaves the connection unusable.
    with httpx.Client(base_url=live_server.url, timeout=20,
                      headers={"Authorization": f"Bearer {token}", "Connection": "close"}) as client:
        yield client


def first_line_while_sending(url: str, path: str, headers: dict[str, str], declared: int) -> str | None:
    """Send ``path`` the headers of a POST whose body is ``declared`` bytes long, and only its
    first 64 KB; the status line the server answers with before the rest, or None when it
    waits for the rest (it means to read the whole body first)."""
    parts = urlsplit(url)
    lines = [f"POST {path} HTTP/1.1", f"Host: {parts.netloc}", f"Content-Length: {declared}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    with socket.create_connection((parts.hostname, parts.port), timeout=3) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + b"x" * 65536)
        try:
            return sock.recv(4096).split(b"\r\n", 1)[0].decode()
        except TimeoutError:
            return None


MULTIPART = {"Content-Type": "multipart/form-data; boundary=b0undary"}


@SQLITE
def test_an_upload_without_valid_credentials_is_refused_before_its_body_is_read(live_server):
    fifty_mb = 50 * 1024 * 1024  # under the upload cap (100 MB): only the missing credentials refuse it
    path = "/api/lists/weekly/import"
    assert first_line_while_sending(live_server.url, path, MULTIPART, fifty_mb) == "HTTP/1.1 401 Unauthorized"
    forged = MULTIPART | {"Authorization": "Bearer nl_not-a-real-token"}
    assert first_line_while_sending(live_server.url, path, forged, fifty_mb) == "HTTP/1.1 401 Unauthorized"
    json_body = {"Content-Type": "application/json"}
    assert first_line_while_sending(live_server.url, "/api/items", json_body, 900_000) == "HTTP/1.1 401 Unauthorized"


@SQLITE
def test_an_anonymous_form_or_json_body_is_capped_at_a_megabyte(live_server):
    two_mb = "x" * (2 * 1024 * 1024)
    response = httpx.post(f"{live_server.url}/login", data={"email": "a@example.org", "password": two_mb})
    assert response.status_code == 413 and "larger than 1 MB" in response.text
    response = httpx.post(f"{live_server.url}/api/items", content=json.dumps({"blurb": two_mb}),
                          headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json() == {"detail": "the request is larger than the limit of 1 MB"}


@pytest.fixture
def webhook(tmp_path, database_url):
    """The web app with SendGrid's webhook on, and a fake SendGrid that signs events for it."""
    signer = FakeSendGrid()
    settings = make_settings(tmp_path, database_url=database_url, base_url=f"http://127.0.0.1:{free_port()}",
                             sendgrid_webhook_public_key=signer.public_key)
    server, thread = start_server(settings)
    yield settings, signer
    server.should_exit = True
    thread.join(timeout=10)
    signer.server.server_close()


def signed_headers(signer: FakeSendGrid, payload: bytes) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {"X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
            "X-Twilio-Email-Event-Webhook-Signature": signer.sign(payload, timestamp), "Connection": "close"}


@SQLITE
def test_the_webhook_checks_its_headers_before_the_body_and_caps_the_body(webhook):
    settings, signer = webhook
    four_mb = 4 * 1024 * 1024  # under the webhook's cap (5 MB)
    assert first_line_while_sending(settings.base_url, "/webhooks/sendgrid", {}, four_mb) == "HTTP/1.1 403 Forbidden"
    stale = {"X-Twilio-Email-Event-Webhook-Timestamp": "1", "X-Twilio-Email-Event-Webhook-Signature": "c2ln"}
    assert first_line_while_sending(settings.base_url, "/webhooks/sendgrid", stale, four_mb) == "HTTP/1.1 403 Forbidden"

    events = [{"event": "bounce", "type": "bounce", "email": f"r{n}@example.org", "reason": "x" * 100}
              for n in range(40_000)]
    payload = json.dumps(events).encode()
    assert len(payload) > 5 * 1024 * 1024
    url = f"{settings.base_url}/webhooks/sendgrid"
    assert httpx.post(url, content=payload, headers=signed_headers(signer, payload)).status_code == 413

    def chunks():  # no Content-Length: counted as it arrives
        for start in range(0, len(payload), 256 * 1024):
            yield payload[start:start + 256 * 1024]

    assert httpx.post(url, content=chunks(), headers=signed_headers(signer, payload)).status_code == 413


def test_webhook_events_that_cannot_be_applied_are_skipped_and_the_rest_applied(webhook, caplog):
    settings, signer = webhook
    with transaction(settings.database_url) as session:
        session.add_all([Subscriber(email="gone@example.org", attributes={}),
                         Subscriber(email="kept@example.org", attributes={})])
    bad = [
        {"event": "bounce", "type": "bounce", "email": "kept@example.org", "nl_batch": "²"},
        {"event": "bounce", "type": "bounce", "email": "kept@example.org", "nl_batch": "9" * 5000},
        {"event": "bounce", "type": "bounce", "email": "kept@example.org", "nl_delivery": TOO_BIG},
        {"event": "delivered", "email": "kept@example.org", "nl_send": "1", "nl_batch": "1", "nl_delivery": "1",
         "sg_message_id": "m" * 5000},
        {"event": ["bounce"], "email": "kept@example.org"},
        {"event": "bounce", "email": 42},
        "not an event", 7, None,
    ]
    payload = json.dumps(bad + [{"event": "bounce", "type": "bounce", "email": "gone@example.org"}]).encode()
    url = f"{settings.base_url}/webhooks/sendgrid"
    response = httpx.post(url, content=payload, headers=signed_headers(signer, payload))
    assert response.status_code == 200, response.text
    assert response.json() == {"recorded": 1, "repeated": 0, "confirmed_batches": 0, "suppressed_addresses": 1}
    with transaction(settings.database_url) as session:
        statuses = dict(session.execute(select(Subscriber.email, Subscriber.status)).all())
    assert statuses == {"gone@example.org": "bounced", "kept@example.org": "active"}
    assert sum("skipped the SendGrid event" in r.getMessage() for r in caplog.records) == len(bad)

    for body in (b'{"event": "bounce"}', b"[" * 100_000 + b"]" * 100_000, b"not json"):
        response = httpx.post(url, content=body, headers=signed_headers(signer, body))
        assert response.status_code == 400, (body[:20], response.status_code)


@SQLITE
def test_ids_past_the_database_integers_are_bad_requests_not_errors(live_server, api, admin):
    for path in ("/api/issues/", "/api/items/", "/api/sends/", "/api/imports/"):
        response = api.get(path + TOO_BIG)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["detail"][0]["loc"] == ["path", path.split("/")[2][:-1] + "_id"]
    assert api.get("/api/issues/2147483648").status_code == 422  # PostgreSQL's INTEGER ends at 2**31 - 1
    assert api.get("/api/issues/2147483647").status_code == 404
    assert api.get("/api/sends/1/failed", params={"limit": TOO_BIG}).status_code == 422
    assert api.get("/api/lists/weekly/subscribers", params={"offset": TOO_BIG}).status_code == 422
    assert api.post("/api/issues/1/approve", json={"version": int(TOO_BIG)}).status_code == 422
    issue = api.post("/api/issues", json={"title": "Brief", "date": "2026-01-02"}).json()
    save = {"title": "Brief", "date": "2026-01-02", "version": issue["version"],
            "sections": [{"item_ids": [int(TOO_BIG)]}]}
    assert api.put(f"/api/issues/{issue['id']}", json=save).status_code == 422
    for path in ("/admin/issues/", "/admin/items/", "/admin/sends/", "/admin/users/"):
        assert admin.get(path + TOO_BIG).status_code == 400, path
    assert admin.get("/admin/lists/weekly", params={"page": TOO_BIG}).status_code == 400


@SQLITE
def test_json_of_the_wrong_types_is_a_422_that_says_where(api):
    item = {"url": "https://example.org/a", "headline": "A story"}
    for tags in ([1], None, [["nested"]], {"a": 1}, 5):
        response = api.post("/api/items", json=item | {"tags": tags})
        assert response.status_code == 422, (tags, response.text)
        assert response.json()["detail"][0]["loc"][:2] == ["body", "tags"]
    for bad in ({"headline": None}, {"headline": 5}, {"url": ["https://example.org"]}, {"language": 7}):
        assert api.post("/api/items", json=item | bad).status_code == 422, bad
    deep = "[" * 100_000 + "]" * 100_000
    response = api.post("/api/items", content=deep, headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500
    assert api.post("/api/items", json=[item]).status_code == 422


def test_text_fields_and_searches_are_bounded_like_their_columns(api, admin):
    item = {"url": "https://example.org/a", "headline": "A story"}
    for field, value in (("url", "https://example.org/" + "a" * 2000), ("image_url", "https://e.org/" + "i" * 2000),
                         ("headline", "h" * 301), ("blurb", "b" * 3001), ("source", "s" * 201),
                         ("language", "en" + "-abcd" * 5), ("tags", ["t" * 41]), ("tags", [f"t{n}" for n in range(13)])):
        response = api.post("/api/items", json=item | {field: value})
        assert response.status_code == 422, (field, response.text)
        assert response.json()["detail"][0]["loc"][:2] == ["body", field]
    assert api.post("/api/items", json=item | {"url": "https://example.org/" + "a" * 1970}).status_code == 201

    twenty_one = " ".join(f"word{n}" for n in range(21))
    assert api.get("/api/items", params={"q": twenty_one}).status_code == 422
    assert api.get("/api/items", params={"q": "x" * 201}).status_code == 422
    assert api.get("/api/items", params={"q": " ".join(f"w{n}" for n in range(20))}).status_code == 200
    assert admin.get("/admin/items", params={"q": twenty_one}).status_code == 400

    issue = {"title": "t" * 201, "date": "2026-01-02"}
    assert api.post("/api/issues", json=issue).status_code == 422
    assert api.post("/api/lists", json={"name": "n", "title": "t" * 201}).status_code == 422
    assert api.post("/api/lists/weekly/subscribers", json={"email": "a@example.org", "name": "n" * 201}).status_code == 422
    assert api.get("/api/lists/" + "l" * 101 + "/subscribers").status_code == 422
    schedule = {"lists": ["weekly"] * 21}
    assert api.post("/api/issues/1/schedule", json=schedule).status_code == 422
    assert api.post("/api/issues/1/schedule", json={"lists": ["weekly"], "timezone": "Z" * 61}).status_code == 422


def test_invisible_formatting_characters_leave_one_line_fields_and_stay_in_paragraphs(live_server, api, admin):
    spoof = f"Invoice{RLO}fdp.exe"
    response = api.post("/api/items", json={
        "url": "https://example.org/a", "headline": spoof, "source": f"{LRI}Reuters{PDI}",
        "image_url": "https://example.org/i.png", "image_alt": f"{ZWSP}A map{BOM}",
        "tags": [f"asia{RLM}"], "blurb": f"Who said it{RLM}: the ministry.",
    })
    assert response.status_code == 201, response.text
    item = response.json()
    assert (item["headline"], item["source"], item["image_alt"], item["tags"]) == (
        "Invoicefdp.exe", "Reuters", "A map", ["asia"])
    assert item["blurb"] == f"Who said it{RLM}: the ministry."  # paragraphs keep them: some languages need them

    arabic = "حقوق الإنسان في العالم"  # right-to-left text itself is untouched
    response = api.post("/api/items", json={"url": "https://example.org/ar", "headline": arabic, "language": "ar"})
    assert response.status_code == 201 and response.json()["headline"] == arabic
    persian = "می\u200cخواهم"  # ZWNJ: Persian needs it
    assert api.post("/api/items", json={"url": "https://example.org/fa", "headline": persian}).json()[
        "headline"] == persian
    assert api.post("/api/items", json={"url": f"https://example.org/{RLO}exe.pdf", "headline": "x"}).status_code == 422

    issue = api.post("/api/issues", json={"title": f"The{RLO} Brief", "date": "2026-01-02",
                                          "subject": f"{RLO}Hello", "preheader": f"Read{ZWSP}this"}).json()
    assert (issue["title"], issue["subject"], issue["preheader"]) == ("The Brief", "Hello", "Readthis")
    assert api.post("/api/lists", json={"name": "daily", "title": f"Daily{RLO}"}).json()["title"] == "Daily"
    added = api.post("/api/lists/weekly/subscribers", json={"email": "eve@example.org", "name": f"Eve{RLO}nimda"})
    assert added.status_code == 200, added.text
    found = api.get("/api/lists/weekly/subscribers", params={"q": "eve"}).json()["subscribers"]
    assert [m["name"] for m in found] == ["Evenimda"]

    response = admin.post("/admin/users", data={"csrf_token": admin.csrf, "email": "mal@example.org",
                                                "name": f"Mal{RLO}nimda", "role": "editor",
                                                "password": "a long enough password"})
    assert response.status_code == 303, response.text
    with transaction(live_server.settings.database_url) as session:
        assert session.scalar(select(User.name).where(User.email == "mal@example.org")) == "Malnimda"


def test_a_nul_character_never_reaches_the_database(live_server, api, admin):
    # PostgreSQL can neither store nor compare a NUL: each of these was a 500 there.
    for path in ("/api/lists/a%00b/subscribers", "/api/lists/a%00/export.csv", "/api/items?q=a%00",
                 "/api/lists/weekly/subscribers?q=%00"):
        response = api.get(path)
        assert response.status_code == 400, path
        assert response.json() == {"detail": "the address contains a NUL character (%00)"}
    assert admin.get("/admin/lists/weekly", params={"q": "a\x00"}).status_code == 400
    assert live_server.client.get("/archive/a%00").status_code == 400
    assert api.post("/api/issues/1/schedule", json={"lists": ["a\x00"]}).status_code == 422

    with httpx.Client(base_url=live_server.url) as stranger:
        token = csrf_of(stranger.get("/login").text)
        response = stranger.post("/login", data={"email": "ad\x00@example.org", "password": "x", "csrf_token": token})
    assert response.status_code == 400 and "That address and password do not match an account." in response.text
