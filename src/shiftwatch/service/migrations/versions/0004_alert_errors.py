"""Per alert, why its last delivery failed, and whether it is given up for good.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    """Add the alerts' error (text) and final (never retried) columns."""
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("error", sa.Text, nullable=True))
        batch.add_column(sa.Column("final", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    """Drop the alerts' error and final columns."""
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("final")
        batch.drop_column("error")
