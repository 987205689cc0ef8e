"""Caps on the size of a request body, so that no request makes the service read more than
its kind needs: a CSV upload up to NEWSLETTER_MAX_UPLOAD_MB, any other body (a form, JSON)
up to 1 MB unless its path is given a cap of its own (SendGrid's events). A body over its
cap is refused with 413 before it is stored, not after: an anonymous visitor could
otherwise make the service hold a hundred megabytes per request to sign in.

A declared Content-Length over the cap is refused before the body is read; a body sent
without one (chunked) is counted as it arrives and refused once it passes the cap.
"""

import json
import re
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 1024 * 1024  # the largest form or JSON body a person sends here is a few KB


class _TooLarge(Exception):
    pass


class BodySizeLimit:
    """ASGI middleware refusing a request body over its path's cap with 413."""

    def __init__(self, app: ASGIApp, *, max_bytes: int = MAX_BODY_BYTES, larger: Iterable[tuple[str, int]] = ()):
        """``max_bytes`` for every path but those matching a regular expression of ``larger``,
        which have the cap beside it."""
        self.app = app
        self.max_bytes = max_bytes
        self.larger = [(re.compile(pattern), cap) for pattern, cap in larger]

    def cap(self, path: str) -> int:
        """The most bytes a request body to ``path`` may have."""
        return next((cap for pattern, cap in self.larger if pattern.fullmatch(path)), self.max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.cap(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and (len(declared) > 15 or int(declared) > cap):
            await _refuse(scope, send, cap)
            return
        received, exceeded, answered = 0, False, False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    exceeded = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # FastAPI turns an error while it reads a body into its own 400; the answer is 413.
            nonlocal answered
            if not exceeded:
                answered = answered or message["type"] == "http.response.start"
                await send(message)
            elif message["type"] == "http.response.start" and not answered:
                answered = True
                await _refuse(scope, send, cap)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _TooLarge:
            if not answered:
                await _refuse(scope, send, cap)


async def _refuse(scope: Scope, send: Send, cap: int) -> None:
    limit = f"{cap / 1024 / 1024:g} MB"
    if scope["path"].startswith("/api/"):
        body = json.dumps({"detail": f"the request is larger than the limit of {limit}"}).encode()
        content_type = b"application/json"
    elif dict(scope["headers"]).get(b"content-type", b"").startswith(b"multipart/form-data"):
        body = (f"<!doctype html><title>Too large</title><p>The file is larger than this service "
                f"accepts ({limit}). Split it into smaller files and upload each.</p>").encode()
        content_type = b"text/html; charset=utf-8"
    else:
        body = f"<!doctype html><title>Too large</title><p>The request is larger than {limit}.</p>".encode()
        content_type = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", content_type), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
