"""Set-based writes that both SQLite and PostgreSQL do natively."""

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignoring_conflicts(
    session: Session, table: Table, rows: list[dict[str, Any]], conflict_columns: list[str]
) -> int:
    """INSERT every row in one statement, skipping rows that hit a unique key; return how many went in.

    Counted with RETURNING: psycopg under SQLAlchemy 2.1 reports rowcount -1 for this statement.
    """
    if not rows:
        return 0
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table)
        .values(rows)
        .on_conflict_do_nothing(index_elements=conflict_columns)
        .returning(table.c[conflict_columns[0]])
    )
    return len(session.execute(statement).all())
