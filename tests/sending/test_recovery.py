"""Crash safety: stuck batches are taken back, ambiguous ones wait for confirmation, nothing is
lost and nothing sent twice. Time is injected into the sweep; the provider is the fake SendGrid."""

import datetime as dt

import pytest
from sqlalchemy import func, select, update

from newsletter.db import transaction
from newsletter.db.models import Batch, Delivery, Send, utcnow
from newsletter.providers import SendGridProvider
from newsletter.sending import pending_batch_ids, resume_send, send_batch, send_progress
from newsletter.sending.sweep import sweep
from tests.conftest import make_settings
from tests.fakes.sendgrid import API_KEY, FakeSendGrid
from tests.sending.helpers import add_people, freeze

PEOPLE = [f"p{n}@example.org" for n in range(7)]  # three batches of 3, 3 and 1


@pytest.fixture
def sendgrid(request):
    fake = FakeSendGrid(script=getattr(request, "param", [])).start()
    yield fake
    fake.stop()


@pytest.fixture
def settings(tmp_path, database_url, sendgrid):
    return make_settings(
        tmp_path, database_url=database_url, batch_size=3, email_backend="sendgrid",
        sendgrid_api_key=API_KEY, sendgrid_api_url=sendgrid.url, sendgrid_timeout=2,
        batch_stuck_after=60, ambiguous_resend_after=600,
    )


@pytest.fixture
def batches(settings, issue_id):
    add_people(settings.database_url, "weekly", PEOPLE)
    send_id, _ = freeze(settings, issue_id)
    with transaction(settings.database_url) as session:
        return send_id, pending_batch_ids(session=session, send_id=send_id)


def statuses(url):
    with transaction(url) as session:
        return [s for (s,) in session.execute(select(Batch.status).order_by(Batch.number))]


def later(seconds):
    return utcnow() + dt.timedelta(seconds=seconds)


def send_all(settings, batch_ids):
    provider = SendGridProvider(settings)
    return [send_batch(settings=settings, provider=provider, batch_id=b) for b in batch_ids]


@pytest.mark.parametrize("sendgrid", [["401"]], indirect=True)
def test_refused_credentials_pause_the_send_and_lose_nobody(settings, batches, sendgrid):
    send_id, batch_ids = batches
    outcomes = send_all(settings, batch_ids)
    assert outcomes[0].status == "pending" and outcomes[1:] == [None, None]  # the rest are not even tried
    with transaction(settings.database_url) as session:
        progress = send_progress(session=session, send_id=send_id)
        assert (progress.status, progress.pending, progress.failed) == ("paused", 7, 0)
        assert "API key or sender was refused" in progress.status_reason
        resume_send(session=session, send_id=send_id)
    send_all(settings, batch_ids)
    assert sendgrid.accepted_deliveries() == {d: 1 for d in range(1, 8)}
    with transaction(settings.database_url) as session:
        assert send_progress(session=session, send_id=send_id).status == "sent"


@pytest.mark.parametrize("sendgrid", [["500"]], indirect=True)
def test_an_unconfirmed_ambiguous_batch_is_resent_only_after_the_window(settings, batches, sendgrid):
    send_id, batch_ids = batches
    outcomes = send_all(settings, batch_ids)
    assert [o.status for o in outcomes] == ["ambiguous", "done", "done"]
    assert sweep(settings=settings, resend_is_harmless=False, now=later(300)).to_queue == []
    assert statuses(settings.database_url) == ["ambiguous", "done", "done"]
    with transaction(settings.database_url) as session:
        assert send_progress(session=session, send_id=send_id).ambiguous_batches == 1

    report = sweep(settings=settings, resend_is_harmless=False, now=later(601))
    assert (report.resent, report.to_queue) == (1, [batch_ids[0]])
    send_all(settings, report.to_queue)
    assert sendgrid.accepted_deliveries() == {d: 1 for d in range(1, 8)}
    with transaction(settings.database_url) as session:
        assert send_progress(session=session, send_id=send_id).status == "sent"


def test_a_worker_that_died_before_posting_is_simply_taken_back(settings, batches, sendgrid):
    send_id, batch_ids = batches
    with transaction(settings.database_url) as session:  # claimed, then the worker vanished
        session.execute(update(Batch).where(Batch.id == batch_ids[0]).values(status="submitting", claimed_at=utcnow()))
    assert sweep(settings=settings, resend_is_harmless=False, now=later(30)).recovered == 0  # not stuck yet
    report = sweep(settings=settings, resend_is_harmless=False, now=later(61))
    assert report.recovered == 1 and batch_ids[0] in report.to_queue
    send_all(settings, batch_ids)
    assert sendgrid.accepted_deliveries() == {d: 1 for d in range(1, 8)}


@pytest.mark.parametrize("harmless", [False, True])
def test_a_worker_that_died_while_posting_leaves_an_ambiguous_batch_unless_resending_is_harmless(
    settings, batches, harmless
):
    _, batch_ids = batches
    with transaction(settings.database_url) as session:
        session.execute(update(Batch).where(Batch.id == batch_ids[0]).values(status="posting", posted_at=utcnow()))
    report = sweep(settings=settings, resend_is_harmless=harmless, now=later(61))
    assert statuses(settings.database_url)[0] == ("pending" if harmless else "ambiguous")
    assert (batch_ids[0] in report.to_queue) is harmless


def test_queued_batches_are_queued_again_only_when_their_message_may_be_lost(settings, batches):
    _, batch_ids = batches
    now = utcnow()
    assert sweep(settings=settings, resend_is_harmless=False, now=now).to_queue == batch_ids
    assert sweep(settings=settings, resend_is_harmless=False, now=later(30)).to_queue == []
    assert sweep(settings=settings, resend_is_harmless=False, now=later(61)).to_queue == batch_ids


def test_a_retry_is_queued_when_it_falls_due(settings, batches):
    _, batch_ids = batches
    sweep(settings=settings, resend_is_harmless=False, now=utcnow())
    with transaction(settings.database_url) as session:
        session.execute(update(Batch).where(Batch.id == batch_ids[1]).values(retry_at=later(20)))
    assert sweep(settings=settings, resend_is_harmless=False, now=later(10)).to_queue == []
    assert sweep(settings=settings, resend_is_harmless=False, now=later(21)).to_queue == [batch_ids[1]]


@pytest.mark.parametrize("sendgrid", [["429"]], indirect=True)
def test_a_rate_limited_batch_waits_for_the_reset_and_then_goes(settings, batches, sendgrid):
    send_id, batch_ids = batches
    assert send_all(settings, batch_ids)[0].status == "pending"
    with transaction(settings.database_url) as session:
        session.execute(update(Batch).values(retry_at=utcnow()))
    send_all(settings, batch_ids)
    assert sendgrid.accepted_deliveries() == {d: 1 for d in range(1, 8)}


def test_a_record_from_a_worker_whose_batch_was_taken_back_counts_only_once(settings, batches, sendgrid):
    """A slow worker answers after recovery re-queued its batch: the answer settles the
    deliveries, and the re-claimed batch finds nobody left to send to."""
    send_id, batch_ids = batches
    with transaction(settings.database_url) as session:
        session.execute(update(Batch).where(Batch.id == batch_ids[0]).values(status="ambiguous", posted_at=utcnow()))
        session.execute(update(Delivery).where(Delivery.batch_number == 0).values(status="accepted"))
        session.execute(update(Batch).where(Batch.id == batch_ids[0]).values(status="pending"))
    outcome = send_all(settings, batch_ids[:1])[0]
    assert (outcome.status, outcome.accepted) == ("done", 0)
    assert sendgrid.accepted == []
    with transaction(settings.database_url) as session:
        assert session.scalar(select(func.count()).where(Delivery.status == "accepted")) == 3
        assert session.get(Send, send_id).status == "sending"
