"""The users pages (admins only), and each user's own account page with their API tokens."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from newsletter.accounts import (
    ROLES,
    change_user,
    create_api_token,
    create_user,
    get_user,
    list_api_tokens,
    list_users,
    revoke_api_token,
    set_password,
)
from newsletter.accounts.users import MIN_PASSWORD_LENGTH
from newsletter.config import Settings
from newsletter.db import transaction
from newsletter.errors import ContentError, PermissionDeniedError
from newsletter.web.admin.render import page, see_other
from newsletter.web.deps import IdPath, SettingsDep
from newsletter.web.forms import field_errors, run_form, text_fields
from newsletter.web.security import Admin, Editor, Viewer

router = APIRouter(prefix="/admin/users", tags=["admin"])
account_router = APIRouter(prefix="/admin/account", tags=["admin"])

USER_FIELDS = ("email", "name", "role", "password")
MAX_TOKEN_NAME_LENGTH = 100  # api_tokens.name


@router.get("", response_class=HTMLResponse)
def users_page(request: Request, viewer: Admin, settings: SettingsDep) -> HTMLResponse:
    """Every user, and the form to add one."""
    return _users_page(request, viewer, settings, values={"role": "editor"}, errors={})


@router.post("", response_class=HTMLResponse)
async def add_user(request: Request, viewer: Admin, settings: SettingsDep) -> Response:
    """Add a user who can sign in at once, or show the form again with what is wrong."""
    return await run_form(request, _add_user, viewer, settings)


@router.get("/{user_id}", response_class=HTMLResponse)
def user_page(request: Request, user_id: IdPath, viewer: Admin, settings: SettingsDep) -> HTMLResponse:
    """One user: their role, whether they can sign in, and a new password for them."""
    return _user_page(request, viewer, settings, user_id, errors={})


@router.post("/{user_id}/role", response_class=HTMLResponse)
async def change_role(request: Request, user_id: IdPath, viewer: Admin, settings: SettingsDep) -> Response:
    """Make a user an editor or an admin."""
    return await run_form(request, _change_role, viewer, settings, user_id)


@router.post("/{user_id}/deactivate", response_class=HTMLResponse)
async def deactivate(request: Request, user_id: IdPath, viewer: Admin, settings: SettingsDep) -> Response:
    """Stop a user from signing in: their sessions end and their API tokens stop working."""
    return await run_form(request, _set_active, viewer, settings, user_id, False)


@router.post("/{user_id}/reactivate", response_class=HTMLResponse)
async def reactivate(request: Request, user_id: IdPath, viewer: Admin, settings: SettingsDep) -> Response:
    """Let a deactivated user sign in again, with the password they had."""
    return await run_form(request, _set_active, viewer, settings, user_id, True)


@router.post("/{user_id}/password", response_class=HTMLResponse)
async def new_password(request: Request, user_id: IdPath, viewer: Admin, settings: SettingsDep) -> Response:
    """Give another user a new password (one who forgot theirs); their sessions end."""
    return await run_form(request, _set_password, viewer, settings, user_id)


@account_router.get("", response_class=HTMLResponse)
def account_page(request: Request, viewer: Editor, settings: SettingsDep) -> HTMLResponse:
    """The signed-in user's account: their API tokens."""
    return _account_page(request, viewer, settings, token_name="", errors={})


@account_router.post("/tokens", response_class=HTMLResponse)
async def add_token(request: Request, viewer: Editor, settings: SettingsDep) -> HTMLResponse:
    """Create an API token for the signed-in user and show it, this once."""
    return await run_form(request, _add_token, viewer, settings)


@account_router.post("/tokens/{token_id}/revoke")
async def revoke_token(request: Request, token_id: IdPath, viewer: Editor, settings: SettingsDep) -> Response:
    """Delete one of the signed-in user's API tokens: it stops working at once."""
    return await run_form(request, _revoke_token, viewer, settings, token_id)


def _add_user(request: Request, form: FormData, viewer: Viewer, settings: Settings) -> Response:
    _refuse_tokens(viewer, "users")
    values = text_fields(form, USER_FIELDS)
    try:
        with transaction(settings.database_url) as session:
            user = create_user(session=session, email=values["email"], name=values["name"], role=values["role"],
                               password=values["password"])
            email, role = user.email, user.role
    except ContentError as err:
        errors = field_errors(err, default=_field_of(str(err)))
        return _users_page(request, viewer, settings, values=values | {"password": ""}, errors=errors, status=422)
    return see_other("/admin/users", notice=f"Added {email} as an {role}. They can sign in now with the password "
                                            "you chose; give it to them in person or by another channel.",
                     request=request)


def _change_role(request: Request, form: FormData, viewer: Viewer, settings: Settings, user_id: int) -> Response:
    return _change(request, viewer, settings, user_id, role=str(form.get("role", "")))


def _set_active(request: Request, form: FormData, viewer: Viewer, settings: Settings, user_id: int,
                active: bool) -> Response:
    return _change(request, viewer, settings, user_id, active=active)


def _change(request: Request, viewer: Viewer, settings: Settings, user_id: int, **change: str | bool) -> Response:
    _refuse_tokens(viewer, "users")
    try:
        with transaction(settings.database_url) as session:
            user = change_user(session=session, user_id=user_id, by_user_id=viewer.id, **change)
            email, role, active = user.email, user.role, user.active
    except ContentError as err:
        return _user_page(request, viewer, settings, user_id, errors=field_errors(err), status=409)
    if "role" in change:
        notice = f"{email} is now an {role}."
    elif active:
        notice = f"{email} can sign in again, with the password they had."
    else:
        notice = f"{email} is deactivated: signed out everywhere, and their API tokens no longer work."
    return see_other(f"/admin/users/{user_id}", notice=notice, request=request)


def _set_password(request: Request, form: FormData, viewer: Viewer, settings: Settings, user_id: int) -> Response:
    _refuse_tokens(viewer, "users")
    password = str(form.get("password", ""))
    if user_id == viewer.id:
        return _user_page(request, viewer, settings, user_id, status=409, errors={
            "form": "Change your own password with `newsletter users password`, not here."})
    try:
        with transaction(settings.database_url) as session:
            set_password(session=session, user_id=user_id, password=password)
            email = get_user(session=session, user_id=user_id).email
    except ContentError as err:
        return _user_page(request, viewer, settings, user_id, errors=field_errors(err, default="password"), status=422)
    return see_other(f"/admin/users/{user_id}", request=request, notice=(
        f"{email} has a new password and is signed out everywhere. Give it to them in person or by "
        "another channel than email."))


def _user_page(request: Request, viewer: Viewer, settings: Settings, user_id: int, *, errors: dict[str, str],
               status: int = 200) -> HTMLResponse:
    with transaction(settings.database_url) as session:
        user = get_user(session=session, user_id=user_id)
        session.expunge(user)
    return page(request, viewer, "user", title=user.name, user=user, roles=ROLES, errors=errors,
                min_password=MIN_PASSWORD_LENGTH, status=status)


def _add_token(request: Request, form: FormData, viewer: Viewer, settings: Settings) -> HTMLResponse:
    _refuse_tokens(viewer)
    name = str(form.get("name", "")).strip()
    if not name:
        return _account_page(request, viewer, settings, token_name=name, status=422,
                             errors={"name": "Give the token a name that says what it is for, e.g. the import script."})
    if len(name) > MAX_TOKEN_NAME_LENGTH:
        return _account_page(request, viewer, settings, token_name=name, status=422,
                             errors={"name": f"A token name can have at most {MAX_TOKEN_NAME_LENGTH} characters."})
    with transaction(settings.database_url) as session:
        token = create_api_token(session=session, user_id=viewer.id, name=name)
    response = _account_page(request, viewer, settings, token_name="", errors={}, new_token=token, new_token_name=name)
    response.headers["Cache-Control"] = "no-store"  # the secret must not stay in a cache
    return response


def _revoke_token(request: Request, form: FormData, viewer: Viewer, settings: Settings, token_id: int) -> Response:
    _refuse_tokens(viewer)
    with transaction(settings.database_url) as session:
        revoke_api_token(session=session, user_id=viewer.id, token_id=token_id)
    return see_other("/admin/account", notice="The token is revoked: it no longer works.", request=request)


def _users_page(request: Request, viewer: Viewer, settings: Settings, *, values: dict[str, str],
                errors: dict[str, str], status: int = 200) -> HTMLResponse:
    with transaction(settings.database_url) as session:
        users = list_users(session=session)
        session.expunge_all()
    return page(request, viewer, "users", title="Users", users=users, roles=ROLES, values=values, errors=errors,
                min_password=MIN_PASSWORD_LENGTH, status=status)


def _account_page(request: Request, viewer: Viewer, settings: Settings, *, token_name: str, errors: dict[str, str],
                  new_token: str | None = None, new_token_name: str | None = None, status: int = 200) -> HTMLResponse:
    with transaction(settings.database_url) as session:
        tokens = list_api_tokens(session=session, user_id=viewer.id)
        session.expunge_all()
    return page(request, viewer, "account", title="Your account", tokens=tokens, token_name=token_name,
                errors=errors, new_token=new_token, new_token_name=new_token_name, status=status)


def _refuse_tokens(viewer: Viewer, what: str = "API tokens") -> None:
    """Tokens and users are managed only from a password session: a leaked token must not mint
    tokens, nor make a user (or give one a password) to sign in as."""
    if viewer.by_token:
        raise PermissionDeniedError(f"{what} can only be managed after signing in with your password")


def _field_of(message: str) -> str:
    """The form field a ``create_user`` error is about ("form" when it is none of them), for
    as long as accounts/ does not name it (ContentError's ``field``)."""
    if " is not a valid address" in message or message.startswith("there is already a user"):
        return "email"
    if message.startswith("role must be"):
        return "role"
    if message.startswith("give the user a name"):
        return "name"
    if message.startswith("a password needs"):
        return "password"
    return "form"
