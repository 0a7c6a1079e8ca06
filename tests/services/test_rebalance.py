"""check_rebalance_drift on the stored paper broker: the seed's contract, recorded runs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from trimtab.domain.tax_lots import lots_from_fills
from trimtab.services import runs
from trimtab.services.context import AppContext
from trimtab.services.contract import to_json
from trimtab.services.demo import seed_demo_user
from trimtab.services.policy import update_policy
from trimtab.services.rebalance import check_rebalance_drift
from trimtab.services.tax_lots import recorded_fills

CONTRACT_KEYS = {
    "needs_rebalance",
    "drift_analysis",
    "trades_executed",
    "portfolio_value",
    "message",
}


def test_demo_dry_run_reports_drift_and_planned_trades(ctx: AppContext) -> None:
    demo = seed_demo_user(ctx)
    result = to_json(check_rebalance_drift(ctx, demo.user.id, dry_run=True))
    assert result.keys() >= CONTRACT_KEYS
    assert result["needs_rebalance"] is True
    assert result["trades_executed"] == []
    assert result["status"] == "planned"
    actions = {row["symbol"]: row["action"] for row in result["drift_analysis"]}
    assert actions["SPY"] == "sell"
    assert actions["TLT"] == "buy"
    assert result["trades_planned"]


def test_demo_live_run_rebalances_and_a_second_check_has_nothing_to_do(ctx: AppContext) -> None:
    demo = seed_demo_user(ctx)
    result = to_json(check_rebalance_drift(ctx, demo.user.id))
    assert result["status"] == "completed", result["message"]
    assert {t["status"] for t in result["trades_executed"]} == {"filled"}
    assert all(t["order_id"] for t in result["trades_executed"])
    sides = [t["side"] for t in result["trades_executed"]]
    assert sides == sorted(sides, key=lambda s: s != "sell")
    again = to_json(check_rebalance_drift(ctx, demo.user.id))
    assert again["status"] == "nothing_to_do"
    assert again["needs_rebalance"] is False
    history = to_json(runs.list_runs(ctx, demo.user.id))
    assert history["total"] == 2
    detail = to_json(runs.get_run(ctx, demo.user.id, result["run_id"]))
    assert len(detail["orders"]) == len(result["trades_executed"])
    assert detail["trades_executed"] == result["trades_executed"]


def test_paper_account_survives_a_new_context(ctx: AppContext) -> None:
    demo = seed_demo_user(ctx)
    to_json(check_rebalance_drift(ctx, demo.user.id))
    positions = {p.symbol: p.qty for p in ctx.broker_for(demo.user.id).get_positions()}
    assert positions["SPY"] < Decimal(150)
    assert positions["TLT"] > Decimal(100)


@pytest.mark.parametrize("created", [True])
def test_seed_demo_user_is_idempotent(ctx: AppContext, created: bool) -> None:
    first = seed_demo_user(ctx)
    second = seed_demo_user(ctx)
    assert first.created is created and second.created is False
    assert first.user.id == second.user.id


def test_tax_lots_come_from_the_recorded_fills(ctx: AppContext) -> None:
    demo = seed_demo_user(ctx)
    result = to_json(check_rebalance_drift(ctx, demo.user.id))
    assert result["status"] == "completed", result["message"]
    with ctx.store.read() as uow:
        fills = recorded_fills(uow, demo.user.id)
    executed = {(t["symbol"], t["side"], Decimal(str(t["qty"]))) for t in result["trades_executed"]}
    assert {(f.symbol, str(f.side), f.qty) for f in fills} == executed
    lots = lots_from_fills(fills).lots
    for symbol, side, qty in executed:
        if side == "buy":
            assert [(lot.qty, lot.acquired_on) for lot in lots[symbol]] == [
                (qty, ctx.clock().date())
            ]
    update_policy(ctx, demo.user.id, options={"tax_aware": True})
    again = to_json(check_rebalance_drift(ctx, demo.user.id, dry_run=True))
    assert again["status"] == "nothing_to_do"
    assert again["realised_gains"] == {"short_term": 0.0, "long_term": 0.0, "unknown": 0.0}
