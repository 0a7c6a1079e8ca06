"""rebalance_policies: what to do with untargeted holdings, and the oldest usable price

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "rebalance_policies",
        sa.Column("untargeted", sa.String(length=8), nullable=False, server_default="leave"),
    )
    op.add_column(
        "rebalance_policies",
        sa.Column(
            "max_price_age_hours",
            # As 0001's exact_decimal: text on SQLite, whose NUMERIC would make floats.
            sa.Numeric(20, 4).with_variant(sa.String(22), "sqlite"),
            nullable=False,
            server_default="96",
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("rebalance_policies") as batch:
        batch.drop_column("max_price_age_hours")
        batch.drop_column("untargeted")
