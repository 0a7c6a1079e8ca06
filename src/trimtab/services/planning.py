"""Offline planning: the seed's result for a portfolio snapshot, with no broker and no orders."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from trimtab.domain.planner import plan_rebalance
from trimtab.domain.policy import Policy
from trimtab.domain.portfolio import Portfolio
from trimtab.domain.targets import Target
from trimtab.services.contract import rebalance_result


def plan_snapshot(
    targets: Sequence[Target],
    portfolio: Portfolio,
    policy: Policy,
    symbols: Collection[str] | None = None,
) -> dict[str, Any]:
    """The contract with ``trades_planned`` set, ``trades_executed`` empty, ``dry_run`` true."""
    plan = plan_rebalance(targets, portfolio, policy, symbols)
    return rebalance_result(plan, dry_run=True)
