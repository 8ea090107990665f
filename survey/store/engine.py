"""Engines and sessionmakers: SQLite (WAL) by default, any SQLAlchemy URL via ``DATABASE_URL``.

SQLite is configured for a small web study with concurrent writers:

* ``journal_mode=WAL`` so readers never block the writer;
* ``synchronous=FULL`` so a committed answer survives a crash of the process *and* of the OS;
* ``BEGIN IMMEDIATE`` for every transaction, so two participants starting at once queue on the
  write lock (``busy_timeout``) instead of failing with "database is locked" when a read
  transaction tries to upgrade;
* ``foreign_keys=ON``.

PostgreSQL (``postgresql+psycopg://...``) is the documented choice for large studies; it needs
nothing special here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_DATA_DIR = Path("data")
SQLITE_BUSY_TIMEOUT_MS = 30_000


def default_url(data_dir: str | Path | None = None) -> str:
    """``$DATABASE_URL`` if set, else a SQLite file ``<data_dir>/survey.sqlite3``."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    folder = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'survey.sqlite3'}"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets the pragmas described in the module docstring."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, **kwargs)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Hand transaction control to SQLAlchemy's "begin" event (pysqlite's own BEGIN is deferred).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=FULL",
        "foreign_keys=ON",
        f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (pages read them afterwards)."""
    return sessionmaker(engine, expire_on_commit=False)
