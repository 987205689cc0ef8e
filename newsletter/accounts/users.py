"""Editors and admins: creating them, and checking their passwords (argon2id).

An editor composes and approves issues; an admin also schedules and steers sends and
manages lists and users.
"""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from newsletter.content.safety import check_text
from newsletter.db.models import ApiToken, User
from newsletter.errors import AuthenticationError, ContentError, NotFoundError
from newsletter.subscribers.addresses import normalise_email

ROLES = ("editor", "admin")
MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


@cache
def _dummy_hash() -> str:
    """Verified against when the address is unknown, so that a wrong address costs as long as
    a wrong password and the timing does not tell which addresses have accounts. Made on first
    use: hashing takes ~170 ms, which every command would otherwise pay at import."""
    return _hasher.hash("not a password anyone has")


def create_user(*, session: Session, email: str, name: str, role: str, password: str) -> User:
    """A new user; refuses an unknown role, a short password or an address already taken."""
    if role not in ROLES:
        raise ContentError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    try:
        address = normalise_email(email)
    except ValueError as err:
        raise ContentError(f"{email!r} is not a valid address: {err}") from None
    try:
        name = check_text(name)  # one line, and no invisible characters to disguise it in lists
    except ValueError:
        name = ""
    if not name or len(name) > 200:
        raise ContentError("give the user a name of at most 200 characters, on one line")
    if session.scalar(select(User.id).where(User.email == address)) is not None:
        raise ContentError(f"there is already a user {address}")
    user = User(email=address, name=name, role=role, password_hash=_hash(password))
    session.add(user)
    session.flush()
    return user


def set_password(*, session: Session, user_id: int, password: str) -> None:
    """Give user ``user_id`` a new password; their sessions end and their API tokens are
    revoked, since a new password is what follows a leak (they make new tokens after)."""
    user = get_user(session=session, user_id=user_id)
    user.password_hash = _hash(password)
    user.session_version += 1
    session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))


def change_user(
    *, session: Session, user_id: int, by_user_id: int | None, role: str | None = None, active: bool | None = None
) -> User:
    """Give user ``user_id`` another role, or deactivate or reactivate them, as user
    ``by_user_id`` (None: from the command line).

    A deactivated user's sessions end and their API tokens stop working; reactivated, they
    sign in with the password they had. Refuses a change to your own account (another admin
    makes it, so nobody locks themselves out) and one that would leave no active admin.
    """
    user = get_user(session=session, user_id=user_id)
    if role is not None and role not in ROLES:
        raise ContentError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if user.id == by_user_id:
        raise ContentError("you cannot change your own role or deactivate yourself; ask another admin")
    new_role = user.role if role is None else role
    new_active = user.active if active is None else active
    if user.role == "admin" and user.active and not (new_role == "admin" and new_active):
        # Locked, so that two admins demoting each other at once cannot both succeed.
        admins = session.scalars(select(User.id).where(User.role == "admin", User.active).with_for_update()).all()
        if admins == [user.id]:
            raise ContentError(f"{user.email} is the only active admin; make someone else an admin first")
    if user.active and not new_active:
        user.session_version += 1
    user.role, user.active = new_role, new_active
    return user


def end_sessions(*, session: Session, user_id: int) -> None:
    """End every session of user ``user_id`` (signing out, everywhere)."""
    get_user(session=session, user_id=user_id).session_version += 1


def authenticate(*, session: Session, email: str, password: str) -> User:
    """The active user with this address and password, or AuthenticationError (which never
    says which of the two was wrong). Rehashes a password stored with older parameters."""
    address = sign_in_address(email)
    # No account has a NUL in its address, and PostgreSQL cannot even compare one: no such user.
    user = None if "\x00" in address else session.scalar(select(User).where(User.email == address, User.active))
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        raise AuthenticationError("that address and password do not match an account") from None
    if user is None:
        raise AuthenticationError("that address and password do not match an account")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def sign_in_address(email: str) -> str:
    """The form of a typed address that sign-in looks up: every spelling of one account's
    address gives the same string (so that failed sign-ins are counted per account)."""
    return email.strip().lower()


def get_user(*, session: Session, user_id: int) -> User:
    """User ``user_id``, or NotFoundError."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"there is no user {user_id}")
    return user


def list_users(*, session: Session) -> list[User]:
    """Every user, admins first, then by name."""
    return list(session.scalars(select(User).order_by(User.role, func.lower(User.name))))


def check_password(password: str) -> str:
    """``password`` if it may be set, else ContentError saying what it needs (asked before
    anything is stored, so a prompt can say it at once)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ContentError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return password


def _hash(password: str) -> str:
    return _hasher.hash(check_password(password))
