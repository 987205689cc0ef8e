"""A minimal asyncio SMTP relay for tests and benchmarks, with latency and fault injection.

Cheap enough not to be what a benchmark measures (aiosmtpd costs ~3.5 ms a message). It offers
PIPELINING unless told not to, and can:

- take ``latency`` seconds before answering each message's content (a remote relay);
- answer a share of MAIL FROM with ``421`` and close the connection (throttling): ``fault_rates
  {"421": 0.03}``;
- take a share of messages and close the connection before the reply (``"drop"``): the message
  arrived, its reply is lost;
- refuse (550) or defer (451) given addresses at RCPT TO;
- answer 421 to a given address's first RCPT TO and close (``throttle_once``), or take a given
  address's first message and close before the reply (``drop_once``).

It counts every message it took by the delivery id in its Message-ID (``<send.delivery.tag@
domain>``), which is how tests check "exactly once", and, with ``record=True``, the commands
of every read from a client, which is how they see pipelining (commands that came in one
write arrive in one read on loopback).

Run alone for benchmarks: ``python -m tests.fakes.smtp --port 8025 --latency 0.03``.
"""

import argparse
import asyncio
import collections
import random
import re
import threading

_MESSAGE_ID = re.compile(rb"(?im)^Message-ID: <\d+\.(\d+)\.")
_COMMANDS = re.compile(rb"(?im)^(EHLO|HELO|MAIL|RCPT|DATA|RSET|NOOP|QUIT)\b")


class FakeRelay:
    """The server; ``start()`` it (in a thread of its own), point NEWSLETTER_SMTP_PORT at
    ``port``, ``stop()`` it."""

    def __init__(self, *, latency: float = 0.0, pipelining: bool = True, fault_rates: dict[str, float] | None = None,
                 seed: int = 0, record: bool = False, port: int = 0):
        self.latency = latency
        self.pipelining = pipelining
        self.fault_rates = fault_rates or {}
        self.random = random.Random(seed)
        self.record = record
        self.port = port
        self.refuse: set[str] = set()
        self.defer: set[str] = set()
        self.throttle_once: set[str] = set()
        self.drop_once: set[str] = set()
        self.lock = threading.Lock()
        self.connections = 0
        self.reads: list[tuple[int, tuple[str, ...]]] = []  # (connection, commands in one read)
        self.taken: collections.Counter[int] = collections.Counter()  # delivery id -> messages taken
        self.lost_replies: collections.Counter[int] = collections.Counter()  # taken, then dropped unanswered
        # taken and answered, but the client closed without a word after: it may never have read the reply
        self.unread_replies: collections.Counter[int] = collections.Counter()
        self.answers: collections.Counter[str] = collections.Counter()  # "250", "421", "drop", ...
        self._loop: asyncio.AbstractEventLoop | None = None
        self._started = threading.Event()

    def start(self) -> "FakeRelay":
        threading.Thread(target=self._run, daemon=True, name="fake-relay").start()
        self._started.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            self._loop.create_server(lambda: _Session(self), "127.0.0.1", self.port, backlog=512))
        self.port = server.sockets[0].getsockname()[1]
        self._started.set()
        self._loop.run_forever()
        server.close()
        sessions = asyncio.all_tasks(self._loop)
        for task in sessions:
            task.cancel()
        self._loop.run_until_complete(asyncio.wait(sessions)) if sessions else None
        self._loop.close()

    def fault(self, name: str) -> bool:
        """Whether this message meets fault ``name`` (drawn at its rate)."""
        rate = self.fault_rates.get(name, 0.0)
        return rate > 0 and self.random.random() < rate

    def count(self, answer: str, delivery_id: int | None = None, *, lost: bool = False) -> None:
        with self.lock:
            self.answers[answer] += 1
            if delivery_id is not None:
                self.taken[delivery_id] += 1
                if lost:
                    self.lost_replies[delivery_id] += 1


class _Session(asyncio.Protocol):
    """One client connection: commands read from a buffer in order, each answered in turn."""

    def __init__(self, relay: FakeRelay):
        self.relay = relay
        self.buffer = bytearray()
        self.more = asyncio.Event()
        self.closed = False

    def connection_made(self, transport) -> None:
        self.transport = transport
        with self.relay.lock:
            self.relay.connections += 1
            self.number = self.relay.connections
        asyncio.get_running_loop().create_task(self.serve())

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.relay.record:
            commands = tuple(c.decode().upper() for c in _COMMANDS.findall(data))
            if commands:
                self.relay.reads.append((self.number, commands))
        self.more.set()

    def connection_lost(self, exc) -> None:
        self.closed = True
        self.more.set()

    async def _until(self, mark: bytes) -> bytes | None:
        start = 0
        while True:
            at = self.buffer.find(mark, start)
            if at >= 0:
                taken = bytes(self.buffer[:at])
                del self.buffer[:at + len(mark)]
                return taken
            if self.closed:
                return None
            start = max(0, len(self.buffer) - len(mark))
            self.more.clear()
            await self.more.wait()

    def reply(self, text: str) -> None:
        self.transport.write(text.encode() + b"\r\n")

    async def serve(self) -> None:
        relay = self.relay
        self.reply("220 fake relay ESMTP")
        recipients: list[str] = []
        unread = None  # the message just answered, until the client sends anything after its reply
        while (line := await self._until(b"\r\n")) is not None:
            unread = None
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.reply("250-fake relay\r\n" + ("250-PIPELINING\r\n" if relay.pipelining else "")
                           + "250-SIZE 50000000\r\n250 8BITMIME")
            elif verb == b"MAIL":
                if relay.fault("421"):
                    relay.count("421")
                    self.reply("421 4.7.0 Too many messages, try again later")
                    self.transport.close()
                    return
                recipients = []
                self.reply("250 2.1.0 OK")
            elif verb == b"RCPT":
                address = line.partition(b"<")[2].partition(b">")[0].decode()
                if address in relay.throttle_once:
                    relay.throttle_once.discard(address)
                    relay.count("421")
                    self.reply("421 4.7.0 Too many messages, try again later")
                    self.transport.close()
                    return
                if address in relay.refuse:
                    self.reply("550 5.1.1 No such user here")
                elif address in relay.defer:
                    self.reply("451 4.3.0 Mailbox busy, try later")
                else:
                    recipients.append(address)
                    self.reply("250 2.1.5 OK")
            elif verb == b"DATA":
                if not recipients:
                    self.reply("554 5.5.1 No valid recipients")
                    continue
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                content = await self._until(b"\r\n.\r\n")
                if content is None:
                    return
                if relay.latency:
                    await asyncio.sleep(relay.latency)
                found = _MESSAGE_ID.search(content)
                delivery_id = int(found.group(1)) if found else None
                dropped = relay.drop_once.intersection(recipients)
                relay.drop_once -= dropped
                recipients = []
                if dropped or relay.fault("drop"):
                    relay.count("drop", delivery_id, lost=True)
                    self.transport.close()
                    return
                relay.count("250", delivery_id)
                self.reply("250 2.0.0 Queued")
                unread = delivery_id
            elif verb in (b"RSET", b"NOOP"):
                recipients = [] if verb == b"RSET" else recipients
                self.reply("250 2.0.0 OK")
            elif verb == b"QUIT":
                self.reply("221 2.0.0 Bye")
                self.transport.close()
                return
            else:
                self.reply("500 5.5.2 Unknown command")
        if unread is not None:  # the client went away (killed, say) right after the reply
            with relay.lock:
                relay.unread_replies[unread] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before answering each message")
    parser.add_argument("--refuse-421", type=float, default=0.0, help="share of messages answered 421")
    parser.add_argument("--drop", type=float, default=0.0, help="share of messages taken, then left unanswered")
    args = parser.parse_args()
    relay = FakeRelay(latency=args.latency, port=args.port,
                      fault_rates={"421": args.refuse_421, "drop": args.drop}).start()
    print(f"fake relay at 127.0.0.1:{relay.port}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        relay.stop()
        print(dict(relay.answers), flush=True)


if __name__ == "__main__":
    main()
