"""The FastAPI application: public pages for subscribers, and the archive."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import text
from starlette.exceptions import HTTPException

from newsletter.config import Settings
from newsletter.db import get_engine
from newsletter.errors import ContentError, InvalidLinkError, NotFoundError
from newsletter.providers import Provider, provider_from_settings
from newsletter.web.pages import Pages
from newsletter.web.ratelimit import RateLimiter
from newsletter.web.routes import archive, preferences, subscribe, unsubscribe, webhooks


def create_app(settings: Settings, *, provider: Provider | None = None) -> FastAPI:
    """The web application for ``settings`` (the database must be migrated)."""
    app = FastAPI(title="newsletter", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.pages = pages = Pages(settings)
    app.state.provider = provider or provider_from_settings(settings)
    app.state.limiter = RateLimiter(settings)
    for module in (subscribe, unsubscribe, preferences, archive, webhooks):
        app.include_router(module.router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        with get_engine(settings.database_url).connect() as connection:
            connection.execute(text("SELECT 1"))
        return JSONResponse({"status": "ok"})

    @app.exception_handler(InvalidLinkError)
    def invalid_link(request: Request, exc: InvalidLinkError) -> HTMLResponse:
        return pages.message(
            "This link does not work",
            "It may be incomplete, or it has expired. Copy the whole link from the email, or use "
            "the link in a more recent email.", status=400,
        )

    @app.exception_handler(NotFoundError)
    def not_found(request: Request, exc: NotFoundError) -> HTMLResponse:
        return pages.message("Page not found", "There is nothing at this address.", status=404,
                             link={"url": "/archive", "label": "See past issues"})

    @app.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException) -> HTMLResponse:
        if exc.status_code == 404:
            return not_found(request, NotFoundError(str(exc.detail)))
        return pages.message("Something is not right", str(exc.detail), status=exc.status_code)

    @app.exception_handler(RequestValidationError)
    @app.exception_handler(ContentError)
    def bad_request(request: Request, exc: Exception) -> HTMLResponse:
        return pages.message("That did not work", "Part of the request was not valid. Please go back and try again.",
                             status=400)

    return app
