"""The suppression list (admins only): who gets no more mail, why and since when; lifting a
bounce, and the lifted ones with who lifted them."""

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from newsletter.config import Settings
from newsletter.db import transaction
from newsletter.errors import ContentError, NotFoundError, SendStateError
from newsletter.reports import lift_bounce, suppression_list
from newsletter.web.admin.render import page, see_other, sentence
from newsletter.web.deps import SettingsDep
from newsletter.web.forms import run_form
from newsletter.web.security import Admin, Viewer
from newsletter.web.views import FORMATS

router = APIRouter(prefix="/admin/suppressions", tags=["admin"])

REFUSED = {ContentError: 422, NotFoundError: 404, SendStateError: 409}


@router.get("", response_class=HTMLResponse)
def suppressions_page(request: Request, viewer: Admin, settings: SettingsDep,
                      lifted: bool = Query(False, description="Show the lifted ones too.")) -> HTMLResponse:
    """Suppressions in force, newest first (and the lifted ones, with ``?lifted=true``)."""
    return _page(request, viewer, settings, lifted=lifted)


@router.post("/lift", response_class=HTMLResponse)
async def lift(request: Request, viewer: Admin, settings: SettingsDep) -> Response:
    """Let a bounced address get mail again; a complaint or an unsubscribe is refused, saying why."""
    return await run_form(request, _lift, viewer, settings)


def _lift(request: Request, form: FormData, viewer: Viewer, settings: Settings) -> Response:
    email, lifted = str(form.get("email", "")), form.get("lifted") == "true"
    back = "/admin/suppressions" + ("?lifted=true" if lifted else "")
    try:
        with transaction(settings.database_url) as session:
            done = lift_bounce(session=session, email=email, by=viewer.email)
    except (ContentError, NotFoundError, SendStateError) as err:
        return _page(request, viewer, settings, lifted=lifted, status=next(code for kind, code in REFUSED.items() if isinstance(err, kind)), error=sentence(f"not lifted: {err}"))
    return see_other(back, notice=f"{done.email} gets mail again: the bounce is lifted. Another hard bounce "
                                  "suppresses it again.", request=request)


def _page(request: Request, viewer: Viewer, settings: Settings, *, lifted: bool, status: int = 200,
          error: str | None = None) -> HTMLResponse:
    with transaction(settings.database_url) as session:
        listing = suppression_list(session=session, include_lifted=lifted)
    return page(request, viewer, "suppressions", status=status, title="Suppressions", listing=listing, error=error,
                **FORMATS)
