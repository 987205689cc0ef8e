"""How the newsroom's pages take a form POST, all one way: the form is read on the event loop,
its CSRF token checked there, and the handler's body (database work, rendering, hashing) run
in the thread pool, where a slow one holds up only its own request. And what is wrong with
a form, by field, whether pydantic or one of our errors says so.

A handler is ``async`` and one line over a plain function that gets the request and the form::

    @router.post("/new", response_class=HTMLResponse)
    async def add_item(request: Request, viewer: Editor, settings: SettingsDep) -> Response:
        return await run_form(request, _add_item, viewer, settings)
"""

from collections.abc import Callable
from typing import Concatenate, ParamSpec

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from starlette.datastructures import FormData

from newsletter.errors import NewsletterError
from newsletter.web.admin.render import sentence
from newsletter.web.security import check_csrf

P = ParamSpec("P")


async def run_form(request: Request, body: Callable[Concatenate[Request, FormData, P], Response],
                   *args: P.args, **kwargs: P.kwargs) -> Response:
    """Read ``request``'s form, check its CSRF token (not for a caller with an API token, who
    sends no cookie), then answer with ``body(request, form, *args, **kwargs)`` run in the
    thread pool."""
    form = await request.form()
    viewer = getattr(request.state, "viewer", None)  # known already on a signed-in page (security.authenticate)
    if viewer is None or not viewer.by_token:
        await check_csrf(request)
    return await run_in_threadpool(body, request, form, *args, **kwargs)


def text_fields(form: FormData, names: tuple[str, ...] | list[str], *, strip: bool = False) -> dict[str, str]:
    """The form's ``names`` as text ("" for one not sent), to show again if something is wrong."""
    values = {name: str(form.get(name, "")) for name in names}
    return {name: value.strip() for name, value in values.items()} if strip else values


def field_errors(err: ValidationError | NewsletterError, *, default: str = "form") -> dict[str, str]:
    """What is wrong, as {field: sentence} for a form: each problem pydantic found, under its
    field; one of our errors under the field it names (``default`` when it names none)."""
    if isinstance(err, NewsletterError):
        return {err.field or default: sentence(str(err))}
    errors: dict[str, str] = {}
    for problem in err.errors():
        field = str(problem["loc"][0]) if problem["loc"] else default
        errors.setdefault(field, sentence(problem["msg"].removeprefix("Value error, ")))
    return errors
