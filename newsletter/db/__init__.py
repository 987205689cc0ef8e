"""Persistence: SQLAlchemy models, engines and sessions, Alembic migrations."""

from newsletter.db.engine import get_engine, one_of, session_factory, transaction
from newsletter.db.schema import upgrade_database

__all__ = ["get_engine", "one_of", "session_factory", "transaction", "upgrade_database"]
