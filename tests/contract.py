"""The seed's rebalancing contract as a checker shared by CLI, service and API tests."""

from __future__ import annotations

from typing import Any

SEED_KEYS = {"needs_rebalance", "drift_analysis", "trades_executed", "portfolio_value", "message"}
DRIFT_ROW = {
    "symbol": str,
    "target_percent": float,
    "actual_percent": float,
    "drift_percent": float,
    "needs_rebalance": bool,
    "action": str,
}
TRADE = {
    "symbol": str,
    "side": str,
    "qty": (int, float),
    "order_id": (str, type(None)),
    "status": str,
}


def assert_seed_contract(result: dict[str, Any]) -> None:
    """Fail unless ``result`` has every key of the seed's JSON with the seed's types."""
    assert result.keys() >= SEED_KEYS, SEED_KEYS - result.keys()
    assert isinstance(result["needs_rebalance"], bool)
    assert isinstance(result["portfolio_value"], int | float)
    assert isinstance(result["message"], str) and result["message"]
    for row in result["drift_analysis"]:
        assert set(row) == set(DRIFT_ROW), row
        for key, kind in DRIFT_ROW.items():
            assert isinstance(row[key], kind), (key, row)
        assert row["action"] in {"buy", "sell", "none"}
        assert (row["action"] != "none") == row["needs_rebalance"] or row["target_percent"] == 0
    for trade in result["trades_executed"]:
        assert TRADE.keys() <= trade.keys(), trade
        for key, kinds in TRADE.items():
            assert isinstance(trade[key], kinds), (key, trade)
        assert trade["side"] in {"buy", "sell"}
    assert result["needs_rebalance"] == any(r["needs_rebalance"] for r in result["drift_analysis"])
