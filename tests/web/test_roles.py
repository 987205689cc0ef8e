"""Roles on every route: found by walking the app's routes, so a new route cannot forget them."""

import re

import pytest
from fastapi.routing import APIRoute

from newsletter.web import admin, api, security

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
# What an editor may reach: the inbox and the ways into it (links, pasted text, feeds), issues
# (but scheduling), their own account, a send's report (counts that name nobody).
EDITOR_PATHS = re.compile(
    r"^(/logout|/admin|/admin/account.*|(/admin|/api)/(items|issues|feeds|intake)(/(?!1/schedule).*)?"
    r"|(/api|/admin)/sends/1/report)$")


ROUTERS = [("", router) for router in admin.routers] + [("/api", router) for router in api.routers]


def routes():
    """(method, path, dependency functions) of every route of the newsroom and the API."""
    for prefix, router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            calls = set()
            stack = [route.dependant]
            while stack:
                dependant = stack.pop()
                calls.add(dependant.call)
                stack.extend(dependant.dependencies)
            for method in route.methods - {"HEAD"}:
                yield method, prefix + re.sub(r"\{[^}]+\}", "1", route.path), calls


@SQLITE
def test_every_admin_route_refuses_editors_and_every_signed_in_route_refuses_strangers(live_server, editor):
    found = list(routes())
    admin_only = [(m, p) for m, p, calls in found if security._admin in calls]
    signed_in = [(m, p) for m, p, calls in found if security._viewer in calls]
    assert len(admin_only) > 25 and len(signed_in) > len(admin_only)  # the walk found the routes
    editors_too = [(m, p) for m, p in signed_in if (m, p) not in admin_only]
    assert [(m, p) for m, p in editors_too if not EDITOR_PATHS.match(p)] == []  # nothing else is left open
    assert ("POST", "/admin/issues/1/schedule") in admin_only and ("POST", "/api/issues/1/schedule") in admin_only
    assert {("GET", "/admin/suppressions"), ("POST", "/admin/suppressions/lift"), ("GET", "/api/suppressions"),
            ("POST", "/api/suppressions/1/lift")} <= set(admin_only)
    assert ("GET", "/api/sends/1/report") in editors_too
    for method, path in admin_only:
        response = editor.request(method, path, headers={"X-CSRF-Token": editor.csrf})
        assert response.status_code == 403, (method, path, response.status_code)
    for method, path in signed_in:
        response = live_server.client.request(method, path)
        expected = 401 if path.startswith("/api/") else 303
        assert response.status_code == expected, (method, path, response.status_code)
