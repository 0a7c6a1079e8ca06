"""schedules, and procrastinate's job queue on PostgreSQL

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schedules",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.String(length=8), nullable=False),
        sa.Column("time_of_day", sa.Time(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("day_of_month", sa.Integer(), nullable=True),
        sa.Column("cron", sa.String(length=120), nullable=True),
        sa.Column("cooldown_minutes", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.Column("last_outcome", sa.String(length=32), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_schedules_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["last_run_id"],
            ["rebalance_runs.id"],
            name=op.f("fk_schedules_last_run_id_rebalance_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_schedules")),
    )
    op.create_index(op.f("ix_schedules_next_run_at"), "schedules", ["next_run_at"])
    if op.get_bind().dialect.name == "postgresql":
        from trimtab.store.queue_schema import create_queue_schema

        create_queue_schema(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        from trimtab.store.queue_schema import drop_queue_schema

        drop_queue_schema(op.get_bind())
    op.drop_index(op.f("ix_schedules_next_run_at"), table_name="schedules")
    op.drop_table("schedules")
