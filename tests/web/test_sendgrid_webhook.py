"""The Event Webhook over real HTTP: the fake SendGrid signs events and posts them to the app."""

import json
import time

import httpx
import pytest
from sqlalchemy import select

from newsletter.db import transaction
from newsletter.db.models import Batch, Delivery, Send, Subscriber, utcnow
from newsletter.providers import SendGridProvider
from newsletter.sending import pending_batch_ids, send_batch
from newsletter.sending.sweep import sweep
from tests.conftest import make_settings
from tests.fakes.sendgrid import API_KEY, FakeSendGrid
from tests.sending.helpers import add_people, freeze, issue_id  # noqa: F401 (fixture)
from tests.web.conftest import free_port, start_server


@pytest.fixture
def stack(tmp_path, database_url):
    """The web app and a fake SendGrid whose events go to it; the first request is dropped
    after being accepted."""
    base_url = f"http://127.0.0.1:{free_port()}"
    fake = FakeSendGrid(script=["drop"], webhook_url=f"{base_url}/webhooks/sendgrid")
    settings = make_settings(
        tmp_path, database_url=database_url, base_url=base_url, batch_size=3, email_backend="sendgrid",
        sendgrid_api_key=API_KEY, sendgrid_api_url=fake.url, sendgrid_webhook_public_key=fake.public_key,
    )
    server, thread = start_server(settings)
    fake.start()
    yield settings, fake
    fake.stop()
    server.should_exit = True
    thread.join(timeout=10)


def wait_for(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_an_ambiguous_batch_is_confirmed_by_its_events_and_never_resent(stack, issue_id):  # noqa: F811
    settings, fake = stack
    add_people(settings.database_url, "weekly", [f"p{n}@example.org" for n in range(5)])
    send_id, _ = freeze(settings, issue_id)
    with transaction(settings.database_url) as session:
        batch_ids = pending_batch_ids(session=session, send_id=send_id)
    provider = SendGridProvider(settings)
    outcomes = [send_batch(settings=settings, provider=provider, batch_id=b) for b in batch_ids]
    assert [o.status for o in outcomes] == ["ambiguous", "done"]

    def settled():
        with transaction(settings.database_url) as session:
            return session.get(Batch, batch_ids[0]).status == "done"

    assert wait_for(settled), "the webhook's events did not confirm the batch"
    report = sweep(settings=settings, resend_is_harmless=False, now=utcnow().replace(year=2100))
    assert report.to_queue == []
    assert fake.accepted_deliveries() == {d: 1 for d in range(1, 6)}
    with transaction(settings.database_url) as session:
        rows = session.execute(select(Delivery.status, Delivery.provider_message_id).order_by(Delivery.id)).all()
        assert session.get(Send, send_id).status == "sent"
    assert all(status == "accepted" and message_id for status, message_id in rows)


def post(settings, fake, events, *, timestamp=None, signature=None):
    payload = json.dumps(events).encode()
    timestamp = timestamp or str(int(time.time()))
    headers = {
        "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
        "X-Twilio-Email-Event-Webhook-Signature": signature or fake.sign(payload, timestamp),
    }
    return httpx.post(f"{settings.base_url}/webhooks/sendgrid", content=payload, headers=headers, timeout=10)


def test_bounces_and_complaints_suppress_the_address(stack):
    settings, fake = stack
    with transaction(settings.database_url) as session:
        for address in ("gone@example.org", "angry@example.org", "fine@example.org"):
            session.add(Subscriber(email=address, attributes={}))
    answer = post(settings, fake, [
        {"event": "bounce", "type": "bounce", "email": "gone@example.org", "sg_event_id": "1"},
        {"event": "spamreport", "email": "angry@example.org", "sg_event_id": "2"},
        {"event": "bounce", "type": "blocked", "email": "fine@example.org", "sg_event_id": "3"},
    ])
    assert answer.status_code == 200 and answer.json() == {
        "recorded": 3, "repeated": 0, "confirmed_batches": 0, "suppressed_addresses": 2}
    again = post(settings, fake, [{"event": "bounce", "type": "bounce", "email": "gone@example.org", "sg_event_id": "1"}])
    assert again.json() == {"recorded": 0, "repeated": 1, "confirmed_batches": 0, "suppressed_addresses": 0}
    with transaction(settings.database_url) as session:
        statuses = dict(session.execute(select(Subscriber.email, Subscriber.status)).all())
    assert statuses == {"gone@example.org": "bounced", "angry@example.org": "complained", "fine@example.org": "active"}


def test_unsigned_forged_or_stale_events_are_refused(stack):
    settings, fake = stack
    events = [{"event": "spamreport", "email": "someone@example.org"}]
    assert post(settings, fake, events, signature="bm90IGEgc2lnbmF0dXJl").status_code == 403
    assert post(settings, fake, events, timestamp=str(int(time.time()) - 3600)).status_code == 403
    unsigned = httpx.post(f"{settings.base_url}/webhooks/sendgrid", json=events, timeout=10)
    assert unsigned.status_code == 403
    other_key = FakeSendGrid()
    assert post(settings, other_key, events).status_code == 403  # signed, but not by our key


def test_the_webhook_is_off_without_a_key(tmp_path, database_url):
    settings = make_settings(tmp_path, database_url=database_url, base_url=f"http://127.0.0.1:{free_port()}")
    server, thread = start_server(settings)
    try:
        assert httpx.post(f"{settings.base_url}/webhooks/sendgrid", json=[], timeout=10).status_code == 404
    finally:
        server.should_exit = True
        thread.join(timeout=10)
