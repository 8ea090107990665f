"""Alembic migrations of the survey schema, run programmatically (no alembic.ini needed).

``upgrade_to_head(engine_or_url)`` brings any database to the newest schema; the app calls it
at startup through ``survey.store.db.open_database``.  To add a migration after changing
``survey/store/schema.py``::

    .venv/bin/alembic -x url=sqlite:///data/survey.sqlite3 \\
        -c survey/store/migrations/alembic.ini revision --autogenerate -m "what changed"
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from survey.store.engine import make_engine

HERE = Path(__file__).resolve().parent


def alembic_config() -> Config:
    """An Alembic config pointing at this folder's scripts."""
    config = Config(str(HERE / "alembic.ini"))
    config.set_main_option("script_location", str(HERE))
    return config


def upgrade_to_head(engine_or_url: Engine | str) -> None:
    """Apply every pending migration; a no-op on an up-to-date database."""
    engine = make_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
