"""Rendering an admin page: the signed-in user and the CSRF token go into every one."""

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from newsletter.web.security import Viewer, csrf_token


def page(request: Request, viewer: Viewer | None, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """``templates/web/admin/<template>.html.j2`` for ``viewer``."""
    pages = request.app.state.pages
    context.setdefault("notice", take_notice(request))
    return pages.render(f"admin/{template}", status=status, viewer=viewer, csrf_token=csrf_token(request),
                        path=request.url.path, **context)


def see_other(url: str, *, notice: str | None = None, request: Request | None = None) -> RedirectResponse:
    """Redirect after a successful form (POST/redirect/GET), with a notice for the next page."""
    if notice and request is not None:
        request.session["notice"] = notice
    return RedirectResponse(url, status_code=303)


def take_notice(request: Request) -> str | None:
    """The notice left by the previous form, once."""
    return request.session.pop("notice", None)


def sentence(message: str) -> str:
    """An error message as a sentence: capitalised, with a full stop."""
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."
