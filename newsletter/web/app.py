"""The FastAPI application: public pages for subscribers and the archive, the editors' and
admins' pages under ``/admin``, and the JSON API under ``/api`` (documented at ``/api/docs``)."""

import hmac
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from newsletter.config import Settings
from newsletter.errors import (
    AuthenticationError,
    ContentError,
    InvalidLinkError,
    NotFoundError,
    PermissionDeniedError,
    SendStateError,
)
from newsletter.operations.health import readiness
from newsletter.operations.metrics import scrape
from newsletter.providers import Provider, provider_from_settings
from newsletter.web import admin
from newsletter.web.admin.render import sentence
from newsletter.web.api import create_api
from newsletter.web.body_limit import BodySizeLimit
from newsletter.web.pages import Pages
from newsletter.web.public import archive, clicks, preferences, subscribe, unsubscribe, webhooks
from newsletter.web.ratelimit import RateLimiter
from newsletter.web.security import add_sessions

STATIC_DIR = Path(__file__).parent / "static"
# Scripts only from our own files, so markup that escaped escaping still could not run one.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' https: http: data:; "
    "frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; object-src 'none'"
)


def create_app(settings: Settings, *, provider: Provider | None = None) -> FastAPI:
    """The web application for ``settings`` (the database must be migrated)."""
    app = FastAPI(title="newsletter", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.pages = pages = Pages(settings)
    app.state.provider = provider = provider or provider_from_settings(settings)
    app.state.limiter = RateLimiter(settings, limit=settings.subscribe_rate_limit, namespace="subscribe")
    app.state.address_limiter = RateLimiter(settings, limit=settings.subscribe_address_rate_limit,
                                            namespace="subscribe-address")
    app.state.login_limiter = RateLimiter(settings, limit=settings.login_rate_limit, namespace="login")
    for module in (subscribe, unsubscribe, preferences, archive, webhooks):
        app.include_router(module.router)
    for router in admin.routers:
        app.include_router(router)
    app.mount("/api", create_api(settings, provider))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    add_sessions(app, settings)
    # A body is at most 1 MB, but a CSV upload and SendGrid's events (body_limit.py).
    upload = settings.max_upload_mb * 1024 * 1024
    app.add_middleware(BodySizeLimit, larger=[(r"/(admin|api)/lists/[^/]+/import", upload),
                                              (r"/webhooks/sendgrid", webhooks.MAX_BODY_BYTES)])

    @app.middleware("http")
    async def no_nul_in_addresses(request: Request, call_next) -> Response:
        # No address of ours has a NUL character, and PostgreSQL can neither store nor compare one.
        if "\x00" in request.scope["path"] or b"%00" in request.scope["query_string"]:
            if request.scope["path"].startswith("/api/"):
                return JSONResponse({"detail": "the address contains a NUL character (%00)"}, status_code=400)
            return pages.message("That did not work", "The address contains a NUL character (%00).", status=400)
        return await call_next(request)

    @app.middleware("http")
    async def security_headers(request: Request, call_next) -> Response:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    app.add_middleware(clicks.ClickRedirects, settings=settings)  # outermost, for speed: see its module

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})  # answering is the proof: /readyz checks what it needs

    @app.get("/readyz", include_in_schema=False)
    def readyz() -> JSONResponse:
        checks = readiness(settings)
        ready = all(check.ok for check in checks)
        return JSONResponse({"status": "ready" if ready else "unavailable",
                             "checks": {check.name: "ok" if check.ok else "unreachable" for check in checks}},
                            status_code=200 if ready else 503)

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        if not settings.metrics_token:
            raise HTTPException(404)
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), settings.metrics_token.encode()):
            return Response("a bearer token (NEWSLETTER_METRICS_TOKEN) is required\n", status_code=401,
                            headers={"WWW-Authenticate": "Bearer"}, media_type="text/plain")
        body, content_type = scrape(settings)
        return Response(body, media_type=content_type)

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

    @app.exception_handler(AuthenticationError)
    def sign_in_first(request: Request, exc: AuthenticationError) -> Response:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(here)}", status_code=303)

    @app.exception_handler(PermissionDeniedError)
    def forbidden(request: Request, exc: PermissionDeniedError) -> HTMLResponse:
        return pages.message("Not allowed", sentence(str(exc)), status=403,
                             link={"url": "/admin", "label": "Back to the dashboard"})

    @app.exception_handler(SendStateError)
    def wrong_state(request: Request, exc: SendStateError) -> HTMLResponse:
        return pages.message("That cannot be done now", sentence(str(exc)), status=409,
                             link={"url": "/admin", "label": "Back to the dashboard"})

    @app.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException) -> HTMLResponse:
        if exc.status_code == 404:
            return not_found(request, NotFoundError(str(exc.detail)))
        return pages.message("Something is not right", str(exc.detail), status=exc.status_code)

    @app.exception_handler(RequestValidationError)
    def bad_request(request: Request, exc: RequestValidationError) -> HTMLResponse:
        return pages.message("That did not work", "Part of the request was not valid. Please go back and try again.",
                             status=400)

    @app.exception_handler(ContentError)
    def invalid_content(request: Request, exc: ContentError) -> HTMLResponse:
        return pages.message("That did not work", sentence(str(exc)), "Please go back and try again.",
                             status=400)

    return app
