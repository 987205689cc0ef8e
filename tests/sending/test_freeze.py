"""Freezing a send's recipients in chunks: the first batches can go while the rest freeze,
and however freezers stop, start or overlap, every eligible recipient is frozen exactly once."""

import datetime as dt
import signal
import subprocess
import threading
import time

import pytest
from sqlalchemy import select, text

from newsletter.db import transaction
from newsletter.db.models import Batch, Delivery, Send, utcnow
from newsletter.editorial import save_issue
from newsletter.sending import cancel_send, create_send, freeze_send, send_batch
from newsletter.sending import freeze as freezing
from newsletter.sending.freeze import freeze_chunk
from newsletter.sending.sweep import sweep
from newsletter.subscribers import create_list
from tests.cli import cli_env
from tests.conftest import BIN, make_settings
from tests.factories import issue
from tests.sending.helpers import RecordingProvider, add_people


@pytest.fixture
def chunks_of_two_batches(monkeypatch):
    monkeypatch.setattr(freezing, "FREEZE_CHUNK_BATCHES", 2)  # with batches of 3: six recipients a chunk


def start(settings, issue_id, lists=("weekly",)):
    with transaction(settings.database_url) as session:
        return create_send(session=session, settings=settings, issue_id=issue_id, list_names=list(lists)).id


def ledger(url, send_id):
    """(emails frozen, in order; (batch number, size) of every batch; the send)."""
    with transaction(url) as session:
        emails = session.scalars(select(Delivery.email).where(Delivery.send_id == send_id).order_by(Delivery.id)).all()
        batches = session.execute(
            select(Batch.number, Batch.size).where(Batch.send_id == send_id).order_by(Batch.number)).all()
        return emails, [tuple(b) for b in batches], session.get_one(Send, send_id)


def test_chunks_follow_subscriber_ids_and_count_a_person_on_two_lists_once(
        small_batches, issue_id, chunks_of_two_batches):
    people = [f"p{n:02}@example.org" for n in range(14)]
    add_people(small_batches.database_url, "weekly", people)
    add_people(small_batches.database_url, "weekly-es", people[5:9] + ["es-only@example.org"])
    add_people(small_batches.database_url, "weekly", ["unconfirmed@example.org"], status="pending")
    send_id = start(small_batches, issue_id, ["weekly", "weekly-es"])
    published = []
    freeze_send(settings=small_batches, send_id=send_id, on_batches=published.append)

    emails, batches, send = ledger(small_batches.database_url, send_id)
    assert emails == people + ["es-only@example.org"]
    assert batches == [(0, 3), (1, 3), (2, 3), (3, 3), (4, 3)]
    assert [len(chunk) for chunk in published] == [2, 2, 1]  # each chunk queued as it committed
    assert sorted(b for chunk in published for b in chunk) == list(range(1, 6))
    assert send.recipient_count == 15 and send.frozen_at is not None


def test_a_send_is_not_finished_while_recipients_are_still_to_freeze(small_batches, issue_id, chunks_of_two_batches):
    add_people(small_batches.database_url, "weekly", [f"p{n}@example.org" for n in range(8)])
    send_id = start(small_batches, issue_id)
    provider = RecordingProvider()
    with transaction(small_batches.database_url) as session:
        first = freeze_chunk(session=session, settings=small_batches, send_id=send_id, queued=True)
    assert not first.last
    for batch_id in first.batch_ids:
        send_batch(settings=small_batches, provider=provider, batch_id=batch_id)
    with transaction(small_batches.database_url) as session:
        assert session.get_one(Send, send_id).status == "sending"  # six sent, two not yet frozen

    rest = []
    freeze_send(settings=small_batches, send_id=send_id, on_batches=rest.extend)
    for batch_id in rest:
        send_batch(settings=small_batches, provider=provider, batch_id=batch_id)
    with transaction(small_batches.database_url) as session:
        assert session.get_one(Send, send_id).status == "sent"
    assert sum(len(b.recipients) for b in provider.batches) == 8


def test_the_last_chunk_finishes_a_send_whose_batches_are_all_done(small_batches, issue_id):
    send_id = start(small_batches, issue_id)  # nobody on the list
    freeze_send(settings=small_batches, send_id=send_id)
    _, batches, send = ledger(small_batches.database_url, send_id)
    assert (batches, send.status, send.recipient_count) == ([], "sent", 0)


def test_a_cancelled_send_stops_freezing(small_batches, issue_id, chunks_of_two_batches):
    add_people(small_batches.database_url, "weekly", [f"p{n}@example.org" for n in range(20)])
    send_id = start(small_batches, issue_id)
    with transaction(small_batches.database_url) as session:
        freeze_chunk(session=session, settings=small_batches, send_id=send_id, queued=False)
    with transaction(small_batches.database_url) as session:
        cancel_send(session=session, send_id=send_id)
    freeze_send(settings=small_batches, send_id=send_id)
    emails, batches, send = ledger(small_batches.database_url, send_id)
    assert (len(emails), len(batches), send.status, send.frozen_at) == (6, 2, "cancelled", None)


def test_two_freezers_at_once_freeze_everyone_once(small_batches, issue_id, chunks_of_two_batches):
    people = [f"p{n:02}@example.org" for n in range(40)]
    add_people(small_batches.database_url, "weekly", people)
    send_id = start(small_batches, issue_id)
    barrier = threading.Barrier(2)
    published, errors = [], []

    def freeze():
        barrier.wait()
        try:
            freeze_send(settings=small_batches, send_id=send_id, on_batches=published.extend)
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=freeze) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    emails, batches, send = ledger(small_batches.database_url, send_id)
    assert emails == people
    assert batches == [(n, 3) for n in range(13)] + [(13, 1)]
    assert sorted(published) == list(range(1, 15))  # each batch queued by the freezer that made it
    assert send.recipient_count == 40


@pytest.mark.postgres
def test_the_sweep_takes_over_the_freeze_of_a_sender_killed_mid_freeze(tmp_path, postgres_url, redis_url):
    """`newsletter send` freezes and queues; SIGKILLed mid-freeze, it leaves a send the sweep
    finishes freezing once it has made no progress for NEWSLETTER_BATCH_STUCK_AFTER."""
    readers = 60_000
    with transaction(postgres_url) as session:
        create_list(session=session, name="weekly")
        issue_id = save_issue(session=session, content=issue(2)).id
        session.execute(text(
            "INSERT INTO subscribers (email, name, status, attributes, created_at) "
            "SELECT 'reader' || n || '@example.org', 'Reader ' || n, 'active', '{}', now() "
            "FROM generate_series(1, :n) AS n"), {"n": readers})
        session.execute(text(
            "INSERT INTO subscriptions (list_id, subscriber_id, status, created_at) "
            "SELECT (SELECT id FROM lists WHERE name = 'weekly'), id, 'confirmed', now() FROM subscribers"))
    values = dict(database_url=postgres_url, broker_url=redis_url, batch_size=10, batch_stuck_after=30)
    settings = make_settings(tmp_path, **values)
    sender = subprocess.Popen([str(BIN / "newsletter"), "send", str(issue_id), "--list", "weekly"],
                              cwd=tmp_path, env=cli_env(tmp_path, **values),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            with transaction(postgres_url) as session:
                send = session.scalar(select(Send))
            if send is not None and send.recipient_count >= 5_000:
                break
            assert sender.poll() is None and time.monotonic() < deadline, "the sender did not start freezing"
            time.sleep(0.01)
        sender.send_signal(signal.SIGKILL)
    finally:
        sender.kill()
        sender.wait()
    _, _, killed = ledger(postgres_url, send.id)
    assert killed.frozen_at is None and killed.recipient_count < readers, "the freeze ended before the kill"

    assert sweep(settings=settings, resend_is_harmless=True).frozen == []  # its freezer might be alive
    later = utcnow() + dt.timedelta(seconds=31)
    report = sweep(settings=settings, resend_is_harmless=True, now=later)
    assert report.frozen == [send.id]
    emails, batches, frozen = ledger(postgres_url, send.id)
    assert len(emails) == len(set(emails)) == readers
    assert batches == [(n, 10) for n in range(readers // 10)]
    assert frozen.recipient_count == readers and frozen.frozen_at is not None
    with transaction(postgres_url) as session:
        all_batches = session.scalars(select(Batch.id).order_by(Batch.id)).all()
    # Every batch gets a task: the sweep's as they froze, the killed sender's again (it may
    # have died between a chunk's commit and publishing its tasks).
    assert sorted(report.to_queue) == all_batches
