"""Offline planning: the classic result for a portfolio snapshot, with no broker and no orders."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from trimtab.domain.planner import TaxContext, plan_rebalance
from trimtab.domain.policy import Policy
from trimtab.domain.portfolio import Portfolio
from trimtab.domain.targets import Target
from trimtab.services.contract import PlanResult, plan_result


def _dated(portfolio: Portfolio) -> bool:
    points = [*portfolio.prices.values(), *(h.price for h in portfolio.holdings.values())]
    return any(p is not None and p.as_of is not None for p in points)


def plan_snapshot(
    targets: Sequence[Target],
    portfolio: Portfolio,
    policy: Policy,
    symbols: Collection[str] | None = None,
    tax: TaxContext | None = None,
) -> PlanResult:
    """The contract with ``trades_planned`` set, ``trades_executed`` empty, ``dry_run`` true.

    ``tax`` (the snapshot's fills and cost basis) is what a tax-aware policy sells by.

    Dated prices are judged against the US market's last trading day before the
    snapshot's ``as_of`` (the calendar is read only when some price has a date).
    """
    if portfolio.as_of is not None and portfolio.session_start is None and _dated(portfolio):
        # The exchange calendar (pandas) is loaded only for a snapshot that needs it.
        from trimtab.services.trading_day import last_session_start

        portfolio = replace(portfolio, session_start=last_session_start(portfolio.as_of))
    plan = plan_rebalance(targets, portfolio, policy, symbols, tax)
    return plan_result(plan, dry_run=True)
