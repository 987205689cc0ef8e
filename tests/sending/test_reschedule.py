"""Rescheduling a send that has not started: a new time (and zone), and a held send scheduled again."""

import datetime as dt

import pytest

from newsletter.db import transaction
from newsletter.db.models import Issue, Send, as_utc, utcnow
from newsletter.errors import NotFoundError, SendStateError
from newsletter.sending import cancel_send, create_send, parse_schedule, reschedule_send
from newsletter.sending.sweep import sweep
from tests.sending.helpers import add_people, freeze


def schedule(settings, issue_id, at, timezone="Europe/London"):
    with transaction(settings.database_url) as session:
        return create_send(session=session, settings=settings, issue_id=issue_id, list_names=["weekly"],
                           scheduled_at=at, timezone=timezone).id


def stored(url, send_id):
    with transaction(url) as session:
        send = session.get_one(Send, send_id)
        return send.status, send.status_reason, send.scheduled_at and as_utc(send.scheduled_at), send.timezone


def test_a_scheduled_send_moves_to_the_new_time_in_the_new_zone(small_batches, issue_id):
    url = small_batches.database_url
    send_id = schedule(small_batches, issue_id, utcnow() + dt.timedelta(hours=1))
    later = parse_schedule("2099-07-04 08:00", "America/New_York")
    with transaction(url) as session:
        reschedule_send(session=session, send_id=send_id, at=later, timezone="America/New_York")
    eight_in_new_york = dt.datetime(2099, 7, 4, 12, 0, tzinfo=dt.UTC)
    assert stored(url, send_id) == ("scheduled", None, eight_in_new_york, "America/New_York")
    with transaction(url) as session:
        assert session.get_one(Issue, issue_id).status == "scheduled"


def test_a_rescheduled_send_is_not_started_at_its_old_time(small_batches, issue_id):
    url = small_batches.database_url
    add_people(url, "weekly", ["a@example.org"])
    old = utcnow() + dt.timedelta(minutes=30)
    send_id = schedule(small_batches, issue_id, old)
    with transaction(url) as session:
        reschedule_send(session=session, send_id=send_id, at=old + dt.timedelta(days=1), timezone="UTC")
    assert sweep(settings=small_batches, resend_is_harmless=True, now=old + dt.timedelta(minutes=1)).started == []
    assert stored(url, send_id)[0] == "scheduled"
    report = sweep(settings=small_batches, resend_is_harmless=True, now=old + dt.timedelta(days=1))
    assert report.started == [send_id]


def test_a_held_send_rescheduled_is_scheduled_again(small_batches, issue_id):
    url = small_batches.database_url
    late = utcnow() - dt.timedelta(days=2)  # found far past its time: the sweep holds it
    send_id = schedule(small_batches, issue_id, late)
    assert sweep(settings=small_batches, resend_is_harmless=True).held == [send_id]
    status, reason, _, _ = stored(url, send_id)
    assert status == "held" and reason
    tomorrow = utcnow() + dt.timedelta(days=1)
    with transaction(url) as session:
        reschedule_send(session=session, send_id=send_id, at=tomorrow, timezone="Europe/Madrid")
    assert stored(url, send_id) == ("scheduled", None, tomorrow, "Europe/Madrid")
    # Not held again, nor started, by the next sweep: its new time has not come.
    report = sweep(settings=small_batches, resend_is_harmless=True)
    assert report.held == [] and report.started == []


def test_a_time_in_the_past_is_refused_and_nothing_changes(small_batches, issue_id):
    url = small_batches.database_url
    at = utcnow() + dt.timedelta(hours=1)
    send_id = schedule(small_batches, issue_id, at)
    before = stored(url, send_id)
    with transaction(url) as session, pytest.raises(SendStateError, match="is in the past"):
        reschedule_send(session=session, send_id=send_id, at=utcnow() - dt.timedelta(minutes=1), timezone="UTC")
    with transaction(url) as session, pytest.raises(SendStateError, match="unknown time zone"):
        reschedule_send(session=session, send_id=send_id, at=at + dt.timedelta(hours=1), timezone="Mars/Olympus")
    assert stored(url, send_id) == before


def test_only_a_send_not_yet_started_can_be_rescheduled(small_batches, issue_id):
    url = small_batches.database_url
    add_people(url, "weekly", ["a@example.org"])
    started, _ = freeze(small_batches, issue_id)  # sending at once
    cancelled = schedule(small_batches, issue_id, utcnow() + dt.timedelta(hours=1))
    with transaction(url) as session:
        cancel_send(session=session, send_id=cancelled)
    tomorrow = utcnow() + dt.timedelta(days=1)
    for send_id, status in ((started, "sending"), (cancelled, "cancelled")):
        with transaction(url) as session, pytest.raises(SendStateError, match=f"is {status}; only a scheduled or held"):
            reschedule_send(session=session, send_id=send_id, at=tomorrow, timezone="UTC")
        assert stored(url, send_id)[0] == status
    with transaction(url) as session, pytest.raises(NotFoundError):
        reschedule_send(session=session, send_id=9999, at=tomorrow, timezone="UTC")
