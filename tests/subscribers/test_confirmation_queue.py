"""Confirmation emails the subscribe form owes, sent by a worker: the sweep hands each out once,
requests that pile up before it make one email, a request made while one is being sent gets
its own, nobody who confirmed or bounced since is emailed, and a relay that defers leaves the
email owed until the sweep hands it out again."""

import datetime as dt
import email
import re
from email import policy
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from newsletter.config import Settings
from newsletter.db import transaction
from newsletter.db.models import Subscriber, Subscription, utcnow
from newsletter.providers import (
    FileProvider,
    OutgoingBatch,
    Provider,
    RecipientResult,
    SmtpProvider,
)
from newsletter.sending.transactional import send_owed_confirmation
from newsletter.subscribers import create_list
from newsletter.subscribers.confirmations import confirmations_to_send, owe_confirmation
from newsletter.subscribers.consent import confirm_subscription, request_subscription
from newsletter.tokens import Purpose, read_token
from tests.conftest import make_settings
from tests.providers.test_smtp import sink  # noqa: F401 - a real SMTP server (aiosmtpd)


def ask(settings: Settings, address: str) -> None:
    """What the subscribe form does past its rate limits: record the wish, owe an email."""
    with transaction(settings.database_url) as session:
        pending = request_subscription(session=session, email=address, name=None, list_name="weekly")
        if pending is not None:
            owe_confirmation(session=session, subscriber_id=pending.subscriber_id, list_id=pending.list_id,
                             now=utcnow())


def run_confirmations(settings: Settings, provider: Provider | None = None,
                      now: dt.datetime | None = None) -> list[tuple[int, int]]:
    """What the sweep and a worker do: claim the owed emails, send each; the (subscriber, list) claimed."""
    provider = provider or FileProvider(settings.outbox_dir)
    with transaction(settings.database_url) as session:
        owed = confirmations_to_send(session=session, settings=settings, now=now or utcnow())
    for subscriber_id, list_id in owed:
        send_owed_confirmation(settings=settings, provider=provider, subscriber_id=subscriber_id, list_id=list_id)
    return owed


def outbox(settings: Settings) -> list[EmailMessage]:
    paths = sorted((settings.outbox_dir / "transactional").glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in paths]


def owed(settings: Settings) -> dict[str, tuple[bool, bool]]:
    """Each address: (an email is requested, it is handed to a worker)."""
    with transaction(settings.database_url) as session:
        rows = session.execute(select(Subscriber.email, Subscription.confirmation_requested_at,
                                      Subscription.confirmation_queued_at).join(Subscription))
        return {address: (requested is not None, queued is not None) for address, requested, queued in rows}


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    settings = make_settings(tmp_path, database_url=database_url, batch_stuck_after=60)
    with transaction(database_url) as session:
        create_list(session=session, name="weekly", title="The Weekly Brief")
    return settings


def test_two_requests_before_the_sweep_make_one_email_handed_out_once(settings):
    ask(settings, "ana@example.org")
    ask(settings, "Ana@Example.org")
    assert owed(settings) == {"ana@example.org": (True, False)}
    assert outbox(settings) == []  # asking sends nothing: the worker does

    with transaction(settings.database_url) as session:
        [(subscriber_id, list_id)] = confirmations_to_send(session=session, settings=settings, now=utcnow())
    with transaction(settings.database_url) as session:  # handed out: the next sweep leaves it to its worker
        assert confirmations_to_send(session=session, settings=settings, now=utcnow()) == []
    assert owed(settings) == {"ana@example.org": (True, True)}
    send_owed_confirmation(settings=settings, provider=FileProvider(settings.outbox_dir),
                           subscriber_id=subscriber_id, list_id=list_id)

    [message] = outbox(settings)
    assert message["To"].addresses[0].addr_spec == "ana@example.org"
    assert message["Subject"] == "Confirm your subscription to The Weekly Brief"
    token = re.search(r"/confirm/(\S+)", message.get_body(("plain",)).get_content()).group(1)
    assert read_token(settings.secret_key, Purpose.CONFIRM, token, arity=2) == [subscriber_id, list_id]
    assert owed(settings) == {"ana@example.org": (False, False)}
    assert run_confirmations(settings) == [] and len(outbox(settings)) == 1
    # A duplicate task (a redelivered message) finds nothing owed and sends nothing.
    send_owed_confirmation(settings=settings, provider=FileProvider(settings.outbox_dir),
                           subscriber_id=subscriber_id, list_id=list_id)
    assert len(outbox(settings)) == 1


class AskedAgainWhileSending(FileProvider):
    """The file outbox, and the person submitting the form again while their email is being sent."""

    def __init__(self, settings: Settings):
        super().__init__(settings.outbox_dir)
        self.settings = settings
        self.asked = False

    def send_batch(self, batch: OutgoingBatch) -> list[RecipientResult]:
        if not self.asked:
            self.asked = True
            ask(self.settings, batch.recipients[0].email)
        return super().send_batch(batch)


def test_a_request_made_while_one_is_being_sent_is_not_lost(settings):
    ask(settings, "ana@example.org")
    assert len(run_confirmations(settings, AskedAgainWhileSending(settings))) == 1
    assert len(outbox(settings)) == 1
    assert owed(settings)["ana@example.org"][0]  # the newer request is still owed...
    assert len(run_confirmations(settings)) == 1  # ...so the next sweep hands it out
    assert len(outbox(settings)) == 2
    assert owed(settings) == {"ana@example.org": (False, False)}
    assert run_confirmations(settings) == []


def test_nobody_who_confirmed_bounced_or_complained_since_is_emailed(settings):
    for address in ("ana@example.org", "ben@example.org", "cy@example.org", "dee@example.org"):
        ask(settings, address)
    with transaction(settings.database_url) as session:
        people = {s.email: s for s in session.scalars(select(Subscriber))}
        confirm_subscription(session=session, subscriber_id=people["ana@example.org"].id, list_id=1)
        people["ben@example.org"].status = "bounced"
        people["cy@example.org"].status = "complained"
    assert len(run_confirmations(settings)) == 4
    assert [m["To"].addresses[0].addr_spec for m in outbox(settings)] == ["dee@example.org"]
    assert set(owed(settings).values()) == {(False, False)}  # settled: not handed out again


def test_someone_who_unsubscribed_from_everything_is_still_emailed_the_link(settings):
    """Only their own click brings them back, so the link must reach them (as the form did)."""
    ask(settings, "ana@example.org")
    run_confirmations(settings)
    with transaction(settings.database_url) as session:
        session.scalars(select(Subscriber)).one().status = "unsubscribed"
    ask(settings, "ana@example.org")
    run_confirmations(settings)
    assert len(outbox(settings)) == 2


def test_a_relay_that_defers_leaves_it_owed_until_the_sweep_hands_it_out_again(settings, tmp_path, sink):  # noqa: F811
    smtp = SmtpProvider(make_settings(tmp_path, email_backend="smtp", smtp_host="127.0.0.1", smtp_port=sink.port,
                                      smtp_tls="none", smtp_timeout=5))
    sink.defer = {"ana@example.org"}  # greylisting: 451 at RCPT
    ask(settings, "ana@example.org")
    now = utcnow()
    assert len(run_confirmations(settings, smtp, now)) == 1
    assert sink.recipients() == [] and owed(settings) == {"ana@example.org": (True, True)}
    assert run_confirmations(settings, smtp, now + dt.timedelta(seconds=30)) == []  # its worker may still be at it

    sink.defer = set()
    assert len(run_confirmations(settings, smtp, now + dt.timedelta(seconds=61))) == 1  # NEWSLETTER_BATCH_STUCK_AFTER
    assert sink.recipients() == ["ana@example.org"]
    assert owed(settings) == {"ana@example.org": (False, False)}


def test_a_relay_that_refuses_the_address_settles_it(settings, tmp_path, sink):  # noqa: F811
    smtp = SmtpProvider(make_settings(tmp_path, email_backend="smtp", smtp_host="127.0.0.1", smtp_port=sink.port,
                                      smtp_tls="none", smtp_timeout=5))
    sink.refuse = {"ana@example.org"}  # 550: trying again would only be refused again
    ask(settings, "ana@example.org")
    run_confirmations(settings, smtp)
    assert owed(settings) == {"ana@example.org": (False, False)}
    assert run_confirmations(settings, smtp, utcnow() + dt.timedelta(seconds=61)) == []
