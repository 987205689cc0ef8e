"""What routes receive from the application: settings, pages, provider, rate limiters; and
the type of an id in a path."""

from typing import Annotated

from fastapi import Depends, Path, Query, Request

from newsletter.config import Settings
from newsletter.content.models import MAX_DB_INT
from newsletter.providers import Provider
from newsletter.web.pages import Pages
from newsletter.web.ratelimit import RateLimiter


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _pages(request: Request) -> Pages:
    return request.app.state.pages


def _provider(request: Request) -> Provider:
    return request.app.state.provider


def _limiter(request: Request) -> RateLimiter:
    return request.app.state.limiter


def _login_limiter(request: Request) -> RateLimiter:
    return request.app.state.login_limiter


SettingsDep = Annotated[Settings, Depends(_settings)]
PagesDep = Annotated[Pages, Depends(_pages)]
ProviderDep = Annotated[Provider, Depends(_provider)]
LimiterDep = Annotated[RateLimiter, Depends(_limiter)]  # subscribing
LoginLimiterDep = Annotated[RateLimiter, Depends(_login_limiter)]
# An id past the database's integers is a bad request, not a failed query.
IdPath = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="An id, as listed.")]
EditionQuery = Annotated[str | None, Query(max_length=20, pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$",
                                           description="One of the issue's language editions, such as es.")]
