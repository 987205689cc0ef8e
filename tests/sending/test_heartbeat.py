"""A worker that is slow but alive keeps its batch: it beats (batches.heartbeat_at), and the
sweep takes back only batches whose worker went silent for NEWSLETTER_BATCH_STUCK_AFTER."""

import datetime as dt
import threading
import time

from sqlalchemy import update

from newsletter.db import transaction
from newsletter.db.models import Batch, utcnow
from newsletter.providers import SmtpProvider
from newsletter.sending import pending_batch_ids, send_batch
from newsletter.sending.sweep import recover_batches
from tests.fakes.smtp import FakeRelay
from tests.providers.test_smtp import smtp_settings
from tests.sending.helpers import add_people, freeze


def test_a_slow_batch_that_beats_is_never_taken_back_and_a_silent_one_is(tmp_path, database_url, issue_id):
    relay = FakeRelay(latency=0.3).start()
    settings = smtp_settings(tmp_path, relay.port, database_url=database_url, batch_stuck_after=1)
    add_people(database_url, "weekly", [f"p{n}@example.org" for n in range(1, 7)])  # 1.8 s over one connection
    send_id, _ = freeze(settings, issue_id)
    with transaction(database_url) as session:
        [batch_id] = pending_batch_ids(session=session, send_id=send_id)
    outcomes = []
    worker = threading.Thread(target=lambda: outcomes.append(
        send_batch(settings=settings, provider=SmtpProvider(settings), batch_id=batch_id)))
    worker.start()
    sweeps = 0
    while worker.is_alive():
        with transaction(database_url) as session:
            assert recover_batches(session=session, settings=settings, resend_is_harmless=False, now=utcnow()) == (0, 0, 0)
        sweeps += 1
        time.sleep(0.1)
    relay.stop()
    assert sweeps > 10 and outcomes[0].status == "done" and outcomes[0].accepted == 6
    assert sorted(relay.taken.values()) == [1] * 6

    # The same batch, as a worker that died mid-send would leave it: silent for longer than allowed.
    long_ago = utcnow() - dt.timedelta(seconds=2)
    with transaction(database_url) as session:
        session.execute(update(Batch).where(Batch.id == batch_id).values(
            status="posting", posted_at=long_ago, claimed_at=long_ago, heartbeat_at=long_ago))
        assert recover_batches(session=session, settings=settings, resend_is_harmless=False, now=utcnow()) == (0, 1, 0)
