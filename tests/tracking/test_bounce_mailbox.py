"""The bounce mailbox end to end: a send over real SMTP with tagged envelope senders, then
bounces for its deliveries delivered into a real Dovecot and read by poll_bounce_mailbox."""

import email
import itertools
import time

import pytest
from sqlalchemy import func, select

from newsletter.db import transaction
from newsletter.db.models import Delivery, DeliveryEvent, Subscriber
from newsletter.errors import ConfigurationError
from newsletter.providers import SmtpProvider
from newsletter.providers.smtp import bounce_address, delivery_from_bounce_address
from newsletter.sending import pending_batch_ids
from newsletter.tracking import list_suppressions
from newsletter.tracking.mailbox import poll_bounce_mailbox
from newsletter.tracking.refusals import send_batch_recording_refusals
from tests.conftest import make_settings
from tests.providers.test_smtp import Sink, start
from tests.sending.helpers import add_people, freeze, issue_id  # noqa: F401 (fixture)
from tests.tracking.test_bounce_parsing import BOUNCE_ADDRESS, BOUNCES, TAG
from workers.celery_app import make_celery
from workers.embedded import embedded_dispatch

PEOPLE = ["ana@example.org", "bo@example.net", "cy@example.com", "dee@example.edu", "eve@example.org",
          "fay@example.net"]
SAMPLES = ["postfix_hard_5.1.1.eml", "postfix_delayed_4.2.2.eml", "gmail_address_not_found.eml",
           "exchange_online_5.1.10.eml", "auto_reply_out_of_office.eml", "malformed.eml", "outlook_text_only.eml"]
folders = itertools.count(1)


class EnvelopeSink(Sink):
    """Keeps each message's envelope sender (MAIL FROM) too."""

    def __init__(self):
        super().__init__()
        self.senders: dict[str, str] = {}

    async def handle_DATA(self, server, session, envelope):
        self.senders[envelope.rcpt_tos[0]] = envelope.mail_from
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def relay():
    handler = EnvelopeSink()
    controller = start(handler)
    handler.port = controller.port
    yield handler
    controller.stop()


def mailbox_settings(tmp_path, database_url, dovecot, relay, **overrides):
    values = {
        "database_url": database_url, "email_backend": "smtp", "smtp_host": "127.0.0.1", "smtp_port": relay.port,
        "smtp_tls": "none", "smtp_timeout": 5, "bounce_address": BOUNCE_ADDRESS,
        "bounce_imap_host": dovecot.host, "bounce_imap_port": dovecot.port, "bounce_imap_user": dovecot.user,
        "bounce_imap_password": dovecot.password, "bounce_imap_tls": "none",
        "bounce_imap_folder": f"Bounces{next(folders)}",  # a folder of its own for each test
    }
    return make_settings(tmp_path, **{**values, **overrides})


@pytest.fixture
def sent(tmp_path, database_url, issue_id, dovecot, relay):  # noqa: F811
    """Send 1 to six people over SMTP: (settings, {email: delivery})."""
    settings = mailbox_settings(tmp_path, database_url, dovecot, relay)
    add_people(database_url, "weekly", PEOPLE)
    send_id, _ = freeze(settings, issue_id)
    with transaction(database_url) as session:
        [batch_id] = pending_batch_ids(session=session, send_id=send_id)
    outcome = send_batch_recording_refusals(settings=settings, provider=SmtpProvider(settings), batch_id=batch_id)
    assert (outcome.status, outcome.accepted) == ("done", 6)
    with transaction(database_url) as session:
        deliveries = {d.email: d for d in session.scalars(select(Delivery))}
    # The sample bounces are about send 1 and its deliveries 1 to 6, in this order.
    assert send_id == 1 and [deliveries[p].id for p in PEOPLE] == [1, 2, 3, 4, 5, 6]
    return settings, deliveries


def ledger(url):
    with transaction(url) as session:
        return session.execute(select(DeliveryEvent.email, DeliveryEvent.delivery_id, DeliveryEvent.bounce,
                                      DeliveryEvent.status, DeliveryEvent.provider)
                               .order_by(DeliveryEvent.delivery_id, DeliveryEvent.email)).all()


def statuses(url):
    with transaction(url) as session:
        return dict(session.execute(select(Subscriber.email, Subscriber.status)).all())


def deliver(dovecot, settings, *names, replacements=()):
    for name in names:
        text = (BOUNCES / name).read_text()
        for old, new in replacements:
            assert old in text
            text = text.replace(old, new)
        dovecot.append(settings.bounce_imap_folder, text.encode())


def test_each_message_goes_out_with_its_delivery_in_the_envelope_sender(sent, relay):
    settings, deliveries = sent
    for address, delivery in deliveries.items():
        sender = relay.senders[address]
        assert sender == bounce_address(settings, delivery.id) and sender.startswith("bounces+")
        assert delivery_from_bounce_address(settings, sender) == delivery.id
    for _, raw in relay.messages:
        message = email.message_from_bytes(raw)
        assert message["From"] == "The Weekly Brief <brief@example.org>"
        assert message["Message-ID"].endswith(f".{TAG}@example.org>")


def test_a_poll_records_each_bounce_once_and_leaves_what_is_not_one(sent, dovecot):
    settings, _ = sent
    deliver(dovecot, settings, *SAMPLES)
    report = poll_bounce_mailbox(settings=settings)
    assert (report.fetched, report.bounces, report.ignored, report.recorded, report.repeated) == (7, 5, 2, 5, 0)
    expected = [
        ("ana@example.org", 1, "hard", "5.1.1", "smtp"),
        ("bo@example.net", 2, "soft", "4.2.2", "smtp"),
        ("cy@example.com", 3, "hard", "5.1.1", "smtp"),  # by the Message-ID it returned
        ("dee@example.edu", 4, "hard", "5.1.10", "smtp"),
        ("fay@example.net", 6, "hard", "5.1.1", "smtp"),  # prose only: by its envelope
    ]
    assert ledger(settings.database_url) == expected
    assert statuses(settings.database_url) == {
        "ana@example.org": "bounced", "bo@example.net": "active", "cy@example.com": "bounced",
        "dee@example.edu": "bounced", "eve@example.org": "active", "fay@example.net": "bounced"}
    with transaction(settings.database_url) as session:
        soft = session.scalar(select(func.count()).select_from(DeliveryEvent).where(
            DeliveryEvent.email == "bo@example.net", DeliveryEvent.bounce == "soft"))
        details = {s.email: s.detail for s in list_suppressions(session=session)}
    assert soft == 1 < settings.soft_bounce_limit  # counted, not yet suppressing
    assert details["ana@example.org"].startswith("hard bounce (smtp): 5.1.1, 550 5.1.1 <ana@example.org>")
    left = dovecot.messages(settings.bounce_imap_folder)  # the bounces deleted; the others seen
    assert [email.message_from_bytes(raw)["Message-ID"] for _, raw in left] == [
        "<vacation.1796296455.8812@mx.example.org>", "<malformed-7@relay.example.net>"]
    assert all("\\Seen" in flags for flags, _ in left)

    again = poll_bounce_mailbox(settings=settings)
    assert (again.fetched, again.recorded) == (0, 0)
    assert ledger(settings.database_url) == expected

    # A bounce read twice (the deletion after a poll was lost, say) is recorded once.
    deliver(dovecot, settings, "postfix_hard_5.1.1.eml")
    repeat = poll_bounce_mailbox(settings=settings)
    assert (repeat.bounces, repeat.recorded, repeat.repeated) == (1, 0, 1)
    assert ledger(settings.database_url) == expected and len(dovecot.messages(settings.bounce_imap_folder)) == 2


def test_a_tampered_token_is_not_trusted(sent, dovecot):
    settings, deliveries = sent
    good = bounce_address(settings, deliveries["bo@example.net"].id).partition("+")[2].partition("@")[0]
    forwarded = [("ana@example.org", "bo.old@elsewhere.example"), (f"<1.1.{TAG}@example.org>", "<quoted@elsewhere>"),
                 ("<20261203091407.4Q8ZtK0Wm3z9sVb@mail.news.example.org>", "<forged-1@mail.news.example.org>")]
    # Someone who knows ana's token (her own Return-Path shows it) tries it on bo's delivery.
    deliver(dovecot, settings, "postfix_hard_5.1.1.eml", replacements=[("1-74bkixy5hz", "2-74bkixy5hz"), *forwarded])
    assert poll_bounce_mailbox(settings=settings).recorded == 1
    assert ledger(settings.database_url) == [("bo.old@elsewhere.example", None, "hard", "5.1.1", "smtp")]
    assert statuses(settings.database_url)["bo@example.net"] == "active"

    # With bo's real token the same report is about bo's delivery, whatever address it names.
    genuine = [("1-74bkixy5hz", good), *forwarded[:2],
               ("<20261203091407.4Q8ZtK0Wm3z9sVb@mail.news.example.org>", "<genuine-1@mail.news.example.org>")]
    deliver(dovecot, settings, "postfix_hard_5.1.1.eml", replacements=genuine)
    assert poll_bounce_mailbox(settings=settings).suppressed == [deliveries["bo@example.net"].subscriber_id]
    assert ("bo@example.net", deliveries["bo@example.net"].id, "hard", "5.1.1", "smtp") in ledger(settings.database_url)


def test_processed_bounces_can_be_moved_to_a_folder_instead(tmp_path, database_url, dovecot, relay):
    settings = mailbox_settings(tmp_path, database_url, dovecot, relay)
    settings = settings.model_copy(update={"bounce_imap_done_folder": f"{settings.bounce_imap_folder}.Done"})
    deliver(dovecot, settings, "postfix_hard_5.1.1.eml", "auto_reply_out_of_office.eml")
    report = poll_bounce_mailbox(settings=settings)
    assert (report.bounces, report.ignored, report.recorded) == (1, 1, 1)  # by address: nobody is subscribed
    moved = dovecot.messages(settings.bounce_imap_done_folder)
    assert [email.message_from_bytes(raw)["Subject"] for _, raw in moved] == ["Undelivered Mail Returned to Sender"]
    [(flags, raw)] = dovecot.messages(settings.bounce_imap_folder)
    assert "\\Seen" in flags and email.message_from_bytes(raw)["X-Autoreply"] == "yes"


def test_a_wrong_password_is_a_configuration_error_and_touches_nothing(tmp_path, database_url, dovecot, relay):
    settings = mailbox_settings(tmp_path, database_url, dovecot, relay, bounce_imap_password="wrong")
    deliver(dovecot, settings, "postfix_hard_5.1.1.eml")
    with pytest.raises(ConfigurationError, match="refused NEWSLETTER_BOUNCE_IMAP_USER"):
        poll_bounce_mailbox(settings=settings)
    [(flags, _)] = dovecot.messages(settings.bounce_imap_folder)
    assert "\\Seen" not in flags
    assert ledger(database_url) == []


def test_no_mailbox_no_poll(tmp_path, database_url):
    assert poll_bounce_mailbox(settings=make_settings(tmp_path, database_url=database_url)).fetched == 0


def test_beat_reads_the_mailbox_on_the_control_queue_only_when_there_is_one(tmp_path):
    with_mailbox = make_celery(make_settings(tmp_path, bounce_imap_host="imap.example.org", bounce_poll_seconds=90))
    entry = with_mailbox.conf.beat_schedule["poll-bounces"]
    assert (entry["task"], entry["schedule"]) == ("newsletter.poll_bounces", 90)
    assert with_mailbox.conf.task_routes["newsletter.poll_bounces"] == {"queue": "control"}
    assert "poll-bounces" not in make_celery(make_settings(tmp_path)).conf.beat_schedule


def test_newsletter_serve_reads_the_mailbox_in_its_embedded_sweep(tmp_path, database_url, dovecot, relay):
    settings = mailbox_settings(tmp_path, database_url, dovecot, relay, bounce_poll_seconds=0.05)
    deliver(dovecot, settings, "postfix_hard_5.1.1.eml")
    with embedded_dispatch(settings):
        deadline = time.monotonic() + 10
        while not ledger(database_url) and time.monotonic() < deadline:
            time.sleep(0.05)
    assert ledger(database_url) == [("ana@example.org", None, "hard", "5.1.1", "smtp")]  # no such delivery here
    assert dovecot.messages(settings.bounce_imap_folder) == []
