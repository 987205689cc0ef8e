"""`queue_send` publishes a send's batches only once the transaction that marked them queued
has committed, so the first workers can claim them at once instead of waiting on its locks."""

import pytest
from sqlalchemy import text, update

import workers.tasks
from newsletter.db import transaction
from newsletter.db.models import Batch
from tests.conftest import make_settings
from tests.sending.helpers import add_people, freeze, issue_id  # noqa: F401 (a fixture)


def test_batches_are_published_after_their_rows_are_unlocked(tmp_path, database_url, issue_id, monkeypatch):
    if database_url.startswith("sqlite"):
        pytest.skip("row locks are PostgreSQL's")
    settings = make_settings(tmp_path, database_url=database_url, batch_size=3)
    add_people(database_url, "weekly", [f"p{n}@example.org" for n in range(9)])
    send_id, _ = freeze(settings, issue_id)
    with transaction(database_url) as session:
        session.execute(update(Batch).where(Batch.send_id == send_id).values(queued_at=None))
    claimable = []

    def publish(batch_ids):  # what a worker's claim meets: may it lock the batch now?
        for batch_id in batch_ids:
            with transaction(database_url) as session:
                locked = session.execute(text("SELECT id FROM batches WHERE id = :id FOR UPDATE SKIP LOCKED"),
                                         {"id": batch_id}).first()
            claimable.append(locked is not None)

    monkeypatch.setattr(workers.tasks, "publish", publish)
    workers.tasks.queue_send(settings, send_id)
    assert claimable == [True, True, True]
