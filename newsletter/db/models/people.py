"""People: the editors and admins who use the web app, and their API tokens."""

import datetime as dt

from sqlalchemy import (
    ForeignKey,
    Integer,
    String,
    func,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newsletter.db.models.base import Base, utcnow


class User(Base):
    """An editor or an admin of the web app. Subscribers are not users."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # editor, admin
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id, with its parameters
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    # In every session cookie; bumped by signing out and by a new password, which ends every
    # session of the user, copies of the cookie included.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now())


class ApiToken(Base):
    """A bearer token for the JSON API, stored as its SHA-256 (the token is shown once)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now())
    last_used_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship()

