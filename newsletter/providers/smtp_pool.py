"""Connections to the SMTP relay, kept open across batches by each worker process, and one
message sent over one of them with ESMTP PIPELINING (RFC 2920) where the relay offers it.

Pipelined, a message costs two round trips instead of four: MAIL FROM, RCPT TO and DATA go in
one write and their three replies are read after, then the content and its final reply. Where
the connection drops matters, and :class:`ConnectionLost` says where: before the content's end
was written, the relay cannot have taken the message; after it, with no reply, it may have
(the one case SMTP cannot settle).

The :class:`Throttle` is the relay's mood as this process sees it: after a refusal or a
dropped connection, a connection pauses before its next message, the longer the more refusals
came in a row (up to ``MAX_PAUSE``); an acceptance forgets them. A relay that refuses now and then costs
a short pause now and then; one that keeps refusing (``REFUSING`` times in a row) stops the
batch, which waits for its retry.
"""

import smtplib
import threading
from collections.abc import Callable
from dataclasses import dataclass

PAUSE = 0.02  # seconds a connection waits after a refusal, times the refusals in a row
MAX_PAUSE = 1.0
REFUSING = 20  # refusals in a row after which the relay counts as refusing: batches stop and wait


class ConnectionLost(Exception):
    """The connection to the relay dropped; ``after_content``: once the message's end was
    written, so the relay may have taken it."""

    def __init__(self, reason: str, *, after_content: bool):
        super().__init__(reason)
        self.after_content = after_content


@dataclass(frozen=True)
class Answer:
    """The relay's last word on one message: its code and text, and the step it came at
    (``mail``, ``rcpt``, ``data`` or ``message``, the reply to the content)."""

    code: int
    text: str
    step: str

    @property
    def accepted(self) -> bool:
        """Whether the relay took the message."""
        return self.step == "message" and 200 <= self.code < 300


class RelayConnection:
    """One open SMTP session (smtplib's, which did the greeting, TLS and login)."""

    def __init__(self, smtp: smtplib.SMTP):
        self.smtp = smtp
        self.pipelining = smtp.has_extn("pipelining")
        self.size = smtp.has_extn("size")
        self.utf8 = smtp.has_extn("smtputf8")
        self.sent = 0  # messages offered over it

    def send(self, sender: str, recipient: str, message: bytes) -> Answer:
        """Offer one message to one recipient; the relay's answer. Raises ConnectionLost."""
        self.sent += 1
        options = b" SIZE=%d" % len(message) if self.size else b""
        if not (sender.isascii() and recipient.isascii()):
            if not self.utf8:
                return Answer(553, "the address is not ASCII and the relay does not offer SMTPUTF8", "mail")
            options += b" SMTPUTF8"
        commands = [b"MAIL FROM:<%s>%s\r\n" % (sender.encode(), options),
                    b"RCPT TO:<%s>\r\n" % recipient.encode(), b"DATA\r\n"]
        replies: list[tuple[int, str]] = []
        if self.pipelining:
            self._write(b"".join(commands))
        for command in commands:
            if not self.pipelining:
                self._write(command)
            replies.append(self._reply())
            # a 421 closes the connection: no other reply comes; unpipelined, a refusal ends it
            if replies[-1][0] == 421 or (not self.pipelining and replies[-1][0] >= 400):
                break
        refusal = next(((step, r) for step, r in zip(("mail", "rcpt", "data"), replies) if r[0] >= 400), None)
        if len(replies) == 3 and replies[2][0] == 354:
            if refusal is None:
                self._write(_content(message))
                return Answer(*self._reply(after_content=True), "message")
            self._write(b".\r\n")  # DATA opened after a refusal (against RFC 2920): an empty message to no one
            self._reply()
        step, (code, text) = refusal or ("data", replies[-1])  # DATA answered neither 354 nor a refusal
        if replies[0][0] < 400 and code != 421:  # a transaction is open: end it before the next one
            self._write(b"RSET\r\n")
            self._reply()
        return Answer(code, text, step)

    def alive(self) -> bool:
        """Whether the relay still answers on this connection (NOOP)."""
        try:
            self._write(b"NOOP\r\n")
            return self._reply()[0] == 250
        except ConnectionLost:
            return False

    def close(self) -> None:
        """Say goodbye (QUIT) if the relay still listens, and close."""
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            self.smtp.close()

    def _write(self, data: bytes) -> None:
        try:
            self.smtp.send(data)
        except (smtplib.SMTPServerDisconnected, OSError) as err:
            # a write that failed did not carry the content's final dot: the relay has nothing
            raise ConnectionLost(str(err) or type(err).__name__, after_content=False) from err

    def _reply(self, *, after_content: bool = False) -> tuple[int, str]:
        try:
            code, text = self.smtp.getreply()
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException, OSError) as err:
            raise ConnectionLost(str(err) or type(err).__name__, after_content=after_content) from err
        return code, text.decode("utf-8", "replace")


def _content(message: bytes) -> bytes:
    """The message as DATA carries it: lines starting with a dot doubled, then the end mark.
    (bytes.replace, not a regular expression: ~10x faster over a 40 KB message.)"""
    message = (b"." if message.startswith(b".") else b"") + message.replace(b"\n.", b"\n..")
    return message + (b".\r\n" if message.endswith(b"\r\n") else b"\r\n.\r\n")


class Throttle:
    """How long a connection waits before its next message, after the relay refused."""

    def __init__(self) -> None:
        self._refusals = 0  # in a row, across this process's connections
        self._lock = threading.Lock()

    def refused(self) -> float:
        """Count a refusal or a dropped connection; the pause to make before going on."""
        with self._lock:
            self._refusals += 1
            return min(MAX_PAUSE, PAUSE * self._refusals)

    def refusing(self) -> bool:
        """Whether the relay has refused so often in a row that a batch had better wait."""
        return self._refusals >= REFUSING

    def accepted(self) -> None:
        """The relay took a message: it is not refusing any more."""
        if self._refusals:
            with self._lock:
                self._refusals = 0


class ConnectionPool:
    """Up to one connection per sending thread, kept open across batches: a connection is
    checked with NOOP when it is taken again, and replaced after ``messages_per_connection``."""

    def __init__(self, connect: Callable[[], smtplib.SMTP], *, messages_per_connection: int):
        self.connect = connect
        self.messages_per_connection = messages_per_connection
        self.throttle = Throttle()
        self._idle: list[RelayConnection] = []
        self._lock = threading.Lock()

    def acquire(self) -> RelayConnection:
        """An open connection: an idle one that still answers, or a new one (which raises the
        provider's errors when the relay cannot be reached or refuses our login)."""
        while True:
            with self._lock:
                connection = self._idle.pop() if self._idle else None
            if connection is None:
                return RelayConnection(self.connect())
            if connection.alive():
                return connection
            connection.close()

    def release(self, connection: RelayConnection, *, broken: bool = False) -> None:
        """Give a connection back; a broken or well-used one is closed instead."""
        if broken or connection.sent >= self.messages_per_connection:
            connection.close()
            return
        with self._lock:
            self._idle.append(connection)

    def close(self) -> None:
        """Close the idle connections."""
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

