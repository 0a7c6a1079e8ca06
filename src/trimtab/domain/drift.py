"""Drift as the classic rules define it (docs/classic.md): actual minus target weight, in pp.

Weights are market value / portfolio value × 100, with the value and market values
of ``Portfolio`` (the broker's own figures; docs/rebalancing.md, "Valuation").
Rows of holdings the planner must not trade (options, shorts) are reported with the
reason and never marked for rebalancing ("Asset classes").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from trimtab.domain.bands import band_for
from trimtab.domain.money import HUNDRED, ZERO, percent_of
from trimtab.domain.policy import Policy, UntargetedHoldings
from trimtab.domain.portfolio import TRADED_CLASSES, AssetClass, Holding, Portfolio
from trimtab.domain.records import quick_constructor, quick_init
from trimtab.domain.targets import Target


class Action(StrEnum):
    BUY = "buy"
    SELL = "sell"
    NONE = "none"


class HoldReason(StrEnum):
    """Why a row is held and not rebalanced."""

    SHORT_POSITION = "short_position"
    ASSET_CLASS = "asset_class"
    UNTARGETED = "untargeted"


@quick_init
@dataclass(frozen=True, slots=True)
class DriftRow:
    """One symbol against its target (percent and pp; ``market_value`` in USD).

    ``targeted`` is false for a held symbol with no target. ``exit`` marks a row to be
    sold whole (a 0 % target, or an untargeted holding under the ``sell`` policy).
    ``hold_reason``/``note`` say why a row is not rebalanced at all.
    """

    symbol: str
    target_percent: Decimal
    actual_percent: Decimal
    drift_percent: Decimal
    threshold_percent: Decimal
    needs_rebalance: bool
    action: Action
    targeted: bool = True
    market_value: Decimal = ZERO
    asset_class: AssetClass = AssetClass.US_EQUITY
    exit: bool = False
    hold_reason: HoldReason | None = None
    note: str | None = None


#: Made for every symbol of every plan: without ``type.__call__`` (``quick_constructor``).
_new_row = quick_constructor(DriftRow)


# Enum members read on every plan, looked up once: on Python 3.11 ``Action.BUY`` goes
# through the slow hook of ``EnumType.__getattr__``.
_US_EQUITY = AssetClass.US_EQUITY
_SELL, _BUY, _NO_ACTION = Action.SELL, Action.BUY, Action.NONE


def hold_reason(holding: Holding | None) -> tuple[HoldReason, str] | None:
    """Why the planner must leave ``holding`` alone, or ``None`` if it may trade it."""
    if holding is None:
        return None
    # US equities, the usual case, are traded: no set lookup (an enum hashes in Python).
    if (
        holding.asset_class is not AssetClass.US_EQUITY
        and holding.asset_class not in TRADED_CLASSES
    ):
        return (
            HoldReason.ASSET_CLASS,
            f"{holding.symbol} is a {holding.asset_class} position: counted in the value, "
            "not rebalanced",
        )
    if holding.qty < ZERO:  # a short
        return (
            HoldReason.SHORT_POSITION,
            f"{holding.symbol} is a short position: counted at its negative value, "
            "never added to or covered",
        )
    return None


def _held_row(
    row: DriftRow, holding: Holding | None, why: tuple[HoldReason, str] | None
) -> DriftRow:
    """``row`` with the holding's facts, made inert when the planner must not trade it."""
    if holding is not None and (
        row.market_value != holding.market_value or row.asset_class is not holding.asset_class
    ):
        row = replace(row, market_value=holding.market_value, asset_class=holding.asset_class)
    if why is None:
        return row
    reason, note = why
    return replace(
        row, needs_rebalance=False, action=Action.NONE, exit=False, hold_reason=reason, note=note
    )


def _exit_row(symbol: str, actual: Decimal, threshold: Decimal, *, targeted: bool) -> DriftRow:
    """A long holding to sell whole: it needs rebalancing whatever its drift."""
    return DriftRow(
        symbol, ZERO, actual, actual, threshold, True, Action.SELL, targeted=targeted, exit=True
    )


@dataclass(frozen=True, slots=True)
class TargetBands:
    """The enabled targets of a set, each with its band, worked out once per set and policy.

    ``rows`` holds (symbol, target percent, band half-width in pp) per enabled target, in
    the targets' order; ``symbols`` is the set of those symbols. The band is the symbol's
    own, else the policy's (``trimtab.domain.bands``). A backtest analyses hundreds of
    days against one set: it builds this once (``planner.prepare_planner`` does).
    """

    rows: tuple[tuple[str, Decimal, Decimal], ...]
    symbols: frozenset[str]

    @classmethod
    def of(cls, targets: Sequence[Target], policy: Policy) -> TargetBands:
        rows = []
        # Widths of the policy's band, by target percent: most targets share it.
        widths: dict[Decimal, Decimal] = {}
        for target in targets:
            if not target.enabled:
                continue
            percent = target.target_percent
            if target.band_percent is not None or target.band_relative_percent is not None:
                threshold = band_for(target, policy).width(percent)
            else:
                found = widths.get(percent)
                if found is None:
                    found = widths[percent] = band_for(target, policy).width(percent)
                threshold = found
            rows.append((target.symbol, percent, threshold))
        return cls(tuple(rows), frozenset(symbol for symbol, _, _ in rows))


def analyse_drift(
    targets: Sequence[Target], portfolio: Portfolio, policy: Policy
) -> list[DriftRow]:
    """Rows for each enabled target, then for each held symbol that has none.

    A row's ``threshold_percent`` is the half-width in pp of the symbol's band
    (``trimtab.domain.bands``): its own, else the policy's. A 0 % target on a long
    holding is an exit; an untargeted holding is an exit under
    the ``sell`` policy and left alone under ``leave``. The portfolio value must be
    positive; the caller handles the empty account.
    """
    return drift_against(TargetBands.of(targets, policy), portfolio, policy)


def drift_against(bands: TargetBands, portfolio: Portfolio, policy: Policy) -> list[DriftRow]:
    """``analyse_drift`` with the targets' bands already worked out (``TargetBands.of``)."""
    value = portfolio.value
    holdings = portfolio.holdings
    rows = []
    for symbol, percent, threshold in bands.rows:
        holding = holdings.get(symbol)
        if holding is None:
            market_value = ZERO
            asset_class = _US_EQUITY
            why = None
        else:
            market_value = holding.market_value
            asset_class = holding.asset_class
            if percent == ZERO and holding.qty > ZERO:
                actual = percent_of(market_value, value)
                row = _exit_row(symbol, actual, threshold, targeted=True)
                rows.append(_held_row(row, holding, hold_reason(holding)))
                continue
            # A long US equity, the usual holding, is one the planner may trade.
            usual = asset_class is _US_EQUITY and holding.qty >= ZERO
            why = None if usual else hold_reason(holding)
        # The classic rule: strictly past the band, over means sell and under means buy
        # (``percent_of`` written out: this loop runs for every symbol of every plan).
        actual = market_value / value * HUNDRED
        drift = actual - percent
        needs = abs(drift) > threshold
        action = (_SELL if drift > ZERO else _BUY) if needs else _NO_ACTION
        row = _new_row(
            symbol,
            percent,
            actual,
            drift,
            threshold,
            needs,
            action,
            True,
            market_value,
            asset_class,
        )
        rows.append(row if why is None else _held_row(row, holding, why))
    targeted = bands.symbols
    for holding in holdings.values():
        if holding.symbol in targeted:
            continue
        actual = percent_of(holding.market_value, value)
        why = hold_reason(holding)
        if why is None and policy.untargeted is UntargetedHoldings.LEAVE:
            why = (HoldReason.UNTARGETED, f"{holding.symbol} has no target; left alone")
        row = _exit_row(holding.symbol, actual, policy.threshold_percent, targeted=False)
        rows.append(_held_row(row, holding, why))
    return rows
