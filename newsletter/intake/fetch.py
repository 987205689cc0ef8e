"""The safe fetcher: a URL a person typed or a feed named, fetched without letting it reach
inside our network.

http(s) only; the host resolved once and every address checked (private, loopback,
link-local, metadata and other non-global ranges refused unless NEWSLETTER_FETCH_ALLOW_PRIVATE, or
the host is one of NEWSLETTER_FETCH_ALLOWED_HOSTS),
then connected to by that checked address (so a second DNS answer cannot swap it); redirects
followed here, each hop checked the same way, at most MAX_REDIRECTS; one deadline for the whole
fetch; the body read as a stream up to NEWSLETTER_FETCH_MAX_MB; only web pages and feeds.
"""

import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

import certifi
import httpx

from newsletter.config import Settings
from newsletter.errors import FetchError
from newsletter.intake.deadline import deadline_transport

MAX_REDIRECTS = 5
USER_AGENT = "newsletter-intake/1 (+https://github.com/; fetches pages editors link to)"
HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
              "text/xml", "application/feed+json", "application/json", "text/plain")
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class Fetched:
    """What a fetch brought back. ``status`` 304: unchanged since ``etag``/``last_modified``."""

    url: str  # after redirects
    status: int
    content_type: str
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    charset: str | None = None

    @property
    def text(self) -> str:
        """The body as text, in the charset the server named (else UTF-8)."""
        try:
            return self.body.decode(self.charset or "utf-8", errors="replace")
        except LookupError:  # a charset Python does not know
            return self.body.decode("utf-8", errors="replace")


def fetch(url: str, *, settings: Settings, accept: tuple[str, ...] = HTML_TYPES + FEED_TYPES,
          etag: str | None = None, last_modified: str | None = None) -> Fetched:
    """Fetch ``url`` safely (see the module's docstring), as a conditional GET when ``etag`` or
    ``last_modified`` are given. Every refusal and failure is a FetchError saying why."""
    deadline = time.monotonic() + settings.fetch_timeout
    headers = {"User-Agent": USER_AGENT, "Accept": ", ".join(accept) + ", */*;q=0.1"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    with httpx.Client(transport=deadline_transport(deadline, _tls()), follow_redirects=False,
                      trust_env=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            address, host_header, sni = _checked_target(url, settings)
            try:
                with client.stream("GET", address, headers={**headers, "Host": host_header},
                                   timeout=_time_left(url, deadline, settings),
                                   extensions={"sni_hostname": sni} if sni else {}) as response:
                    if response.status_code in REDIRECTS and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        continue
                    return _read(url, response, settings, accept, deadline)
            except httpx.TimeoutException:
                raise FetchError(f"{url} did not answer within {settings.fetch_timeout:g} seconds",
                                 field="url") from None
            except httpx.HTTPError as err:
                raise FetchError(f"{url} could not be fetched: {err}", field="url") from None
    raise FetchError(f"{url} redirects more than {MAX_REDIRECTS} times", field="url")


def _time_left(url: str, deadline: float, settings: Settings) -> httpx.Timeout:
    """The timeouts of one hop: what is left of the fetch's deadline (each hop of a redirect
    chain would otherwise get the whole of it afresh), connecting in at most 5 seconds."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(f"{url} did not answer within {settings.fetch_timeout:g} seconds", field="url")
    return httpx.Timeout(left, connect=min(5.0, left))


@lru_cache(maxsize=1)
def _tls() -> ssl.SSLContext:
    """One TLS context per process: loading the CA bundle costs ~25 ms of CPU, which a new
    context per fetch spent on every feed of every poll (even a 304)."""
    return ssl.create_default_context(cafile=certifi.where())


def acceptable_address(address: str) -> bool:
    """Whether a fetch may connect to ``address``: a global unicast address (an IPv4-mapped
    IPv6 address judged as its IPv4 one)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _checked_target(url: str, settings: Settings) -> tuple[str, str, str | None]:
    """(the URL with the host replaced by its checked address, the Host header, the TLS name)."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise FetchError(f"{url!r} is not a link that can be fetched", field="url") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise FetchError(f"only http:// and https:// links can be fetched, not {url!r}", field="url")
    if parts.username or parts.password:
        raise FetchError("a link with a user name or password (user@host) is not fetched", field="url")
    https = parts.scheme.lower() == "https"
    port = port or (443 if https else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError(f"{host} is not a host name that resolves", field="url") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    allowed_hosts = {h.strip().lower() for h in settings.fetch_allowed_hosts.split(",") if h.strip()}
    if not settings.fetch_allow_private and host.lower() not in allowed_hosts:
        refused = [a for a in addresses if not acceptable_address(a)]
        if refused:
            raise FetchError(f"{host} is a private, local or reserved address ({refused[0]}): "
                             "links must lead to the public web", field="url")
    address = addresses[0]
    literal = f"[{address.split('%')[0]}]" if ":" in address else address
    default = port == (443 if https else 80)
    host_header = host if default else f"{host}:{port}"
    if ":" in host:
        host_header = f"[{host}]" if default else f"[{host}]:{port}"
    target = urlunsplit((parts.scheme.lower(), f"{literal}:{port}", parts.path or "/", parts.query, ""))
    return target, host_header, host if https else None


def _read(url: str, response: httpx.Response, settings: Settings, accept: tuple[str, ...],
          deadline: float) -> Fetched:
    etag, modified = response.headers.get("etag"), response.headers.get("last-modified")
    if response.status_code == 304:
        return Fetched(url, 304, "", b"", etag, modified)
    if response.status_code >= 400 or response.status_code < 200:
        raise FetchError(f"{url} answered {response.status_code} {response.reason_phrase}", field="url")
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in accept:
        wanted = "a web page" if set(accept) <= set(HTML_TYPES) else "a feed" if not set(accept) & set(HTML_TYPES) \
            else "a web page or a feed"
        raise FetchError(f"{url} is {content_type or 'of no stated type'}, not {wanted}", field="url")
    limit = int(settings.fetch_max_mb * 1024 * 1024)
    body = bytearray()
    for chunk in response.iter_bytes():  # decoded: the cap also stops a compressed bomb
        body += chunk
        if len(body) > limit:
            raise FetchError(f"{url} is larger than {settings.fetch_max_mb:g} MB: stopped reading", field="url")
        if time.monotonic() > deadline:
            raise FetchError(f"{url} did not finish within {settings.fetch_timeout:g} seconds", field="url")
    return Fetched(url, response.status_code, content_type, bytes(body), etag, modified, response.charset_encoding)
