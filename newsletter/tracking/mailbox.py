"""The bounce mailbox, read over IMAP (NEWSLETTER_BOUNCE_IMAP_*): each poll takes the unseen
messages, records the bounces among them in the ledger, then deletes them (or moves them to
NEWSLETTER_BOUNCE_IMAP_DONE_FOLDER).

Messages are fetched without marking them seen, and only removed after the transaction that
recorded them has committed: a poll that dies half way leaves them for the next one, and a
bounce read twice is recorded once (its event id is its Message-ID and the recipient). A
message that is not a bounce (an auto-reply, spam, something unreadable) is left where it
is for a person to read, marked seen so that it is not read again, and logged.
"""

import email
import imaplib
import logging
import re
import ssl
from dataclasses import dataclass, field

from sqlalchemy import select

from newsletter.config import Settings
from newsletter.db.engine import one_of, transaction
from newsletter.db.models import Delivery
from newsletter.errors import ConfigurationError, TransientProviderError
from newsletter.tracking.bounces import Bounce, bounce_events, read_bounce
from newsletter.tracking.ledger import apply_provider_events

log = logging.getLogger(__name__)

CHUNK = 100  # messages fetched, and recorded in one transaction, at a time
TIMEOUT = 30  # seconds to wait for the IMAP server


@dataclass
class BouncePollReport:
    """What one poll of the bounce mailbox found and changed."""

    fetched: int = 0  # unseen messages read
    bounces: int = 0  # of them bounces, recorded and removed
    ignored: int = 0  # not bounces: left in the mailbox, marked seen
    recorded: int = 0  # new ledger events (a bounce read again is not counted)
    repeated: int = 0
    suppressed: list[int] = field(default_factory=list)  # subscriber ids newly suppressed


def poll_bounce_mailbox(*, settings: Settings) -> BouncePollReport:
    """Read the unseen messages of the bounce mailbox once; does nothing when
    NEWSLETTER_BOUNCE_IMAP_HOST is unset."""
    report = BouncePollReport()
    if not settings.bounce_imap_host:
        return report
    imap = _connect(settings)
    try:
        _select(imap, settings.bounce_imap_folder)
        if settings.bounce_imap_done_folder:
            imap.create(_quoted(settings.bounce_imap_done_folder))  # NO when it exists: fine
        uids = _ok(imap.uid("SEARCH", None, "UNSEEN"), "search the bounce mailbox")[0].split()
        for start in range(0, len(uids), CHUNK):
            _poll_chunk(imap, settings, uids[start:start + CHUNK], report)
    finally:
        try:
            imap.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
    return report


def _poll_chunk(imap: imaplib.IMAP4, settings: Settings, uids: list[bytes], report: BouncePollReport) -> None:
    messages = _fetch(imap, uids)
    bounces: dict[bytes, Bounce] = {}
    others: list[bytes] = []
    for uid, raw in messages.items():
        try:
            bounce = read_bounce(email.message_from_bytes(raw), settings=settings)
        except Exception:  # a message no parser makes sense of is not a bounce
            log.exception("bounce mailbox: message %s cannot be read; left for a person", uid.decode())
            bounce = None
        if bounce is None:
            others.append(uid)
            continue
        if bounce.untrusted_token:
            log.warning("bounce mailbox: message %s came back to a tagged address whose signature is wrong; "
                        "its envelope is not trusted", uid.decode())
        bounces[uid] = bounce
    report.fetched += len(messages)
    if bounces:
        with transaction(settings.database_url) as session:
            emails = _delivery_emails(session, [b.delivery_id for b in bounces.values() if b.via == "verp"])
            events = [event for bounce in bounces.values()
                      for event in bounce_events(bounce, delivery_email=emails.get(bounce.delivery_id))]
            ledger = apply_provider_events(session=session, settings=settings, events=events)
        report.recorded += ledger.recorded
        report.repeated += ledger.repeated
        report.suppressed += ledger.suppressed
        _remove(imap, settings, list(bounces))
        report.bounces += len(bounces)
    if others:
        for uid in others:
            log.info("bounce mailbox: message %s is not a bounce; left in %s, marked seen",
                     uid.decode(), settings.bounce_imap_folder)
        _ok(imap.uid("STORE", b",".join(others), "+FLAGS.SILENT", r"(\Seen)"), "mark messages seen")
        report.ignored += len(others)


def _delivery_emails(session, delivery_ids: list[int | None]) -> dict[int, str]:
    ids = sorted({i for i in delivery_ids if i is not None})
    if not ids:
        return {}
    return dict(session.execute(select(Delivery.id, Delivery.email).where(one_of(session, Delivery.id, ids))).all())


def _connect(settings: Settings) -> imaplib.IMAP4:
    host, port = settings.bounce_imap_host, settings.bounce_imap_port
    try:
        if settings.bounce_imap_tls == "ssl":
            imap = imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context(), timeout=TIMEOUT)
        else:
            imap = imaplib.IMAP4(host, port, timeout=TIMEOUT)
            if settings.bounce_imap_tls == "starttls":
                imap.starttls(ssl_context=ssl.create_default_context())
    except (imaplib.IMAP4.error, OSError) as err:
        raise TransientProviderError(
            "bounce mailbox", f"cannot connect to {host}:{port} ({err or type(err).__name__}); "
            "check NEWSLETTER_BOUNCE_IMAP_HOST, _PORT and _TLS (tried again at the next poll)") from err
    try:
        imap.login(settings.bounce_imap_user or "", settings.bounce_imap_password or "")
    except imaplib.IMAP4.error as err:
        imap.shutdown()
        raise ConfigurationError(f"the bounce mailbox {host} refused NEWSLETTER_BOUNCE_IMAP_USER and "
                                 f"NEWSLETTER_BOUNCE_IMAP_PASSWORD: {err}") from err
    return imap


def _select(imap: imaplib.IMAP4, folder: str) -> None:
    kind, data = imap.select(_quoted(folder))
    if kind != "OK":
        raise ConfigurationError(f"the bounce mailbox has no folder {folder!r} (NEWSLETTER_BOUNCE_IMAP_FOLDER): "
                                 f"{_said(data)}")


def _fetch(imap: imaplib.IMAP4, uids: list[bytes]) -> dict[bytes, bytes]:
    """The messages ``uids``, whole, without marking them seen (BODY.PEEK)."""
    data = _ok(imap.uid("FETCH", b",".join(uids), "(UID BODY.PEEK[])"), "fetch messages")
    messages = {}
    for index, item in enumerate(data):
        if not isinstance(item, tuple):
            continue
        # The UID may come before the body or after it (in the next item), as the server likes.
        after = data[index + 1] if index + 1 < len(data) and isinstance(data[index + 1], bytes) else b""
        found = re.search(rb"UID (\d+)", item[0]) or re.search(rb"UID (\d+)", after)
        if found:
            messages[found[1]] = item[1]
    return messages


def _remove(imap: imaplib.IMAP4, settings: Settings, uids: list[bytes]) -> None:
    """Delete the recorded messages, or move them to the done folder."""
    which = b",".join(uids)
    capabilities = imap.capabilities
    if settings.bounce_imap_done_folder:
        folder = _quoted(settings.bounce_imap_done_folder)
        if "MOVE" in capabilities:
            _ok(imap.uid("MOVE", which, folder), f"move bounces to {settings.bounce_imap_done_folder}")
            return
        _ok(imap.uid("COPY", which, folder), f"copy bounces to {settings.bounce_imap_done_folder}")
    _ok(imap.uid("STORE", which, "+FLAGS.SILENT", r"(\Deleted)"), "delete bounces")
    if "UIDPLUS" in capabilities:
        _ok(imap.uid("EXPUNGE", which), "expunge bounces")
    else:
        _ok(imap.expunge(), "expunge bounces")


def _ok(answer: tuple[str, list], doing: str) -> list:
    kind, data = answer
    if kind != "OK":
        raise TransientProviderError("bounce mailbox", f"could not {doing}: {_said(data)}")
    return data


def _said(data: list) -> str:
    return " ".join(d.decode("utf-8", "replace") if isinstance(d, bytes) else str(d) for d in data or [])


def _quoted(name: str) -> str:
    """A folder name as an IMAP quoted string."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
