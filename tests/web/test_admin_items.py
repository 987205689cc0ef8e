"""Signing in, roles, CSRF, and the item inbox, through the real web server."""

import pytest

from tests.web.conftest import PASSWORD, add_user, csrf_of

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@SQLITE
def test_pages_need_a_signed_in_user(live_server):
    response = live_server.client.get("/admin/items")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/admin/items"


@SQLITE
def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(live_server):
    add_user(live_server.settings, "ed@example.org")
    client = live_server.client
    token = csrf_of(client.get("/login").text)
    for email, password in (("ed@example.org", "wrong password!"), ("nobody@example.org", PASSWORD)):
        response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
        assert response.status_code == 400
        assert "That address and password do not match an account." in response.text


@SQLITE
def test_a_form_without_the_csrf_token_is_refused(live_server, editor):
    response = editor.post("/admin/items/new", data={"url": "https://example.org/a", "headline": "A"})
    assert response.status_code == 403
    response = editor.post("/admin/items/new", data={"url": "https://example.org/a", "headline": "A",
                                                     "csrf_token": "forged"})
    assert response.status_code == 403
    assert "did not come from this site" in response.text
    assert "A" not in [row["headline"] for row in editor.get("/api/items").json()["items"]]


def test_add_search_and_edit_items(live_server, editor):
    for headline, tags in (("Court frees <b>reporters</b>", "press, courts"), ("Flood relief blocked", "aid")):
        response = editor.post("/admin/items/new", data={
            "url": "https://example.org/" + tags[:3], "headline": headline, "blurb": "", "tags": tags,
            "language": "en", "csrf_token": editor.csrf})
        assert response.status_code == 303
    page = editor.get("/admin/items?q=press").text.split("<tbody>")[1]
    assert "Court frees &lt;b&gt;reporters&lt;/b&gt;" in page  # escaped, never markup
    assert "Flood relief" not in page
    assert "no blurb" in page

    [item] = editor.get("/api/items", params={"q": "flood"}).json()["items"]
    response = editor.post(f"/admin/items/{item['id']}", data={
        "url": "javascript:alert(1)", "headline": "Flood relief blocked", "csrf_token": editor.csrf})
    assert response.status_code == 422
    assert "Must be an absolute http:// or https:// URL" in response.text
    assert editor.get(f"/api/items/{item['id']}").json()["url"] == "https://example.org/aid"  # unchanged


@SQLITE
def test_signing_out_ends_the_session_and_every_copy_of_its_cookie(live_server, editor):
    import httpx

    copy = httpx.Client(base_url=live_server.url, cookies=dict(editor.cookies))
    assert copy.get("/admin/items").status_code == 200
    response = editor.post("/logout", data={"csrf_token": editor.csrf})
    assert response.status_code == 303
    assert editor.get("/admin/items").status_code == 303
    assert copy.get("/admin/items").status_code == 303  # a stolen cookie dies with the session
    copy.close()
