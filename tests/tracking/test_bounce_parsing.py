"""Reading bounces (tracking/bounces.py) and the signed envelope sender they come back to
(providers/smtp.py), over bounce messages written as MTAs write them (bounces/*.eml).

The samples are about send 1 of make_settings' secret key: deliveries 1 to 6, their
envelope senders bounces+<token>@news.example.org and Message-IDs <1.N.TAG@example.org>.
"""

import email
from email.message import Message
from pathlib import Path

import pytest

from newsletter.providers.smtp import SmtpProvider, bounce_address, delivery_from_bounce_address
from newsletter.tracking.bounces import (
    bounce_events,
    classify,
    is_auto_reply,
    our_message_id,
    read_bounce,
)
from tests.conftest import make_settings
from tests.providers.helpers import outgoing_batch, recipient
from tests.providers.test_smtp import sink  # noqa: F401 (fixture)

BOUNCES = Path(__file__).parent / "bounces"
BOUNCE_ADDRESS = "bounces@news.example.org"
TAG = "819a9dba06cb2311"  # the Message-ID tag of send 1


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path, bounce_address=BOUNCE_ADDRESS)


def load(name: str, *replacements: tuple[str, str]) -> Message:
    text = (BOUNCES / name).read_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return email.message_from_string(text)


def test_the_samples_carry_the_addresses_and_message_ids_we_make(settings):
    tokens = {1: "1-74bkixy5hz", 2: "2-lyrw5apnb5", 4: "4-xnenxwv3jn", 5: "5-idgem3zeir", 6: "6-r77akgu7wc"}
    for delivery_id, token in tokens.items():
        assert bounce_address(settings, delivery_id) == f"bounces+{token}@news.example.org"
    assert our_message_id(settings, f"<1.3.{TAG}@example.org>") == (1, 3)


@pytest.mark.parametrize(("name", "email", "bounce", "status", "via", "delivery_id", "diagnostic"), [
    ("postfix_hard_5.1.1.eml", "ana@example.org", "hard", "5.1.1", "verp", 1,
     "550 5.1.1 <ana@example.org>: Recipient address rejected: User unknown in virtual mailbox table"),
    ("postfix_delayed_4.2.2.eml", "bo@example.net", "soft", "4.2.2", "verp", 2,
     "452 4.2.2 <bo@example.net>: Mailbox full"),
    ("gmail_address_not_found.eml", "cy@example.com", "hard", "5.1.1", "message-id", 3,
     "550-5.1.1 The email account that you tried to reach does not exist."),
    ("exchange_online_5.1.10.eml", "dee@example.edu", "hard", "5.1.10", "verp", 4,
     "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient dee@example.edu not found by SMTP address lookup"),
    # Prose only: flufl.bounce finds no address; the signed envelope names the delivery.
    ("outlook_text_only.eml", None, "hard", "5.1.1", "verp", 6,
     "Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipientNotFound; not found'"),
])
def test_each_shape_of_bounce_is_read(settings, name, email, bounce, status, via, delivery_id, diagnostic):
    found = read_bounce(load(name), settings=settings)
    [reported] = found.recipients
    assert (reported.email, reported.bounce, reported.status) == (email, bounce, status)
    assert reported.diagnostic.startswith(diagnostic)
    assert (found.via, found.delivery_id, found.untrusted_token) == (via, delivery_id, False)
    assert found.message_id in (None, f"<1.{delivery_id}.{TAG}@example.org>")
    [event] = bounce_events(found, delivery_email=email or "fay@example.net")
    assert (event.kind, event.provider, event.bounce, event.status, event.delivery_id) == (
        "bounced", "smtp", bounce, status, delivery_id)
    assert event.batch_id is None  # a bounce must not settle a batch as accepted whole
    again = bounce_events(read_bounce(load(name), settings=settings), delivery_email=email or "fay@example.net")
    assert [e.event_id for e in again] == [event.event_id]  # the same on every poll


def test_a_delivery_status_report_is_a_bounce_though_it_says_auto_submitted(settings):
    report = load("postfix_hard_5.1.1.eml")
    assert is_auto_reply(report)  # Postfix marks its bounces Auto-Submitted: auto-replied
    assert read_bounce(report, settings=settings) is not None


def test_an_auto_reply_and_a_malformed_message_are_not_bounces(settings):
    reply = load("auto_reply_out_of_office.eml")
    assert is_auto_reply(reply) and read_bounce(reply, settings=settings) is None
    without_marks = load("auto_reply_out_of_office.eml", ("Auto-Submitted: auto-replied (vacation)\n", ""),
                         ("X-Autoreply: yes\n", ""), ("Precedence: auto_reply\n", ""))
    assert not is_auto_reply(without_marks)
    assert is_auto_reply(load("auto_reply_out_of_office.eml", ("Auto-Submitted: auto-replied (vacation)\n", ""),
                              ("X-Autoreply: yes\n", "")))  # Precedence alone is enough
    assert read_bounce(load("malformed.eml"), settings=settings) is None


def test_action_failed_with_a_temporary_status_is_a_soft_bounce(settings):
    # Postfix giving up after its queue lifetime: flufl.bounce counts it as permanent.
    diagnostic = ("Diagnostic-Code: smtp; 550 5.1.1 <ana@example.org>: Recipient address rejected:\n"
                  "    User unknown in virtual mailbox table")
    suspended = ("Diagnostic-Code: X-Postfix; delivery temporarily suspended: connect to\n"
                 "    mx.example.org[192.0.2.25]:25: Connection timed out")
    expired = load("postfix_hard_5.1.1.eml", ("Status: 5.1.1", "Status: 4.4.7"), (diagnostic, suspended))
    [reported] = read_bounce(expired, settings=settings).recipients
    assert (reported.action, reported.status, reported.bounce) == ("failed", "4.4.7", "soft")


@pytest.mark.parametrize(("status", "permanent", "bounce"), [
    ("5.1.1", True, "hard"), ("5.1.10", True, "hard"), ("5.4.4", True, "hard"), ("5.2.1", True, "hard"),
    ("4.2.2", True, "soft"), ("4.4.7", False, "soft"),
    ("5.2.2", True, "soft"),  # mailbox full
    ("5.3.4", True, "soft"),  # message too big: ours, not the address's fault
    ("5.7.1", True, "soft"),  # refused for policy or reputation ("blocked")
    (None, True, "hard"), (None, False, "soft"),
])
def test_hard_and_soft(status, permanent, bounce):
    assert classify(status, permanent=permanent) == bounce


def test_without_a_good_token_the_returned_message_id_then_the_address_say_whose_it_was(settings):
    tampered = ("1-74bkixy5hz", "2-74bkixy5hz")  # claims delivery 2 with delivery 1's signature
    found = read_bounce(load("postfix_hard_5.1.1.eml", tampered), settings=settings)
    assert (found.via, found.delivery_id, found.untrusted_token) == ("message-id", 1, True)

    forged_tag = (f"<1.1.{TAG}@example.org>", "<1.2.0123456789abcdef@example.org>")
    found = read_bounce(load("postfix_hard_5.1.1.eml", tampered, forged_tag), settings=settings)
    assert (found.via, found.delivery_id, found.send_id, found.untrusted_token) == ("address", None, None, True)
    [event] = bounce_events(found, delivery_email="bo@example.net")
    assert (event.email, event.delivery_id) == ("ana@example.org", None)  # the ledger goes by address


def test_a_verp_bounce_of_one_recipient_is_the_deliverys_whatever_address_it_names(settings):
    forwarded = read_bounce(load("postfix_hard_5.1.1.eml", ("ana@example.org", "ana.old@elsewhere.example")),
                            settings=settings)
    assert forwarded.recipients[0].email == "ana.old@elsewhere.example"
    [event] = bounce_events(forwarded, delivery_email="ana@example.org")
    assert (event.email, event.delivery_id, event.raw["reported"]) == ("ana@example.org", 1, "ana.old@elsewhere.example")
    by_message_id = read_bounce(load("gmail_address_not_found.eml", ("cy@example.com", "cy.old@elsewhere.example")),
                                settings=settings)
    [event] = bounce_events(by_message_id, delivery_email="cy@example.com")  # a Message-ID is not signed per delivery
    assert event.email == "cy.old@elsewhere.example"


def test_bounce_addresses_are_signed_and_read_back_in_any_case(settings):
    for delivery_id in (1, 35, 36, 123_456_789, 2**31 - 1):
        address = bounce_address(settings, delivery_id)
        local = address.partition("@")[0]
        assert local.startswith("bounces+") and local.isascii() and local == local.lower()
        assert delivery_from_bounce_address(settings, address) == delivery_id
        assert delivery_from_bounce_address(settings, address.upper()) == delivery_id
        assert delivery_from_bounce_address(settings, f"Mail System <{address}>") == delivery_id
    good = bounce_address(settings, 42)
    token = good.partition("+")[2].partition("@")[0]
    refused = [
        good.replace(token, token[:-1] + ("a" if token[-1] != "a" else "b")),  # signature changed
        good.replace(token, "2" + token[1:]) if token[0] != "2" else good.replace(token, "3" + token[1:]),
        good.replace(token, "0" + token),  # the same id written another way
        good.replace("@news.example.org", "@example.org"), good.replace("bounces+", "news+"),
        good.replace("bounces+", "bounces+x"), BOUNCE_ADDRESS, "bounces+@news.example.org",
        f"bounces+0-{token.partition('-')[2]}@news.example.org", "", "not an address",
    ]
    assert [delivery_from_bounce_address(settings, address) for address in refused] == [None] * len(refused)
    other_key = make_settings(Path("/nonexistent"), bounce_address=BOUNCE_ADDRESS, secret_key="another-key")
    assert delivery_from_bounce_address(other_key, good) is None
    assert bounce_address(settings, 0) == BOUNCE_ADDRESS  # a test send or a confirmation
    unset = make_settings(Path("/nonexistent"))
    assert bounce_address(unset, 42) is None and delivery_from_bounce_address(unset, good) is None


def test_the_envelope_sender_is_the_tagged_bounce_address_and_from_is_unchanged(settings, tmp_path, sink):  # noqa: F811
    relay = {"email_backend": "smtp", "smtp_host": "127.0.0.1", "smtp_port": sink.port, "smtp_tls": "none"}
    senders = []
    original = sink.handle_DATA

    async def keep_sender(server, session, envelope):
        senders.append(envelope.mail_from)
        return await original(server, session, envelope)

    sink.handle_DATA = keep_sender
    batch = outgoing_batch(settings, [recipient(7), recipient(0, email="new@example.org")])
    SmtpProvider(make_settings(tmp_path, bounce_address=BOUNCE_ADDRESS, **relay)).send_batch(batch)
    SmtpProvider(make_settings(tmp_path, **relay)).send_batch(outgoing_batch(settings, [recipient(8)]))
    # a batch's messages go over several connections at once: in no particular order
    assert sorted(senders[:2]) == sorted([bounce_address(settings, 7), BOUNCE_ADDRESS])
    assert senders[2:] == ["brief@example.org"]
    assert {email.message_from_bytes(raw)["From"] for _, raw in sink.messages} == {"The Weekly Brief <brief@example.org>"}
