"""The database a server opens: migrated to the newest schema before the first session.

Engines live in :mod:`survey.store.engine`, which the migrations import too; this module sits above both, so the
two no longer import each other.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from survey.store.engine import default_url, make_engine, make_sessionmaker
from survey.store.migrations import upgrade_to_head


def open_database(url: str | None = None) -> sessionmaker[Session]:
    """Migrate ``url`` (default: ``default_url()``) to the newest schema and return a sessionmaker.

    This is what the app calls once at startup; ``with Session.begin() as session:`` then gives
    a transaction that commits on success and rolls back on error.
    """
    url = url or default_url()
    engine = make_engine(url)
    upgrade_to_head(engine)
    return make_sessionmaker(engine)
