"""Reading a bounce: which recipients a returned message reports, hard or soft, and whose
delivery it was. Pure functions over an ``email.message.Message``; the mailbox is mailbox.py.

Detection is flufl.bounce's (RFC 3464 reports, and the older formats of many MTAs). Hard or
soft is decided here, from each recipient's Status in the report (RFC 3463): flufl counts
``Action: failed`` as permanent even with a 4.x.x status, which is a soft bounce.

Whose delivery it was, most trusted first: the signed envelope address the bounce came back
to (VERP, see providers/smtp.py), our Message-ID quoted in the returned headers (its tag
checked), else the bounced address alone. Auto-replies are not bounces; a delivery status
report is one even though MTAs mark theirs ``Auto-Submitted`` too.
"""

import datetime as dt
import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from flufl.bounce import all_failures

from newsletter.config import Settings
from newsletter.providers.base import EventKind, ProviderEvent
from newsletter.providers.smtp import delivery_from_bounce_address
from newsletter.sending.message_tokens import message_tag

log = logging.getLogger(__name__)

# Where a bounce names the address it was sent to: our envelope sender, bounces+TOKEN@...
_ENVELOPE_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To")
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_OUR_MESSAGE_ID = re.compile(r"<(\d{1,12})\.(\d{1,12})\.([0-9a-f]{16})@([^<>\s]+)>", re.IGNORECASE)
_MAIL_SYSTEM = ("mailer-daemon", "postmaster")
# Permanent failures that do not say the address is bad: a full mailbox, a message too big,
# a refusal for policy or reputation (5.7.x, what SendGrid calls "blocked"). They are soft:
# NEWSLETTER_SOFT_BOUNCE_LIMIT of them suppress the address, one does not.
_SOFT_PERMANENT = ("5.2.2", "5.2.3", "5.3.4")


@dataclass(frozen=True)
class BouncedRecipient:
    """One recipient a bounce reports."""

    email: str | None  # None: a report in prose naming nobody; its delivery says whose it was
    bounce: str  # hard or soft
    status: str | None  # e.g. 5.1.1
    diagnostic: str | None  # the remote server's words, e.g. "550 5.1.1 user unknown"
    action: str | None  # failed, delayed


@dataclass(frozen=True)
class Bounce:
    """A message that is a bounce: what it reports and about which delivery."""

    recipients: tuple[BouncedRecipient, ...]
    via: str  # how the delivery was found: verp, message-id, or address (not found)
    delivery_id: int | None
    send_id: int | None
    message_id: str | None  # our Message-ID, where the bounce quotes it
    bounce_id: str  # the bounce's own Message-ID (or a fingerprint): stable across polls
    occurred_at: dt.datetime | None
    untrusted_token: bool  # it came back to a tagged address whose signature is wrong
    sender: str
    subject: str


def read_bounce(msg: Message, *, settings: Settings) -> Bounce | None:
    """The bounce ``msg`` is, or None when it is none (an auto-reply, spam, a message in no
    form a bounce takes, a report of delivery rather than failure)."""
    report = any(part.get_content_type() == "message/delivery-status" for part in msg.walk())
    sender = parseaddr(str(msg.get("From", "")))[1].lower()
    mail_system = sender.partition("@")[0] in _MAIL_SYSTEM
    if not report and not mail_system and is_auto_reply(msg):
        return None
    delivery_id, untrusted_token = _delivery_from_envelope(msg, settings)
    try:
        temporary, permanent = all_failures(msg)
    except Exception:  # flufl's heuristics fail on some broken messages (one without From)
        log.info("flufl.bounce could not read %s", msg.get("Message-ID", "a message without Message-ID"),
                 exc_info=True)
        temporary = permanent = frozenset()
    blocks = _status_blocks(msg)
    recipients = []
    for address in sorted(permanent | temporary):
        email = address.decode("ascii").strip().strip("<>").lower()
        if "@" not in email or len(email) > 320:  # not an address (nor one the ledger could hold)
            continue
        fields = blocks.get(email, {})
        status = fields.get("status") or _status(fields.get("diagnostic"))
        bounce = classify(status, permanent=address in permanent)
        recipients.append(BouncedRecipient(email, bounce, status, fields.get("diagnostic"), fields.get("action")))
    if not recipients and mail_system and delivery_id is not None:
        # A report in prose only (Gmail's "Address not found", Outlook's "Delivery has
        # failed"): flufl finds no address in it, but the signed envelope names the delivery.
        said = next((line.strip()[:1000] for line in _text(msg).splitlines() if _status(line)), None)
        status = _status(said)
        recipients.append(BouncedRecipient(None, classify(status, permanent=False), status, said, None))
    if not recipients:
        return None
    via = "verp" if delivery_id is not None else "address"
    send_id, message_id = None, None
    for candidate in _returned_message_ids(msg):
        ids = our_message_id(settings, candidate)
        if ids is not None and via == "address":
            (send_id, delivery_id), message_id, via = ids, candidate, "message-id"
        if ids is not None and ids[1] == delivery_id:
            send_id, message_id = ids[0], candidate
            break
    return Bounce(tuple(recipients), via, delivery_id, send_id, message_id, _bounce_id(msg, recipients),
                  _date(msg), untrusted_token, sender, " ".join(str(msg.get("Subject", "")).split())[:200])


def bounce_events(bounce: Bounce, *, delivery_email: str | None = None) -> list[ProviderEvent]:
    """The ledger's events for ``bounce``, one per recipient.

    ``delivery_email`` is the address of the delivery the envelope names (VERP): its token is
    signed, so the report is about that message whatever address it names (a forwarding
    mailbox reports the final one): a report of one recipient is taken as that address's.
    """
    events = []
    for recipient in bounce.recipients:
        email = recipient.email
        if bounce.via == "verp" and delivery_email and (email is None or len(bounce.recipients) == 1):
            email = delivery_email
        if email is None:
            continue
        events.append(ProviderEvent(
            kind=EventKind.BOUNCED, email=email, send_id=bounce.send_id,
            batch_id=None,  # a bounce proves the relay took one message, not a batch's call
            delivery_id=bounce.delivery_id, message_id=bounce.message_id,
            reason=recipient.diagnostic or (f"action: {recipient.action}" if recipient.action else bounce.subject),
            event_id=_event_id(bounce, recipient), provider="smtp", occurred_at=bounce.occurred_at,
            bounce=recipient.bounce, status=recipient.status,
            raw={"via": bounce.via, "bounce_message_id": bounce.bounce_id, "from": bounce.sender,
                 "subject": bounce.subject, "reported": recipient.email, "action": recipient.action,
                 "untrusted_token": bounce.untrusted_token},
        ))
    return events


def classify(status: str | None, *, permanent: bool) -> str:
    """``hard`` or ``soft`` for a failure with ``status`` (RFC 3463): 4.x.x is soft, and so
    are the permanent statuses that do not say the address is bad (a full mailbox, a message
    too big, a refusal for policy: 5.7.x); any other 5.x.x is hard. Without a status, what
    the report says: permanent is hard."""
    if status:
        if status.startswith(("4.", "5.7.")) or status in _SOFT_PERMANENT:
            return "soft"
        if status.startswith("5."):
            return "hard"
    return "hard" if permanent else "soft"


def smtp_status(text: str | None) -> str | None:
    """The enhanced status code (``5.1.1``) at the start of, or in, an SMTP reply or a
    diagnostic, if there is one."""
    return _status(text)


def is_auto_reply(msg: Message) -> bool:
    """Whether ``msg`` says it was sent by a machine in answer to ours (a vacation notice)."""
    auto_submitted = str(msg.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(msg.get("Precedence", "")).strip().lower()
    return (not auto_submitted.startswith("no") or msg.get("X-Autoreply") is not None
            or msg.get("X-Autorespond") is not None or precedence in ("auto_reply", "auto-reply"))


def our_message_id(settings: Settings, message_id: str) -> tuple[int, int] | None:
    """(send id, delivery id) of one of our Message-IDs (``<send.delivery.tag@domain>``, the
    tag checked against the send's), else None."""
    match = _OUR_MESSAGE_ID.fullmatch(message_id.strip())
    if match is None or match[4].lower() != settings.sender_domain.lower():
        return None
    send_id, delivery_id = int(match[1]), int(match[2])
    if not hmac.compare_digest(match[3].lower(), message_tag(settings, send_id)):
        return None
    return send_id, delivery_id


def _delivery_from_envelope(msg: Message, settings: Settings) -> tuple[int | None, bool]:
    """The delivery the bounce's envelope address names, and whether a tagged address of ours
    with a wrong signature was seen (tampered with, or made with another key)."""
    if not settings.bounce_address:
        return None, False
    local, _, domain = settings.bounce_address.lower().rpartition("@")
    untrusted = False
    for name in _ENVELOPE_HEADERS:
        for _, address in getaddresses([str(value) for value in msg.get_all(name, [])]):
            delivery_id = delivery_from_bounce_address(settings, address)
            if delivery_id is not None:
                return delivery_id, False
            address = address.lower()
            untrusted |= address.startswith(f"{local}+") and address.endswith(f"@{domain}")
    return None, untrusted


def _status_blocks(msg: Message) -> dict[str, dict[str, str | None]]:
    """Each recipient's Action, Status and Diagnostic-Code in the report's delivery-status
    parts, by its original and its final address."""
    blocks: dict[str, dict[str, str | None]] = {}
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        if not isinstance(payload, list):  # not parsed into header blocks (an encoded part)
            text = part.get_payload(decode=True) or b""
            payload = [HeaderParser().parsestr(block) for block in re.split(
                r"\r?\n\s*\r?\n", text.decode("utf-8", "replace"))]
        for block in payload:
            if not isinstance(block, Message):
                continue
            status = _status(str(block.get("Status", "")))
            fields = {"action": str(block.get("Action", "")).split(" ")[0].strip().lower() or None,
                      "status": status, "diagnostic": _diagnostic(block.get("Diagnostic-Code"))}
            for name in ("Original-Recipient", "Final-Recipient"):
                value = str(block.get(name, ""))
                address = (value.partition(";")[2] if ";" in value else value).strip().strip("<>").lower()
                if address:
                    blocks.setdefault(address, fields)
    return blocks


def _diagnostic(value: object) -> str | None:
    """A Diagnostic-Code without its type (``smtp;``), unfolded."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    kind, semicolon, rest = text.partition(";")
    return (rest.strip() if semicolon and " " not in kind.strip() else text)[:1000] or None


def _status(text: str | None) -> str | None:
    match = _STATUS.search(text or "")
    return match.group(0) if match else None


def _returned_message_ids(msg: Message) -> list[str]:
    """The Message-IDs quoted in what the bounce returned (the message, or its headers), then
    any of ours written in its text."""
    found = []
    for part in msg.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822" and isinstance(part.get_payload(), list) and part.get_payload():
            found += [str(part.get_payload()[0].get("Message-ID", ""))]
        elif kind in ("text/rfc822-headers", "message/rfc822-headers"):
            raw = part.get_payload(decode=True) or b""
            found += [str(HeaderParser().parsestr(raw.decode("utf-8", "replace")).get("Message-ID", ""))]
    found += [match.group(0) for match in _OUR_MESSAGE_ID.finditer(_text(msg))]
    return [message_id.strip() for message_id in found if message_id.strip()]


def _text(msg: Message) -> str:
    """The text parts of ``msg`` (not those of a message it returns), decoded."""
    texts = []
    for part in msg.walk():
        if part.get_content_type() == "message/rfc822":
            break
        if part.get_content_type() in ("text/plain", "text/html"):
            payload = part.get_payload(decode=True) or b""
            texts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return "\n".join(texts)


def _bounce_id(msg: Message, recipients: list[BouncedRecipient]) -> str:
    """The bounce's Message-ID; a bounce without one is known by what it says."""
    message_id = " ".join(str(msg.get("Message-ID", "")).split())
    if message_id:
        return message_id
    said = [str(msg.get(name, "")) for name in ("Date", "From", "Subject", "To")]
    said += [f"{r.email}:{r.status}" for r in recipients]
    return "sha256:" + hashlib.sha256("\n".join(said).encode("utf-8", "replace")).hexdigest()


def _event_id(bounce: Bounce, recipient: BouncedRecipient) -> str:
    """The bounce's id and the recipient: the same on every poll of the same message."""
    event_id = f"{bounce.bounce_id}/{recipient.email or f'delivery.{bounce.delivery_id}'}"
    if len(event_id) <= 200:  # the ledger's column
        return event_id
    return "sha256:" + hashlib.sha256(event_id.encode("utf-8", "replace")).hexdigest()


def _date(msg: Message) -> dt.datetime | None:
    """When the bounce was written, per its Date (never in the future), if it says."""
    try:
        moment = parsedate_to_datetime(str(msg.get("Date", "")))
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return min(moment, dt.datetime.now(dt.UTC))
