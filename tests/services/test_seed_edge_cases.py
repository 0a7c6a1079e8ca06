"""The seed's edge cases through the service: each a clear message and no order."""

from __future__ import annotations

from decimal import Decimal

import pytest

from trimtab.brokers.exchange import Exchange
from trimtab.domain.targets import Target
from trimtab.errors import InvalidInput
from trimtab.services import allocations, policy
from trimtab.services.context import AppContext
from trimtab.services.contract import to_json
from trimtab.services.rebalance import check_rebalance_drift

from .helpers import SEED_TARGETS, on_exchange


def live_check(ctx: AppContext, exchange: Exchange, user_id: int, cash: str, **held: int) -> dict:
    exchange.open_account(str(user_id), Decimal(cash), {s: Decimal(q) for s, q in held.items()})
    on_exchange(ctx, exchange)
    result = to_json(check_rebalance_drift(ctx, user_id))
    assert result["trades_executed"] == []
    assert not exchange.account_state(str(user_id)).orders
    return result


def test_portfolio_value_zero(ctx: AppContext, seeded: int, exchange: Exchange) -> None:
    result = live_check(ctx, exchange, seeded, "0")
    assert result["status"] == "nothing_to_do"
    assert result["message"] == "Portfolio value is $0.00; nothing to rebalance"
    assert result["portfolio_value"] == 0.0


def test_no_targets(ctx: AppContext, user_id: int, exchange: Exchange) -> None:
    result = live_check(ctx, exchange, user_id, "1000", SPY=3)
    assert result["status"] == "refused"
    assert result["message"].startswith("No enabled target allocations")
    assert result["needs_rebalance"] is False


def test_only_disabled_targets_count_as_none(
    ctx: AppContext, user_id: int, exchange: Exchange
) -> None:
    allocations.replace_allocations(ctx, user_id, [Target("SPY", Decimal(100), enabled=False)])
    result = live_check(ctx, exchange, user_id, "1000")
    assert result["message"].startswith("No enabled target allocations")


def test_targets_off_100(ctx: AppContext, user_id: int, exchange: Exchange) -> None:
    allocations.replace_allocations(ctx, user_id, SEED_TARGETS[:3])
    result = live_check(ctx, exchange, user_id, "1000", SPY=1)
    assert result["status"] == "refused"
    assert result["message"] == (
        "Cannot rebalance: targets sum to 90.00 %, expected 100 % (10.00 pp missing)"
    )


def test_positions_under_the_minimum_trade(
    ctx: AppContext, seeded: int, exchange: Exchange
) -> None:
    result = live_check(ctx, exchange, seeded, "5")
    assert result["needs_rebalance"] is True
    assert "under the $10.00 minimum" in result["message"]
    assert {s["reason"] for s in result["skipped"]} == {"below_minimum"}


def test_within_bands(ctx: AppContext, seeded: int, exchange: Exchange) -> None:
    prices = exchange.prices
    value = Decimal(100_000)
    held = {t.symbol: int(value * t.target_percent / 100 / prices[t.symbol]) for t in SEED_TARGETS}
    result = live_check(ctx, exchange, seeded, "500", **held)
    assert result["status"] == "nothing_to_do"
    assert result["message"].startswith("All holdings are within their drift bands")


def test_a_custom_threshold_and_minimum_apply(
    ctx: AppContext, seeded: int, exchange: Exchange
) -> None:
    policy.update_policy(ctx, seeded, threshold_percent="65", min_trade=25)
    result = live_check(ctx, exchange, seeded, "0", SPY=300)
    assert [r["action"] for r in result["drift_analysis"]] == ["none"] * 4
    assert policy.get_policy(ctx, seeded).min_trade == Decimal(25)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"threshold_percent": 0}, "threshold_percent"),
        ({"threshold_percent": "abc"}, "threshold_percent"),
        ({"min_trade": -1}, "min_trade"),
        ({"cash_buffer_percent": 60}, "cash_buffer_percent"),
    ],
)
def test_bad_policy_names_the_field(
    ctx: AppContext, user_id: int, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        policy.update_policy(ctx, user_id, **changes)  # type: ignore[arg-type]
    assert err.value.field == field


def test_symbols_limit_trading_but_not_the_drift_report(ctx: AppContext, seeded: int) -> None:
    result = to_json(check_rebalance_drift(ctx, seeded, dry_run=True, symbols=["SPY"]))
    assert {t["symbol"] for t in result["trades_planned"]} == {"SPY"}
    assert len(result["drift_analysis"]) == 4
    with pytest.raises(InvalidInput) as err:
        to_json(check_rebalance_drift(ctx, seeded, symbols=["spy"]))
    assert err.value.field == "symbols"
    with pytest.raises(InvalidInput) as err:
        to_json(check_rebalance_drift(ctx, seeded, trigger="whenever"))
    assert err.value.field == "trigger"


def test_an_empty_symbol_selection_trades_nothing(
    ctx: AppContext, seeded: int, exchange: Exchange
) -> None:
    exchange.open_account(str(seeded), Decimal(0), {"SPY": Decimal(300)})
    on_exchange(ctx, exchange)
    result = to_json(check_rebalance_drift(ctx, seeded, dry_run=True, symbols=[]))
    assert result["trades_planned"] == []
    assert {s["reason"] for s in result["skipped"]} == {"not_selected"}
