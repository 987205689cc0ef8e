"""The lists pages and /api/lists through the real web server: creating lists, importing CSV
with its report of rejected rows, searching members, exporting, roles and CSRF."""

import csv
import io
import re

import httpx
import pytest

from newsletter.db import transaction
from newsletter.db.models import utcnow
from newsletter.subscribers import create_list
from newsletter.subscribers.imports import imports_to_run, run_import
from tests.conftest import make_settings
from tests.web.conftest import LiveServer, add_user, free_port, sign_in, start_server

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

# Line numbers are the file's: the header is line 1, and the quoted name on lines 8-9 spans two.
UPLOAD = (
    "email,name,language,city\n"                              # 1
    "ana@example.org,Ana,en,Lima\n"                           # 2
    "not-an-address,Bad,en,\n"                                # 3 rejected: no @
    'ben@example.org,"Ben <script>alert(1)</script>",es,\n'   # 4
    "ANA@example.org,Ana again,en,\n"                         # 5 rejected: duplicate of line 2
    "cy@example.org,Cy,english,\n"                            # 6 rejected: language
    "dee@example.org,Dee,,Quito\n"                            # 7
    '"eve@example.org","Eve\n'                                # 8 rejected: a line break in the name
    'Smith",en,\n'                                            # 9
    "<script>alert(2)</script>,X,en,\n"                       # 10 rejected
    "\n"                                                      # 11 blank: not a row
    "fay@example.org,Fay,pt-BR,\n"                            # 12
)


def rejected_rows(html: str) -> dict[int, tuple[str, str]]:
    """The report's rejected rows: {line: (email cell, reason cell)} as HTML."""
    table = html.split('id="rejected-heading"')[1].split("</table>")[0]
    return {int(line): (email, reason) for line, email, reason in re.findall(
        r'<tr><td class="num">(\d+)</td><td[^>]*>(.*?)</td><td>(.*?)</td></tr>', table)}


def member_emails(html: str) -> list[str]:
    """The addresses in the members table of a list page."""
    if 'aria-labelledby="members-heading"' not in html:
        return []
    table = html.split('aria-labelledby="members-heading"')[1].split("</table>")[0]
    return re.findall(r'<td style="overflow-wrap:anywhere">([^<]*)</td>', table)


def upload(client: httpx.Client, list_name: str, content: str, *, confirmed: bool, token: str | None = None,
           filename: str = "people.csv") -> httpx.Response:
    """Upload a CSV on the list page (queued for a worker; the answer redirects to the list)."""
    data = {"csrf_token": client.csrf if token is None else token}
    if confirmed:
        data["confirmed"] = "yes"
    return client.post(f"/admin/lists/{list_name}/import", data=data,
                       files={"file": (filename, content.encode(), "text/csv")})


def run_imports(settings) -> list[int]:
    """What a worker does with the imports the sweep hands it: run each; their ids."""
    with transaction(settings.database_url) as session:
        import_ids = imports_to_run(session=session, settings=settings, now=utcnow())
    for import_id in import_ids:
        run_import(settings=settings, import_id=import_id)
    return import_ids


def imported(client: httpx.Client, settings, list_name: str, content: str, **options) -> str:
    """Upload a CSV, let a worker import it, and return the list page, which shows the report."""
    response = upload(client, list_name, content, **options)
    assert response.status_code == 303, response.text
    assert len(run_imports(settings)) == 1
    return client.get(response.headers["location"]).text


def test_an_admin_creates_a_list_imports_a_csv_searches_and_exports(live_server, admin):
    response = admin.post("/admin/lists", data={"name": "daily", "title": "The <script>alert(0)</script> Daily",
                                                "csrf_token": admin.csrf})
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/lists/daily"
    index = admin.get("/admin/lists").text
    assert '<a href="/admin/lists/daily">daily</a>' in index
    assert "The &lt;script&gt;alert(0)&lt;/script&gt; Daily" in index
    assert "<script>" not in index

    response = upload(admin, "daily", UPLOAD, confirmed=True)
    assert (response.status_code, response.headers["location"]) == (303, "/admin/lists/daily")
    queued = admin.get("/admin/lists/daily").text
    assert "people.csv is uploaded; this page follows its import." in queued
    assert "<h2 id=\"import-heading\">Importing people.csv</h2>" in queued and "Waiting for a worker." in queued
    assert '<script src="/static/import.js" defer></script>' in queued
    assert run_imports(live_server.settings) == [1]
    page = admin.get("/admin/lists/daily").text
    assert "9 rows: 4 accepted, 5 rejected." in page and "import.js" not in page
    rejected = rejected_rows(page)
    assert sorted(rejected) == [3, 5, 6, 8, 10]
    assert rejected[3][0] == "not-an-address"
    assert rejected[5][1] == "Duplicate of line 2"
    assert "english" in rejected[6][1]
    assert rejected[8][1] == "Name must be a single line (no line breaks)"
    assert rejected[10][0] == "&lt;script&gt;alert(2)&lt;/script&gt;"  # escaped, never markup
    assert "<script>" not in page

    members = admin.get("/admin/lists/daily").text
    assert member_emails(members) == ["ana@example.org", "ben@example.org", "dee@example.org", "fay@example.org"]
    assert "4 members." in members
    found = admin.get("/admin/lists/daily", params={"q": "BEN <SCRIPT"}).text  # by name, any case
    assert member_emails(found) == ["ben@example.org"]
    assert "Ben &lt;script&gt;alert(1)&lt;/script&gt;" in found
    assert "<script>" not in found
    assert member_emails(admin.get("/admin/lists/daily", params={"q": "fay@"}).text) == ["fay@example.org"]
    assert member_emails(admin.get("/admin/lists/daily", params={"status": "pending"}).text) == []
    assert "No member matches" in admin.get("/admin/lists/daily", params={"q": "zed"}).text

    response = admin.get("/admin/lists/daily/export.csv", params={"status": "confirmed"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="daily-confirmed.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["email"], r["status"], r["city"]) for r in rows] == [
        ("ana@example.org", "confirmed", "Lima"), ("ben@example.org", "confirmed", ""),
        ("dee@example.org", "confirmed", "Quito"), ("fay@example.org", "confirmed", "")]

    [daily] = [row for row in admin.get("/api/lists").json()["lists"] if row["name"] == "daily"]
    assert daily == {"name": "daily", "title": "The <script>alert(0)</script> Daily", "confirmed": 4,
                     "pending": 0, "unsubscribed": 0, "suppressed": 0, "track_clicks": True, "track_opens": False}

    # Importing the same file again adds nobody twice.
    again = imported(admin, live_server.settings, "daily", UPLOAD, confirmed=True)
    assert "0 new subscribers" in again and "0 newly on this list" in again
    assert again.count("9 rows: 4 accepted, 5 rejected") == 3  # the report, then both recent imports
    assert "4 members." in admin.get("/admin/lists/daily").text


def test_the_api_imports_searches_adds_and_exports(live_server, admin):
    headers = {"X-CSRF-Token": admin.csrf}
    response = admin.post("/api/lists/weekly/import", headers=headers, data={"confirmed": "false"},
                          files={"file": ("people.csv", UPLOAD.encode(), "text/csv")})
    assert response.status_code == 202, response.text
    queued = response.json()
    assert {k: queued[k] for k in ("status", "filename", "size", "bytes_read", "report", "created_by")} == {
        "status": "queued", "filename": "people.csv", "size": len(UPLOAD.encode()), "bytes_read": 0, "report": None,
        "created_by": "ad@example.org"}
    run_imports(live_server.settings)
    done = admin.get(f"/api/imports/{queued['id']}").json()
    assert (done["status"], done["bytes_read"], done["error"]) == ("done", done["size"], None)
    report = done["report"]
    assert {k: report[k] for k in ("rows", "accepted", "rejected_count", "new_subscriptions", "confirmed")} == {
        "rows": 9, "accepted": 4, "rejected_count": 5, "new_subscriptions": 4, "confirmed": 0}
    assert [(r["line"], r["email"]) for r in report["rejected"]] == [
        (3, "not-an-address"), (5, "ANA@example.org"), (6, "cy@example.org"), (8, "eve@example.org"),
        (10, "<script>alert(2)</script>")]

    response = admin.post("/api/lists/weekly/subscribers", headers=headers,
                          json={"email": "Gil@Example.org", "name": "Gil", "confirmed": True})
    assert response.status_code == 200, response.text
    assert response.json() == {"email": "gil@example.org", "list": "weekly", "status": "confirmed"}
    assert admin.post("/api/lists/weekly/subscribers", headers=headers,
                      json={"email": "no-at-sign", "confirmed": True}).status_code == 422
    assert admin.post("/api/lists/nope/subscribers", headers=headers,
                      json={"email": "x@example.org"}).status_code == 404

    found = admin.get("/api/lists/weekly/subscribers", params={"status": "pending"}).json()
    assert found["total"] == 4
    assert [m["email"] for m in found["subscribers"]] == [
        "ana@example.org", "ben@example.org", "dee@example.org", "fay@example.org"]
    found = admin.get("/api/lists/weekly/subscribers", params={"q": "GIL"}).json()
    assert found["total"] == 1
    assert {k: found["subscribers"][0][k] for k in ("email", "name", "status", "suppressed")} == {
        "email": "gil@example.org", "name": "Gil", "status": "confirmed", "suppressed": None}
    page = admin.get("/api/lists/weekly/subscribers", params={"limit": 2, "offset": 2}).json()
    assert (page["total"], [m["email"] for m in page["subscribers"]]) == (5, ["dee@example.org", "fay@example.org"])
    assert admin.get("/api/lists/weekly/subscribers", params={"status": "bogus"}).status_code == 422

    response = admin.get("/api/lists/weekly/export.csv", params={"status": "all"})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="weekly-all.csv"'
    assert sorted(r["email"] for r in csv.DictReader(io.StringIO(response.text))) == [
        "ana@example.org", "ben@example.org", "dee@example.org", "fay@example.org", "gil@example.org"]

    response = admin.post("/api/lists", headers=headers, json={"name": "monthly", "title": "Monthly"})
    assert response.status_code == 201
    assert response.json()["name"] == "monthly"
    assert admin.post("/api/lists", headers=headers, json={"name": "monthly"}).status_code == 422
    assert "monthly" in [row["name"] for row in admin.get("/api/lists").json()["lists"]]

    response = admin.post("/api/lists/weekly/import", headers=headers,
                          files={"file": ("names.csv", b"name\nAna\n", "text/csv")})
    assert response.status_code == 202
    run_imports(live_server.settings)
    failed = admin.get(f"/api/imports/{response.json()['id']}").json()
    assert failed["status"] == "failed" and failed["report"] is None
    assert "names.csv" in failed["error"] and "no 'email' column" in failed["error"]
    assert admin.post("/api/lists/nope/import", headers=headers,
                      files={"file": ("x.csv", b"email\n", "text/csv")}).status_code == 404
    assert admin.get("/api/imports/999").status_code == 404


@SQLITE
def test_a_file_that_cannot_be_read_is_explained_by_its_name(live_server, admin):
    page = imported(admin, live_server.settings, "weekly", "name,city\nAna,Lima\n", confirmed=False,
                    filename="contacts <1>.csv")
    assert "The file was not imported (contacts &lt;1&gt;.csv)" in page
    assert "the header row has no &#39;email&#39; column" in page
    assert "newsletter-import-" not in page  # the temporary file is not mentioned
    response = admin.post("/admin/lists/weekly/import", data={"csrf_token": admin.csrf},
                          files={"file": ("", b"", "application/octet-stream")})
    assert response.status_code == 422
    assert "Choose a CSV file to import." in response.text


@SQLITE
def test_a_long_list_is_shown_a_hundred_at_a_time(live_server, admin):
    people = "email\n" + "".join(f"p{n:03}@example.org\n" for n in range(105))
    assert "105 accepted" in imported(admin, live_server.settings, "weekly", people, confirmed=False)
    first = admin.get("/admin/lists/weekly").text
    assert len(member_emails(first)) == 100
    assert "Showing 1–100 of 105 members." in first
    assert 'href="/admin/lists/weekly?q=&amp;status=&amp;page=2"' in first
    second = admin.get("/admin/lists/weekly", params={"page": 2}).text
    assert member_emails(second) == [f"p{n:03}@example.org" for n in range(100, 105)]
    assert "Showing 101–105 of 105 members." in second
    pending = admin.get("/admin/lists/weekly", params={"status": "pending", "q": "p10"}).text
    assert member_emails(pending) == [f"p{n:03}@example.org" for n in range(100, 105)]


@SQLITE
def test_a_list_name_that_is_not_valid_is_explained_by_the_field(live_server, admin):
    response = admin.post("/admin/lists", data={"name": "Weekly News", "title": "", "csrf_token": admin.csrf})
    assert response.status_code == 422
    assert 'id="name" name="name" type="text" required maxlength="100" value="Weekly News" aria-invalid="true" ' \
           'aria-describedby="name-error"' in response.text
    assert re.search(r'<p class="field-error" id="name-error">List name .* is not valid', response.text)
    response = admin.post("/admin/lists", data={"name": "weekly", "title": "", "csrf_token": admin.csrf})
    assert response.status_code == 422
    assert "already exists" in response.text
    assert [row["name"] for row in admin.get("/api/lists").json()["lists"]] == ["weekly", "weekly-es"]


ADMIN_ONLY = [
    ("GET", "/admin/lists"), ("POST", "/admin/lists"), ("GET", "/admin/lists/weekly"),
    ("POST", "/admin/lists/weekly/import"), ("GET", "/admin/lists/weekly/export.csv"),
]
API_ADMIN_ONLY = [
    ("GET", "/api/lists"), ("POST", "/api/lists"), ("GET", "/api/lists/weekly/subscribers"),
    ("POST", "/api/lists/weekly/subscribers"), ("POST", "/api/lists/weekly/import"),
    ("GET", "/api/lists/weekly/export.csv"),
]


def request(client: httpx.Client, method: str, path: str, csrf: str | None) -> httpx.Response:
    """A plausible request to ``path``: a form, a file or JSON as the route takes."""
    headers = {"X-CSRF-Token": csrf} if csrf and path.startswith("/api/") else {}
    if method == "GET":
        return client.get(path, headers=headers)
    if path.endswith("/import"):
        return client.post(path, headers=headers, data={"csrf_token": csrf or "", "confirmed": "yes"},
                           files={"file": ("people.csv", b"email\nmallory@example.org\n", "text/csv")})
    if path.startswith("/api/"):
        body = {"name": "sneaky"} if path == "/api/lists" else {"email": "mallory@example.org", "confirmed": True}
        return client.post(path, headers=headers, json=body)
    return client.post(path, data={"name": "sneaky", "csrf_token": csrf or ""})


def test_only_admins_reach_the_lists(live_server, editor, admin):
    for method, path in ADMIN_ONLY + API_ADMIN_ONLY:
        response = request(editor, method, path, editor.csrf)
        assert response.status_code == 403, (method, path, response.status_code)
        if path.startswith("/api/"):
            assert response.json() == {"detail": "only an admin can do this"}
        else:
            assert "Only an admin can do this." in response.text
    anonymous = live_server.client
    for method, path in ADMIN_ONLY:
        response = request(anonymous, method, path, None)
        assert response.status_code == 303, (method, path)
        assert response.headers["location"] == f"/login?next={path}"
    for method, path in API_ADMIN_ONLY:
        response = request(anonymous, method, path, None)
        assert response.status_code == 401, (method, path)
        assert response.headers["www-authenticate"] == "Bearer"
    # Nothing the editor or the anonymous client sent changed anything.
    lists = admin.get("/api/lists").json()["lists"]
    assert [row["name"] for row in lists] == ["weekly", "weekly-es"]
    assert all(row["confirmed"] + row["pending"] == 0 for row in lists)


@SQLITE
def test_forms_without_the_csrf_token_change_nothing(live_server, admin):
    response = admin.post("/admin/lists", data={"name": "forged", "title": ""})
    assert response.status_code == 403
    assert "did not come from this site" in response.text
    response = upload(admin, "weekly", "email\nmallory@example.org\n", confirmed=True, token="forged")
    assert response.status_code == 403
    response = admin.post("/admin/lists/weekly/import", data={"confirmed": "yes"},
                          files={"file": ("people.csv", b"email\nmallory@example.org\n", "text/csv")})
    assert response.status_code == 403
    response = admin.post("/api/lists/weekly/subscribers", json={"email": "mallory@example.org", "confirmed": True})
    assert response.status_code == 403  # the session cookie without the X-CSRF-Token header
    assert [row["name"] for row in admin.get("/api/lists").json()["lists"]] == ["weekly", "weekly-es"]
    assert admin.get("/api/lists/weekly/subscribers").json()["total"] == 0


@SQLITE
def test_unknown_lists_and_statuses(live_server, admin):
    assert admin.get("/admin/lists/nope").status_code == 404
    assert admin.get("/admin/lists/nope/export.csv").status_code == 404
    assert upload(admin, "nope", "email\na@example.org\n", confirmed=False).status_code == 404
    assert admin.get("/admin/lists/weekly", params={"status": "bogus"}).status_code == 400
    assert admin.get("/admin/lists/weekly/export.csv", params={"status": "bogus"}).status_code == 400
    assert admin.get("/api/lists/nope/subscribers").status_code == 404
    assert admin.get("/api/lists/nope/export.csv").status_code == 404


@pytest.fixture
def small_uploads(tmp_path, database_url):
    """A server that accepts request bodies of at most 1 MB, and an admin signed in to it."""
    settings = make_settings(tmp_path, database_url=database_url, base_url=f"http://127.0.0.1:{free_port()}",
                             max_upload_mb=1)
    with transaction(database_url) as session:
        create_list(session=session, name="weekly")
    server, thread = start_server(settings)
    add_user(settings, "ad@example.org", "admin")
    with httpx.Client(base_url=settings.base_url, timeout=20) as client:
        admin = sign_in(LiveServer(settings.base_url, settings, client), "ad@example.org")
        yield admin, settings
        admin.close()
    server.should_exit = True
    thread.join(timeout=10)


@SQLITE
def test_an_upload_over_the_size_limit_is_refused_before_it_is_stored(small_uploads):
    admin, settings = small_uploads
    big = "email\n" + "".join(f"reader{n}@example.org\n" for n in range(60_000))  # ~1.5 MB
    response = upload(admin, "weekly", big, confirmed=True)
    assert response.status_code == 413
    assert "The file is larger than this service accepts (1 MB)" in response.text

    request = admin.build_request("POST", "/api/lists/weekly/import", headers={"X-CSRF-Token": admin.csrf},
                                  files={"file": ("people.csv", big.encode(), "text/csv")})
    body = request.read()
    assert admin.send(request).json() == {"detail": "the request is larger than the limit of 1 MB"}

    def chunks():  # no Content-Length: counted as it arrives
        for start in range(0, len(body), 64 * 1024):
            yield body[start:start + 64 * 1024]

    headers = {"X-CSRF-Token": admin.csrf, "Content-Type": request.headers["Content-Type"]}
    response = admin.post("/api/lists/weekly/import", headers=headers, content=chunks())
    assert response.status_code == 413, response.text
    assert "Up to 1 MB." in admin.get("/admin/lists/weekly").text
    assert member_emails(admin.get("/admin/lists/weekly").text) == []
    assert run_imports(settings) == []  # nothing was stored

    small = imported(admin, settings, "weekly", "email\nana@example.org\n", confirmed=True)
    assert member_emails(small) == ["ana@example.org"]


@SQLITE
def test_an_admin_adds_one_person_and_unsubscribes_one_on_their_behalf(live_server, admin):
    response = admin.post("/admin/lists/weekly/subscribers", data={
        "csrf_token": admin.csrf, "email": "Zoe@Example.org", "name": "Zoe <b>Z</b>", "confirmed": "yes"})
    assert response.headers["location"] == "/admin/lists/weekly?q=zoe%40example.org"
    page = admin.get(response.headers["location"]).text
    assert "zoe@example.org is on weekly: confirmed." in page and "Zoe &lt;b&gt;Z&lt;/b&gt;" in page
    assert member_emails(page) == ["zoe@example.org"]
    refused = admin.post("/admin/lists/weekly/subscribers", data={"csrf_token": admin.csrf, "email": "not-an-address"})
    assert refused.status_code == 422 and 'role="alert" id="add-error"' in refused.text
    assert 'value="not-an-address"' in refused.text  # the form keeps what was typed

    response = admin.post("/admin/lists/weekly/unsubscribe", data={
        "csrf_token": admin.csrf, "email": "zoe@example.org", "q": "zoe", "page": "1"})
    assert response.headers["location"] == "/admin/lists/weekly?q=zoe&page=1"  # back where they were
    page = admin.get(response.headers["location"]).text
    assert "zoe@example.org is unsubscribed from weekly; no import will add them back." in page
    assert '<span class="badge unsubscribed' in page and 'aria-label="Unsubscribe zoe@example.org"' not in page
    again = admin.post("/admin/lists/weekly/subscribers", data={
        "csrf_token": admin.csrf, "email": "zoe@example.org", "confirmed": "yes"})
    assert again.status_code == 422 and "only they can subscribe again" in again.text  # only Zoe can undo it

    headers = {"X-CSRF-Token": admin.csrf}
    assert admin.post("/api/lists/weekly/subscribers", headers=headers,
                      json={"email": "ana@example.org", "confirmed": True}).json()["status"] == "confirmed"
    assert admin.delete("/api/lists/weekly/subscribers/Ana@Example.org", headers=headers).json() == {
        "email": "ana@example.org", "list": "weekly", "status": "unsubscribed"}
    assert admin.delete("/api/lists/weekly/subscribers/nobody@example.org", headers=headers).status_code == 404
    assert admin.post("/admin/lists/weekly/unsubscribe",
                      data={"csrf_token": admin.csrf, "email": "nobody@example.org"}).status_code == 404


@SQLITE
def test_the_consent_box_is_never_ticked_for_the_next_upload(live_server, admin):
    page = imported(admin, live_server.settings, "weekly", "email\nana@example.org\n", confirmed=True)
    assert "1 newly on this list (confirmed)" in page
    assert re.search(r'<input id="confirmed" name="confirmed" type="checkbox" value="yes" aria-describedby', page)
