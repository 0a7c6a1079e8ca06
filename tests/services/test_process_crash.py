"""A process killed mid-run: the next check in another process places nothing twice."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from trimtab.services.context import AppContext
from trimtab.services.contract import to_json
from trimtab.services.demo import seed_demo_user
from trimtab.services.rebalance import check_rebalance_drift
from trimtab.store.models import PaperOrderRow

from .helpers import FakeClock

ROOT = Path(__file__).resolve().parents[2]


def test_a_killed_run_is_resumed_by_the_next_process(ctx: AppContext, clock: FakeClock) -> None:
    user_id = seed_demo_user(ctx).user.id
    url = ctx.store.engine.url.render_as_string(hide_password=False)
    died = subprocess.run(
        [sys.executable, "-m", "tests.services.crashing_check", url, str(user_id)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert died.returncode == 9, died.stderr
    # The dead process's lease (SQLite) is taken over although it has not run out.
    clock.now = datetime.now(UTC)
    result = to_json(check_rebalance_drift(ctx, user_id))
    assert result["resumed"] is True
    assert result["status"] == "completed", result["message"]
    with ctx.store.session_factory() as session:
        placed = Counter(session.scalars(select(PaperOrderRow.client_order_id)).all())
    assert len(placed) == len(result["trades_executed"]) == 2
    assert set(placed.values()) == {1}
