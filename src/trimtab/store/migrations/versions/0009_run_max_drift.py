"""rebalance_runs.max_drift_percent: the largest |drift| of a run, for the history list

The list of runs showed it by decoding every run's stored result; a column keeps the
list to the columns it shows. Existing runs are filled from their stored result.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

#: Rows read and updated per statement while filling the column.
BATCH = 500


def _max_drift(result: Any) -> Decimal | None:
    """The largest |drift_percent| of a stored result (a JSON number, 0.01 pp), or None."""
    if not isinstance(result, dict):
        return None
    rows = result.get("drift_analysis") or []
    drifts = [abs(Decimal(str(row["drift_percent"]))) for row in rows]
    return max(drifts, default=None)


def upgrade() -> None:
    op.add_column(
        "rebalance_runs",
        sa.Column(
            "max_drift_percent",
            # As 0001's exact_decimal: text on SQLite, whose NUMERIC would make floats.
            sa.Numeric(20, 4).with_variant(sa.String(22), "sqlite"),
            nullable=True,
        ),
    )
    connection = op.get_bind()
    sqlite = connection.dialect.name == "sqlite"
    runs = sa.table(
        "rebalance_runs",
        sa.column("id", sa.Integer()),
        sa.column("result", sa.JSON()),
        sa.column("max_drift_percent"),
    )
    last = 0
    while True:
        page = connection.execute(
            sa.select(runs.c.id, runs.c.result)
            .where(runs.c.id > last)
            .order_by(runs.c.id)
            .limit(BATCH)
        ).all()
        if not page:
            break
        last = page[-1].id
        values = []
        for row in page:
            drift = _max_drift(row.result)
            if drift is not None:
                drift = drift.quantize(Decimal("0.0001"))
                values.append({"run_id": row.id, "drift": str(drift) if sqlite else drift})
        if values:
            connection.execute(
                runs.update()
                .where(runs.c.id == sa.bindparam("run_id"))
                .values(max_drift_percent=sa.bindparam("drift")),
                values,
            )


def downgrade() -> None:
    with op.batch_alter_table("rebalance_runs") as batch:
        batch.drop_column("max_drift_percent")
