"""The SMTP provider against a real aiosmtpd server that refuses, defers and disconnects."""

import email
import ssl
import subprocess
from email import policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import func, select

from newsletter.db import transaction
from newsletter.db.models import Batch, Delivery
from newsletter.errors import ProviderError, TransientProviderError
from newsletter.providers import SmtpProvider
from newsletter.rendering.personalise import PersonalisableTemplate
from newsletter.sending import pending_batch_ids, send_batch
from tests.conftest import make_settings
from tests.providers.helpers import outgoing_batch, recipient
from tests.sending.helpers import add_people, freeze, issue_id  # noqa: F401 (fixture)
from tests.web.conftest import free_port


class Sink:
    """An SMTP server's handler that keeps what it receives and misbehaves on request."""

    def __init__(self):
        self.messages: list[tuple[str, bytes]] = []
        self.connections = 0
        self.refuse: set[str] = set()
        self.defer: set[str] = set()
        self.drop_at: int | None = None  # close the connection on receiving this message (1-based)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        if address in self.defer:
            return "451 4.3.0 Mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos[0], envelope.original_content))
        if len(self.messages) == self.drop_at:
            server.transport.close()  # the message arrived, but its reply never will
        return "250 2.0.0 Queued"

    def recipients(self) -> list[str]:
        return [to for to, _ in self.messages]


def start(handler, **options) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    return controller


@pytest.fixture
def sink():
    handler = Sink()
    controller = start(handler)
    handler.port = controller.port
    yield handler
    controller.stop()


def smtp_settings(tmp_path, port, **overrides):
    """Settings for a relay on ``port``; one connection, so that messages arrive in order."""
    values = {"email_backend": "smtp", "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_tls": "none",
              "smtp_timeout": 5, "smtp_connections": 1, **overrides}
    return make_settings(tmp_path, **values)


def test_a_batch_goes_over_one_connection_and_arrives_intact(settings, tmp_path, sink):
    batch = outgoing_batch(settings, [recipient(n) for n in range(1, 5)])
    results = SmtpProvider(smtp_settings(tmp_path, sink.port)).send_batch(batch)
    assert [r.accepted for r in results] == [True] * 4
    assert sink.connections == 1
    assert sink.recipients() == [f"reader{n}@example.org" for n in range(1, 5)]
    message = email.message_from_bytes(sink.messages[0][1], policy=policy.default)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == batch.text.fill(batch.recipients[0].fields)


def test_a_refused_recipient_fails_alone_and_a_deferred_one_is_retried(settings, tmp_path, sink):
    sink.refuse.add("reader2@example.org")
    sink.defer.add("reader3@example.org")
    batch = outgoing_batch(settings, [recipient(n) for n in range(1, 5)])
    results = {r.delivery_id: r for r in SmtpProvider(smtp_settings(tmp_path, sink.port)).send_batch(batch)}
    assert results[1].accepted and results[4].accepted
    assert (results[2].accepted, results[2].retry, results[2].error) == (False, False, "550 5.1.1 No such user here")
    assert (results[3].accepted, results[3].retry) == (False, True)
    assert sink.recipients() == ["reader1@example.org", "reader4@example.org"]


def test_a_lost_connection_is_replaced_and_only_the_message_in_flight_is_sent_twice(tmp_path, database_url, issue_id, sink):  # noqa: F811
    settings = smtp_settings(tmp_path, sink.port, database_url=database_url)
    add_people(database_url, "weekly", [f"p{n}@example.org" for n in range(1, 6)])
    send_id, _ = freeze(settings, issue_id)
    with transaction(database_url) as session:
        [batch_id] = pending_batch_ids(session=session, send_id=send_id)
    sink.drop_at = 3
    outcome = send_batch(settings=settings, provider=SmtpProvider(settings), batch_id=batch_id)
    assert (outcome.status, outcome.accepted, outcome.failed) == ("done", 5, 0)
    with transaction(database_url) as session:
        counts = dict(session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
        assert session.get(Batch, batch_id).status == "done"
    assert counts == {"accepted": 5}
    assert sink.connections == 2  # the batch went on over a new connection
    # Every recipient arrived; the one in flight when the connection dropped arrived twice
    # (at least once is the promise for that single message), and no one else did.
    received = sink.recipients()
    assert sorted(set(received)) == [f"p{n}@example.org" for n in range(1, 6)]
    assert len(received) == 6 and received.count("p3@example.org") == 2


def test_no_server_is_a_transient_error(settings, tmp_path):
    batch = outgoing_batch(settings, [recipient(1)])
    with pytest.raises(TransientProviderError, match="cannot connect to 127.0.0.1"):
        SmtpProvider(smtp_settings(tmp_path, free_port())).send_batch(batch)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", folder / "key.pem", "-out", folder / "cert.pem"],
        check=True, capture_output=True,
    )
    return folder / "cert.pem", folder / "key.pem"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (auth_data.login, auth_data.password) == (b"editor", b"s3cret")
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


@pytest.fixture
def tls_sink(certificate):
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = Sink()
    controller = start(handler, tls_context=context, require_starttls=True, authenticator=authenticator,
                       auth_required=True)
    handler.port = controller.port
    yield handler
    controller.stop()


def test_starttls_and_login(settings, tmp_path, tls_sink, certificate):
    relay = smtp_settings(tmp_path, tls_sink.port, smtp_tls="starttls", smtp_ca_file=certificate[0],
                          smtp_user="editor", smtp_password="s3cret")
    results = SmtpProvider(relay).send_batch(outgoing_batch(settings, [recipient(1)]))
    assert results[0].accepted and tls_sink.recipients() == ["reader1@example.org"]


def test_a_wrong_password_is_a_permanent_error(settings, tmp_path, tls_sink, certificate):
    relay = smtp_settings(tmp_path, tls_sink.port, smtp_tls="starttls", smtp_ca_file=certificate[0],
                          smtp_user="editor", smtp_password="wrong")
    with pytest.raises(ProviderError, match="refused the user name or password") as caught:
        SmtpProvider(relay).send_batch(outgoing_batch(settings, [recipient(1)]))
    assert not isinstance(caught.value, TransientProviderError)


def test_an_untrusted_certificate_is_refused(settings, tmp_path, tls_sink):
    relay = smtp_settings(tmp_path, tls_sink.port, smtp_tls="starttls")
    with pytest.raises(TransientProviderError, match="CERTIFICATE_VERIFY_FAILED"):
        SmtpProvider(relay).send_batch(outgoing_batch(settings, [recipient(1)]))
    assert tls_sink.messages == []


def test_lines_starting_with_a_dot_arrive_intact(settings, tmp_path, sink):
    text = PersonalisableTemplate(".starts with a dot\r\n..and two\r\nthen . one\r\n.\r\nend __NL_NAME__\r\n",
                                  escape_html=False)
    # the pieces are stuffed once per batch, each reader's values (a name with a dot first) on their own
    batch = outgoing_batch(settings, [recipient(1), recipient(2, name=".Dot")], text=text)
    assert all(r.accepted for r in SmtpProvider(smtp_settings(tmp_path, sink.port)).send_batch(batch))
    for reader, (_, data) in zip(batch.recipients, sorted(sink.messages), strict=True):
        message = email.message_from_bytes(data, policy=policy.default)
        expected = batch.text.fill(reader.fields).replace("\r\n", "\n")
        assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == expected
