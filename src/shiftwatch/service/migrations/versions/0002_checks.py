"""The history of window checks, for the dashboard's time series.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    """Add the checks table."""
    op.create_table(
        "checks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("window_rows", sa.Integer, nullable=False),
        sa.Column("drifted", sa.Boolean, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("columns", sa.Text, nullable=False),
    )
    op.create_index("ix_checks_model_id", "checks", ["model", "id"])


def downgrade() -> None:
    """Drop the checks table."""
    op.drop_table("checks")
