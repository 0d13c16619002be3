"""Ids of trimmed rows, so that duplicates are known beyond the raw events' retention.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    """Create the seen_events table."""
    op.create_table(
        "seen_events",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(256), nullable=False),
        sa.Column("row_index", sa.Integer, nullable=False),
        sa.UniqueConstraint("model", "event_id", "row_index", name="uq_seen_model_event_row"),
    )
    op.create_index("ix_seen_model_seq", "seen_events", ["model", "seq"])


def downgrade() -> None:
    """Drop the seen_events table."""
    op.drop_index("ix_seen_model_seq", "seen_events")
    op.drop_table("seen_events")
