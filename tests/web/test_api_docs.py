"""The API's docs in a real headless Chromium: /api/docs renders every operation from the
app's own files, with nothing refused by the Content-Security-Policy; and the OpenAPI
document lists the errors each operation answers with, with the body they really have."""

import pytest
from playwright.sync_api import expect

from tests.web.test_api_hardening import api  # noqa: F401 (fixture)
from tests.web.test_browser import browser  # noqa: F401 (fixture)

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
METHODS = {"get", "put", "post", "delete", "patch"}


def operations(document: dict) -> list[tuple[str, str, dict]]:
    """(method, path, operation) of every operation of an OpenAPI document."""
    return [(method, path, operation) for path, item in document["paths"].items()
            for method, operation in item.items() if method in METHODS]


@SQLITE
def test_the_docs_render_every_operation_from_the_app_itself_under_its_csp(live_server, browser):  # noqa: F811
    count = len(operations(live_server.client.get("/api/openapi.json").json()))
    page = browser.new_page()
    problems, requested = [], []
    page.on("console", lambda message: message.type in ("error", "warning") and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/api/docs")
    expect(page.locator(".opblock")).to_have_count(count)
    page.get_by_role("button", name="GET /items/{item_id}", exact=False).first.click()
    expect(page.get_by_text("Nothing has that id or name.")).to_be_visible()
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    page.close()
    assert problems == []  # a refused script or style says so in the console
    assert requested and all(url.startswith(live_server.url) for url in requested)  # no CDN
    docs = live_server.client.get("/api/docs")
    assert "script-src 'self';" in docs.headers["content-security-policy"]  # the policy of every page
    assert "<script>" not in docs.text


@SQLITE
def test_the_openapi_document_lists_each_error_with_the_body_it_really_has(live_server, api):  # noqa: F811
    document = live_server.client.get("/api/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert set(schemas["ErrorOut"]["properties"]) == {"detail"}
    assert set(schemas["ConflictOut"]["properties"]) == {"detail", "version", "updated_by"}
    error = {"$ref": "#/components/schemas/ErrorOut"}
    for method, path, operation in operations(document):
        responses = operation["responses"]
        expected = {"401", "403"} | ({"404"} if "{" in path else set())
        assert expected <= set(responses), (method, path, sorted(responses))
        for status in expected:
            assert responses[status]["content"]["application/json"]["schema"] == error, (method, path, status)
    save = document["paths"]["/issues/{issue_id}"]["put"]["responses"]["409"]["content"]["application/json"]
    assert {"$ref": "#/components/schemas/ConflictOut"} in save["schema"]["anyOf"]
    pause = document["paths"]["/sends/{send_id}/pause"]["post"]["responses"]["409"]["content"]["application/json"]
    assert pause["schema"] == error

    # The bodies the API really answers with.
    assert live_server.client.get("/api/items").json().keys() == {"detail"}  # 401
    assert api.get("/api/items/7").json().keys() == {"detail"}  # 404
    issue = api.post("/api/issues", json={"title": "Brief", "date": "2026-01-02"}).json()
    draft = {"title": "Brief", "date": "2026-01-02", "version": issue["version"], "sections": []}
    assert api.put(f"/api/issues/{issue['id']}", json=draft).status_code == 200
    conflict = api.put(f"/api/issues/{issue['id']}", json=draft)  # the same version again
    assert conflict.status_code == 409 and conflict.json().keys() == {"detail", "version", "updated_by"}
