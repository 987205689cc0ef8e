"""`newsletter users create|list|password|token`: the people who use the web app."""

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from newsletter.accounts import create_api_token, create_user, list_users, set_password
from newsletter.cli.app import app, console, ready_settings
from newsletter.db import transaction
from newsletter.db.models import User
from newsletter.errors import NotFoundError

users_app = typer.Typer(help="Editors and admins of the web app.", no_args_is_help=True)
app.add_typer(users_app, name="users")

Password = Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                       envvar="NEWSLETTER_NEW_PASSWORD",
                                       help="At least 12 characters (asked for when not given).")]


@users_app.command("create")
def create(
    email: Annotated[str, typer.Argument(help="The address the user signs in with.")],
    password: Password,
    name: Annotated[str | None, typer.Option(help="How the app names them (default: the address).")] = None,
    admin: Annotated[bool, typer.Option("--admin", help="An admin (schedules sends, manages lists and users).")] = False,
) -> None:
    """Create an editor, or with --admin an admin (the first admin is made this way)."""
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
def password(email: Annotated[str, typer.Argument()], password: Password) -> None:
    """Set a user's password."""
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        set_password(session=session, user_id=_user_id(session, email), password=password)
    console.print(f"password of {email} changed", markup=False)


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
