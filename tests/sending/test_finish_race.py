"""A send is finished by whichever transaction records its last batch, even when the last two
batches are recorded at the same moment (the send's row lock makes the second one look again)."""

import threading

import pytest
from sqlalchemy import update

from newsletter.db import transaction
from newsletter.db.models import Batch, Delivery, Send, utcnow
from newsletter.sending.states import finish_if_complete
from newsletter.sending.sweep import finish_complete_sends
from tests.conftest import make_settings
from tests.sending.helpers import add_people, freeze


def record_done(session, send_id, number):
    """What a worker's record step does to its batch and deliveries."""
    session.execute(update(Batch).where(Batch.send_id == send_id, Batch.number == number)
                    .values(status="done", finished_at=utcnow()))
    session.execute(update(Delivery).where(Delivery.send_id == send_id, Delivery.batch_number == number)
                    .values(status="accepted"))


def test_two_workers_recording_the_last_two_batches_at_once_finish_the_send(tmp_path, database_url, issue_id):
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite lets one writer at a time: the race needs PostgreSQL")
    postgres_url = database_url
    settings = make_settings(tmp_path, database_url=postgres_url, batch_size=3)
    add_people(postgres_url, "weekly", [f"p{n}@example.org" for n in range(6)])
    send_id, recipients = freeze(settings, issue_id)
    assert recipients == 6
    # Both transactions have recorded their batch before either looks at the send; then each
    # waits (a little) for the other to have looked too before committing.
    recorded, looked = threading.Barrier(2), threading.Barrier(2, timeout=2)
    errors = []

    def worker(number):
        try:
            with transaction(postgres_url) as session:
                record_done(session, send_id, number)
                recorded.wait()
                finish_if_complete(session, send_id)
                try:
                    looked.wait()
                except threading.BrokenBarrierError:  # the other waits for our lock: commit
                    pass
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(number,)) for number in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with transaction(postgres_url) as session:
        assert session.get_one(Send, send_id).status == "sent"


def test_the_sweep_finishes_a_complete_send_that_nothing_finished(tmp_path, database_url, issue_id):
    settings = make_settings(tmp_path, database_url=database_url, batch_size=3)
    add_people(database_url, "weekly", [f"p{n}@example.org" for n in range(6)])
    send_id, _ = freeze(settings, issue_id)
    with transaction(database_url) as session:  # as if a path had forgotten to finish the send
        for number in (0, 1):
            record_done(session, send_id, number)
    assert finish_complete_sends(database_url) == [send_id]
    assert finish_complete_sends(database_url) == []
    with transaction(database_url) as session:
        assert session.get_one(Send, send_id).status == "sent"


def test_workers_recording_batches_of_one_send_at_once_do_not_deadlock(tmp_path, database_url, issue_id):
    """Recording updates a batch row twice, which makes PostgreSQL check its foreign key and
    hold a KEY SHARE lock on the send: a FOR UPDATE on the send then deadlocked two workers."""
    from newsletter.sending import pending_batch_ids, send_batch
    from tests.sending.helpers import RecordingProvider

    settings = make_settings(tmp_path, database_url=database_url, batch_size=3)
    add_people(database_url, "weekly", [f"p{n}@example.org" for n in range(12)])
    send_id, _ = freeze(settings, issue_id)
    with transaction(database_url) as session:
        batch_ids = pending_batch_ids(session=session, send_id=send_id)
    start, errors = threading.Barrier(len(batch_ids)), []

    def worker(batch_id):
        start.wait()
        try:
            send_batch(settings=settings, provider=RecordingProvider(), batch_id=batch_id)
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(batch_id,)) for batch_id in batch_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with transaction(database_url) as session:
        assert session.get_one(Send, send_id).status == "sent"
