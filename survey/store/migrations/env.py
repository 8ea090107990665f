"""Alembic environment: uses the connection handed over by ``upgrade_to_head`` (or ``-x url=``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from survey.store.engine import make_engine
from survey.store.schema import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    """Run migrations on the given connection, or on a new engine for ``-x url=...``."""
    connection = config.attributes.get("connection")
    if connection is None:
        url = context.get_x_argument(as_dictionary=True)["url"]
        with make_engine(url).begin() as own:
            _migrate(own)
    else:
        _migrate(connection)


def _migrate(connection: Connection) -> None:
    is_sqlite = connection.dialect.name == "sqlite"
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=is_sqlite)
    with context.begin_transaction():
        context.run_migrations()


run()
