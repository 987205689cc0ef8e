"""An admin sets a list's title, its description (the subscribe page's pitch) and whether it
is public, from the list page."""

import lxml.html
import pytest

from newsletter.db import transaction
from newsletter.subscribers import get_list

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
PITCH = "Court rulings and elections, every Friday.\n\nWritten by our regional desks."


def about_form(html: str) -> lxml.html.FormElement:
    [form] = [f for f in lxml.html.fromstring(html).forms if f.action.endswith("/about")]
    return form


def post_about(client, name: str, **fields):
    return client.post(f"/admin/lists/{name}/about", data={"csrf_token": client.csrf, **fields})


def stored(settings, name: str):
    with transaction(settings.database_url) as session:
        mailing_list = get_list(session=session, name=name)
        return mailing_list.title, mailing_list.description, mailing_list.public


@SQLITE
def test_the_list_page_sets_the_title_description_and_visibility(live_server, admin):
    form = about_form(admin.get("/admin/lists/weekly").text)
    assert form.fields["title"] == "The Weekly Brief" and form.fields["description"] == ""
    assert form.inputs["public"].checked  # lists are public unless made private

    response = post_about(admin, "weekly", title="The Friday Brief", description=PITCH)  # "public" unticked
    assert response.status_code == 303 and response.headers["location"] == "/admin/lists/weekly"
    assert stored(live_server.settings, "weekly") == ("The Friday Brief", PITCH, False)
    page = admin.get("/admin/lists/weekly").text
    assert "Saved: the list is private" in page
    form = about_form(page)
    assert form.fields["description"] == PITCH and not form.inputs["public"].checked
    pitch = lxml.html.fromstring(live_server.client.get("/subscribe/weekly").text).find_class("pitch")
    assert [p.text_content() for p in pitch] == PITCH.split("\n\n")

    assert post_about(admin, "weekly", title="The Friday Brief", description="", public="yes").status_code == 303
    assert stored(live_server.settings, "weekly") == ("The Friday Brief", None, True)


@SQLITE
def test_a_refused_description_is_shown_on_its_field_and_nothing_changes(live_server, admin):
    response = post_about(admin, "weekly", title="Renamed", description="x" * 2001, public="yes")
    assert response.status_code == 422
    page = lxml.html.fromstring(response.text)
    field = page.get_element_by_id("about-description")
    assert field.get("aria-invalid") == "true"
    assert page.get_element_by_id(field.get("aria-describedby")).text_content() == \
        "The list's description must be at most 2000 characters."
    assert about_form(response.text).fields["title"] == "Renamed"  # what was typed is kept
    assert stored(live_server.settings, "weekly") == ("The Weekly Brief", None, True)
    assert post_about(admin, "no-such-list", title="X").status_code == 404


@SQLITE
def test_the_list_page_switches_click_and_open_tracking(live_server, admin):
    form = about_form(admin.get("/admin/lists/weekly").text)
    assert form.inputs["track_clicks"].checked and not form.inputs["track_opens"].checked  # the defaults
    response = post_about(admin, "weekly", title="The Weekly Brief", public="yes", track_opens="yes")
    assert response.status_code == 303
    page = admin.get("/admin/lists/weekly").text
    assert "Saved: the list is public and tracks opens." in page
    form = about_form(page)
    assert not form.inputs["track_clicks"].checked and form.inputs["track_opens"].checked
    with transaction(live_server.settings.database_url) as session:
        found = get_list(session=session, name="weekly")
        assert (found.track_clicks, found.track_opens) == (False, True)


@SQLITE
def test_the_api_reads_and_switches_a_lists_tracking(live_server, admin, editor):
    headers = {"X-CSRF-Token": admin.csrf}
    created = admin.post("/api/lists", headers=headers, json={"name": "daily", "track_opens": True})
    assert created.status_code == 201, created.text
    assert (created.json()["track_clicks"], created.json()["track_opens"]) == (True, True)
    switched = admin.patch("/api/lists/daily", headers=headers, json={"track_clicks": False})
    assert switched.status_code == 200, switched.text
    assert (switched.json()["track_clicks"], switched.json()["track_opens"]) == (False, True)  # opens left alone
    [daily] = [row for row in admin.get("/api/lists").json()["lists"] if row["name"] == "daily"]
    assert (daily["track_clicks"], daily["track_opens"]) == (False, True)
    assert admin.patch("/api/lists/daily", headers=headers, json={"track_opens": "maybe"}).status_code == 422
    missing = admin.patch("/api/lists/nope", headers=headers, json={"track_opens": False})
    assert missing.status_code == 404 and "no list named 'nope'" in missing.json()["detail"]
    assert editor.patch("/api/lists/daily", headers={"X-CSRF-Token": editor.csrf}, json={}).status_code == 403
