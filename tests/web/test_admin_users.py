"""The users page and the account page with API tokens, through the real web server."""

import re

import httpx
import pytest
from sqlalchemy import select

from newsletter.accounts import change_user
from newsletter.db import transaction
from newsletter.db.models import User
from newsletter.errors import ContentError
from tests.web.conftest import PASSWORD, add_user, csrf_of, sign_in

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def user_rows(html: str) -> list[tuple[str, str, str]]:
    """(name, email, role) of each row of the users table, as HTML."""
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [(re.sub(r"<[^>]+>", "", name).strip(), email, role) for name, email, role in re.findall(
        r"<tr>\s*<td>(.*?)</td>\s*<td[^>]*>(.*?)</td>\s*<td>(.*?)</td>", body, re.S)]


def new_token(html: str) -> str:
    match = re.search(r'<input id="new-token" type="text" readonly value="(nl_[^"]+)"', html)
    assert match, "the page shows no new token"
    return match.group(1)


def can_sign_in(server, email: str, password: str) -> bool:
    with httpx.Client(base_url=server.url, timeout=20) as client:
        token = csrf_of(client.get("/login").text)
        response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
        return response.status_code == 303


def test_an_admin_adds_an_editor_who_can_then_sign_in(live_server, admin):
    response = admin.post("/admin/users", data={
        "email": "Nadia@Example.org", "name": "Nadia <script>alert(1)</script>", "role": "editor",
        "password": "a long enough secret", "csrf_token": admin.csrf})
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/users"
    page = admin.get("/admin/users").text
    assert "Added nadia@example.org as an editor." in page
    assert ("Nadia &lt;script&gt;alert(1)&lt;/script&gt;", "nadia@example.org", "editor") in user_rows(page)
    assert "<script>" not in page

    nadia = sign_in(live_server, "nadia@example.org", "a long enough secret")
    assert nadia.get("/admin/items").status_code == 200
    assert nadia.get("/admin/users").status_code == 403  # an editor, not an admin
    nadia.close()


@SQLITE
def test_the_services_errors_are_shown_by_their_fields(live_server, admin):
    response = admin.post("/admin/users", data={"email": "short@example.org", "name": "Short", "role": "editor",
                                                "password": "too short", "csrf_token": admin.csrf})
    assert response.status_code == 422
    assert re.search(r'id="password" name="password" type="password"[^>]*aria-invalid="true" '
                     r'aria-describedby="password-error"', response.text)
    assert '<p class="field-error" id="password-error">A password needs at least 12 characters.</p>' in response.text
    assert 'value="short@example.org"' in response.text  # the form keeps what was typed...
    assert "too short" not in response.text  # ...but never the password
    assert not can_sign_in(live_server, "short@example.org", "too short")

    response = admin.post("/admin/users", data={"email": "ad@example.org", "name": "Again", "role": "admin",
                                                "password": "a long enough secret", "csrf_token": admin.csrf})
    assert response.status_code == 422
    assert '<p class="field-error" id="email-error">There is already a user ad@example.org.</p>' in response.text

    response = admin.post("/admin/users", data={"email": "x@example.org", "name": "X", "role": "owner",
                                                "password": "a long enough secret", "csrf_token": admin.csrf})
    assert response.status_code == 422
    assert 'id="role-error">Role must be one of editor, admin' in response.text
    assert [row[1] for row in user_rows(admin.get("/admin/users").text)] == ["ad@example.org"]


@SQLITE
def test_only_admins_reach_the_users_page(live_server, editor, admin):
    assert editor.get("/admin/users").status_code == 403
    response = editor.post("/admin/users", data={"email": "mallory@example.org", "name": "Mallory",
                                                 "role": "admin", "password": "a long enough secret",
                                                 "csrf_token": editor.csrf})
    assert response.status_code == 403
    assert "Only an admin can do this." in response.text
    for path in ("/admin/users", "/admin/account"):
        response = live_server.client.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={path}"
    assert live_server.client.post("/admin/users", data={"email": "m@example.org"}).status_code == 303
    assert [row[1] for row in user_rows(admin.get("/admin/users").text)] == ["ad@example.org", "ed@example.org"]
    assert editor.get("/admin/account").status_code == 200  # every user has an account page


@SQLITE
def test_forms_without_the_csrf_token_change_nothing(live_server, admin):
    response = admin.post("/admin/users", data={"email": "mallory@example.org", "name": "Mallory", "role": "admin",
                                                "password": "a long enough secret"})
    assert response.status_code == 403
    assert "did not come from this site" in response.text
    response = admin.post("/admin/account/tokens", data={"name": "stolen", "csrf_token": "forged"})
    assert response.status_code == 403
    page = admin.get("/admin/account").text
    assert "stolen" not in page and "You have no API tokens." in page
    assert [row[1] for row in user_rows(admin.get("/admin/users").text)] == ["ad@example.org"]
    assert not can_sign_in(live_server, "mallory@example.org", "a long enough secret")


def test_an_api_token_is_shown_once_works_and_stops_working_when_revoked(live_server, admin):
    response = admin.post("/admin/account/tokens", data={"name": "nightly <import>", "csrf_token": admin.csrf})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "it will not be shown again" in response.text
    assert "nightly &lt;import&gt;" in response.text
    token = new_token(response.text)
    account = admin.get("/admin/account").text
    assert token not in account  # once only
    assert "nightly &lt;import&gt;" in account

    with httpx.Client(base_url=live_server.url, timeout=20, headers={"Authorization": f"Bearer {token}"}) as script:
        response = script.get("/api/lists")
        assert response.status_code == 200
        assert [row["name"] for row in response.json()["lists"]] == ["weekly", "weekly-es"]
        # No CSRF with a bearer token: there is no cookie to ride on.
        response = script.post("/api/lists", json={"name": "from-script"})
        assert response.status_code == 201
        assert "<td>never</td>" in account
        assert re.search(r"<td>nightly &lt;import&gt;</td>.*?<td>\d{4}-\d\d-\d\d \d\d:\d\d</td>",
                         admin.get("/admin/account").text, re.S)
        # A token cannot mint or revoke tokens.
        assert script.post("/admin/account/tokens", data={"name": "more"}).status_code == 403

        token_id = re.search(r'action="/admin/account/tokens/(\d+)/revoke"', account).group(1)
        response = admin.post(f"/admin/account/tokens/{token_id}/revoke", data={"csrf_token": admin.csrf})
        assert response.status_code == 303
        assert "The token is revoked" in admin.get("/admin/account").text

        response = script.get("/api/lists")
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
    assert "from-script" in [row["name"] for row in admin.get("/api/lists").json()["lists"]]


@SQLITE
def test_an_editors_token_is_an_editors(live_server, editor, admin):
    token = new_token(editor.post("/admin/account/tokens", data={"name": "cms", "csrf_token": editor.csrf}).text)
    with httpx.Client(base_url=live_server.url, timeout=20, headers={"Authorization": f"Bearer {token}"}) as script:
        assert script.get("/api/items").status_code == 200
        assert script.get("/api/lists").status_code == 403

    # Nobody can revoke another user's token.
    token_id = re.search(r'action="/admin/account/tokens/(\d+)/revoke"', editor.get("/admin/account").text).group(1)
    assert "cms" not in admin.get("/admin/account").text
    response = admin.post(f"/admin/account/tokens/{token_id}/revoke", data={"csrf_token": admin.csrf})
    assert response.status_code == 404
    with httpx.Client(base_url=live_server.url, timeout=20, headers={"Authorization": f"Bearer {token}"}) as script:
        assert script.get("/api/items").status_code == 200


@SQLITE
def test_a_token_needs_a_name(live_server, editor):
    response = editor.post("/admin/account/tokens", data={"name": "  ", "csrf_token": editor.csrf})
    assert response.status_code == 422
    assert 'aria-invalid="true" aria-describedby="name-error"' in response.text
    assert 'id="new-token"' not in response.text
    assert "You have no API tokens." in response.text


def test_a_deactivated_user_is_signed_out_everywhere_and_their_token_stops_working(live_server, admin):
    user_id = add_user(live_server.settings, "temp@example.org", "editor", "Temp Editor")
    temp = sign_in(live_server, "temp@example.org", PASSWORD)
    token = new_token(temp.post("/admin/account/tokens", data={"name": "t", "csrf_token": temp.csrf}).text)
    script = httpx.Client(base_url=live_server.url, timeout=20, headers={"Authorization": f"Bearer {token}"})
    assert script.get("/api/items").status_code == 200

    response = admin.post(f"/admin/users/{user_id}/deactivate", data={"csrf_token": admin.csrf})
    assert (response.status_code, response.headers["location"]) == (303, f"/admin/users/{user_id}")
    page = admin.get(f"/admin/users/{user_id}").text
    assert "temp@example.org is deactivated: signed out everywhere" in page and ">Reactivate Temp Editor<" in page
    assert temp.get("/admin/items").headers.get("location", "").startswith("/login")  # the open session ended
    assert script.get("/api/items").status_code == 401
    assert not can_sign_in(live_server, "temp@example.org", PASSWORD)
    assert "deactivated" in admin.get("/admin/users").text

    assert admin.post(f"/admin/users/{user_id}/reactivate", data={"csrf_token": admin.csrf}).status_code == 303
    assert can_sign_in(live_server, "temp@example.org", PASSWORD)  # with the password they had
    assert script.get("/api/items").status_code == 200
    temp.close()
    script.close()


@SQLITE
def test_nobody_locks_themselves_out_and_the_last_admin_stays_one(live_server, admin):
    own_id = next(u.id for u in users(live_server) if u.email == "ad@example.org")
    own_page = admin.get(f"/admin/users/{own_id}").text
    assert "This is you." in own_page and "/deactivate" not in own_page and "/role" not in own_page
    yourself = "You cannot change your own role or deactivate yourself; ask another admin."
    for action, data, message in (
        ("deactivate", {}, yourself), ("role", {"role": "editor"}, yourself),
        ("password", {"password": "x" * 20}, "Change your own password with `newsletter users password`, not here."),
    ):
        response = admin.post(f"/admin/users/{own_id}/{action}", data={"csrf_token": admin.csrf, **data})
        assert response.status_code == 409 and f'<p class="alert" role="alert">{message}</p>' in response.text, action

    other_id = add_user(live_server.settings, "bea@example.org", "editor", "Bea")
    assert admin.post(f"/admin/users/{other_id}/role", data={"csrf_token": admin.csrf, "role": "admin"}) \
        .headers["location"] == f"/admin/users/{other_id}"
    assert "bea@example.org is now an admin." in admin.get(f"/admin/users/{other_id}").text
    bea = sign_in(live_server, "bea@example.org")
    assert bea.get("/admin/users").status_code == 200  # the new role holds at once
    response = bea.post(f"/admin/users/{own_id}/role", data={"csrf_token": bea.csrf, "role": "editor"})
    assert response.status_code == 303
    assert admin.get("/admin/users").status_code == 403  # Ada is an editor now
    response = bea.post(f"/admin/users/{own_id}/role", data={"csrf_token": bea.csrf, "role": "owner"})
    assert response.status_code == 409 and "Role must be one of editor, admin" in response.text
    last_admin = pytest.raises(ContentError, match="bea@example.org is the only active admin")
    with transaction(live_server.settings.database_url) as session, last_admin:  # only Bea could act now
        change_user(session=session, user_id=other_id, by_user_id=own_id, active=False)
    bea.close()


@SQLITE
def test_an_admin_gives_a_user_who_forgot_theirs_a_new_password(live_server, admin):
    user_id = add_user(live_server.settings, "forgot@example.org", "editor")
    forgetful = sign_in(live_server, "forgot@example.org")
    response = admin.post(f"/admin/users/{user_id}/password", data={"csrf_token": admin.csrf, "password": "short"})
    assert response.status_code == 422
    assert '<p class="field-error" id="password-error">A password needs at least 12 characters.</p>' in response.text
    assert can_sign_in(live_server, "forgot@example.org", PASSWORD)

    response = admin.post(f"/admin/users/{user_id}/password",
                          data={"csrf_token": admin.csrf, "password": "a brand new passphrase"})
    assert response.status_code == 303
    assert "forgot@example.org has a new password and is signed out everywhere." in admin.get(
        f"/admin/users/{user_id}").text
    assert forgetful.get("/admin/items").headers.get("location", "").startswith("/login")
    assert not can_sign_in(live_server, "forgot@example.org", PASSWORD)
    assert can_sign_in(live_server, "forgot@example.org", "a brand new passphrase")
    assert admin.get("/admin/users/999").status_code == 404
    forgetful.close()


def users(live_server) -> list[User]:
    with transaction(live_server.settings.database_url) as session:
        found = list(session.scalars(select(User)))
        session.expunge_all()
    return found


@SQLITE
def test_an_admins_api_token_cannot_manage_users(live_server, admin):
    """A leaked token must not make a user, or give one a password, to sign in as."""
    token = new_token(admin.post("/admin/account/tokens", data={"name": "script", "csrf_token": admin.csrf}).text)
    other_id = add_user(live_server.settings, "bea@example.org", "editor")
    with httpx.Client(base_url=live_server.url, timeout=20, headers={"Authorization": f"Bearer {token}"}) as script:
        assert script.get("/api/lists").status_code == 200  # the token works...
        attempts = [
            script.post("/admin/users", data={"email": "evil@example.org", "name": "Evil", "role": "admin",
                                              "password": "a long enough secret"}),
            script.post(f"/admin/users/{other_id}/password", data={"password": "a long enough secret"}),
            script.post(f"/admin/users/{other_id}/role", data={"role": "admin"}),
            script.post(f"/admin/users/{other_id}/deactivate"),
        ]
    assert [a.status_code for a in attempts] == [403] * 4  # ...but not for these
    assert "Users can only be managed after signing in with your password." in attempts[0].text
    assert not can_sign_in(live_server, "evil@example.org", "a long enough secret")
    assert can_sign_in(live_server, "bea@example.org", PASSWORD)
