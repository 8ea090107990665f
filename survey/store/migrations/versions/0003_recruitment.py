"""Recruiting panels: the panel's participant id (unique per study) and the captured URL parameters.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``participants.panel_id`` (unique with the study) and ``participants.captured``."""
    with op.batch_alter_table("participants") as batch:
        batch.add_column(sa.Column("panel_id", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("captured", sa.JSON(), nullable=True))
        batch.create_unique_constraint("uq_participants_study_id_panel_id", ["study_id", "panel_id"])


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("participants") as batch:
        batch.drop_constraint("uq_participants_study_id_panel_id", type_="unique")
        batch.drop_column("captured")
        batch.drop_column("panel_id")
