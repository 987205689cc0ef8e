"""Alembic environment: runs on the connection handed over by newsletter.db.schema."""

from alembic import context
from sqlalchemy import create_engine

from newsletter.db.models import Base

config = context.config


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # the alembic command line, e.g. `alembic revision --autogenerate`
    with create_engine(config.get_main_option("sqlalchemy.url")).begin() as conn:
        _run(conn)
