"""Recipients a real SMTP server refuses during the send are recorded in the ledger as bounces
(tracking/refusals.py), with the server's code and words; refusals that say nothing about
the address are not."""

import pytest
from sqlalchemy import select

from newsletter.db import transaction
from newsletter.db.models import Delivery, DeliveryEvent, Subscriber
from newsletter.providers import SmtpProvider
from newsletter.sending import pending_batch_ids
from newsletter.tracking.refusals import send_batch_recording_refusals
from tests.conftest import make_settings
from tests.providers.test_smtp import Sink, start
from tests.sending.helpers import add_people, freeze, issue_id  # noqa: F401 (fixture)

ANSWERS = {
    "bo@example.org": "550 5.1.1 <bo@example.org>: Recipient address rejected: User unknown",
    "cy@example.org": "554 5.7.1 <cy@example.org>: Recipient address rejected: Access denied",
    "dee@example.org": "451 4.3.0 Mailbox busy, try later",
    "eve@example.org": "552 Requested mail action aborted: exceeded storage allocation",
}


class RefusingSink(Sink):
    """Answers RCPT TO as ANSWERS say, and MAIL FROM with ``sender_answer`` when set."""

    sender_answer: str | None = None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.sender_answer:
            return self.sender_answer
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in ANSWERS:
            return ANSWERS[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def relay():
    handler = RefusingSink()
    controller = start(handler)
    handler.port = controller.port
    yield handler
    controller.stop()


def send(tmp_path, database_url, issue_id, relay):  # noqa: F811
    settings = make_settings(tmp_path, database_url=database_url, email_backend="smtp", smtp_host="127.0.0.1",
                             smtp_port=relay.port, smtp_tls="none", smtp_timeout=5)
    add_people(database_url, "weekly", ["ana@example.org", *ANSWERS])
    send_id, _ = freeze(settings, issue_id)
    with transaction(database_url) as session:
        [batch_id] = pending_batch_ids(session=session, send_id=send_id)
    return send_batch_recording_refusals(settings=settings, provider=SmtpProvider(settings), batch_id=batch_id)


def test_refused_addresses_are_bounces_in_the_ledger(tmp_path, database_url, issue_id, relay):  # noqa: F811
    outcome = send(tmp_path, database_url, issue_id, relay)
    assert (outcome.accepted, outcome.failed) == (1, 3)  # dee's 4xx is retried
    with transaction(database_url) as session:
        events = session.execute(select(DeliveryEvent.email, DeliveryEvent.provider, DeliveryEvent.kind,
                                        DeliveryEvent.bounce, DeliveryEvent.status, DeliveryEvent.reason,
                                        DeliveryEvent.delivery_id, DeliveryEvent.event_id, DeliveryEvent.raw)
                                 .order_by(DeliveryEvent.email)).all()
        ids = dict(session.execute(select(Delivery.email, Delivery.id)).all())
        subscribers = dict(session.execute(select(Subscriber.email, Subscriber.status)).all())
        delivery_status = dict(session.execute(select(Delivery.email, Delivery.status)).all())
    assert [e[:7] for e in events] == [
        ("bo@example.org", "smtp", "bounced", "hard", "5.1.1", ANSWERS["bo@example.org"], ids["bo@example.org"]),
        ("cy@example.org", "smtp", "bounced", "soft", "5.7.1", ANSWERS["cy@example.org"], ids["cy@example.org"]),
        ("eve@example.org", "smtp", "bounced", "soft", None, ANSWERS["eve@example.org"], ids["eve@example.org"]),
    ]
    assert events[0].event_id == f"refused/{ids['bo@example.org']}"
    assert events[0].raw == {"smtp_code": 550,
                             "smtp_reply": "5.1.1 <bo@example.org>: Recipient address rejected: User unknown"}
    assert subscribers == {"ana@example.org": "active", "bo@example.org": "bounced", "cy@example.org": "active",
                           "dee@example.org": "active", "eve@example.org": "active"}
    # The bounces leave the batch's own record alone: dee is still pending for the retry.
    assert delivery_status == {"ana@example.org": "accepted", "bo@example.org": "failed", "cy@example.org": "failed",
                               "dee@example.org": "pending", "eve@example.org": "failed"}


def test_a_refused_sender_is_not_a_bounce_of_anyone(tmp_path, database_url, issue_id, relay):  # noqa: F811
    relay.sender_answer = "553 5.7.1 Sender address rejected: not owned by user"
    outcome = send(tmp_path, database_url, issue_id, relay)
    assert outcome.failed == 5
    with transaction(database_url) as session:
        assert session.scalars(select(DeliveryEvent)).all() == []
        assert set(session.scalars(select(Subscriber.status))) == {"active"}
