"""The JSON API: the same operations as the pages, for scripts, with bearer tokens.

Mounted at ``/api``; its OpenAPI document is ``/api/openapi.json`` and its docs ``/api/docs``.
The composer and the send dashboard call it from the browser with the session cookie and
the CSRF header. Errors are JSON: ``{"detail": "..."}`` with a status that says what kind
(routing.ErrorOut); every route knows its caller before it reads a body (routing.ApiRoute).
"""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from newsletter.config import Settings
from newsletter.errors import (
    AuthenticationError,
    ContentError,
    EditConflictError,
    NewsletterError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    SendStateError,
)
from newsletter.providers import Provider
from newsletter.web.api import intake, issues, items, lists, sends, suppressions
from newsletter.web.api.docs import add_docs

routers = [module.router for module in (items, intake, issues, sends, lists, suppressions)] + [lists.imports_router]
STATUS = {
    AuthenticationError: 401,
    PermissionDeniedError: 403,
    NotFoundError: 404,
    EditConflictError: 409,
    SendStateError: 409,
    ContentError: 422,
    ProviderError: 502,  # the relay refused or failed a test send: not the caller's doing
}


def create_api(settings: Settings, provider: Provider) -> FastAPI:
    """The API application (mounted by the web app at ``/api``)."""
    api = FastAPI(
        title=f"{settings.from_name} API", version="1", docs_url=None, redoc_url=None,
        openapi_url="/openapi.json",
        description="Items, issues, previews, test sends, schedules, sends and their reports, lists, subscribers and "
                    "suppressions. "
                    "Authenticate with `Authorization: Bearer <token>` (`newsletter users token EMAIL`).",
    )
    api.state.settings = settings
    api.state.provider = provider
    for router in routers:
        api.include_router(router)
    add_docs(api)

    @api.exception_handler(NewsletterError)
    def error(request: Request, exc: NewsletterError) -> JSONResponse:
        # An error about one input (a time in the past, an unknown zone) is the request's: 422.
        status = 422 if exc.field else next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
        body = {"detail": str(exc)}
        if isinstance(exc, EditConflictError):
            body |= {"version": exc.version, "updated_by": exc.updated_by}
        return JSONResponse(body, status_code=status, headers={"WWW-Authenticate": "Bearer"} if status == 401 else None)

    return api
