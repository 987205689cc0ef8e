"""Signing in and out, and the dashboard that greets a signed-in user."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from newsletter.accounts import authenticate, end_sessions
from newsletter.db import transaction
from newsletter.errors import AuthenticationError
from newsletter.web.admin.render import page, see_other
from newsletter.web.deps import LoginLimiterDep, SettingsDep
from newsletter.web.security import Editor, check_csrf, safe_next, sign_in, sign_out

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
    """Check the password; on success start a session and go where the user was headed."""
    await check_csrf(request)
    client = request.client.host if request.client else "unknown"
    if not limiter.allow(client):
        return page(request, None, "login", title="Sign in", next=safe_next(next, "/admin"), email=email, status=429,
                    error="Too many attempts. Wait a few minutes and try again.")
    try:
        with transaction(settings.database_url) as session:
            user = authenticate(session=session, email=email, password=password)
            user_id, version = user.id, user.session_version
    except AuthenticationError:
        return page(request, None, "login", title="Sign in", next=safe_next(next, "/admin"), email=email, status=400,
                    error="That address and password do not match an account.")
    sign_in(request, user_id, version)
    return RedirectResponse(safe_next(next, "/admin"), status_code=303)


@router.post("/logout")
def logout(request: Request, viewer: Editor, settings: SettingsDep) -> RedirectResponse:
    """End the user's sessions (in every browser) and forget this one."""
    with transaction(settings.database_url) as session:
        end_sessions(session=session, user_id=viewer.id)
    sign_out(request)
    return see_other("/login")


@router.get("/admin", response_class=HTMLResponse)
def dashboard(request: Request, viewer: Editor) -> RedirectResponse:
    """The start page: the issues."""
    return see_other("/admin/issues")

