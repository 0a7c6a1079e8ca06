"""rebalance_policies.options (bands, scope, cash, whole shares, tax) and relative bands

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("rebalance_policies", sa.Column("options", sa.JSON(), nullable=True))
    op.add_column(
        "allocations",
        sa.Column(
            "band_relative_percent",
            # As 0001's exact_decimal: text on SQLite, whose NUMERIC would make floats.
            sa.Numeric(20, 4).with_variant(sa.String(22), "sqlite"),
            nullable=True,
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("allocations") as batch:
        batch.drop_column("band_relative_percent")
    with op.batch_alter_table("rebalance_policies") as batch:
        batch.drop_column("options")
