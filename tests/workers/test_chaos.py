"""Chaos: 20,000 recipients through two real worker processes (each with several batches in
flight, NEWSLETTER_SENDGRID_CONCURRENCY) and beat, over Redis and PostgreSQL, while the fake
SendGrid answers 429 and 500, drops connections after accepting,
and one worker is SIGKILLed mid-send. Afterwards the fake server counts every recipient
accepted exactly once: none missing, none twice."""

from sqlalchemy import func, literal, select

from newsletter.db import transaction
from newsletter.db.models import Delivery, Subscriber, Subscription
from newsletter.editorial import save_issue
from newsletter.sending import create_send
from newsletter.subscribers import create_list
from tests.cli import cli_env
from tests.conftest import make_settings
from tests.factories import issue
from tests.sending.helpers import assert_counters_match_ledger
from tests.fakes.sendgrid import API_KEY, FakeSendGrid
from tests.web.conftest import free_port, start_server
from tests.workers.processes import (
    kill_worker_mid_send,
    start_workers_and_beat,
    stop,
    wait_until_sent,
)

RECIPIENTS = 20_000


def add_subscribers(url: str, count: int) -> None:
    with transaction(url) as session:
        list_id = create_list(session=session, name="weekly").id
    with transaction(url) as session:
        session.execute(Subscriber.__table__.insert(), [
            {"email": f"reader{n}@example.org", "name": f"Reader {n}", "status": "active", "attributes": {}}
            for n in range(count)
        ])
        session.execute(
            Subscription.__table__.insert().from_select(
                ["list_id", "subscriber_id", "status"],
                select(literal(list_id), Subscriber.id, literal("confirmed")),
            )
        )


def test_every_recipient_is_accepted_exactly_once_whatever_fails(tmp_path, postgres_url, redis_url):
    base_url = f"http://127.0.0.1:{free_port()}"
    fake = FakeSendGrid(fault_rates={"429": 0.06, "500": 0.06, "drop": 0.04}, seed=7,
                        webhook_url=f"{base_url}/webhooks/sendgrid").start()
    values = dict(
        database_url=postgres_url, broker_url=redis_url, base_url=base_url, email_backend="sendgrid",
        sendgrid_api_url=fake.url, sendgrid_webhook_public_key=fake.public_key, sendgrid_timeout=5,
        # ambiguous batches wait longer than the webhook takes to confirm them, as delivery.md asks
        batch_size=200, batch_stuck_after=8, ambiguous_resend_after=20, poll_interval=1,
    )
    settings = make_settings(tmp_path, sendgrid_api_key=API_KEY, **values)
    env = cli_env(tmp_path, sendgrid_api_key=API_KEY, **values)
    web, web_thread = start_server(settings)  # receives the webhook's events
    add_subscribers(postgres_url, RECIPIENTS)
    with transaction(postgres_url) as session:
        issue_id = save_issue(session=session, content=issue(5)).id
        send_id = create_send(session=session, settings=settings, issue_id=issue_id, list_names=["weekly"]).id

    processes = start_workers_and_beat(env, tmp_path)
    try:
        kill_worker_mid_send(postgres_url, processes["worker1"], once_accepted=RECIPIENTS // 4)
        wait_until_sent(postgres_url, send_id, timeout=300)
    finally:
        for process in processes.values():
            stop(process)
        web.should_exit = True
        web_thread.join(timeout=10)
        fake.stop()

    counts = fake.accepted_deliveries()
    with transaction(postgres_url) as session:
        delivery_ids = set(session.scalars(select(Delivery.id)))
        outcomes = dict(session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
    assert len(delivery_ids) == RECIPIENTS
    assert set(counts) == delivery_ids, f"{len(delivery_ids - set(counts))} recipients never accepted"
    twice = {d: n for d, n in counts.items() if n > 1}
    assert twice == {}, f"{len(twice)} recipients accepted more than once"
    assert outcomes == {"accepted": RECIPIENTS}
    assert_counters_match_ledger(postgres_url, send_id)
    # The faults really happened: rate limits, server errors, and accepted-then-dropped requests.
    assert fake.answers["429"] and fake.answers["500"] and fake.answers["drop"], fake.answers
