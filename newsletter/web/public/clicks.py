"""Tracked links: ``/c/<send>/<link>/<token>`` records the reader's click and redirects (302)
to that link's address in the send's link table, and to no other address. The open image:
``/o/<send>/<token>`` records an open (tracking/opens.py) and answers a 1x1 GIF, never cached.

A token that names no delivery (cut short, tampered with, or a reader's whose list does not
track clicks) still redirects, and records nothing: a reader never lands on an error page
because of a tracker. HEAD is answered like GET and recorded as a machine's click. A request
changes nothing but the ledger. Anything else under ``/c/`` (an unknown send or link, an
address that is not one of ours) goes on to the application, which has no such page: 404.

This is ASGI middleware in front of the application rather than a route in it: the app's own
middleware (sessions, security headers, body limits) costs about a millisecond a request, and
a send's links are fetched in bursts, each reader's within seconds of delivery by their mail
scanner. Here a redirect costs a few hundred microseconds (bench/click_redirects.py).
"""

import logging
from functools import lru_cache
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from newsletter.config import Settings
from newsletter.tracking.click_stream import ClickRecorder
from newsletter.tracking.clicks import Click, new_click
from newsletter.tracking.links import LinkTables, delivery_of_token, link_number
from newsletter.tracking.opens import Open, new_open

log = logging.getLogger(__name__)

# Not cached anywhere (every click must come back), nothing to index, and the link's site is
# not told the tracked address (it carries the reader's token).
HEADERS = [(b"cache-control", b"no-store, private"), (b"x-robots-tag", b"noindex"),
           (b"referrer-policy", b"no-referrer"), (b"x-content-type-options", b"nosniff"), (b"content-length", b"0")]

# The smallest transparent GIF: 1x1, one colour.
GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
       b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
GIF_HEADERS = [(b"content-type", b"image/gif"), (b"content-length", str(len(GIF)).encode()), *HEADERS[:-1]]


class ClickRedirects:
    """Answers ``GET`` and ``HEAD`` of ``/c/<send>/<link>[/<token>]`` for links that exist;
    hands every other request to ``app``."""

    def __init__(self, app: ASGIApp, *, settings: Settings):
        self.app = app
        self.settings = settings
        self.tables = LinkTables(settings.database_url)
        self.recorder = ClickRecorder(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path.startswith("/o/") and scope["method"] in ("GET", "HEAD"):
            return await self._open_image(scope, send, path[3:].split("/"))
        if not path.startswith("/c/") or scope["method"] not in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        parts = path[3:].split("/")
        if not 2 <= len(parts) <= 3:
            return await self.app(scope, receive, send)
        send_id, link_id = link_number(parts[0]), link_number(parts[1])
        if send_id is None or link_id is None:
            return await self.app(scope, receive, send)
        links = self.tables.cached(send_id)
        if links is None:  # the first click on this send in this process
            links = await run_in_threadpool(self.tables.load, send_id)
        if link_id > len(links):
            return await self.app(scope, receive, send)
        url = links[link_id - 1]
        delivery_id = delivery_of_token(self.settings.secret_key, send_id, parts[2] if len(parts) == 3 else "")
        if delivery_id is not None:
            client = scope.get("client")
            click = new_click(send_id=send_id, link_id=link_id, url=url, delivery_id=delivery_id,
                              method=scope["method"], client=client[0] if client else None,
                              scanner_networks=self.settings.machine_click_networks)
            await self._record(click)
        await send({"type": "http.response.start", "status": 302, "headers": [(b"location", _location(url)), *HEADERS]})
        await send({"type": "http.response.body", "body": b""})

    async def _open_image(self, scope: Scope, send: Send, parts: list[str]) -> None:
        """The 1x1 GIF, whatever the token; a GET whose token names a delivery records an open
        (a HEAD fetches no image: no one saw it)."""
        send_id = link_number(parts[0]) if len(parts) == 2 else None
        if send_id is not None and scope["method"] == "GET":
            delivery_id = delivery_of_token(self.settings.secret_key, send_id, parts[1])
            if delivery_id is not None:
                client = scope.get("client")
                await self._record(new_open(settings=self.settings, send_id=send_id, delivery_id=delivery_id,
                                            client=client[0] if client else None))
        await send({"type": "http.response.start", "status": 200, "headers": GIF_HEADERS})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else GIF})

    async def _record(self, click: Click | Open) -> None:
        """Record ``click`` before the answer, so that a click that got its redirect is not lost
        (tracking/click_stream.py: in Redis, else in the database)."""
        try:
            await self.recorder.record(click)
        except Exception:  # the reader still gets the link; the failure is logged
            log.exception("could not record a %s of send %s", "click" if isinstance(click, Click) else "open",
                          click.send_id)


@lru_cache(maxsize=4096)
def _location(url: str) -> bytes:
    """``url`` as a Location header (ASCII, as Starlette's RedirectResponse quotes it)."""
    return quote(url, safe=":/%#?=@[]!$&'()*+,;").encode("latin-1")
