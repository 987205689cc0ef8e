"""Chaos, the SMTP twin: 2,000 recipients through two real worker processes and beat, over
Redis and PostgreSQL, to a relay with latency that answers some messages 421 (and closes the
connection) and drops some connections after taking a message (before its 250), while one
worker is SIGKILLed mid-send. Every recipient is accepted; a recipient gets two copies only
where the relay took a message whose reply was lost: a dropped connection, or the few
messages in flight in the killed worker (answered, not yet recorded)."""

from sqlalchemy import func, select

from newsletter.db import transaction
from newsletter.db.models import Delivery
from newsletter.editorial import save_issue
from newsletter.sending import create_send
from tests.cli import cli_env
from tests.conftest import make_settings
from tests.factories import issue
from tests.fakes.smtp import FakeRelay
from tests.sending.helpers import assert_counters_match_ledger
from tests.workers.processes import (
    kill_worker_mid_send,
    start_workers_and_beat,
    stop,
    wait_until_sent,
)
from tests.workers.test_chaos import add_subscribers

RECIPIENTS = 2_000
CONNECTIONS = 5
# What a killed worker may have had answered but not yet recorded: a message per connection,
# and the answers of one recording interval (50 ms) at the relay's pace.
IN_FLIGHT = CONNECTIONS + 50  # (31 in a run here; re-sending the killed batch's answered ones: ~100 on average)


def test_every_recipient_is_accepted_and_only_lost_replies_are_sent_twice(tmp_path, postgres_url, redis_url):
    relay = FakeRelay(latency=0.01, fault_rates={"421": 0.03, "drop": 0.005}, seed=7).start()
    values = dict(
        database_url=postgres_url, broker_url=redis_url, email_backend="smtp", smtp_host="127.0.0.1",
        smtp_port=relay.port, smtp_tls="none", smtp_timeout=5, smtp_connections=CONNECTIONS,
        batch_size=200, batch_stuck_after=2, ambiguous_resend_after=1, poll_interval=1,
    )
    settings = make_settings(tmp_path, **values)
    env = cli_env(tmp_path, **values)
    add_subscribers(postgres_url, RECIPIENTS)
    with transaction(postgres_url) as session:
        issue_id = save_issue(session=session, content=issue(5)).id
        send_id = create_send(session=session, settings=settings, issue_id=issue_id, list_names=["weekly"]).id

    processes = start_workers_and_beat(env, tmp_path, "--pool", "solo")
    try:
        kill_worker_mid_send(postgres_url, processes["worker1"], once_accepted=RECIPIENTS // 4)
        wait_until_sent(postgres_url, send_id, timeout=120)
    finally:
        for process in processes.values():
            stop(process)
        relay.stop()

    with transaction(postgres_url) as session:
        delivery_ids = set(session.scalars(select(Delivery.id)))
        outcomes = dict(session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
    assert len(delivery_ids) == RECIPIENTS
    assert set(relay.taken) == delivery_ids, f"{len(delivery_ids - set(relay.taken))} recipients never accepted"
    assert outcomes == {"accepted": RECIPIENTS}
    assert_counters_match_ledger(postgres_url, send_id)
    twice = {d for d, n in relay.taken.items() if n > 1}
    beyond_lost_replies = twice - set(relay.lost_replies)
    assert len(beyond_lost_replies) <= IN_FLIGHT, f"{len(beyond_lost_replies)} sent twice with their reply heard"
    assert all(n <= 2 + relay.lost_replies[d] for d, n in relay.taken.items())  # one copy too many at most
    # The faults really happened: throttling and replies lost after the relay took the message.
    assert relay.answers["421"] and relay.lost_replies, relay.answers
