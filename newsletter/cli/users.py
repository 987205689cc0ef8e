"""`newsletter users create|list|password|role|deactivate|activate|token`: the people who use the web app."""

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from newsletter.accounts import (
    ROLES,
    change_user,
    create_api_token,
    create_user,
    list_users,
    set_password,
)
from newsletter.accounts.users import MIN_PASSWORD_LENGTH, check_password
from newsletter.cli.app import app, console, ready_settings
from newsletter.db import transaction
from newsletter.db.models import User
from newsletter.errors import ContentError, NotFoundError

users_app = typer.Typer(help="Editors and admins of the web app.", no_args_is_help=True)
app.add_typer(users_app, name="users")


Password = Annotated[str | None, typer.Option(envvar="NEWSLETTER_NEW_PASSWORD",
                                              help=f"At least {MIN_PASSWORD_LENGTH} characters (asked for when not given).")]


def _ask_password() -> str:
    """Ask for a new password, then for it again; one too short is refused at once, before the
    confirmation (a prompt of the option itself would ask twice, then refuse)."""
    return typer.prompt(f"Password (at least {MIN_PASSWORD_LENGTH} characters)", hide_input=True,
                        confirmation_prompt=True, value_proc=_settable)


def _settable(password: str) -> str:
    try:
        return check_password(password)
    except ContentError as err:  # the prompt's cue to ask again
        raise typer.BadParameter(str(err)) from None


@users_app.command("create")
def create(
    email: Annotated[str, typer.Argument(help="The address the user signs in with.")],
    password: Password = None,
    name: Annotated[str | None, typer.Option(help="How the app names them (default: the address).")] = None,
    admin: Annotated[bool, typer.Option("--admin", help="An admin (schedules sends, manages lists and users).")] = False,
) -> None:
    """Create an editor, or with --admin an admin (the first admin is made this way)."""
    password = password or _ask_password()
    settings = ready_settings()
    role = "admin" if admin else "editor"
    with transaction(settings.database_url) as session:
        user = create_user(session=session, email=email, name=name or email, role=role, password=password)
        console.print(f"created {role} {user.email}", markup=False)


@users_app.command("list")
def list_() -> None:
    """List users."""
    settings = ready_settings()
    table = Table("email", "name", "role", "active")
    with transaction(settings.database_url) as session:
        for user in list_users(session=session):
            table.add_row(user.email, user.name, user.role, "yes" if user.active else "no")
    console.print(table)


@users_app.command("password")
def password(email: Annotated[str, typer.Argument()], password: Password = None) -> None:
    """Set a user's password."""
    password = password or _ask_password()
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        set_password(session=session, user_id=_user_id(session, email), password=password)
    console.print(f"password of {email} changed", markup=False)


@users_app.command("role")
def role(
    email: Annotated[str, typer.Argument()],
    new_role: Annotated[str, typer.Argument(metavar="ROLE", help=f"One of: {', '.join(ROLES)}.")],
) -> None:
    """Make a user an editor or an admin (the last active admin stays one)."""
    _change(email, f"{email} is now an {new_role}", role=new_role)


@users_app.command("deactivate")
def deactivate(email: Annotated[str, typer.Argument()]) -> None:
    """Stop a user from signing in: their sessions end and their API tokens stop working."""
    _change(email, f"{email} deactivated", active=False)


@users_app.command("activate")
def activate(email: Annotated[str, typer.Argument()]) -> None:
    """Let a deactivated user sign in again, with the password they had."""
    _change(email, f"{email} can sign in again", active=True)


def _change(email: str, done: str, **change: str | bool) -> None:
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        change_user(session=session, user_id=_user_id(session, email), by_user_id=None, **change)
    console.print(done, markup=False)


@users_app.command("token")
def token(
    email: Annotated[str, typer.Argument()],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "api",
) -> None:
    """Create an API token for a user and print it (it is shown only this once)."""
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        print(create_api_token(session=session, user_id=_user_id(session, email), name=name))


def _user_id(session, email: str) -> int:
    user_id = session.scalar(select(User.id).where(User.email == email.strip().lower()))
    if user_id is None:
        raise NotFoundError(f"there is no user {email} (see `newsletter users list`)")
    return user_id
