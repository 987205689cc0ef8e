"""Signing in and out, and the dashboard that greets a signed-in user."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from newsletter.accounts import authenticate, end_sessions, sign_in_address
from newsletter.config import Settings
from newsletter.db import transaction
from newsletter.errors import AuthenticationError
from newsletter.web.admin.render import page, see_other
from newsletter.web.deps import LoginLimiterDep, SettingsDep
from newsletter.web.forms import run_form
from newsletter.web.ratelimit import RateLimiter
from newsletter.web.security import Editor, Viewer, safe_next, sign_in, sign_out

router = APIRouter(tags=["admin"])


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/admin") -> HTMLResponse:
    """The sign-in form."""
    return page(request, None, "login", title="Sign in", next=safe_next(next, "/admin"), email="",
                error=None)


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    settings: SettingsDep,
    limiter: LoginLimiterDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=500)] = "/admin",
) -> Response:
    """Check the password; on success start a session and go where the user was headed.

    Only failures count against the limit, per account and per client address: guessing at
    one account from many addresses, or at many accounts from one, is stopped, while people
    who sign in correctly behind one shared address never are. A locked account that does
    not exist looks like one that does. Hashing takes a while (argon2, on purpose): it runs in
    the thread pool, so a sign-in never holds up another page.
    """
    return await run_form(request, _login, settings, limiter, email, password, safe_next(next, "/admin"))


def _login(request: Request, form: FormData, settings: Settings, limiter: RateLimiter, email: str, password: str,
           next: str) -> Response:
    client = request.client.host if request.client else "unknown"
    counted = (f"account:{sign_in_address(email)}", f"address:{client}")
    if limiter.exceeded(*counted):
        return page(request, None, "login", title="Sign in", next=next, email=email, status=429,
                    error="Too many failed attempts. Wait a few minutes and try again.")
    try:
        with transaction(settings.database_url) as session:
            user = authenticate(session=session, email=email, password=password)
            user_id, version = user.id, user.session_version
    except AuthenticationError:
        limiter.count(*counted)
        return page(request, None, "login", title="Sign in", next=next, email=email, status=400,
                    error="That address and password do not match an account.")
    sign_in(request, user_id, version)
    return RedirectResponse(next, status_code=303)


@router.post("/logout")
async def logout(request: Request, viewer: Editor, settings: SettingsDep) -> Response:
    """End the user's sessions (in every browser) and forget this one."""
    return await run_form(request, _logout, viewer, settings)


def _logout(request: Request, form: FormData, viewer: Viewer, settings: Settings) -> Response:
    with transaction(settings.database_url) as session:
        end_sessions(session=session, user_id=viewer.id)
    sign_out(request)
    return see_other("/login")


@router.get("/admin", response_class=HTMLResponse)
def dashboard(request: Request, viewer: Editor) -> RedirectResponse:
    """The start page: the issues."""
    return see_other("/admin/issues")
