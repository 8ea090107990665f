"""Server-side must-listen: when each clip was served, and how long after that its answer came.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``assignments.served_at`` and ``answers.served_for_s`` (null for answers stored before)."""
    with op.batch_alter_table("assignments") as batch:
        batch.add_column(sa.Column("served_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("answers") as batch:
        batch.add_column(sa.Column("served_for_s", sa.Double(), nullable=True))


def downgrade() -> None:
    """Drop both columns."""
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("served_for_s")
    with op.batch_alter_table("assignments") as batch:
        batch.drop_column("served_at")
