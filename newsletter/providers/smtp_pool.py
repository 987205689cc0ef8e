"""Connections to the SMTP relay over asyncio streams, kept open across batches by each worker
process, and one message sent over one of them with ESMTP PIPELINING (RFC 2920) where the
relay offers it.

Pipelined, a message costs two round trips instead of four: MAIL FROM, RCPT TO and DATA go in
one write and their three replies are read after, then the content and its final reply. Where
the connection drops matters, and :class:`ConnectionLost` says where: before the content's end
was written, the relay cannot have taken the message; after it, with no reply, it may have
(the one case SMTP cannot settle).

One event loop thread drives every connection of the process (an SMTP session is a few short
writes and reads; threads over smtplib spent 0.7 ms of CPU a message, mostly on the GIL).

The :class:`Throttle` is the relay's mood as this process sees it: after a refusal or a
dropped connection, a connection pauses before its next message, the longer the more refusals
came in a row (up to ``MAX_PAUSE``); an acceptance forgets them. A relay that refuses now and then costs
a short pause now and then; one that keeps refusing (``REFUSING`` times in a row) stops the
batch, which waits for its retry.
"""

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

PAUSE = 0.02  # seconds a connection waits after a refusal, times the refusals in a row
MAX_PAUSE = 1.0
REFUSING = 20  # refusals in a row after which the relay counts as refusing: batches stop and wait
MAX_LINE = 64 * 1024  # a reply line longer than this is not SMTP


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
    """One open SMTP session, greeted, secured and logged in (:func:`connect`)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, timeout: float):
        self.reader, self.writer, self.timeout = reader, writer, timeout
        self.extensions: dict[str, str] = {}
        self.sent = 0  # messages offered over it
        self.broken = False  # the relay closed it after an answer (a 421 to RSET): not to be used again

    async def send(self, sender: str, recipient: str, data: bytes) -> Answer:
        """Offer one message to one recipient; the relay's answer. ``data``: the message as
        DATA carries it, dots stuffed and the end mark after (``MimeBuilder(batch, smtp=True)``).
        Raises ConnectionLost."""
        self.sent += 1
        pipelining = "PIPELINING" in self.extensions
        options = b" SIZE=%d" % len(data) if "SIZE" in self.extensions else b""
        if not (sender.isascii() and recipient.isascii()):
            if "SMTPUTF8" not in self.extensions:
                return Answer(553, "the address is not ASCII and the relay does not offer SMTPUTF8", "mail")
            options += b" SMTPUTF8"
        commands = [b"MAIL FROM:<%s>%s\r\n" % (sender.encode(), options),
                    b"RCPT TO:<%s>\r\n" % recipient.encode(), b"DATA\r\n"]
        replies: list[tuple[int, str]] = []
        if pipelining:
            self._write(b"".join(commands))
        for command in commands:
            if not pipelining:
                self._write(command)
            replies.append(await self._reply())
            # a 421 closes the connection: no other reply comes; unpipelined, a refusal ends it
            if replies[-1][0] == 421 or (not pipelining and replies[-1][0] >= 400):
                break
        refusal = next(((step, r) for step, r in zip(("mail", "rcpt", "data"), replies) if r[0] >= 400), None)
        if len(replies) == 3 and replies[2][0] == 354:
            if refusal is None:
                self._write(data)
                return Answer(*await self._reply(after_content=True), "message")
            self._write(b".\r\n")  # DATA opened after a refusal (against RFC 2920): an empty message to no one
            await self._reply()
        step, (code, text) = refusal or ("data", replies[-1])  # DATA answered neither 354 nor a refusal
        if replies[0][0] < 400 and code != 421:  # a transaction is open: end it before the next one
            try:
                self.broken = (await self.command(b"RSET"))[0] == 421
            except ConnectionLost:  # the answer stands; the connection does not
                self.broken = True
        return Answer(code, text, step)

    async def command(self, line: bytes) -> tuple[int, str]:
        """Send one command and read its reply."""
        self._write(line + b"\r\n")
        return await self._reply()

    async def hello(self, name: bytes) -> None:
        """EHLO (HELO for a relay that knows no ESMTP), remembering the extensions offered."""
        code, text = await self.command(b"EHLO " + name)
        if code != 250:
            code, text = await self.command(b"HELO " + name)
            if code != 250:
                raise ConnectionLost(f"the relay refused our greeting: {code} {text}", after_content=False)
            text = ""
        self.extensions = {}
        for line in text.split("\n")[1:]:  # the first line is the relay's name
            keyword, _, params = line.replace("=", " ", 1).partition(" ")
            self.extensions[keyword.upper()] = params.strip()

    async def alive(self) -> bool:
        """Whether the relay still answers on this connection (NOOP)."""
        try:
            return (await self.command(b"NOOP"))[0] == 250
        except ConnectionLost:
            return False

    async def close(self, *, broken: bool = False) -> None:
        """Say goodbye (QUIT) if the relay still listens (not on a ``broken`` connection), and close."""
        if not broken:
            try:
                await asyncio.wait_for(self.command(b"QUIT"), 1)
            except (ConnectionLost, TimeoutError):
                pass
        self.writer.close()

    def _write(self, data: bytes) -> None:
        if self.writer.is_closing():  # a write that fails carries no final dot: the relay has nothing
            raise ConnectionLost("the connection is closed", after_content=False)
        self.writer.write(data)  # buffered: a failure shows when the reply is read

    async def _reply(self, *, after_content: bool = False) -> tuple[int, str]:
        lines = []
        try:
            async with asyncio.timeout(self.timeout):
                await self.writer.drain()
                while True:
                    line = await self.reader.readuntil(b"\n")
                    lines.append(line)
                    if line[3:4] != b"-":
                        break
        except asyncio.IncompleteReadError as err:
            if not (err.partial[:3].isdigit() and err.partial[3:4] in (b" ", b"")):
                raise ConnectionLost("the relay closed the connection", after_content=after_content) from None
            lines.append(err.partial)  # a last reply whose line end the closing relay never sent
        except (OSError, TimeoutError, asyncio.LimitOverrunError, ssl.SSLError) as err:
            raise ConnectionLost(str(err) or type(err).__name__, after_content=after_content) from err
        code = lines[-1][:3]
        if not code.isdigit():
            raise ConnectionLost(f"not an SMTP reply: {lines[-1][:80]!r}", after_content=after_content)
        return int(code), "\n".join(line[4:].strip().decode("utf-8", "replace") for line in lines)


class Throttle:
    """How long a connection waits before its next message, after the relay refused."""

    def __init__(self) -> None:
        self._refusals = 0  # in a row, across this process's connections

    def refused(self) -> float:
        """Count a refusal or a dropped connection; the pause to make before going on."""
        self._refusals += 1
        return min(MAX_PAUSE, PAUSE * self._refusals)

    def refusing(self) -> bool:
        """Whether the relay has refused so often in a row that a batch had better wait."""
        return self._refusals >= REFUSING

    def accepted(self) -> None:
        """The relay took a message: it is not refusing any more."""
        self._refusals = 0


class ConnectionPool:
    """Up to ``connections`` connections, kept open across batches: a connection is checked
    with NOOP when it is taken again, and replaced after ``messages_per_connection``. Batches
    sent at once (threads of one process) share them: a lane sends only while it holds one of
    the ``lanes`` slots. Used from the process's event loop thread only."""

    def __init__(self, connect: Callable[[], Awaitable[RelayConnection]], *, connections: int,
                 messages_per_connection: int):
        self.connect = connect
        self.messages_per_connection = messages_per_connection
        self.lanes = asyncio.Semaphore(connections)
        self.throttle = Throttle()
        self._idle: list[RelayConnection] = []

    async def acquire(self) -> RelayConnection:
        """An open connection: an idle one that still answers, or a new one (which raises the
        provider's errors when the relay cannot be reached or refuses our login)."""
        while self._idle:
            connection = self._idle.pop()
            if await connection.alive():
                return connection
            await connection.close(broken=True)
        return await self.connect()

    async def release(self, connection: RelayConnection, *, broken: bool = False) -> None:
        """Give a connection back; a broken or well-used one is closed instead."""
        if broken or connection.broken or connection.sent >= self.messages_per_connection:
            await connection.close(broken=broken or connection.broken)
            return
        self._idle.append(connection)

    async def close(self) -> None:
        """Close the idle connections."""
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()
