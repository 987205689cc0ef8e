"""API tokens: random bearer secrets for scripts, stored only as their SHA-256.

A token is high-entropy (256 bits), so a fast hash is enough to make the stored copy
useless to someone who reads the database; it is shown to its owner once, when created.
"""

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsletter.db.models import ApiToken, User, utcnow
from newsletter.errors import AuthenticationError, NotFoundError

PREFIX = "nl_"  # makes a leaked token easy to recognise in logs and secret scanners


def create_api_token(*, session: Session, user_id: int, name: str) -> str:
    """A new token for user ``user_id``, named ``name`` (what it is for); the token itself."""
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user_id, name=name.strip()[:100] or "api", token_hash=_digest(token)))
    session.flush()
    return token


def user_for_api_token(*, session: Session, token: str) -> User:
    """The active user a token belongs to, or AuthenticationError."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or not row.user.active:
        raise AuthenticationError("the API token is not valid (it may have been revoked)")
    row.last_used_at = utcnow()
    return row.user


def list_api_tokens(*, session: Session, user_id: int) -> list[ApiToken]:
    """The tokens of user ``user_id``, newest first (their names and dates; never the secret)."""
    return list(session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def revoke_api_token(*, session: Session, user_id: int, token_id: int) -> None:
    """Delete a token of user ``user_id``."""
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user_id:
        raise NotFoundError(f"there is no API token {token_id}")
    session.delete(row)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
