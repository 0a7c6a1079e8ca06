"""Each risk state blocks orders, from either row, and drift is still reported."""

from __future__ import annotations

from typing import Any

import pytest

from trimtab.brokers.exchange import Exchange
from trimtab.errors import TradingBlocked, TrimtabError
from trimtab.services import risk, users
from trimtab.services.context import AppContext
from trimtab.services.contract import to_json
from trimtab.services.rebalance import check_rebalance_drift
from trimtab.services.trades import execute_trade

from .helpers import PASSWORD, all_in_spy, on_exchange

STATES: list[tuple[dict[str, Any], str]] = [
    ({"trading_enabled": False}, "Trading is disabled"),
    ({"drawdown_recovery": True}, "Drawdown recovery mode is on"),
    ({"kill_switch": True}, "Kill switch is on"),
]


def block(ctx: AppContext, user_id: int, scope: str, switches: dict[str, Any]) -> None:
    if scope == "user":
        risk.set_user_risk(ctx, user_id, reason="test", **switches)
    else:
        admin = users.create_user(ctx, "root@example.com", PASSWORD, is_admin=True)
        risk.set_system_risk(ctx, admin.id, reason="test", **switches)


@pytest.mark.parametrize("scope", ["user", "system"])
@pytest.mark.parametrize(("switches", "reason"), STATES, ids=["disabled", "drawdown", "kill"])
def test_risk_state_blocks_orders_but_reports_drift(
    ctx: AppContext,
    seeded: int,
    exchange: Exchange,
    scope: str,
    switches: dict[str, Any],
    reason: str,
) -> None:
    all_in_spy(exchange, seeded)
    on_exchange(ctx, exchange)
    block(ctx, seeded, scope, switches)
    result = to_json(check_rebalance_drift(ctx, seeded))
    assert result["status"] == "blocked_by_risk"
    assert result["needs_rebalance"] is True
    assert {r["action"] for r in result["drift_analysis"]} == {"sell", "buy"}
    assert result["trades_executed"] == []
    assert result["message"].startswith(f"{reason}: test")
    with pytest.raises(TradingBlocked):
        to_json(execute_trade(ctx, seeded, "SPY", "sell", 1))
    assert not exchange.account_state(str(seeded)).orders


def test_dry_run_still_plans_while_blocked_and_says_why(ctx: AppContext, seeded: int) -> None:
    risk.set_user_risk(ctx, seeded, kill_switch=True)
    result = to_json(check_rebalance_drift(ctx, seeded, dry_run=True))
    assert result["trading_blocked"] == "Kill switch is on"
    assert "orders would be refused now" in result["message"]


def test_only_an_admin_sets_the_system_row(ctx: AppContext, user_id: int) -> None:
    with pytest.raises(TrimtabError) as err:
        risk.set_system_risk(ctx, user_id, kill_switch=True)
    assert err.value.code == "forbidden"
    assert risk.get_risk(ctx, user_id).blocked_reason is None


def test_only_an_admin_sets_another_users_row_and_the_audit_names_the_admin(
    ctx: AppContext, user_id: int
) -> None:
    bob = users.create_user(ctx, "bob@example.com", PASSWORD)
    with pytest.raises(TrimtabError) as err:
        risk.set_user_risk(ctx, user_id, actor_id=bob.id, trading_enabled=False)
    assert err.value.code == "forbidden"
    admin = users.create_user(ctx, "root@example.com", PASSWORD, is_admin=True)
    view = risk.set_user_risk(ctx, user_id, actor_id=admin.id, trading_enabled=False)
    assert view.user.updated_by == "root@example.com"
    assert risk.get_risk(ctx, user_id).blocked_reason == "Trading is disabled"
    assert risk.get_risk(ctx, bob.id).blocked_reason is None


def test_risk_view_combines_both_rows(ctx: AppContext, user_id: int) -> None:
    admin = users.create_user(ctx, "root@example.com", PASSWORD, is_admin=True)
    view = risk.set_system_risk(ctx, admin.id, drawdown_recovery=True, reason="-12% today")
    assert view.system.updated_by == "root@example.com"
    mine = risk.get_risk(ctx, user_id)
    assert mine.blocked_reason == "Drawdown recovery mode is on: -12% today"
    assert mine.user.status.trading_enabled is True
    risk.set_system_risk(ctx, admin.id, drawdown_recovery=False)
    assert risk.get_risk(ctx, user_id).blocked_reason is None
