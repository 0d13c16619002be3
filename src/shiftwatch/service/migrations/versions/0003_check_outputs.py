"""Per window check, what the model's outputs looked like: mean confidence, estimated accuracy.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    """Add the checks' outputs column (JSON; null where the model's outputs are not watched)."""
    with op.batch_alter_table("checks") as batch:
        batch.add_column(sa.Column("outputs", sa.Text, nullable=True))


def downgrade() -> None:
    """Drop the checks' outputs column."""
    with op.batch_alter_table("checks") as batch:
        batch.drop_column("outputs")
