"""A cap on the size of a request body (NEWSLETTER_MAX_UPLOAD_MB), so that an upload too
large for the service is refused with 413 before it fills the disk, not after.

A declared Content-Length over the cap is refused before the body is read; a body sent
without one (chunked) is counted as it arrives and refused once it passes the cap.
"""

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class _TooLarge(Exception):
    pass


class BodySizeLimit:
    """ASGI middleware refusing request bodies over ``max_bytes`` with 413."""

    def __init__(self, app: ASGIApp, *, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        received, exceeded, answered = 0, False, False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
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
                await self._refuse(scope, send)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _TooLarge:
            if not answered:
                await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        limit = f"{self.max_bytes / 1024 / 1024:g} MB"
        if scope["path"].startswith("/api/"):
            body = json.dumps({"detail": f"the request is larger than the limit of {limit}"}).encode()
            content_type = b"application/json"
        else:
            body = (f"<!doctype html><title>Too large</title><p>The file is larger than this service "
                    f"accepts ({limit}). Split it into smaller files and upload each.</p>").encode()
            content_type = b"text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", content_type), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
