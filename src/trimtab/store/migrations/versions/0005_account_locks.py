"""account locks: the run lock is per broker account, not per user; connected account id

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_locks",
        sa.Column("account_key", sa.String(length=200), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("account_key", name=op.f("pk_account_locks")),
    )
    # Leases only live for a run; nothing in the old table outlives a restart.
    op.drop_table("run_locks")
    with op.batch_alter_table("broker_accounts") as batch:
        batch.add_column(sa.Column("account_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("broker_accounts") as batch:
        batch.drop_column("account_id")
    op.create_table(
        "run_locks",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_run_locks_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_run_locks")),
    )
    op.drop_table("account_locks")
