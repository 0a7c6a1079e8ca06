"""Turn drift into orders: sells first, buys sized to the cash those sells leave.

The rules are in docs/rebalancing.md. In short: a symbol is traded only past its
band (an exit, always); qty = |target value - current value| / price, rounded
toward less trading (the asset's increment, whole shares, or 9 decimals); never
more than is held is sold and an exit sells all of it; buys are scaled down
together to fit ``BuyBudget.spendable`` (never borrowed money, a short's proceeds,
cash open orders may spend, or the buffer); trades under the minimum, on a stale
price, of a short or of a class the planner does not trade are skipped with the
reason.

The steps, each its own function so a policy can replace one: ``analyse_drift``
(domain.drift) → ``_row_trade`` per drifted row (a sell, a buy want, or a skip) →
``buy_budget`` → ``fit_buys`` → ``_outcome``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from trimtab.domain.drift import Action, DriftRow, HoldReason, analyse_drift
from trimtab.domain.money import HUNDRED, ZERO, round_qty_down, usd, usd_under
from trimtab.domain.policy import BROKER_MIN_NOTIONAL, Policy
from trimtab.domain.portfolio import AssetClass, Portfolio, PricePoint, Side
from trimtab.domain.prices import PriceChoice, choose_price
from trimtab.domain.targets import Target, check_sum, enabled_targets
from trimtab.errors import InvalidTargets


class PlanOutcome(StrEnum):
    PLANNED = "planned"
    WITHIN_BANDS = "within_bands"
    NO_WORTHWHILE_TRADE = "no_worthwhile_trade"
    ZERO_VALUE = "zero_value"
    NO_TARGETS = "no_targets"
    INVALID_TARGETS = "invalid_targets"
    VALUATION_MISMATCH = "valuation_mismatch"


class SkipReason(StrEnum):
    BELOW_MINIMUM = "below_minimum"
    BELOW_MIN_ORDER_SIZE = "below_min_order_size"
    UNDER_ONE_SHARE = "under_one_share"
    NOT_TRADABLE = "not_tradable"
    NO_PRICE = "no_price"
    STALE_PRICE = "stale_price"
    NO_CASH = "no_cash"
    NOT_SELECTED = "not_selected"
    UNTARGETED = "untargeted"
    OPEN_ORDER = "open_order"
    SHORT_POSITION = "short_position"
    ASSET_CLASS = "asset_class"


_HOLD_SKIPS = {
    HoldReason.UNTARGETED: SkipReason.UNTARGETED,
    HoldReason.SHORT_POSITION: SkipReason.SHORT_POSITION,
    HoldReason.ASSET_CLASS: SkipReason.ASSET_CLASS,
}


@dataclass(frozen=True, slots=True)
class PlannedOrder:
    """A market order the plan wants placed, valued at the price it was planned with.

    ``qty`` in units of the asset, ``price`` in USD with its time and source;
    ``exit`` marks the sale of a whole position.
    """

    symbol: str
    side: Side
    qty: Decimal
    price: Decimal
    price_as_of: datetime | None = None
    price_source: str = ""
    asset_class: AssetClass = AssetClass.US_EQUITY
    exit: bool = False

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
class BuyBudget:
    """What buys may spend (USD), and every limit that went into it.

    ``spendable`` = the smallest of cash less short proceeds, buying power, and
    equity not yet invested (equity - long market value), less what open buy
    orders may spend and the cash buffer (docs/rebalancing.md, "Never borrow").
    ``buying_power`` is ``None`` when the broker gave none (an offline snapshot).
    """

    cash: Decimal
    buying_power: Decimal | None
    uninvested: Decimal
    short_proceeds: Decimal
    open_orders: Decimal
    buffer: Decimal

    @property
    def spendable(self) -> Decimal:
        limits = [self.cash - self.short_proceeds, self.uninvested]
        if self.buying_power is not None:
            limits.append(self.buying_power)
        return min(limits) - self.open_orders - self.buffer

    def summary(self) -> str:
        """The limits in words, for a message."""
        power = f", buying power {usd(self.buying_power)}" if self.buying_power is not None else ""
        return (
            f"cash {usd(self.cash)} less short proceeds {usd(self.short_proceeds)}{power}, "
            f"uninvested equity {usd(self.uninvested)}; less open orders "
            f"{usd(self.open_orders)} and the buffer {usd(self.buffer)}"
        )


@dataclass(frozen=True, slots=True)
class Plan:
    outcome: PlanOutcome
    message: str
    portfolio_value: Decimal
    drift: tuple[DriftRow, ...] = ()
    orders: tuple[PlannedOrder, ...] = ()
    skipped: tuple[SkippedTrade, ...] = ()
    budget: BuyBudget | None = field(default=None)

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
    """Cash held back from buys (USD): ``cash_buffer_percent`` of the portfolio value."""
    return portfolio_value * policy.cash_buffer_percent / HUNDRED


def open_order_reserve(portfolio: Portfolio) -> Decimal:
    """USD the account's open buy orders may still spend (priced at the freshest price known)."""
    total = ZERO
    for order in portfolio.open_orders:
        candidates = portfolio.price_candidates(order.symbol)
        total += order.reserved_cash(candidates[0].price if candidates else None)
    return total


def buy_budget(portfolio: Portfolio, policy: Policy, sell_proceeds: Decimal = ZERO) -> BuyBudget:
    """The budget for buys once sells worth ``sell_proceeds`` USD have filled.

    A live run calls this again on the account it re-reads after its sells, so the
    preview and the live run size buys with the same limits.
    """
    power = portfolio.buying_power
    return BuyBudget(
        cash=portfolio.cash + sell_proceeds,
        buying_power=power + sell_proceeds if power is not None else None,
        uninvested=portfolio.value - portfolio.long_value + sell_proceeds,
        short_proceeds=portfolio.short_proceeds,
        open_orders=open_order_reserve(portfolio),
        buffer=cash_buffer(portfolio.value, policy),
    )


def trade_price(
    symbol: str, side: Side, portfolio: Portfolio, policy: Policy
) -> PriceChoice | SkippedTrade:
    """The price to size a trade of ``symbol`` on, or the skip saying why there is none."""
    choice = choose_price(portfolio, symbol, policy.max_price_age)
    if choice.point is not None:
        return choice
    if choice.stale is None:
        return SkippedTrade(symbol, side, SkipReason.NO_PRICE, f"no price for {symbol}")
    when = choice.stale.as_of.isoformat() if choice.stale.as_of else "an unknown time"
    limit = f" (older than {choice.cutoff.isoformat()})" if choice.cutoff else ""
    return SkippedTrade(
        symbol,
        side,
        SkipReason.STALE_PRICE,
        f"{symbol}'s last price ${choice.stale.price} is from {when}{limit}; "
        "not trading on a stale price",
    )


def _sized(
    symbol: str,
    side: Side,
    qty: Decimal,
    point: PricePoint,
    portfolio: Portfolio,
    policy: Policy,
    *,
    exit: bool = False,
) -> PlannedOrder | SkippedTrade:
    """Round ``qty`` for the asset and keep it only if it is a trade worth placing.

    An exit sells exactly the quantity held (dust included) and needs only the
    broker's $1 minimum, not the user's minimum trade.
    """
    asset = portfolio.asset(symbol)
    price = point.price
    if not asset.tradable:
        return SkippedTrade(symbol, side, SkipReason.NOT_TRADABLE, f"{symbol} is not tradable")
    rounded = (
        qty
        if exit
        else round_qty_down(
            qty, fractionable=asset.fractionable, increment=asset.min_trade_increment
        )
    )
    minimum = BROKER_MIN_NOTIONAL if exit else policy.min_order
    if rounded <= ZERO and not asset.fractionable and qty * price >= minimum:
        return SkippedTrade(
            symbol,
            side,
            SkipReason.UNDER_ONE_SHARE,
            f"{side} of {symbol} is less than one whole share and {symbol} is not fractionable",
        )
    if asset.min_order_size is not None and rounded < asset.min_order_size:
        return SkippedTrade(
            symbol,
            side,
            SkipReason.BELOW_MIN_ORDER_SIZE,
            f"{side} of {qty.normalize():f} {symbol} is under its minimum order size "
            f"of {asset.min_order_size.normalize():f}",
        )
    if rounded * price < minimum:
        return _below_minimum(symbol, side, rounded * price, minimum)
    return PlannedOrder(
        symbol,
        side,
        rounded,
        price,
        point.as_of,
        point.source,
        portfolio.asset_class(symbol),
        exit,
    )


def _below_minimum(symbol: str, side: Side, amount: Decimal, minimum: Decimal) -> SkippedTrade:
    return SkippedTrade(
        symbol,
        side,
        SkipReason.BELOW_MINIMUM,
        f"{side} of {symbol} for {usd_under(amount, minimum)} is under the "
        f"{usd(minimum)} minimum trade",
    )


def fit_buys(
    wants: Sequence[BuyWant], spendable: Decimal, portfolio: Portfolio, policy: Policy
) -> tuple[list[PlannedOrder], list[SkippedTrade]]:
    """Size buys to ``spendable`` dollars, scaling them down together when short.

    Wants under the minimum or without a usable price are skipped first, so they
    take no share of the cash. Used when planning and again in a live run once the
    sells have filled and the real buying power is known.
    """
    skipped: list[SkippedTrade] = []
    priced: list[tuple[BuyWant, PricePoint]] = []
    for want in wants:
        if want.amount < policy.min_order:
            # Too small even with unlimited cash: say so rather than blame the cash.
            skipped.append(_below_minimum(want.symbol, Side.BUY, want.amount, policy.min_order))
            continue
        choice = trade_price(want.symbol, Side.BUY, portfolio, policy)
        if isinstance(choice, SkippedTrade):
            skipped.append(choice)
        else:
            assert choice.point is not None
            priced.append((want, choice.point))
    wanted = sum((w.amount for w, _ in priced), ZERO)
    if wanted <= ZERO:
        return [], skipped
    scale = Decimal(1) if spendable >= wanted else max(spendable, ZERO) / wanted
    orders: list[PlannedOrder] = []
    for want, point in priced:
        if scale <= ZERO:
            skipped.append(
                SkippedTrade(
                    want.symbol,
                    Side.BUY,
                    SkipReason.NO_CASH,
                    f"no cash left to buy {want.symbol} after sells, reserves and the cash buffer",
                )
            )
            continue
        qty = want.amount * scale / point.price
        result = _sized(want.symbol, Side.BUY, qty, point, portfolio, policy)
        if isinstance(result, PlannedOrder):
            orders.append(result)
        else:
            skipped.append(result)
    return orders, skipped


def _no_trade_message(skipped: Sequence[SkippedTrade], policy: Policy) -> str:
    if skipped and all(s.reason is SkipReason.BELOW_MINIMUM for s in skipped):
        return (
            f"Drift found, but every trade is under the {usd(policy.min_order)} minimum; no orders"
        )
    return "Drift found, but no trade could be planned; see skipped"


def _row_trade(
    row: DriftRow,
    portfolio: Portfolio,
    policy: Policy,
    symbols: Collection[str] | None,
) -> PlannedOrder | BuyWant | SkippedTrade:
    """What one drifted row asks for: a sell, dollars to buy, or the reason for neither."""
    side = Side(row.action)
    if symbols is not None and row.symbol not in symbols:
        return SkippedTrade(
            row.symbol,
            side,
            SkipReason.NOT_SELECTED,
            f"{row.symbol} was not among the symbols selected for this run",
        )
    if row.symbol in portfolio.open_order_symbols:
        return SkippedTrade(
            row.symbol,
            side,
            SkipReason.OPEN_ORDER,
            f"{row.symbol} has an open order; left alone until it finishes",
        )
    gap = row.target_percent * portfolio.value / HUNDRED - portfolio.market_value(row.symbol)
    if row.action is Action.BUY:
        return BuyWant(row.symbol, gap)
    priced = trade_price(row.symbol, side, portfolio, policy)
    if isinstance(priced, SkippedTrade):
        return priced
    assert priced.point is not None
    held = portfolio.held_qty(row.symbol)
    qty = held if row.exit else min(-gap / priced.point.price, held)
    return _sized(row.symbol, side, qty, priced.point, portfolio, policy, exit=row.exit)


def _outcome(
    drift: Sequence[DriftRow],
    sells: Sequence[PlannedOrder],
    buys: Sequence[PlannedOrder],
    skipped: Sequence[SkippedTrade],
    policy: Policy,
) -> tuple[PlanOutcome, str]:
    if sells or buys:
        return (
            PlanOutcome.PLANNED,
            f"Rebalancing planned: {len(sells)} sell(s), {len(buys)} buy(s)",
        )
    if any(row.needs_rebalance for row in drift):
        held = set(_HOLD_SKIPS.values())
        return (
            PlanOutcome.NO_WORTHWHILE_TRADE,
            _no_trade_message([s for s in skipped if s.reason not in held], policy),
        )
    return (
        PlanOutcome.WITHIN_BANDS,
        "All holdings are within their drift bands; no rebalancing needed",
    )


def valuation_message(portfolio: Portfolio) -> str:
    """Why a run stops when the broker's equity and the sum of its parts disagree."""
    positions = portfolio.parts_value - portfolio.cash
    return (
        f"Cannot rebalance: the broker's figures disagree. Equity is {usd(portfolio.value)} "
        f"but cash {usd(portfolio.cash)} + positions {usd(positions)} = "
        f"{usd(portfolio.parts_value)} ({usd(abs(portfolio.valuation_gap))} "
        "apart); no orders. Check again in a moment"
    )


def plan_rebalance(
    targets: Sequence[Target],
    portfolio: Portfolio,
    policy: Policy | None = None,
    symbols: Collection[str] | None = None,
) -> Plan:
    """Plan the orders that bring ``portfolio`` back to ``targets``.

    ``symbols`` limits trading to those symbols (drift is still reported for all).
    Every edge case the seed names gives a plan with no orders and a clear message,
    as does a valuation that does not add up.
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
            f"Portfolio value is {usd(value)}; nothing to rebalance",
            value,
        )

    drift = analyse_drift(active, portfolio, policy)
    if not portfolio.valuation_agrees:
        return Plan(
            PlanOutcome.VALUATION_MISMATCH, valuation_message(portfolio), value, tuple(drift)
        )
    skipped: list[SkippedTrade] = []
    sells: list[PlannedOrder] = []
    wants: list[BuyWant] = []
    for row in drift:
        if row.hold_reason is not None:
            skipped.append(
                SkippedTrade(row.symbol, None, _HOLD_SKIPS[row.hold_reason], row.note or "")
            )
            continue
        if not row.needs_rebalance:
            continue
        trade = _row_trade(row, portfolio, policy, symbols)
        if isinstance(trade, PlannedOrder):
            sells.append(trade)
        elif isinstance(trade, BuyWant):
            wants.append(trade)
        else:
            skipped.append(trade)

    budget = buy_budget(portfolio, policy, sum((o.notional for o in sells), ZERO))
    buys, buy_skips = fit_buys(wants, budget.spendable, portfolio, policy)
    skipped.extend(buy_skips)
    outcome, message = _outcome(drift, sells, buys, skipped, policy)
    return Plan(outcome, message, value, tuple(drift), tuple(sells + buys), tuple(skipped), budget)
