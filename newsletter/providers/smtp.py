"""The SMTP provider: a batch's messages sent at once over a pool of connections to the relay.

Each worker process keeps up to NEWSLETTER_SMTP_CONNECTIONS connections open across batches
(providers/smtp_pool.py), and a batch is shared out between as many lanes, coroutines on the
process's one SMTP event loop, each sending over its own connection, pipelined where the relay
offers it. Every answer is handed on as it comes (``stream_batch``), so the worker records it
at once.

A recipient the relay refuses (5xx) fails alone. Throttling is normal: a 4xx (a 421 "try
again later" closes the connection) or a dropped connection holds back only that message for
a short while (providers/smtp_batch.py) while the rest of the batch goes on, over the other
connections and a new one; the relay's refusals in a row make each connection pause a little
longer (smtp_pool.Throttle). A message refused a few times, or still waiting when the relay
has refused many times in a row, stays pending for the batch's retry. The message whose
content was sent when the connection dropped is the one case SMTP cannot settle: the relay
may have taken it without our hearing the reply. It is sent again (at least once, with the
same Message-ID), never silently lost.

With NEWSLETTER_BOUNCE_ADDRESS set, each message's envelope sender (MAIL FROM, which the
receiving server writes as Return-Path and sends bounces to) names its delivery: VERP,
``bounces+<token>@domain``, the token the delivery id in base 36 and a signature, so that a
bounce says whose message it was even when it quotes nothing of it (newsletter.tracking reads
it back). The From header is unchanged.
"""

import asyncio
import base64
import hashlib
import hmac
import os
import ssl
import threading
from collections.abc import Callable
from email.utils import parseaddr

from newsletter.config import Settings
from newsletter.errors import ProviderError, TransientProviderError
from newsletter.providers.base import OutgoingBatch, Provider, Recipient, RecipientResult
from newsletter.providers.mime import MimeBuilder
from newsletter.providers.smtp_batch import BatchWork
from newsletter.providers.smtp_connect import connect, local_name, tls_context
from newsletter.providers.smtp_pool import ConnectionLost, ConnectionPool, RelayConnection
from newsletter.tokens import derived_key

CONNECT_TRIES = 3  # a lane that cannot open a connection this many times in a row stops


class SmtpProvider(Provider):
    """Delivers through an SMTP relay configured by the NEWSLETTER_SMTP_* settings."""

    name = "smtp"

    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._pool: ConnectionPool | None = None
        self._tls: ssl.SSLContext | None = None

    def send_batch(self, batch: OutgoingBatch) -> list[RecipientResult]:
        return self.stream_batch(batch, lambda _: None)

    def stream_batch(self, batch: OutgoingBatch,
                     on_results: Callable[[list[RecipientResult]], None]) -> list[RecipientResult]:
        """Send ``batch`` over the pool's connections at once (on this process's event loop
        thread, ``on_results`` called there with each answer); every recipient's answer."""
        loop, pool = self._parts()
        sending = asyncio.run_coroutine_threadsafe(self._send(pool, batch, on_results), loop)
        try:
            return sending.result()
        except BaseException:  # this thread was interrupted (a time limit): the lanes stop too
            sending.cancel()
            raise

    def close(self) -> None:
        """Close the connections this process keeps open."""
        if self._pool is not None and self._pid == os.getpid():
            asyncio.run_coroutine_threadsafe(self._pool.close(), _event_loop()).result()

    def _parts(self) -> tuple[asyncio.AbstractEventLoop, ConnectionPool]:
        """This process's event loop and pool (made again in a forked child: sockets and threads
        do not cross a fork)."""
        with self._lock:
            if self._pid != os.getpid():
                local_name()  # looked up here, before the loop needs it
                try:
                    self._tls = tls_context(self.settings)
                except (OSError, ssl.SSLError) as err:
                    raise ProviderError(self.name, f"NEWSLETTER_SMTP_CA_FILE cannot be read: {err}") from err
                self._pool = ConnectionPool(self._connect, connections=self.settings.smtp_connections,
                                            messages_per_connection=self.settings.smtp_messages_per_connection)
                self._pid = os.getpid()  # last: a failure above is met again by the next batch
            return _event_loop(), self._pool

    async def _connect(self) -> RelayConnection:
        return await connect(self.settings, local_name(), self._tls)  # the name cached: no DNS on the loop

    async def _send(self, pool: ConnectionPool, batch: OutgoingBatch,
                    on_results: Callable[[list[RecipientResult]], None]) -> list[RecipientResult]:
        work = BatchWork(batch.recipients, lanes=min(self.settings.smtp_connections, len(batch.recipients)))
        builder = MimeBuilder(batch, smtp=True)
        envelope_from = parseaddr(batch.from_email)[1]
        async def lane() -> None:
            async with pool.lanes:
                await self._lane(pool, work, builder, envelope_from, on_results)

        failures = [r for r in await asyncio.gather(*(lane() for _ in range(work.lanes)), return_exceptions=True)
                    if isinstance(r, BaseException)]
        if failures:
            raise failures[0]
        return work.results()

    async def _lane(self, pool: ConnectionPool, work: BatchWork, builder: MimeBuilder, envelope_from: str,
                    on_results: Callable[[list[RecipientResult]], None]) -> None:
        """Send the batch's messages over one connection until none is left."""
        connection, failures = None, 0
        try:
            while (recipient := await work.take()) is not None:
                if connection is not None and connection.broken:  # the relay closed it after its last answer
                    await pool.release(connection, broken=True)
                    connection = None
                if connection is None:
                    try:
                        connection = await pool.acquire()
                        failures = 0
                    except TransientProviderError as err:  # the relay is busy, or gone
                        work.put_back(recipient)
                        failures += 1
                        if failures >= CONNECT_TRIES:
                            return work.lane_gone(err)
                        await asyncio.sleep(pool.throttle.refused())
                        continue
                    except ProviderError as err:  # our login or settings: no message can go
                        work.put_back(recipient)
                        return work.abort(err)
                sender = bounce_address(self.settings, recipient.delivery_id) or envelope_from
                try:
                    answer = await connection.send(sender, recipient.email, builder.build(recipient))
                except ConnectionLost as err:
                    await pool.release(connection, broken=True)
                    connection = None
                    lost = "the connection dropped after the message was sent (sent again: it may have arrived)" \
                        if err.after_content else "connection lost"
                    await _hold_back(work, pool, recipient, f"{lost}: {err}")
                    continue
                if answer.accepted:
                    pool.throttle.accepted()
                    result = RecipientResult(recipient.delivery_id, True, recipient.message_id)
                elif 400 <= answer.code < 500:
                    if answer.code == 421:  # the relay closes this connection
                        await pool.release(connection, broken=True)
                        connection = None
                    await _hold_back(work, pool, recipient, f"{answer.code} {answer.text}",
                                     smtp_code=answer.code if answer.step == "rcpt" else None)
                    continue
                else:
                    result = RecipientResult(recipient.delivery_id, False, error=f"{answer.code} {answer.text}",
                                             smtp_code=answer.code if answer.step == "rcpt" else None)
                work.answer(result)
                on_results([result])
                if connection.sent >= pool.messages_per_connection:
                    await pool.release(connection)  # closed: the next message goes over a new one
                    connection = None
        except BaseException as err:  # unforeseen: the batch stops, and what is unanswered stays pending
            work.abort(err)
            raise
        finally:
            if connection is not None:
                await pool.release(connection, broken=work.stopped)


_loop: asyncio.AbstractEventLoop | None = None
_loop_pid: int | None = None
_loop_lock = threading.Lock()


def _event_loop() -> asyncio.AbstractEventLoop:
    """This process's event loop for SMTP, running in a thread of its own (started again in a
    forked child, where the parent's thread does not exist)."""
    global _loop, _loop_pid
    with _loop_lock:
        if _loop_pid != os.getpid():
            _loop, _loop_pid = asyncio.new_event_loop(), os.getpid()
            threading.Thread(target=_loop.run_forever, name="smtp", daemon=True).start()
        return _loop


async def _hold_back(work: BatchWork, pool: ConnectionPool, recipient: Recipient, error: str,
                     smtp_code: int | None = None) -> None:
    """Hold back a refused message, and pause this connection as long as the relay's refusals
    in a row say."""
    pause = pool.throttle.refused()
    work.hold_back(recipient, error, smtp_code=smtp_code)
    if pool.throttle.refusing():
        work.abort(TransientProviderError("smtp", f"the relay keeps refusing; last: {error}"))
    if not work.stopped:
        await asyncio.sleep(pause)


def bounce_address(settings: Settings, delivery_id: int) -> str | None:
    """The envelope sender of ``delivery_id``'s message: NEWSLETTER_BOUNCE_ADDRESS with the
    delivery's token after a ``+`` (a test send or a confirmation, delivery 0, gets the plain
    address); None when the setting is unset (the From address is the envelope sender)."""
    if not settings.bounce_address:
        return None
    if delivery_id <= 0:
        return settings.bounce_address
    local, _, domain = settings.bounce_address.rpartition("@")
    return f"{local}+{_verp_token(settings.secret_key, delivery_id)}@{domain}"


def delivery_from_bounce_address(settings: Settings, address: str) -> int | None:
    """The delivery a tagged bounce address names, or None: not ours, untagged, or a token
    whose signature does not match (tampered with, or made with another key).

    Case does not matter: some servers lower-case the addresses they bounce to.
    """
    if not settings.bounce_address:
        return None
    local, _, domain = (parseaddr(address)[1] or address).strip().lower().rpartition("@")
    base_local, _, base_domain = settings.bounce_address.lower().rpartition("@")
    tagged, plus, token = local.partition("+")
    number = token.partition("-")[0]
    if domain != base_domain or tagged != base_local or not plus or not 0 < len(number) <= 12:
        return None
    if not (number.isascii() and number.isalnum()):
        return None
    delivery_id = int(number, 36)
    expected = _verp_token(settings.secret_key, delivery_id)
    return delivery_id if delivery_id > 0 and hmac.compare_digest(token, expected) else None


def _verp_token(secret_key: str, delivery_id: int) -> str:
    """``<delivery id in base 36>-<10 characters of HMAC>``: lower-case letters and digits
    only (valid in any local part, unchanged by lower-casing), 50 bits of signature."""
    mac = hmac.new(derived_key(secret_key, b"newsletter.verp"), b"delivery.%d" % delivery_id, hashlib.sha256).digest()
    return f"{_base36(delivery_id)}-{base64.b32encode(mac[:10]).decode('ascii').lower()[:10]}"


def _base36(number: int) -> str:
    digits = ""
    while True:
        number, digit = divmod(number, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[digit] + digits
        if not number:
            return digits
