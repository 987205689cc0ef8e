"""Who is asking: signed session cookies for the browser, bearer tokens for the API, CSRF.

The browser signs in with a password and gets a session cookie (signed, HttpOnly,
SameSite=Lax, Secure when the site is served over HTTPS) holding the user's id, their
session version and a CSRF token. Signing out bumps the version, so a copy of the cookie
stops working too. Every unsafe request made with that cookie must carry the token, in the form field
``csrf_token`` or the ``X-CSRF-Token`` header. Scripts send ``Authorization: Bearer <token>``
instead; no cookie is involved, so CSRF does not apply to them.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.middleware.sessions import SessionMiddleware

from newsletter.accounts import user_for_api_token
from newsletter.config import Settings
from newsletter.db import transaction
from newsletter.db.models import User
from newsletter.errors import AuthenticationError, PermissionDeniedError

SESSION_COOKIE = "newsletter_session"
SESSION_HOURS = 12
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Viewer:
    """The signed-in user of a request."""

    id: int
    email: str
    name: str
    role: str
    by_token: bool  # authenticated by an API token rather than the session cookie

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def add_sessions(app, settings: Settings) -> None:
    """Install the signed session cookie on ``app``."""
    # A key of its own, so that a session cookie can never pass for a signed link.
    key = hmac.new(settings.secret_key.encode(), b"newsletter web session", hashlib.sha256).hexdigest()
    app.add_middleware(SessionMiddleware, secret_key=key, session_cookie=SESSION_COOKIE,
                       max_age=SESSION_HOURS * 3600, same_site="lax",
                       https_only=settings.base_url.startswith("https://"))


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get("csrf")
    if token is None:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def safe_next(value: str | None, default: str) -> str:
    """``value`` if it is a path on this site, else ``default``: the one check of every
    ``next`` (where a form goes back to), so that no link or redirect leads off the site or
    runs a ``javascript:`` URL."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return default
    # Browsers read a backslash as "/" and drop tabs and line breaks, so "/<backslash>evil.example"
    # and "/<tab>/evil.example" are both "//evil.example": another site. No path of ours has these.
    if any(char == "\\" or char <= " " or char == "\x7f" for char in value):
        return default
    return value


def sign_in(request: Request, user_id: int, session_version: int) -> None:
    """Start a fresh session for ``user_id`` (a new CSRF token too)."""
    request.session.clear()
    request.session["uid"] = user_id
    request.session["sv"] = session_version
    csrf_token(request)


def sign_out(request: Request) -> None:
    """Forget the session in this browser (:func:`end_sessions` ends it everywhere)."""
    request.session.clear()


_bearer = HTTPBearer(auto_error=False, description="An API token: `newsletter users token EMAIL`.")


async def _viewer(request: Request, scheme: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Viewer:
    # ``scheme`` puts the bearer scheme in the OpenAPI document; authenticate() reads the header.
    viewer = await authenticate(request)
    if not viewer.by_token and request.method not in SAFE_METHODS:
        await check_csrf(request)
    return viewer


async def authenticate(request: Request) -> Viewer:
    """Who sends ``request``, from its bearer token or else its session cookie (never from its
    body, so the API can ask before reading one), or AuthenticationError. Asked once a request.

    The database is asked in the thread pool: a slow query (or the token's last-used write)
    must not hold up every other request on the event loop.
    """
    if (known := getattr(request.state, "viewer", None)) is not None:
        return known
    bearer = await _bearer(request)
    if bearer is None and request.session.get("uid") is None:
        raise AuthenticationError("sign in first")
    request.state.viewer = await run_in_threadpool(_look_up, request, None if bearer is None else bearer.credentials)
    return request.state.viewer


def _look_up(request: Request, token: str | None) -> Viewer:
    settings: Settings = request.app.state.settings
    with transaction(settings.database_url) as session:
        if token is not None:
            user = user_for_api_token(session=session, token=token)
            return Viewer(user.id, user.email, user.name, user.role, by_token=True)
        user = session.get(User, request.session["uid"])
        if user is None or not user.active or user.session_version != request.session.get("sv"):
            sign_out(request)
            raise AuthenticationError("your session has ended; sign in again")
        return Viewer(user.id, user.email, user.name, user.role, by_token=False)


async def check_csrf(request: Request) -> None:
    """Refuse an unsafe request whose CSRF token does not match the session's (on the event
    loop: it reads the request's form, which Starlette keeps for the route, and nothing else)."""
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = (await request.form()).get("csrf_token")
    expected = request.session.get("csrf")
    if not expected or not isinstance(sent, str) or not secrets.compare_digest(sent, expected):
        raise PermissionDeniedError("the form has expired or did not come from this site; reload the page and try again")


def _admin(viewer: Annotated[Viewer, Depends(_viewer)]) -> Viewer:
    if not viewer.is_admin:
        raise PermissionDeniedError("only an admin can do this")
    return viewer


Editor = Annotated[Viewer, Depends(_viewer)]  # any signed-in user: editors and admins
Admin = Annotated[Viewer, Depends(_admin)]
