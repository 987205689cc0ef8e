"""The SMTP provider's pool against a real local relay (tests/fakes/smtp.py) that records the
commands it reads: pipelining where offered, connections kept across batches, and a relay that
throttles (421) or drops a connection mid-batch."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from newsletter.db import transaction
from newsletter.db.models import Batch, Delivery
from newsletter.providers import SmtpProvider
from newsletter.sending import pending_batch_ids, send_batch
from tests.fakes.smtp import FakeRelay
from tests.providers.helpers import outgoing_batch, recipient
from tests.providers.test_smtp import smtp_settings
from tests.sending.helpers import add_people, freeze, issue_id  # noqa: F401 (fixture)


@pytest.fixture
def relay():
    fake = FakeRelay(record=True).start()
    yield fake
    fake.stop()


@pytest.fixture
def unpipelined_relay():
    fake = FakeRelay(record=True, pipelining=False).start()
    yield fake
    fake.stop()


def provider(tmp_path, relay, **overrides):
    return SmtpProvider(smtp_settings(tmp_path, relay.port, **overrides))


def test_envelope_commands_go_in_one_write_where_the_relay_offers_pipelining(settings, tmp_path, relay):
    results = provider(tmp_path, relay).send_batch(outgoing_batch(settings, [recipient(n) for n in (1, 2, 3)]))
    assert all(r.accepted for r in results)
    envelopes = [commands for _, commands in relay.reads if "MAIL" in commands]
    assert envelopes == [("MAIL", "RCPT", "DATA")] * 3
    assert relay.taken == {1: 1, 2: 1, 3: 1}


def test_without_pipelining_each_command_waits_for_its_reply(settings, tmp_path, unpipelined_relay):
    relay = unpipelined_relay
    results = provider(tmp_path, relay).send_batch(outgoing_batch(settings, [recipient(n) for n in (1, 2)]))
    assert all(r.accepted for r in results)
    assert all(len(commands) == 1 for _, commands in relay.reads)
    assert [c for _, (c,) in relay.reads if c in ("MAIL", "RCPT", "DATA")] == ["MAIL", "RCPT", "DATA"] * 2


def test_a_batch_is_shared_out_over_the_pool_whose_connections_serve_the_next_batch(settings, tmp_path, relay):
    smtp = provider(tmp_path, relay, smtp_connections=3)
    for first in (1, 10):
        results = smtp.send_batch(outgoing_batch(settings, [recipient(n) for n in range(first, first + 6)]))
        assert all(r.accepted for r in results)
    assert relay.connections == 3
    by_connection = {}
    for connection, commands in relay.reads:
        by_connection.setdefault(connection, []).extend(commands)
    # each connection sent messages in both batches, checked with NOOP before the second
    assert sorted(by_connection) == [1, 2, 3]
    assert all("NOOP" in commands for commands in by_connection.values())
    assert sum(relay.taken.values()) == 12
    smtp.close()


def test_batches_sent_at_once_by_one_process_share_its_connections(settings, tmp_path):
    relay = FakeRelay(latency=0.02).start()  # slow enough for the two batches to overlap
    try:
        smtp = provider(tmp_path, relay, smtp_connections=3)
        batches = [outgoing_batch(settings, [recipient(n) for n in range(first, first + 9)]) for first in (1, 20)]
        with ThreadPoolExecutor(2) as threads:  # as the threads of an embedded worker would
            results = list(threads.map(smtp.send_batch, batches))
        assert all(r.accepted for batch in results for r in batch)
        assert sum(relay.taken.values()) == 18 and relay.connections == 3  # never 3 per batch
        smtp.close()
    finally:
        relay.stop()


def test_a_connection_is_replaced_after_its_share_of_messages(settings, tmp_path, relay):
    smtp = provider(tmp_path, relay, smtp_messages_per_connection=2)
    smtp.send_batch(outgoing_batch(settings, [recipient(n) for n in range(1, 6)]))
    smtp.send_batch(outgoing_batch(settings, [recipient(6)]))
    assert relay.connections == 3  # messages 1-2, then 3-4, then 5 and 6 (kept across the batches)
    assert [c for _, cs in relay.reads for c in cs].count("QUIT") == 3  # each after its second message


def sent_through(tmp_path, database_url, issue_id, relay, people, **overrides):  # noqa: F811
    """Freeze a send to ``people`` and send its one batch through ``relay``; (outcome, ledger)."""
    settings = smtp_settings(tmp_path, relay.port, database_url=database_url, **overrides)
    add_people(database_url, "weekly", people)
    send_id, _ = freeze(settings, issue_id)
    with transaction(database_url) as session:
        [batch_id] = pending_batch_ids(session=session, send_id=send_id)
    outcome = send_batch(settings=settings, provider=SmtpProvider(settings), batch_id=batch_id)
    with transaction(database_url) as session:
        ledger = dict(session.execute(select(Delivery.email, Delivery.status)).all())
        assert session.get(Batch, batch_id).status == outcome.status
    return outcome, ledger


def test_a_421_mid_batch_holds_back_only_the_refused_message(tmp_path, database_url, issue_id, relay):  # noqa: F811
    people = [f"p{n}@example.org" for n in range(1, 7)]
    relay.throttle_once |= {"p2@example.org", "p5@example.org"}
    outcome, ledger = sent_through(tmp_path, database_url, issue_id, relay, people)
    assert (outcome.status, outcome.accepted) == ("done", 6)
    assert set(ledger.values()) == {"accepted"}
    assert relay.answers["421"] == 2 and relay.connections == 3  # a new connection after each 421
    assert sorted(relay.taken.values()) == [1] * 6  # nobody twice: a 421 took nothing
    with transaction(database_url) as session:  # each recorded with its own message's Message-ID
        recorded = session.execute(select(Delivery.id, Delivery.send_id, Delivery.provider_message_id)).all()
    assert all(message_id.startswith(f"<{send_id}.{delivery_id}.") for delivery_id, send_id, message_id in recorded)


def test_only_a_message_whose_reply_was_lost_is_sent_twice(tmp_path, database_url, issue_id, relay):  # noqa: F811
    people = [f"p{n}@example.org" for n in range(1, 7)]
    relay.drop_once.add("p4@example.org")
    relay.throttle_once.add("p2@example.org")  # dropped before its content: not sent twice
    outcome, ledger = sent_through(tmp_path, database_url, issue_id, relay, people, smtp_connections=2)
    assert (outcome.status, outcome.accepted) == ("done", 6)
    assert set(ledger.values()) == {"accepted"}
    with transaction(database_url) as session:
        ids = dict(session.execute(select(Delivery.email, Delivery.id)).all())
    assert {d: n for d, n in relay.taken.items() if n > 1} == {ids["p4@example.org"]: 2}
    assert relay.lost_replies == {ids["p4@example.org"]: 1}


def test_a_relay_that_keeps_refusing_leaves_the_batch_for_later(tmp_path, database_url, issue_id, relay):  # noqa: F811
    people = [f"p{n}@example.org" for n in range(1, 4)]
    relay.defer |= set(people)
    outcome, ledger = sent_through(tmp_path, database_url, issue_id, relay, people)
    assert (outcome.status, outcome.accepted, outcome.failed) == ("pending", 0, 0)
    assert outcome.error.startswith("451")
    assert set(ledger.values()) == {"pending"}
    with transaction(database_url) as session:
        assert session.scalar(select(func.count()).select_from(Delivery).where(Delivery.error.is_not(None))) == 3
