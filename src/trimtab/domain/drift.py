"""Drift analysis as the seed defines it: actual weight minus target weight, in pp."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from trimtab.domain.money import ZERO, percent_of
from trimtab.domain.policy import Policy
from trimtab.domain.portfolio import Portfolio
from trimtab.domain.targets import Target


class Action(StrEnum):
    BUY = "buy"
    SELL = "sell"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class DriftRow:
    """One symbol against its target; ``targeted`` is false for a held symbol with no target."""

    symbol: str
    target_percent: Decimal
    actual_percent: Decimal
    drift_percent: Decimal
    threshold_percent: Decimal
    needs_rebalance: bool
    action: Action
    targeted: bool = True


def drift_row(
    symbol: str, target_percent: Decimal, actual_percent: Decimal, threshold: Decimal
) -> DriftRow:
    """Classify one symbol: strictly past ``threshold``, over means sell and under means buy."""
    drift = actual_percent - target_percent
    needs = abs(drift) > threshold
    action = Action.NONE
    if needs:
        action = Action.SELL if drift > 0 else Action.BUY
    return DriftRow(symbol, target_percent, actual_percent, drift, threshold, needs, action)


def analyse_drift(
    targets: Sequence[Target], portfolio: Portfolio, policy: Policy
) -> list[DriftRow]:
    """Rows for each enabled target, then for each held symbol that has none (left alone).

    The portfolio value must be positive; the caller handles the empty account.
    """
    value = portfolio.value
    rows = []
    targeted = set()
    for target in targets:
        if not target.enabled:
            continue
        targeted.add(target.symbol)
        threshold = target.band_percent or policy.threshold_percent
        actual = percent_of(portfolio.market_value(target.symbol), value)
        rows.append(drift_row(target.symbol, target.target_percent, actual, threshold))
    for holding in portfolio.holdings:
        if holding.symbol in targeted:
            continue
        actual = percent_of(holding.market_value, value)
        rows.append(
            DriftRow(
                symbol=holding.symbol,
                target_percent=ZERO,
                actual_percent=actual,
                drift_percent=actual,
                threshold_percent=policy.threshold_percent,
                needs_rebalance=False,
                action=Action.NONE,
                targeted=False,
            )
        )
    return rows
