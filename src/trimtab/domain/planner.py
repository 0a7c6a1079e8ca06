"""Turn drift into orders: sells first, buys sized to the cash those sells leave.

Rules (the seed's, made safe for real accounts): a symbol is traded only past its
band; qty = |target value - current value| / price, rounded toward less trading
(whole shares where the asset is not fractionable, 9 decimals where it is); never
more than is held is sold; buys are scaled down together to fit the cash after the
sells less a buffer; trades under the minimum are skipped with the reason.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from trimtab.domain.drift import Action, DriftRow, analyse_drift
from trimtab.domain.money import HUNDRED, ZERO, cents, round_qty_down
from trimtab.domain.policy import Policy
from trimtab.domain.portfolio import Portfolio, Side
from trimtab.domain.targets import Target, check_sum, enabled_targets
from trimtab.errors import InvalidTargets


class PlanOutcome(StrEnum):
    PLANNED = "planned"
    WITHIN_BANDS = "within_bands"
    NO_WORTHWHILE_TRADE = "no_worthwhile_trade"
    ZERO_VALUE = "zero_value"
    NO_TARGETS = "no_targets"
    INVALID_TARGETS = "invalid_targets"


class SkipReason(StrEnum):
    BELOW_MINIMUM = "below_minimum"
    UNDER_ONE_SHARE = "under_one_share"
    NOT_TRADABLE = "not_tradable"
    NO_PRICE = "no_price"
    NO_CASH = "no_cash"
    NOT_SELECTED = "not_selected"
    UNTARGETED = "untargeted"
    OPEN_ORDER = "open_order"


@dataclass(frozen=True, slots=True)
class PlannedOrder:
    """A market order the plan wants placed, valued at the price it was planned with."""

    symbol: str
    side: Side
    qty: Decimal
    price: Decimal

    @property
    def notional(self) -> Decimal:
        return self.qty * self.price


@dataclass(frozen=True, slots=True)
class SkippedTrade:
    """A trade the drift called for but the plan leaves out, and why."""

    symbol: str
    side: Side | None
    reason: SkipReason
    message: str


@dataclass(frozen=True, slots=True)
class Plan:
    outcome: PlanOutcome
    message: str
    portfolio_value: Decimal
    drift: tuple[DriftRow, ...] = ()
    orders: tuple[PlannedOrder, ...] = ()
    skipped: tuple[SkippedTrade, ...] = ()

    @property
    def needs_rebalance(self) -> bool:
        return any(row.needs_rebalance for row in self.drift)

    @property
    def sells(self) -> tuple[PlannedOrder, ...]:
        return tuple(o for o in self.orders if o.side is Side.SELL)

    @property
    def buys(self) -> tuple[PlannedOrder, ...]:
        return tuple(o for o in self.orders if o.side is Side.BUY)


@dataclass(frozen=True, slots=True)
class BuyWant:
    """Dollars a symbol is short of its target, before cash limits."""

    symbol: str
    amount: Decimal


def cash_buffer(portfolio_value: Decimal, policy: Policy) -> Decimal:
    """Cash held back from buys."""
    return portfolio_value * policy.cash_buffer_percent / HUNDRED


def _sized(
    symbol: str, side: Side, qty: Decimal, portfolio: Portfolio, policy: Policy
) -> PlannedOrder | SkippedTrade:
    """Round ``qty`` for the asset and keep it only if it is a trade worth placing."""
    asset = portfolio.asset(symbol)
    price = portfolio.price(symbol)
    if price is None or price <= ZERO:
        return SkippedTrade(symbol, side, SkipReason.NO_PRICE, f"no price for {symbol}")
    if not asset.tradable:
        return SkippedTrade(symbol, side, SkipReason.NOT_TRADABLE, f"{symbol} is not tradable")
    rounded = round_qty_down(qty, fractionable=asset.fractionable)
    if rounded <= ZERO and not asset.fractionable and qty * price >= policy.min_trade:
        return SkippedTrade(
            symbol,
            side,
            SkipReason.UNDER_ONE_SHARE,
            f"{side} of {symbol} is less than one whole share and {symbol} is not fractionable",
        )
    if rounded * price < policy.min_trade:
        return _below_minimum(symbol, side, rounded * price, policy)
    return PlannedOrder(symbol, side, rounded, price)


def _below_minimum(symbol: str, side: Side, amount: Decimal, policy: Policy) -> SkippedTrade:
    return SkippedTrade(
        symbol,
        side,
        SkipReason.BELOW_MINIMUM,
        f"{side} of {symbol} for ${cents(amount)} is under the "
        f"${cents(policy.min_trade)} minimum trade",
    )


def fit_buys(
    wants: Sequence[BuyWant], spendable: Decimal, portfolio: Portfolio, policy: Policy
) -> tuple[list[PlannedOrder], list[SkippedTrade]]:
    """Size buys to ``spendable`` dollars, scaling them down together when short.

    Used when planning and again in a live run once the sells have filled and the
    real buying power is known.
    """
    wanted = sum((w.amount for w in wants), ZERO)
    if wanted <= ZERO:
        return [], []
    scale = Decimal(1) if spendable >= wanted else max(spendable, ZERO) / wanted
    orders: list[PlannedOrder] = []
    skipped: list[SkippedTrade] = []
    for want in wants:
        if want.amount < policy.min_trade:
            # Too small even with unlimited cash: say so rather than blame the cash.
            skipped.append(_below_minimum(want.symbol, Side.BUY, want.amount, policy))
            continue
        if scale <= ZERO:
            skipped.append(
                SkippedTrade(
                    want.symbol,
                    Side.BUY,
                    SkipReason.NO_CASH,
                    f"no cash left to buy {want.symbol} after sells and the cash buffer",
                )
            )
            continue
        price = portfolio.price(want.symbol)
        qty = want.amount * scale / price if price else ZERO
        result = _sized(want.symbol, Side.BUY, qty, portfolio, policy)
        if isinstance(result, PlannedOrder):
            orders.append(result)
        else:
            skipped.append(result)
    return orders, skipped


def _no_trade_message(skipped: Sequence[SkippedTrade], policy: Policy) -> str:
    if skipped and all(s.reason is SkipReason.BELOW_MINIMUM for s in skipped):
        return (
            f"Drift found, but every trade is under the ${cents(policy.min_trade)} "
            "minimum; no orders"
        )
    return "Drift found, but no trade could be planned; see skipped"


def plan_rebalance(
    targets: Sequence[Target],
    portfolio: Portfolio,
    policy: Policy | None = None,
    symbols: Collection[str] | None = None,
) -> Plan:
    """Plan the orders that bring ``portfolio`` back to ``targets``.

    ``symbols`` limits trading to those symbols (drift is still reported for all).
    Every edge case the seed names gives a plan with no orders and a clear message.
    """
    policy = policy or Policy()
    value = portfolio.value
    active = enabled_targets(targets)
    if not active:
        return Plan(
            PlanOutcome.NO_TARGETS,
            "No enabled target allocations; set targets before rebalancing",
            value,
        )
    try:
        check_sum(active, policy.sum_tolerance)
    except InvalidTargets as err:
        return Plan(PlanOutcome.INVALID_TARGETS, f"Cannot rebalance: {err}", value)
    if value <= ZERO:
        return Plan(
            PlanOutcome.ZERO_VALUE,
            f"Portfolio value is ${cents(value)}; nothing to rebalance",
            value,
        )

    drift = analyse_drift(active, portfolio, policy)
    skipped: list[SkippedTrade] = []
    sells: list[PlannedOrder] = []
    wants: list[BuyWant] = []
    for row in drift:
        if not row.needs_rebalance:
            continue
        if symbols is not None and row.symbol not in symbols:
            skipped.append(
                SkippedTrade(
                    row.symbol,
                    Side(row.action),
                    SkipReason.NOT_SELECTED,
                    f"{row.symbol} was not among the symbols selected for this run",
                )
            )
            continue
        gap = row.target_percent * value / HUNDRED - portfolio.market_value(row.symbol)
        if row.action is Action.SELL:
            price = portfolio.price(row.symbol) or ZERO
            qty = min(-gap / price, portfolio.held_qty(row.symbol)) if price else ZERO
            result = _sized(row.symbol, Side.SELL, qty, portfolio, policy)
            if isinstance(result, PlannedOrder):
                sells.append(result)
            else:
                skipped.append(result)
        else:
            wants.append(BuyWant(row.symbol, gap))

    proceeds = sum((o.notional for o in sells), ZERO)
    spendable = portfolio.cash + proceeds - cash_buffer(value, policy)
    buys, buy_skips = fit_buys(wants, spendable, portfolio, policy)
    skipped.extend(buy_skips)
    skipped.extend(
        SkippedTrade(
            row.symbol, None, SkipReason.UNTARGETED, f"{row.symbol} has no target; left alone"
        )
        for row in drift
        if not row.targeted
    )

    orders = tuple(sells + buys)
    if orders:
        outcome, message = (
            PlanOutcome.PLANNED,
            f"Rebalancing planned: {len(sells)} sell(s), {len(buys)} buy(s)",
        )
    elif any(row.needs_rebalance for row in drift):
        outcome, message = (
            PlanOutcome.NO_WORTHWHILE_TRADE,
            _no_trade_message(
                [s for s in skipped if s.reason is not SkipReason.UNTARGETED], policy
            ),
        )
    else:
        outcome, message = (
            PlanOutcome.WITHIN_BANDS,
            "All holdings are within their drift bands; no rebalancing needed",
        )
    return Plan(outcome, message, value, tuple(drift), orders, tuple(skipped))
