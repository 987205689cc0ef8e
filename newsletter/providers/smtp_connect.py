"""Opening a connection to the SMTP relay (providers/smtp_pool.py uses it): the greeting, EHLO,
STARTTLS or implicit TLS, and login (CRAM-MD5, PLAIN or LOGIN, in smtplib's order of
preference), each failure named as the provider's errors name it."""

import asyncio
import base64
import hmac
import socket
import ssl
from functools import cache

from newsletter.config import Settings
from newsletter.errors import ProviderAuthError, ProviderError, TransientProviderError
from newsletter.providers.smtp_pool import MAX_LINE, ConnectionLost, RelayConnection


def tls_context(settings: Settings) -> ssl.SSLContext | None:
    """The TLS settings for the relay, made once and shared by every connection (loading the
    system's certificates takes ~20 ms: more than sending a hundred messages); None without TLS."""
    return None if settings.smtp_tls == "none" else ssl.create_default_context(cafile=settings.smtp_ca_file)


async def connect(settings: Settings, name: bytes, context: ssl.SSLContext | None) -> RelayConnection:
    """A new connection to the relay of ``settings``, greeting it as ``name`` (:func:`local_name`),
    with TLS (``context``, from :func:`tls_context`) and login as the settings ask.
    Raises TransientProviderError when the relay cannot be reached, ProviderAuthError when it
    refuses our login, ProviderError when it cannot do what the settings ask."""
    s = settings
    try:
        async with asyncio.timeout(s.smtp_timeout):
            reader, writer = await asyncio.open_connection(
                s.smtp_host, s.smtp_port, ssl=context if s.smtp_tls == "ssl" else None, limit=MAX_LINE)
            try:
                connection = await _session(RelayConnection(reader, writer, timeout=s.smtp_timeout), s, name,
                                            context)
            except BaseException:
                writer.close()  # not left to the garbage collector: relays count our open connections
                raise
    except ProviderError:
        raise
    except (OSError, TimeoutError, ssl.SSLError, ConnectionLost) as err:
        raise TransientProviderError(
            "smtp", f"cannot connect to {s.smtp_host}:{s.smtp_port} ({err or type(err).__name__})") from err
    return connection


async def _session(connection: RelayConnection, s: Settings, name: bytes,
                   context: ssl.SSLContext | None) -> RelayConnection:
    """Greet, secure and log in over a connection just opened."""
    greeting = await connection._reply()
    if greeting[0] != 220:
        raise ConnectionLost(f"the relay greeted us with {greeting[0]} {greeting[1]}", after_content=False)
    await connection.hello(name)
    if s.smtp_tls == "starttls":
        if "STARTTLS" not in connection.extensions:
            raise ProviderError("smtp", "the relay does not support what NEWSLETTER_SMTP_TLS asks: STARTTLS")
        if (await connection.command(b"STARTTLS"))[0] != 220:
            raise ConnectionLost("the relay refused STARTTLS", after_content=False)
        # Anything already read after the 220 came before the encryption, from anyone on the way:
        # read after it, it would pass for the relay's answers (asyncio has no public way to ask).
        if connection.reader._buffer:
            raise ConnectionLost("the relay sent more before TLS began: refused", after_content=False)
        await connection.writer.start_tls(context, server_hostname=s.smtp_host)
        await connection.hello(name)
    if s.smtp_user:
        await _login(connection, s.smtp_user, s.smtp_password or "")
    return connection


@cache
def local_name() -> bytes:
    """This machine's name for EHLO, as smtplib gives it: its fully qualified name, or its
    address in brackets when it has none (a DNS lookup: made once per process, not per connection)."""
    fqdn = socket.getfqdn()
    if "." in fqdn:
        return fqdn.encode("idna")
    try:
        return f"[{socket.gethostbyname(socket.gethostname())}]".encode()
    except OSError:
        return b"[127.0.0.1]"


async def _login(connection: RelayConnection, user: str, password: str) -> None:
    """AUTH CRAM-MD5 (the password never sent), else PLAIN, else LOGIN, as the relay offers."""
    offered = connection.extensions.get("AUTH", "").upper().split()
    b64 = base64.b64encode
    if "CRAM-MD5" in offered:
        code, text = await connection.command(b"AUTH CRAM-MD5")
        if code == 334:
            digest = hmac.new(password.encode(), base64.b64decode(text), "md5").hexdigest()
            code, text = await connection.command(b64(f"{user} {digest}".encode()))
    elif "PLAIN" in offered:
        code, text = await connection.command(b"AUTH PLAIN " + b64(f"\0{user}\0{password}".encode()))
    elif "LOGIN" in offered:
        code, text = await connection.command(b"AUTH LOGIN")
        for answer in (user, password):
            if code != 334:
                break
            code, text = await connection.command(b64(answer.encode()))
    else:
        raise ProviderError("smtp", f"the relay offers no login we can use (AUTH {' '.join(offered) or 'none'})")
    if code != 235:
        raise ProviderAuthError("smtp", "the relay refused the user name or password", status=code, body=text)
