"""Where answers live: the SQLAlchemy schema, engines (SQLite or PostgreSQL) and Alembic migrations."""
