"""Events, violation counts, alert states and alerts.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the first schema."""
    op.create_table(
        "events",
        sa.Column("seq", SEQ, primary_key=True),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(256), nullable=False),
        sa.Column("row_index", sa.Integer, nullable=False),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("event_time", sa.Float, nullable=True),
        sa.Column("inputs", sa.Text, nullable=True),
        sa.Column("outputs", sa.Text, nullable=True),
        sa.Column("label", sa.Text, nullable=True),
        sa.UniqueConstraint("model", "event_id", "row_index", name="uq_events_model_event_row"),
    )
    op.create_index("ix_events_model_seq", "events", ["model", "seq"])
    op.create_table(
        "violation_counts",
        sa.Column("model", sa.String(64), primary_key=True),
        sa.Column("column_name", sa.String(256), primary_key=True),
        sa.Column("rule", sa.String(32), primary_key=True),
        sa.Column("count", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "alert_states",
        sa.Column("model", sa.String(64), primary_key=True),
        sa.Column("source", sa.String(32), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("since", sa.Float, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_table(
        "alerts",
        sa.Column("id", SEQ, primary_key=True),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("delivered", sa.Boolean, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
    )
    op.create_index("ix_alerts_model_at", "alerts", ["model", "at"])


def downgrade() -> None:
    """Drop everything."""
    for table in ("alerts", "alert_states", "violation_counts", "events"):
        op.drop_table(table)
