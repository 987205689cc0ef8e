"""How the API's routes are made: each one knows who is calling before it reads a body, and
its OpenAPI document lists the errors it can answer with, and their body.

FastAPI reads and parses a request's body before it runs the route's dependencies, so on
its own an anonymous upload is read whole (to disk, up to NEWSLETTER_MAX_UPLOAD_MB) only to
be answered 401. An :class:`ApiRoute` authenticates first, from the headers alone; the
route's role dependency then finds the caller already known.
"""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from newsletter.web.security import authenticate


class ErrorOut(BaseModel):
    """The body of every error the API answers with."""

    detail: str = Field(description="What went wrong and, where it can say, what to do.")


class ConflictOut(ErrorOut):
    """A save refused because the issue changed since the version it started from."""

    version: int = Field(description="The issue's version now: reload it, then save again.")
    updated_by: str | None = Field(description="Who saved it in between.")


_ERRORS = {
    401: "No valid `Authorization: Bearer` token (nor session cookie).",
    403: "The caller's role does not allow this (or, with the session cookie, no CSRF token).",
    404: "Nothing has that id or name.",
}


class ApiRoute(APIRoute):
    """An API route that authenticates before its body is read, and documents its errors."""

    def __init__(self, path: str, endpoint: Callable[..., Any], *, responses: dict | None = None, **kwargs: Any):
        documented: dict[int | str, dict[str, Any]] = {
            status: {"description": text} for status, text in _ERRORS.items() if status != 404 or "{" in path
        }
        for status, response in (responses or {}).items():
            documented[status] = {**documented.get(status, {}), **response}
        for status, response in documented.items():
            if str(status)[0] == "4" and "model" not in response and "content" not in response:
                response["model"] = ErrorOut
        super().__init__(path, endpoint, responses=documented, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def authenticate_then_handle(request: Request) -> Response:
            await authenticate(request)  # AuthenticationError (401) before a byte of the body is read
            return await handle(request)

        return authenticate_then_handle
