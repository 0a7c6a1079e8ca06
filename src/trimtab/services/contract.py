"""The seed's rebalancing contract: the JSON ``check_rebalance_drift`` returns.

Every entrypoint (CLI ``--json``, HTTP, the callable shim) prints what this module
builds, so the shape lives in one place. Numbers are JSON numbers as in the seed;
percentages and money are rounded for display only, after every decision is made.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypedDict

from trimtab.domain.drift import DriftRow
from trimtab.domain.money import CENT
from trimtab.domain.planner import BuyBudget, Plan, PlannedOrder, SkippedTrade, SymbolDecision
from trimtab.domain.tax_lots import Term

PERCENT_PLACES = Decimal("0.01")


class DriftRowJSON(TypedDict):
    symbol: str
    target_percent: float
    actual_percent: float
    drift_percent: float
    needs_rebalance: bool
    action: str


class TradeJSON(TypedDict):
    symbol: str
    side: str
    qty: float
    order_id: str | None
    status: str


def number(value: Decimal, places: Decimal | None = None) -> float:
    """A Decimal as a JSON number, rounded half-up to ``places`` when given."""
    if places is not None:
        value = value.quantize(places, rounding=ROUND_HALF_UP)
    return float(value)


def drift_row_json(row: DriftRow) -> DriftRowJSON:
    """Exactly the seed's six keys (the facts of ours are in ``drift_detail_json``)."""
    return {
        "symbol": row.symbol,
        "target_percent": number(row.target_percent, PERCENT_PLACES),
        "actual_percent": number(row.actual_percent, PERCENT_PLACES),
        "drift_percent": number(row.drift_percent, PERCENT_PLACES),
        "needs_rebalance": row.needs_rebalance,
        "action": str(row.action),
    }


def drift_detail_json(row: DriftRow, decision: SymbolDecision | None = None) -> dict[str, Any]:
    """A drift row's facts beyond the seed's: ``market_value`` (USD), ``asset_class``,
    ``targeted``, ``exit``, ``band_percent`` (the band's half-width in pp), for a row held
    and not rebalanced ``hold_reason`` and ``note`` (the reason in words), and why the
    plan trades the symbol or not: ``traded``, ``reason`` (a code) and ``reason_message``."""
    return {
        "band_percent": number(row.threshold_percent, PERCENT_PLACES),
        "traded": decision.traded if decision else False,
        "reason": str(decision.reason) if decision else None,
        "reason_message": decision.message if decision else None,
        "symbol": row.symbol,
        "market_value": number(row.market_value, CENT),
        "asset_class": str(row.asset_class),
        "targeted": row.targeted,
        "exit": row.exit,
        "hold_reason": str(row.hold_reason) if row.hold_reason else None,
        "note": row.note,
    }


def planned_order_json(order: PlannedOrder) -> dict[str, Any]:
    return {
        "symbol": order.symbol,
        "side": str(order.side),
        "qty": number(order.qty),
        "price": number(order.price),
        "notional": number(order.notional, CENT),
        "price_as_of": order.price_as_of.isoformat() if order.price_as_of else None,
        "price_source": order.price_source,
        "asset_class": str(order.asset_class),
        "exit": order.exit,
        "estimated_gain": (
            {str(term): number(gain, CENT) for term, gain in order.estimated_gain.items()}
            if order.estimated_gain is not None
            else None
        ),
    }


def budget_json(budget: BuyBudget | None) -> dict[str, float | None] | None:
    """The limits buys were sized to (USD): what ``BuyBudget.spendable`` is the smallest of."""
    if budget is None:
        return None
    return {
        "cash": number(budget.cash, CENT),
        "buying_power": number(budget.buying_power, CENT)
        if budget.buying_power is not None
        else None,
        "uninvested": number(budget.uninvested, CENT),
        "short_proceeds": number(budget.short_proceeds, CENT),
        "open_orders": number(budget.open_orders, CENT),
        "buffer": number(budget.buffer, CENT),
        "spendable": number(budget.spendable, CENT),
    }


def skipped_json(skip: SkippedTrade) -> dict[str, Any]:
    return {
        "symbol": skip.symbol,
        "side": str(skip.side) if skip.side else None,
        "reason": str(skip.reason),
        "message": skip.message,
    }


def rebalance_result(
    plan: Plan,
    *,
    dry_run: bool,
    trades_executed: Sequence[TradeJSON] = (),
    message: str | None = None,
    extra_skipped: Sequence[SkippedTrade] = (),
    **extra: Any,
) -> dict[str, Any]:
    """The seed's result for ``plan``, plus ``dry_run``, ``trades_planned``, ``skipped`` and extras.

    ``message`` overrides the plan's own (a live run says what it did).
    ``curing_deposit`` is the deposit (USD) that reaches every target without selling;
    ``realised_gains`` the planned sells' estimated gains per term (tax-aware plans).
    """
    decisions = {d.symbol: d for d in plan.decisions}
    return {
        "needs_rebalance": plan.needs_rebalance,
        "drift_analysis": [drift_row_json(row) for row in plan.drift],
        "trades_executed": list(trades_executed),
        "portfolio_value": number(plan.portfolio_value, CENT),
        "message": message or plan.message,
        "dry_run": dry_run,
        "outcome": str(plan.outcome),
        "trades_planned": [planned_order_json(o) for o in plan.orders],
        "skipped": [skipped_json(s) for s in (*plan.skipped, *extra_skipped)],
        "drift_details": [drift_detail_json(row, decisions.get(row.symbol)) for row in plan.drift],
        "buy_budget": budget_json(plan.budget),
        "curing_deposit": (
            number(plan.curing_deposit, CENT) if plan.curing_deposit is not None else None
        ),
        "realised_gains": {str(term): number(plan.realised_gain(term), CENT) for term in Term},
        **extra,
    }
