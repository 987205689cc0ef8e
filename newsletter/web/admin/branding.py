"""Branding (admins only): the organisation's name, logo, colours, footer and social links
that every email and the archive carry, over the settings' defaults."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from newsletter.config import Settings
from newsletter.content.branding import Branding, branding_problems
from newsletter.db import transaction
from newsletter.editorial.branding import FIELDS, current_branding, form_values, save_branding
from newsletter.web.admin.render import page, see_other
from newsletter.web.deps import SettingsDep
from newsletter.web.forms import field_errors, run_form, text_fields
from newsletter.web.security import Admin, Viewer

router = APIRouter(prefix="/admin/branding", tags=["admin"])


@router.get("", response_class=HTMLResponse)
def branding_form(request: Request, viewer: Admin, settings: SettingsDep) -> HTMLResponse:
    """The branding as emails carry it now, to edit."""
    with transaction(settings.database_url) as session:
        branding = current_branding(session=session, settings=settings)
    return _page(request, viewer, branding, form_values(branding), {})


@router.post("", response_class=HTMLResponse)
async def save(request: Request, viewer: Admin, settings: SettingsDep) -> Response:
    """Store the branding, or show the form again with what is wrong."""
    return await run_form(request, _save, viewer, settings)


def _save(request: Request, form: FormData, viewer: Viewer, settings: Settings) -> Response:
    values = text_fields(form, FIELDS)
    try:
        with transaction(settings.database_url) as session:
            branding = save_branding(session=session, settings=settings, values=values, editor=viewer.name)
    except ValidationError as err:
        with transaction(settings.database_url) as session:
            branding = current_branding(session=session, settings=settings)
        return _page(request, viewer, branding, values, field_errors(err), status=422)
    problems = branding_problems(branding)
    notice = "Saved. " + (" ".join(problems) + " Pre-flight refuses issues until this is fixed." if problems
                          else "New previews and sends use it.")
    return see_other("/admin/branding", notice=notice, request=request)


def _page(request: Request, viewer: Viewer, branding: Branding, values: dict[str, str], errors: dict[str, str],
          status: int = 200) -> HTMLResponse:
    return page(request, viewer, "branding", title="Branding", values=values, errors=errors, branding=branding,
                problems=branding_problems(branding), status=status)
