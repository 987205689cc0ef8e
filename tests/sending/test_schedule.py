"""Scheduled sends: wall-clock times in a zone, started by the sweep exactly once, held when late;
and an admin's controls: pause, resume, cancel, retry failed recipients."""

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select, update

from newsletter.db import transaction
from newsletter.db.models import Batch, Delivery, Issue, Send, utcnow
from newsletter.errors import SendStateError
from newsletter.providers import RecipientResult
from newsletter.sending import (
    cancel_send,
    create_send,
    failed_recipients,
    parse_schedule,
    pause_send,
    pending_batch_ids,
    reschedule_send,
    resume_send,
    retry_failed,
    send_batch,
    send_progress,
)
from newsletter.sending.sweep import claim_scheduled_send, due_send_ids, sweep
from tests.sending.helpers import RecordingProvider, add_people, freeze

NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)


def test_times_are_read_in_the_admins_zone():
    assert parse_schedule("2026-12-04 08:00", "Europe/London", now=NOW) == dt.datetime(2026, 12, 4, 8, 0, tzinfo=dt.UTC)
    assert parse_schedule("2027-07-04 08:00", "Europe/London", now=NOW) == dt.datetime(2027, 7, 4, 7, 0, tzinfo=dt.UTC)
    assert parse_schedule("2026-12-04T08:00", "America/New_York", now=NOW).hour == 13
    # The hour the clocks go back happens twice: the first is meant.
    assert parse_schedule("2027-10-31 01:30", "Europe/London", now=NOW) == dt.datetime(2027, 10, 31, 0, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("at", "zone", "message"),
    [
        ("2027-03-28 01:30", "Europe/London", "does not exist in Europe/London"),
        ("2026-11-01 08:00", "UTC", "is in the past"),
        ("2026-12-04 08:00", "Mars/Olympus", "unknown time zone"),
        ("next friday", "UTC", "cannot read the time"),
        ("2026-12-04 08:00+01:00", "UTC", "without an offset"),
    ],
)
def test_impossible_times_are_refused_clearly(at, zone, message):
    with pytest.raises(SendStateError, match=message):
        parse_schedule(at, zone, now=NOW)


def schedule(settings, issue_id, at):
    with transaction(settings.database_url) as session:
        return create_send(session=session, settings=settings, issue_id=issue_id, list_names=["weekly"],
                           scheduled_at=at, timezone="Europe/London").id


def test_a_scheduled_send_starts_when_due_with_the_subscribers_of_that_moment(small_batches, issue_id):
    url = small_batches.database_url
    add_people(url, "weekly", ["early@example.org"])
    at = utcnow() + dt.timedelta(hours=1)
    send_id = schedule(small_batches, issue_id, at)
    add_people(url, "weekly", ["late@example.org"])  # joined after scheduling, before the time

    assert sweep(settings=small_batches, resend_is_harmless=True, now=at - dt.timedelta(seconds=1)).started == []
    with transaction(url) as session:
        assert session.get(Send, send_id).status == "scheduled"
        assert session.get(Issue, issue_id).status == "scheduled"
    report = sweep(settings=small_batches, resend_is_harmless=True, now=at)
    assert report.started == [send_id] and len(report.to_queue) == 1
    with transaction(url) as session:
        assert session.get(Send, send_id).recipient_count == 2
        assert session.scalars(select(Delivery.email).order_by(Delivery.email)).all() == ["early@example.org", "late@example.org"]


def test_a_send_rescheduled_later_after_it_was_found_due_does_not_start(small_batches, issue_id):
    at = utcnow() + dt.timedelta(hours=1)
    send_id = schedule(small_batches, issue_id, at)
    assert due_send_ids(small_batches.database_url, at) == [send_id]  # the sweep found it due...
    with transaction(small_batches.database_url) as session:  # ...then an admin moved it a day on
        reschedule_send(session=session, send_id=send_id, at=at + dt.timedelta(days=1), timezone="UTC")
    with transaction(small_batches.database_url) as session:
        assert claim_scheduled_send(session=session, send_id=send_id, now=at) is False
        assert session.get(Send, send_id).status == "scheduled"


def test_two_pollers_at_once_start_a_send_once(small_batches, issue_id):
    add_people(small_batches.database_url, "weekly", [f"p{n}@example.org" for n in range(10)])
    at = utcnow() + dt.timedelta(minutes=5)
    send_id = schedule(small_batches, issue_id, at)
    barrier = threading.Barrier(4)
    reports, errors = [], []

    def poll():
        barrier.wait()
        try:
            reports.append(sweep(settings=small_batches, resend_is_harmless=True, now=at))
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=poll) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(s for r in reports for s in r.started) == [send_id]
    assert sorted(b for r in reports for b in r.to_queue) == list(range(1, 5))  # each batch queued once
    with transaction(small_batches.database_url) as session:
        assert session.scalar(select(func.count()).select_from(Delivery)) == 10
        assert session.scalar(select(func.count()).select_from(Batch)) == 4


def test_a_send_found_too_late_waits_for_an_admin(small_batches, issue_id):
    add_people(small_batches.database_url, "weekly", ["a@example.org"])
    at = utcnow() + dt.timedelta(minutes=5)
    send_id = schedule(small_batches, issue_id, at)
    report = sweep(settings=small_batches, resend_is_harmless=True, now=at + dt.timedelta(hours=6, seconds=1))
    assert (report.held, report.started) == ([send_id], [])
    with transaction(small_batches.database_url) as session:
        send = session.get(Send, send_id)
        assert send.status == "held" and "more than 6 h past its scheduled time" in send.status_reason
        resume_send(session=session, send_id=send_id)
    report = sweep(settings=small_batches, resend_is_harmless=True)  # the next sweep freezes it
    assert report.frozen == [send_id] and len(report.to_queue) == 1
    with transaction(small_batches.database_url) as session:
        assert (session.get(Send, send_id).status, session.get(Send, send_id).recipient_count) == ("sending", 1)


def test_cancelling_a_scheduled_send_returns_the_issue_to_draft(small_batches, issue_id):
    send_id = schedule(small_batches, issue_id, utcnow() + dt.timedelta(days=1))
    with transaction(small_batches.database_url) as session:
        cancel_send(session=session, send_id=send_id)
    with transaction(small_batches.database_url) as session:
        assert session.get(Send, send_id).status == "cancelled"
        assert session.get(Issue, issue_id).status == "draft"
        with pytest.raises(SendStateError, match="send 1 is cancelled; only a sending send can be made paused"):
            pause_send(session=session, send_id=send_id)


def test_pause_stops_new_batches_and_resume_sends_each_recipient_once(small_batches, issue_id):
    url = small_batches.database_url
    add_people(url, "weekly", [f"p{n}@example.org" for n in range(7)])
    send_id, _ = freeze(small_batches, issue_id)
    with transaction(url) as session:
        batch_ids = pending_batch_ids(session=session, send_id=send_id)
    provider = RecordingProvider()
    send_batch(settings=small_batches, provider=provider, batch_id=batch_ids[0])
    with transaction(url) as session:
        pause_send(session=session, send_id=send_id)
    assert [send_batch(settings=small_batches, provider=provider, batch_id=b) for b in batch_ids] == [None] * 3
    with transaction(url) as session:
        resume_send(session=session, send_id=send_id)
    for batch_id in batch_ids:
        send_batch(settings=small_batches, provider=provider, batch_id=batch_id)
    sent_to = [r.email for b in provider.batches for r in b.recipients]
    assert sorted(sent_to) == [f"p{n}@example.org" for n in range(7)]
    with transaction(url) as session:
        assert send_progress(session=session, send_id=send_id).status == "sent"


def test_cancel_keeps_the_record_of_who_got_it(small_batches, issue_id):
    url = small_batches.database_url
    add_people(url, "weekly", [f"p{n}@example.org" for n in range(7)])
    send_id, _ = freeze(small_batches, issue_id)
    with transaction(url) as session:
        batch_ids = pending_batch_ids(session=session, send_id=send_id)
    send_batch(settings=small_batches, provider=RecordingProvider(), batch_id=batch_ids[0])
    with transaction(url) as session:
        cancel_send(session=session, send_id=send_id)
    assert send_batch(settings=small_batches, provider=RecordingProvider(), batch_id=batch_ids[1]) is None
    with transaction(url) as session:
        progress = send_progress(session=session, send_id=send_id)
        accepted = session.scalars(select(Delivery.email).where(Delivery.status == "accepted").order_by(Delivery.email)).all()
    assert (progress.status, progress.accepted, progress.cancelled, progress.pending) == ("cancelled", 3, 4, 0)
    assert accepted == ["p0@example.org", "p1@example.org", "p2@example.org"]


class RefusingProvider(RecordingProvider):
    """Refuses the addresses in ``refuse`` (a 550 each), accepts the rest."""

    def __init__(self, refuse):
        super().__init__()
        self.refuse = refuse

    def send_batch(self, batch):
        self.batches.append(batch)
        return [RecipientResult(r.delivery_id, r.email not in self.refuse, r.message_id,
                                error="550 mailbox unavailable" if r.email in self.refuse else None)
                for r in batch.recipients]


def test_failed_recipients_are_listed_and_retried_alone(small_batches, issue_id):
    url = small_batches.database_url
    add_people(url, "weekly", [f"p{n}@example.org" for n in range(7)])
    send_id, _ = freeze(small_batches, issue_id)
    with transaction(url) as session:
        batch_ids = pending_batch_ids(session=session, send_id=send_id)
    for batch_id in batch_ids:
        send_batch(settings=small_batches, provider=RefusingProvider({"p1@example.org", "p5@example.org"}), batch_id=batch_id)
    with transaction(url) as session:
        assert send_progress(session=session, send_id=send_id).status == "sent"
        assert [(f.email, f.error) for f in failed_recipients(session=session, send_id=send_id)] == [
            ("p1@example.org", "550 mailbox unavailable"), ("p5@example.org", "550 mailbox unavailable")]
        assert retry_failed(session=session, send_id=send_id) == 2
    report = sweep(settings=small_batches, resend_is_harmless=True)
    assert report.to_queue == [batch_ids[0], batch_ids[1]]
    provider = RecordingProvider()
    for batch_id in report.to_queue:
        send_batch(settings=small_batches, provider=provider, batch_id=batch_id)
    assert sorted(r.email for b in provider.batches for r in b.recipients) == ["p1@example.org", "p5@example.org"]
    with transaction(url) as session:
        progress = send_progress(session=session, send_id=send_id)
    assert (progress.status, progress.accepted, progress.failed) == ("sent", 7, 0)


class RetryWhilePosting(RecordingProvider):
    """First call: p0 refused for good, p1 to be retried. Second call: an admin retries the
    failed recipients while this very batch is posting; then it accepts."""

    def __init__(self, settings, send_id):
        super().__init__()
        self.settings, self.send_id, self.retried = settings, send_id, []

    def send_batch(self, batch):
        self.batches.append(batch)
        if len(self.batches) == 1:
            return [RecipientResult(r.delivery_id, False, error="550 no", retry=r.email == "p1@example.org")
                    if r.email in ("p0@example.org", "p1@example.org") else RecipientResult(r.delivery_id, True)
                    for r in batch.recipients]
        with transaction(self.settings.database_url) as session:
            self.retried.append(retry_failed(session=session, send_id=self.send_id))
        return [RecipientResult(r.delivery_id, True) for r in batch.recipients]


def test_retrying_failed_recipients_of_a_batch_under_way_leaves_none_behind(small_batches, issue_id):
    url = small_batches.database_url
    add_people(url, "weekly", ["p0@example.org", "p1@example.org", "p2@example.org"])
    send_id, _ = freeze(small_batches, issue_id)
    with transaction(url) as session:
        [batch_id] = pending_batch_ids(session=session, send_id=send_id)
    provider = RetryWhilePosting(small_batches, send_id)
    assert send_batch(settings=small_batches, provider=provider, batch_id=batch_id).status == "pending"
    with transaction(url) as session:
        session.execute(update(Batch).values(retry_at=None))
    assert send_batch(settings=small_batches, provider=provider, batch_id=batch_id).status == "done"
    assert provider.retried == [0]  # p0's batch was posting: nothing to retry yet
    with transaction(url) as session:
        assert dict(session.execute(select(Delivery.email, Delivery.status)).all()) == {
            "p0@example.org": "failed", "p1@example.org": "accepted", "p2@example.org": "accepted"}
        assert retry_failed(session=session, send_id=send_id) == 1
    assert send_batch(settings=small_batches, provider=RecordingProvider(), batch_id=batch_id).status == "done"
    with transaction(url) as session:
        progress = send_progress(session=session, send_id=send_id)
    assert (progress.status, progress.accepted, progress.failed) == ("sent", 3, 0)
