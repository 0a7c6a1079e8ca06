"""Backtests: replay rebalancing policies on daily closes with the live planner.

``run_backtest`` is the entry point; the rules are in ``docs/backtest.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import InvalidOperation

from trimtab.domain.backtest.metrics import PolicyMetrics, summarise
from trimtab.domain.backtest.policy import Calendar, RebalancePolicy, parse_policy
from trimtab.domain.backtest.simulation import (
    BacktestSettings,
    Fill,
    FloatArray,
    PolicyReplay,
    PriceHistory,
    daily_rebalanced,
    prepare_market,
    replay_policy,
)
from trimtab.domain.targets import Target
from trimtab.errors import InvalidInput

__all__ = [
    "BacktestReport",
    "BacktestSettings",
    "Calendar",
    "Fill",
    "PolicyMetrics",
    "PolicyOutcome",
    "PolicyReplay",
    "PriceHistory",
    "parse_policy",
    "run_backtest",
]


@dataclass(frozen=True, slots=True)
class PolicyOutcome:
    replay: PolicyReplay
    metrics: PolicyMetrics


@dataclass(frozen=True, slots=True)
class BacktestReport:
    """Every policy's replay and figures over ``history.dates``; ``reference`` is the
    daily-rebalanced value series (USD) the tracking difference is measured against."""

    history: PriceHistory
    outcomes: tuple[PolicyOutcome, ...]
    reference: FloatArray


#: ``progress(policy_index, day, days)``; it may raise to stop the run.
BacktestProgress = Callable[[int, int, int], None]


def run_backtest(
    history: PriceHistory,
    targets: Sequence[Target],
    policies: Sequence[RebalancePolicy],
    settings: BacktestSettings,
    progress: BacktestProgress | None = None,
) -> BacktestReport:
    """Replay each policy on ``history`` (already cut to the date range).

    ``targets`` must be a valid set (see ``validate_targets``). Raises
    ``InvalidInput`` (field ``targets``) when a target has no prices in ``history``,
    and (field ``prices``) when the closes grow a quantity or value past the 28 digits
    of ``Decimal`` arithmetic (closes swinging between $0.0001 and millions daily).
    """
    market = prepare_market(history, targets)
    reference = daily_rebalanced(market, settings.cash)
    outcomes = []
    for index, policy in enumerate(policies):
        step = None
        if progress is not None:
            step = _for_policy(progress, index)
        try:
            replay = replay_policy(market, targets, policy, settings, step)
        except InvalidOperation:
            raise InvalidInput(
                f"policy {policy.spec!r}: the closes grow a quantity or value past the 28 "
                "digits trimtab's money arithmetic holds",
                field="prices",
            ) from None
        metrics = summarise(replay, history.dates, reference, float(settings.cash))
        outcomes.append(PolicyOutcome(replay, metrics))
    return BacktestReport(history, tuple(outcomes), reference)


def _for_policy(progress: BacktestProgress, index: int) -> Callable[[int, int], None]:
    return lambda day, days: progress(index, day, days)
