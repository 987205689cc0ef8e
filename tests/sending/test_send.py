import email
from email import policy

import pytest
from sqlalchemy import func, select, update

from newsletter.db import transaction
from newsletter.db.models import Batch, Delivery, Send, Subscriber, Subscription, as_utc, utcnow
from newsletter.errors import ContentError, NotFoundError, ProviderError, TransientProviderError
from newsletter.providers import FileProvider
from newsletter.sending import pending_batch_ids, send_batch, send_progress
from tests.sending.helpers import RecordingProvider, add_people, freeze


def test_freeze_takes_confirmed_active_people_once_in_batches(small_batches, issue_id):
    url = small_batches.database_url
    add_people(url, "weekly", [f"p{n}@example.org" for n in range(7)])
    add_people(url, "weekly-es", ["p0@example.org", "p1@example.org", "es-only@example.org"])
    add_people(url, "weekly", ["pending@example.org"], status="pending")
    add_people(url, "weekly", ["left@example.org"], status="unsubscribed")
    add_people(url, "weekly", ["bounced@example.org"], subscriber_status="bounced")

    send_id, count = freeze(small_batches, issue_id, ["weekly", "weekly-es"])

    assert count == 8
    with transaction(url) as session:
        emails = session.scalars(select(Delivery.email).where(Delivery.send_id == send_id)).all()
        sizes = session.execute(select(Batch.number, Batch.size).where(Batch.send_id == send_id).order_by(Batch.number)).all()
        per_batch = session.execute(
            select(Delivery.batch_number, func.count()).where(Delivery.send_id == send_id).group_by(Delivery.batch_number).order_by(Delivery.batch_number)
        ).all()
        send = session.get(Send, send_id)
    assert sorted(emails) == sorted([f"p{n}@example.org" for n in range(7)] + ["es-only@example.org"])
    assert [tuple(s) for s in sizes] == [(0, 3), (1, 3), (2, 2)]
    assert [tuple(b) for b in per_batch] == [(0, 3), (1, 3), (2, 2)]
    assert send.status == "sending" and "__NL_UNSUBSCRIBE_URL__" in send.html_template


def test_every_recipient_is_sent_once_and_the_send_finishes(small_batches, issue_id):
    url = small_batches.database_url
    add_people(url, "weekly", [f"p{n}@example.org" for n in range(7)])
    send_id, _ = freeze(small_batches, issue_id)
    provider = RecordingProvider()
    with transaction(url) as session:
        batch_ids = pending_batch_ids(session=session, send_id=send_id)
    outcomes = [send_batch(settings=small_batches, provider=provider, batch_id=b) for b in batch_ids]
    assert [o.accepted for o in outcomes] == [3, 3, 1]
    sent_to = [r.email for b in provider.batches for r in b.recipients]
    assert sorted(sent_to) == sorted(f"p{n}@example.org" for n in range(7))
    with transaction(url) as session:
        progress = send_progress(session=session, send_id=send_id)
    assert (progress.status, progress.accepted, progress.pending, progress.failed) == ("sent", 7, 0, 0)


def test_a_redelivered_task_does_nothing(small_batches, issue_id):
    add_people(small_batches.database_url, "weekly", ["a@example.org"])
    send_id, _ = freeze(small_batches, issue_id)
    with transaction(small_batches.database_url) as session:
        [batch_id] = pending_batch_ids(session=session, send_id=send_id)
    provider = RecordingProvider()
    assert send_batch(settings=small_batches, provider=provider, batch_id=batch_id) is not None
    assert send_batch(settings=small_batches, provider=provider, batch_id=batch_id) is None
    assert len(provider.batches) == 1


def test_a_batch_held_by_another_worker_is_not_taken(small_batches, issue_id):
    add_people(small_batches.database_url, "weekly", ["a@example.org"])
    send_id, _ = freeze(small_batches, issue_id)
    with transaction(small_batches.database_url) as session:
        [batch_id] = pending_batch_ids(session=session, send_id=send_id)
        session.execute(update(Batch).where(Batch.id == batch_id).values(status="submitting"))
    provider = RecordingProvider()
    assert send_batch(settings=small_batches, provider=provider, batch_id=batch_id) is None
    assert provider.batches == []


def test_people_who_unsubscribe_after_the_freeze_are_skipped(small_batches, issue_id):
    url = small_batches.database_url
    add_people(url, "weekly", ["stay@example.org", "left@example.org", "bounced@example.org"])
    send_id, _ = freeze(small_batches, issue_id)
    with transaction(url) as session:
        session.execute(update(Subscription).where(Subscription.subscriber_id == select(Subscriber.id).where(Subscriber.email == "left@example.org").scalar_subquery()).values(status="unsubscribed"))
        session.execute(update(Subscriber).where(Subscriber.email == "bounced@example.org").values(status="bounced"))
        [batch_id] = pending_batch_ids(session=session, send_id=send_id)
    provider = RecordingProvider()
    outcome = send_batch(settings=small_batches, provider=provider, batch_id=batch_id)
    assert (outcome.accepted, outcome.suppressed) == (1, 2)
    assert [r.email for r in provider.batches[0].recipients] == ["stay@example.org"]
    with transaction(url) as session:
        progress = send_progress(session=session, send_id=send_id)
    assert (progress.status, progress.suppressed, progress.accepted) == ("sent", 2, 1)


def test_a_transient_error_returns_the_batch_to_pending(small_batches, issue_id):
    add_people(small_batches.database_url, "weekly", ["a@example.org"])
    send_id, _ = freeze(small_batches, issue_id)
    with transaction(small_batches.database_url) as session:
        [batch_id] = pending_batch_ids(session=session, send_id=send_id)
    failing = RecordingProvider(TransientProviderError("test", "try later", status=429, retry_after=120))
    before = utcnow()
    outcome = send_batch(settings=small_batches, provider=failing, batch_id=batch_id)
    assert (outcome.status, outcome.accepted) == ("pending", 0)
    with transaction(small_batches.database_url) as session:
        batch = session.get(Batch, batch_id)
        assert (batch.status, batch.attempts) == ("pending", 1)
        wait = (as_utc(batch.retry_at) - before).total_seconds()
        assert 119 < wait < 125  # the provider's Retry-After, not our own backoff
        assert send_progress(session=session, send_id=send_id).retrying == "test (status 429): try later"
    retry = RecordingProvider()
    assert send_batch(settings=small_batches, provider=retry, batch_id=batch_id) is None  # not due yet
    with transaction(small_batches.database_url) as session:
        session.execute(update(Batch).values(retry_at=utcnow()))  # the time has come
    assert send_batch(settings=small_batches, provider=retry, batch_id=batch_id).accepted == 1
    assert failing.batches[0].recipients[0].message_id == retry.batches[0].recipients[0].message_id


def test_a_permanent_error_fails_the_recipients_with_the_providers_message(small_batches, issue_id):
    add_people(small_batches.database_url, "weekly", ["a@example.org", "b@example.org"])
    send_id, _ = freeze(small_batches, issue_id)
    with transaction(small_batches.database_url) as session:
        [batch_id] = pending_batch_ids(session=session, send_id=send_id)
    failing = RecordingProvider(ProviderError("test", "sender not verified", status=403))
    outcome = send_batch(settings=small_batches, provider=failing, batch_id=batch_id)
    assert (outcome.accepted, outcome.failed) == (0, 2)
    with transaction(small_batches.database_url) as session:
        errors = session.scalars(select(Delivery.error).where(Delivery.send_id == send_id)).all()
        assert session.get(Batch, batch_id).status == "failed"
        assert send_progress(session=session, send_id=send_id).status == "sent"
    assert errors == ["test (status 403): sender not verified"] * 2


def test_messages_carry_per_recipient_links_and_names(small_batches, issue_id, tmp_path):
    add_people(small_batches.database_url, "weekly", ["a@example.org"])
    with transaction(small_batches.database_url) as session:
        session.execute(update(Subscriber).values(name="Ana <Lima>"))
    send_id, _ = freeze(small_batches, issue_id)
    with transaction(small_batches.database_url) as session:
        [batch_id] = pending_batch_ids(session=session, send_id=send_id)
    send_batch(settings=small_batches, provider=FileProvider(tmp_path / "box"), batch_id=batch_id)
    [eml] = (tmp_path / "box" / f"send-{send_id}").glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("https://news.example.org/unsubscribe/")
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert f'href="{unsubscribe}"' in html and unsubscribe in text
    assert "Hi Ana &lt;Lima&gt;," in html and "Hi Ana <Lima>," in text
    assert "https://news.example.org/archive/2023-12-29-the-weekly-brief" in text
    assert message["Message-ID"].endswith("@example.org>")


def test_nobody_eligible_makes_an_empty_finished_send(small_batches, issue_id):
    send_id, count = freeze(small_batches, issue_id)
    assert count == 0
    with transaction(small_batches.database_url) as session:
        assert send_progress(session=session, send_id=send_id).status == "sent"


def test_unknown_issue_list_or_no_list_are_clear_errors(small_batches, issue_id):
    with pytest.raises(NotFoundError, match="no list named 'nope'"):
        freeze(small_batches, issue_id, ["nope"])
    with pytest.raises(NotFoundError, match="no issue 999"):
        freeze(small_batches, 999)
    with pytest.raises(ContentError, match="at least one list"):
        freeze(small_batches, issue_id, [])
