"""``/api/suppressions``: who gets no more mail and why, and lifting a bounce (admins only), as
`newsletter suppressions ...` and the newsroom's suppressions page do."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from newsletter.db import transaction
from newsletter.reports import LiftOut, SuppressionList, lift_bounce, suppression_list
from newsletter.web.api.routing import ApiRoute
from newsletter.web.deps import SettingsDep
from newsletter.web.security import Admin

router = APIRouter(prefix="/suppressions", tags=["suppressions"], route_class=ApiRoute)

Address = Annotated[str, Path(max_length=320, description="The suppressed address.")]


@router.get("")
def list_all(viewer: Admin, settings: SettingsDep,
             lifted: bool = Query(False, description="The lifted ones too, with who lifted them."),
             limit: int = Query(500, ge=1, le=10_000, description="At most this many, newest first.")) -> SuppressionList:
    """Suppressed addresses, newest first: why (bounced, complained, unsubscribed, with the
    provider's words), since when, and whether an admin may lift it."""
    with transaction(settings.database_url) as session:
        return suppression_list(session=session, include_lifted=lifted, limit=limit)


@router.post("/{email}/lift", responses={
    404: {"description": "Nobody has that address."},
    409: {"description": "The address is not suppressed, or a complaint or an unsubscribe (only the person can "
                         "undo those)."},
    422: {"description": "Not an email address."},
})
def lift(email: Address, viewer: Admin, settings: SettingsDep) -> LiftOut:
    """Let a bounced address get mail again (its mailbox works again), recording who lifted it."""
    with transaction(settings.database_url) as session:
        return lift_bounce(session=session, email=email, by=viewer.email)
