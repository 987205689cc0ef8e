"""Scheduling and rescheduling read a time one way, in the service: the page and the API send
the wall-clock time and zone as typed, and a time that cannot be used is refused alike by
both operations, as the request's fault (422), naming the field it is about."""

import datetime as dt

import pytest

from newsletter.db.models import utcnow
from tests.web.test_admin_details import ready_issue, schedule
from tests.web.test_admin_sends import scheduled_send

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
BAD_TIMES = [  # (at, timezone, what the refusal says)
    ("2001-01-01 08:00", "UTC", "2001-01-01 08:00 UTC is in the past"),
    ("2099-12-04T08:00", "Mars/Olympus", "unknown time zone 'Mars/Olympus' (use a name like Europe/London or UTC)"),
    ("next friday", "UTC", "cannot read the time 'next friday' (write it like 2026-12-04 08:00)"),
    ("2099-03-29T01:30", "Europe/London", "2099-03-29 01:30 does not exist in Europe/London (the clocks skip it)"),
]


@SQLITE
def test_schedule_and_reschedule_refuse_a_time_alike_over_the_api(live_server, admin):
    headers = {"X-CSRF-Token": admin.csrf}
    issue_id = ready_issue(admin, 1)
    send_id = schedule(admin, ready_issue(admin, 2), at="2099-12-04 08:00")
    for at, zone, refusal in BAD_TIMES:
        scheduled = admin.post(f"/api/issues/{issue_id}/schedule", headers=headers,
                               json={"lists": ["weekly"], "at": at, "timezone": zone})
        rescheduled = admin.post(f"/api/sends/{send_id}/reschedule", headers=headers, json={"at": at, "timezone": zone})
        assert (scheduled.status_code, scheduled.json()) == (422, {"detail": refusal}), at
        assert (rescheduled.status_code, rescheduled.json()) == (422, {"detail": refusal}), at
    assert admin.get(f"/api/issues/{issue_id}").json()["status"] == "ready"  # nothing was scheduled

    # The browser's picker writes "2099-12-04T08:00": both read it, and say it back with a space.
    moved = admin.post(f"/api/sends/{send_id}/reschedule", headers=headers,
                       json={"at": "2099-12-05T09:30", "timezone": "Europe/Madrid"})
    assert moved.status_code == 200 and moved.json()["scheduled_local"] == "2099-12-05 09:30"
    response = admin.post(f"/admin/issues/{issue_id}/schedule", follow_redirects=True,
                          data={"csrf_token": admin.csrf, "lists": "weekly", "at": "2099-12-04T08:00",
                                "timezone": "Europe/Madrid"})
    assert "Scheduled for 2099-12-04 08:00 Europe/Madrid (2099-12-04 07:00 UTC)." in response.text


@SQLITE
def test_the_reschedule_form_shows_each_refusal_beside_its_field(live_server, admin):
    send_id = scheduled_send(live_server, utcnow() + dt.timedelta(days=2), "Europe/London")
    for at, zone, field in [("2099-01-06T08:00", "Mars/Olympus", "timezone"), ("", "UTC", "at"),
                            ("2099-03-29T01:30", "Europe/London", "at")]:
        response = admin.post(f"/admin/sends/{send_id}/reschedule", data={"csrf_token": admin.csrf, "at": at,
                                                                          "timezone": zone})
        assert response.status_code == 422, (at, zone)
        assert f'aria-describedby="{field}-error"' in response.text and 'class="error"' not in response.text, (at, zone)
    response = admin.post(f"/admin/sends/{send_id}/reschedule", data={"csrf_token": admin.csrf, "at": ""})
    assert '<p class="field-error" id="at-error">Give the date and time to send it.</p>' in response.text


@SQLITE
def test_the_lists_forms_put_each_refusal_beside_its_field(live_server, admin):
    titled = admin.post("/admin/lists", data={"csrf_token": admin.csrf, "name": "fine", "title": "T" * 201})
    assert titled.status_code == 422 and 'id="title-error">The list' in titled.text and 'id="name-error"' not in titled.text
    named = admin.post("/admin/lists", data={"csrf_token": admin.csrf, "name": "weekly", "title": "Weekly"})
    assert named.status_code == 422 and 'id="name-error">A list named' in named.text
    described = admin.post("/admin/lists/weekly/about", data={"csrf_token": admin.csrf, "title": "T" * 201,
                                                               "description": "Fine."})
    assert described.status_code == 422 and "title-error" in described.text and "description-error" not in described.text
