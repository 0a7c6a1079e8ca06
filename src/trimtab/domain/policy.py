"""The knobs of a rebalance. Every default is the classic rule (docs/classic.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from trimtab.domain.targets import DEFAULT_SUM_TOLERANCE

#: Alpaca refuses an order worth less than $1 (docs/rebalancing.md, "Broker limits"):
#: the floor under any minimum trade a user sets.
BROKER_MIN_NOTIONAL = Decimal(1)
#: Long enough for a preview on a long weekend (the last close stays usable until
#: the next session starts), short enough to refuse a print from last week.
DEFAULT_MAX_PRICE_AGE = timedelta(days=4)


class Scope(StrEnum):
    """Which symbols a run trades once a band is passed."""

    #: Only the symbols past their own band (the classic rule).
    PAST_BAND = "past_band"
    #: Every targeted symbol, as soon as any one is past its band.
    WHOLE_BOOK = "whole_book"


class TradeTo(StrEnum):
    """How far a traded symbol is moved back."""

    TARGET = "target"
    BAND_EDGE = "band_edge"
    HALFWAY = "halfway"


class CashMode(StrEnum):
    """What a run may do with cash."""

    #: Sell overweights, buy underweights (the classic rule).
    REBALANCE = "rebalance"
    #: Never sell: invest cash above the reserve into the underweights only.
    CASH_FLOW = "cash_flow"
    #: Raise ``withdrawal_amount`` dollars of cash by selling the overweights first; no buys.
    WITHDRAWAL = "withdrawal"


class CashReserveKind(StrEnum):
    """How ``cash_reserve`` binds: a floor never spent, or a target cash is brought to."""

    FLOOR = "floor"
    TARGET = "target"


class Amount(StrEnum):
    """The unit of an amount given as either a share of the portfolio or dollars."""

    PERCENT = "percent"
    USD = "usd"


class WholeShares(StrEnum):
    """How quantities of assets that are not fractionable are chosen."""

    #: Every line rounded down, toward less trading (the classic rule).
    ROUND_DOWN = "round_down"
    #: The integer quantities with the least residual drift under the cash limit.
    OPTIMAL = "optimal"


class UntargetedHoldings(StrEnum):
    """What a run does with a held symbol that has no target (docs/rebalancing.md, "Exits")."""

    LEAVE = "leave"
    SELL = "sell"


@dataclass(frozen=True, slots=True)
class Policy:
    """How far a weight may drift, what a run then trades, and how cash is handled.

    Every default is the classic rule; the options are in docs/policies.md. A plain
    frozen dataclass, so a backtest or a script builds one without the store.

    - ``cash_buffer_percent`` of the portfolio value is held back from buys, because a
      price that moves between plan and fill would otherwise overdraw the account.
    - ``untargeted`` says whether holdings without a target are left alone or sold;
      ``max_price_age`` is the oldest a price may be to size an order on.
    - ``threshold_percent`` (pp) and ``relative_band_percent`` (% of a symbol's target)
      are the default band; a symbol's own band overrides them. With both set, a
      symbol acts at whichever is passed first (the 5/25 rule: 5 and 25).
    - ``scope``, ``trade_to``: which symbols trade once a band is passed, and how far.
    - ``cash_reserve`` (percent or USD per ``cash_reserve_unit``) is a cash floor, or a
      cash target: symbol targets then apply to the value less that cash.
    - ``invest_cash``: cash above what is kept buys the underweights, most underweight
      first, even inside their bands. ``cash_mode``: rebalance, cash flow (never
      sells) or withdrawal (raises ``withdrawal_amount`` USD, selling overweights first).
    - ``whole_shares``: round down (seed) or the optimal whole-share counts.
    - ``tax_aware``: sells pick lots (losses, then long-term gains; short-term gains
      avoided when ``avoid_short_term_gains``), and the wash-sale guard blocks buys of a
      symbol sold at a loss in the last ``wash_sale_days`` and loss sales of a symbol
      bought in that window.
    """

    threshold_percent: Decimal = Decimal(5)
    min_trade: Decimal = Decimal(10)
    sum_tolerance: Decimal = DEFAULT_SUM_TOLERANCE
    cash_buffer_percent: Decimal = Decimal("0.25")
    untargeted: UntargetedHoldings = UntargetedHoldings.LEAVE
    max_price_age: timedelta = DEFAULT_MAX_PRICE_AGE
    relative_band_percent: Decimal | None = None
    scope: Scope = Scope.PAST_BAND
    trade_to: TradeTo = TradeTo.TARGET
    cash_mode: CashMode = CashMode.REBALANCE
    withdrawal_amount: Decimal = Decimal(0)
    invest_cash: bool = False
    cash_reserve: Decimal = Decimal(0)
    cash_reserve_unit: Amount = Amount.PERCENT
    cash_reserve_kind: CashReserveKind = CashReserveKind.FLOOR
    whole_shares: WholeShares = WholeShares.ROUND_DOWN
    tax_aware: bool = False
    avoid_short_term_gains: bool = True
    holding_period_days: int = 365
    wash_sale_days: int = 30

    @property
    def min_order(self) -> Decimal:
        """The smallest order (USD) a plan places: the user's minimum, never under the broker's."""
        # max(min_trade, BROKER_MIN_NOTIONAL), without the call: every sized order asks.
        return BROKER_MIN_NOTIONAL if self.min_trade < BROKER_MIN_NOTIONAL else self.min_trade


def policy_to_json(policy: Policy) -> dict[str, str | None]:
    """Every field as a string (``None`` for an unset optional), for run records."""
    saved: dict[str, str | None] = {}
    for f in fields(Policy):
        value = getattr(policy, f.name)
        if isinstance(value, timedelta):
            saved[f"{f.name}_seconds"] = str(int(value.total_seconds()))
        else:
            saved[f.name] = None if value is None else str(value)
    return saved


def policy_from_json(saved: Mapping[str, object]) -> Policy:
    """The inverse of ``policy_to_json``; fields missing (older records) keep their defaults.

    Raises ``ValueError`` on a value that does not fit its field.
    """
    default = Policy()
    changes: dict[str, Any] = {}
    for f in fields(Policy):
        current = getattr(default, f.name)
        if isinstance(current, timedelta):
            seconds = saved.get(f"{f.name}_seconds")
            if seconds:
                changes[f.name] = timedelta(seconds=int(str(seconds)))
            continue
        if f.name not in saved:
            continue
        raw = saved[f.name]
        if raw is None:
            changes[f.name] = None
        elif isinstance(current, bool):
            changes[f.name] = str(raw) in ("True", "true", "1")
        elif isinstance(current, StrEnum):
            changes[f.name] = type(current)(str(raw))
        elif isinstance(current, int):
            changes[f.name] = int(str(raw))
        else:
            changes[f.name] = Decimal(str(raw))
    return replace(default, **changes)
