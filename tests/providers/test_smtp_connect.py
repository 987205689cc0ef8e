"""Opening a connection to the relay, against real local servers: CRAM-MD5 for a relay that
offers only that (aiosmtpd), and, from a scripted server, a STARTTLS answer with bytes smuggled
after it, a last reply whose line end never came, and an unreadable CA file."""

import hmac
import socket
import socketserver
import ssl
import threading

import pytest
from aiosmtpd.smtp import AuthResult

from newsletter.errors import ProviderError, TransientProviderError
from newsletter.providers import SmtpProvider
from tests.providers.helpers import outgoing_batch, recipient
from tests.providers.test_smtp import Sink, certificate, smtp_settings, start  # noqa: F401 (fixture)

CHALLENGE = b"<1896.697170952@relay.example.org>"


class CramSink(Sink):
    """A relay that logs in with CRAM-MD5 only: the password never crosses the wire."""

    async def auth_CRAM__MD5(self, server, args):  # aiosmtpd's name for the mechanism CRAM-MD5
        response = await server.challenge_auth(CHALLENGE)
        user, _, digest = response.partition(b" ")
        expected = hmac.new(b"s3cret", CHALLENGE, "md5").hexdigest().encode()
        return AuthResult(success=user == b"editor" and hmac.compare_digest(digest, expected), handled=False)


def test_a_relay_that_offers_only_cram_md5_is_logged_in_with_it(settings, tmp_path, certificate):  # noqa: F811
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = CramSink()
    controller = start(handler, tls_context=context, require_starttls=True, auth_required=True,
                       auth_exclude_mechanism=["LOGIN", "PLAIN"])
    try:
        relay = smtp_settings(tmp_path, controller.port, smtp_tls="starttls", smtp_ca_file=cert,
                              smtp_user="editor", smtp_password="s3cret")
        assert SmtpProvider(relay).send_batch(outgoing_batch(settings, [recipient(1)]))[0].accepted
        assert handler.recipients() == ["reader1@example.org"]
    finally:
        controller.stop()


class Scripted(socketserver.ThreadingTCPServer):
    """A relay that answers each command line by a script: {command's first word: reply bytes}."""

    daemon_threads = allow_reuse_address = True

    def __init__(self, script: dict[bytes, bytes]):
        self.script, self.received = script, []

        class Session(socketserver.StreamRequestHandler):
            def handle(inner):
                inner.wfile.write(b"220 scripted ESMTP\r\n")
                while line := inner.rfile.readline():
                    self.received.append(line)
                    verb = line.split()[0].upper() if line.strip() else b""
                    if verb == b"DATA":
                        inner.wfile.write(b"354 go on\r\n")
                        while inner.rfile.readline() not in (b".\r\n", b""):
                            pass
                        verb = b"."
                    reply = self.script.get(verb, b"250 ok\r\n")
                    inner.wfile.write(reply)
                    if not reply.endswith(b"\r\n"):  # a reply cut short: the relay goes away
                        return

        super().__init__(("127.0.0.1", 0), Session)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server_address[1]


def test_bytes_that_come_with_the_starttls_answer_are_refused(settings, tmp_path, certificate):  # noqa: F811
    relay = Scripted({b"EHLO": b"250-scripted\r\n250 STARTTLS\r\n",
                      b"STARTTLS": b"220 go ahead\r\n250-injected\r\n250 AUTH LOGIN\r\n"})
    try:
        provider = SmtpProvider(smtp_settings(tmp_path, relay.port, smtp_tls="starttls", smtp_ca_file=certificate[0]))
        with pytest.raises(TransientProviderError, match="sent more before TLS began"):
            provider.send_batch(outgoing_batch(settings, [recipient(1)]))
    finally:
        relay.shutdown()


def test_a_last_reply_whose_line_end_never_came_still_counts(settings, tmp_path):
    relay = Scripted({b"EHLO": b"250 scripted\r\n", b".": b"250 queued"})  # then it closes the connection
    try:
        results = SmtpProvider(smtp_settings(tmp_path, relay.port)).send_batch(
            outgoing_batch(settings, [recipient(1)]))
        assert results[0].accepted  # not sent again as a message whose reply was lost
        assert sum(line.startswith(b"DATA") for line in relay.received) == 1
    finally:
        relay.shutdown()


def test_an_unreadable_ca_file_is_a_settings_error_for_every_batch(settings, tmp_path):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        provider = SmtpProvider(smtp_settings(tmp_path, unused.getsockname()[1], smtp_tls="starttls",
                                              smtp_ca_file=tmp_path / "missing.pem"))
        for _ in range(2):  # the second batch meets the same error, not a half-made pool
            with pytest.raises(ProviderError, match="NEWSLETTER_SMTP_CA_FILE cannot be read"):
                provider.send_batch(outgoing_batch(settings, [recipient(1)]))

