"""Turn drift into orders: sells first, buys sized to the cash those sells leave.

The rules are in docs/rebalancing.md. In short: a symbol is traded only past its
band (an exit, always); qty = |target value - current value| / price, rounded
toward less trading (the asset's increment, whole shares, or 9 decimals); never
more than is held is sold and an exit sells all of it; buys are scaled down
together to fit ``BuyBudget.spendable`` (never borrowed money, a short's proceeds,
cash open orders may spend, or the buffer); trades under the minimum, on a stale
price, of a short or of a class the planner does not trade are skipped with the
reason.

The policy's options (docs/policies.md) change which symbols trade and how far:
relative bands, whole-book scope, trading to the band edge or halfway, investing
idle cash, cash-flow and withdrawal modes, a cash floor or target, optimal whole
shares and tax-aware selling. Their defaults are the rules above.

The steps (``Planner.plan``): drift rows (``domain.drift.drift_against``, on the bands
``prepare_planner`` worked out once for the targets and policy) → intents (dollars per
symbol and why: ``_band_intents``, ``_withdrawal_intents``, ``_invest_cash``) →
``_row_trade`` per intent (a sell, a buy want, or a skip) → ``buy_budget`` →
``size_buys`` → ``_outcome``, with a ``SymbolDecision`` per drift row. Under optimal whole shares a
sell of a whole-share asset is a ``WholeSell`` whose count ``size_buys`` chooses with
the buys.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from trimtab.domain.bands import trade_gap
from trimtab.domain.cash_rules import (
    cash_buffer,
    cash_kept,
    curing_deposit,
    invested_base,
)
from trimtab.domain.drift import DriftRow, HoldReason, TargetBands, drift_against
from trimtab.domain.money import HUNDRED, ONE_SHARE, ZERO, round_qty_down, usd, usd_under
from trimtab.domain.policy import (
    BROKER_MIN_NOTIONAL,
    CashMode,
    Policy,
    Scope,
    TradeTo,
    WholeShares,
)
from trimtab.domain.portfolio import AssetClass, Portfolio, PricePoint, Side
from trimtab.domain.prices import choose_price, usable_price
from trimtab.domain.records import quick_constructor, quick_init
from trimtab.domain.targets import Target, check_sum, enabled_targets
from trimtab.domain.tax_lots import (
    LotHistory,
    Term,
    bought_within,
    lots_for,
    select_lots,
    wash_sale_buy_blocked,
)
from trimtab.errors import InvalidTargets
from trimtab.wording import counted

# Enum members the code below reads on every plan, looked up once: on Python 3.11
# ``Side.BUY`` goes through the slow hook of ``EnumType.__getattr__`` (it costs as much
# as a Decimal addition), and a plan asks for a side several times per symbol.
_BUY = Side.BUY
_SELL = Side.SELL
_OPTIMAL = WholeShares.OPTIMAL
_ROUND_DOWN = WholeShares.ROUND_DOWN
_REBALANCE = CashMode.REBALANCE
_CASH_FLOW = CashMode.CASH_FLOW
_WHOLE_BOOK = Scope.WHOLE_BOOK
_TO_TARGET = TradeTo.TARGET


class PlanOutcome(StrEnum):
    PLANNED = "planned"
    WITHIN_BANDS = "within_bands"
    NO_WORTHWHILE_TRADE = "no_worthwhile_trade"
    ZERO_VALUE = "zero_value"
    NO_TARGETS = "no_targets"
    INVALID_TARGETS = "invalid_targets"
    VALUATION_MISMATCH = "valuation_mismatch"
    #: Never from the planner: a live check whose planned orders the risk switch (or the
    #: account's own block) stopped, so the contract's outcome agrees with the run's
    #: ``blocked_by_risk`` status (services/rebalance.py).
    BLOCKED_BY_RISK = "blocked_by_risk"


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
    WASH_SALE = "wash_sale"
    SHORT_TERM_GAIN = "short_term_gain"


class Reason(StrEnum):
    """Why a symbol is traded or left alone (a ``SkipReason`` when a wanted trade was dropped)."""

    PAST_BAND = "past_band"
    WITHIN_BAND = "within_band"
    WHOLE_BOOK = "whole_book"
    CASH_INVESTED = "cash_invested"
    CASH_FLOW = "cash_flow"
    CASH_FLOW_NO_SELL = "cash_flow_no_sell"
    WITHDRAWAL = "withdrawal"
    NOT_NEEDED = "not_needed"
    EXIT = "exit"


#: Looked up once (see ``_BUY``). A past-band reason's message is worded by
#: ``_decisions`` (``_drift_message``).
_PLANNED = PlanOutcome.PLANNED
_PAST_BAND: tuple[Reason, str | None] = (Reason.PAST_BAND, None)


@quick_init
@dataclass(frozen=True, slots=True)
class SymbolDecision:
    """One symbol's verdict: ``reason`` is a ``Reason`` or ``SkipReason`` value."""

    symbol: str
    traded: bool
    reason: str
    message: str


_HOLD_SKIPS = {
    HoldReason.UNTARGETED: SkipReason.UNTARGETED,
    HoldReason.SHORT_POSITION: SkipReason.SHORT_POSITION,
    HoldReason.ASSET_CLASS: SkipReason.ASSET_CLASS,
}


@quick_init
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
    #: A tax-aware sell's estimated realised gain (USD, negative: a loss) per term.
    estimated_gain: Mapping[Term, Decimal] | None = None

    @property
    def notional(self) -> Decimal:
        return self.qty * self.price


@quick_init
@dataclass(frozen=True, slots=True)
class SkippedTrade:
    """A trade the drift called for but the plan leaves out, and why."""

    symbol: str
    side: Side | None
    reason: SkipReason
    message: str


@quick_init
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
        # The smallest limit, the first of equal ones, as ``min`` would pick it.
        lowest = self.cash - self.short_proceeds
        if self.uninvested < lowest:
            lowest = self.uninvested
        power = self.buying_power
        if power is not None and power < lowest:
            lowest = power
        return lowest - self.open_orders - self.buffer

    def summary(self) -> str:
        """The limits in words, for a message."""
        power = f", buying power {usd(self.buying_power)}" if self.buying_power is not None else ""
        return (
            f"cash {usd(self.cash)} less short proceeds {usd(self.short_proceeds)}{power}, "
            f"uninvested equity {usd(self.uninvested)}; less open orders "
            f"{usd(self.open_orders)} and the buffer {usd(self.buffer)}"
        )


@quick_init
@dataclass(frozen=True, slots=True)
class Plan:
    outcome: PlanOutcome
    message: str
    portfolio_value: Decimal
    drift: tuple[DriftRow, ...] = ()
    orders: tuple[PlannedOrder, ...] = ()
    skipped: tuple[SkippedTrade, ...] = ()
    budget: BuyBudget | None = field(default=None)
    decisions: tuple[SymbolDecision, ...] = ()
    #: The deposit (USD) that reaches every target by buying alone; None: none does.
    curing_deposit: Decimal | None = None

    def realised_gain(self, term: Term) -> Decimal:
        """Estimated gain (USD) the planned sells realise in ``term`` (tax-aware plans only)."""
        return sum(
            (o.estimated_gain.get(term, ZERO) for o in self.orders if o.estimated_gain), ZERO
        )

    @property
    def needs_rebalance(self) -> bool:
        return any(row.needs_rebalance for row in self.drift)

    @property
    def sells(self) -> tuple[PlannedOrder, ...]:
        return tuple(o for o in self.orders if o.side is _SELL)

    @property
    def buys(self) -> tuple[PlannedOrder, ...]:
        return tuple(o for o in self.orders if o.side is _BUY)


@quick_init
@dataclass(frozen=True, slots=True)
class BuyWant:
    """Dollars a symbol is short of its target, before cash limits."""

    symbol: str
    amount: Decimal


#: The records a plan makes per symbol, made without ``type.__call__``
#: (``quick_constructor``): a backtest makes thousands.
_new_order = quick_constructor(PlannedOrder)
_new_want = quick_constructor(BuyWant)
_new_budget = quick_constructor(BuyBudget)
_new_plan = quick_constructor(Plan)


@dataclass(frozen=True, slots=True)
class WholeSell:
    """A sell of ``amount`` USD (> 0) of a whole-share asset, its count left to ``size_buys``.

    At most ``sellable`` whole shares; ``point`` is the price it is sized on, at least the
    minimum trade, so any whole share sold is an order worth placing.
    """

    symbol: str
    amount: Decimal
    point: PricePoint
    sellable: int

    @property
    def expected(self) -> Decimal:
        """Proceeds (USD) of the nearest whole-share sell, before the joint choice."""
        shares = (self.amount / self.point.price).quantize(ONE_SHARE, rounding=ROUND_HALF_UP)
        return min(shares, Decimal(self.sellable)) * self.point.price


@dataclass(frozen=True, slots=True)
class TaxContext:
    """What tax-aware selling needs: the day, recorded lots and the broker's cost basis.

    ``cost_basis`` maps symbol to the average entry price (USD per share).
    """

    today: date
    history: LotHistory | None = None
    cost_basis: Mapping[str, Decimal] = field(default_factory=dict)


def open_order_reserve(portfolio: Portfolio) -> Decimal:
    """USD the account's open buy orders may still spend (priced at the freshest price known)."""
    total = ZERO
    for order in portfolio.open_orders:
        candidates = portfolio.price_candidates(order.symbol)
        total += order.reserved_cash(candidates[0].price if candidates else None)
    return total


def buy_budget(
    portfolio: Portfolio,
    policy: Policy,
    sell_proceeds: Decimal = ZERO,
    buffer: Decimal | None = None,
) -> BuyBudget:
    """The budget for buys once sells worth ``sell_proceeds`` USD have filled.

    A live run calls this again on the account it re-reads after its sells, so the
    preview and the live run size buys with the same limits. ``buffer`` is
    ``cash_buffer(portfolio.value, policy)`` when the caller has it already.
    """
    power = portfolio.buying_power
    # Portfolio.long_value and Portfolio.short_proceeds, added up in one pass.
    long_value = shorts = ZERO
    for holding in portfolio.holdings.values():
        if holding.market_value > ZERO:
            long_value += holding.market_value
        if holding.qty < ZERO:
            shorts += holding.market_value
    return _new_budget(
        cash=portfolio.cash + sell_proceeds,
        buying_power=power + sell_proceeds if power is not None else None,
        uninvested=portfolio.value - long_value + sell_proceeds,
        short_proceeds=-shorts,
        open_orders=open_order_reserve(portfolio),
        buffer=cash_buffer(portfolio.value, policy) if buffer is None else buffer,
    )


def trade_price(
    symbol: str, side: Side, portfolio: Portfolio, policy: Policy
) -> PricePoint | SkippedTrade:
    """The price to size a trade of ``symbol`` on, or the skip saying why there is none."""
    return usable_price(portfolio, symbol, policy.max_price_age) or _no_price(
        symbol, side, portfolio, policy
    )


def _no_price(symbol: str, side: Side, portfolio: Portfolio, policy: Policy) -> SkippedTrade:
    """Why ``symbol`` has no price to trade on (``usable_price`` found none)."""
    choice = choose_price(portfolio, symbol, policy.max_price_age)
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
    minimum: Decimal,
    *,
    exit: bool = False,
) -> PlannedOrder | SkippedTrade:
    """Round ``qty`` for the asset and keep it only if it is a trade worth placing:
    worth at least ``minimum`` USD (the policy's ``min_order``, which the callers have
    at hand).

    An exit sells exactly the quantity held (dust included) and needs only the
    broker's $1 minimum, not the user's minimum trade.
    """
    # ``Portfolio.asset`` without the call for an asset the broker described (the usual).
    asset = portfolio.assets.get(symbol) or portfolio.asset(symbol)
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
    if exit:
        minimum = BROKER_MIN_NOTIONAL
    if not asset.fractionable and rounded <= ZERO and qty * price >= minimum:
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
    notional = rounded * price
    if notional < minimum:
        return _below_minimum(symbol, side, notional, minimum)
    # The holding's class as the broker reported it, else the asset's (Portfolio.asset_class).
    holding = portfolio.holdings.get(symbol)
    return _new_order(
        symbol,
        side,
        rounded,
        price,
        point.as_of,
        point.source,
        asset.asset_class if holding is None else holding.asset_class,
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
    take no share of the cash. When short, a buy that scaling takes under the minimum
    trade is skipped, the smallest first, and its share goes to the others, so no cash a
    buy worth placing could use is left over (``docs/rebalancing.md``). Used when
    planning and again in a live run once the sells have filled and the real buying
    power is known.
    """
    skipped: list[SkippedTrade] = []
    priced: list[tuple[BuyWant, PricePoint]] = []
    minimum = policy.min_order
    max_age = policy.max_price_age
    for want in wants:
        if want.amount < minimum:
            # Too small even with unlimited cash: say so rather than blame the cash.
            skipped.append(_below_minimum(want.symbol, _BUY, want.amount, minimum))
            continue
        # ``trade_price``, with a call less per buy of every plan.
        point = usable_price(portfolio, want.symbol, max_age)
        if point is None:
            skipped.append(_no_price(want.symbol, _BUY, portfolio, policy))
        else:
            priced.append((want, point))
    wanted = ZERO  # added up as sum(..., ZERO) would, without a generator
    smallest: Decimal | None = None
    for want, _ in priced:
        amount = want.amount
        wanted += amount
        if smallest is None or amount < smallest:
            smallest = amount
    if wanted <= ZERO:
        return [], skipped
    scale = ONE_SHARE if spendable >= wanted else max(spendable, ZERO) / wanted
    # A buy scaled under the minimum is dropped, smallest first, and the others share
    # its cash: otherwise that cash stays idle and the next plan buys again with it.
    # (Sorted only when the smallest one is dropped: the usual plan drops none.)
    dropped: dict[int, Decimal] = {}
    if ZERO < scale < ONE_SHARE and smallest is not None and smallest * scale < minimum:
        for index in sorted(range(len(priced)), key=lambda i: priced[i][0].amount):
            amount = priced[index][0].amount
            if amount * scale >= minimum:
                break
            dropped[index] = amount * scale
            wanted -= amount
            if wanted <= ZERO:
                break
            scale = ONE_SHARE if spendable >= wanted else spendable / wanted
    orders: list[PlannedOrder] = []
    no_cash = scale <= ZERO
    for index, (want, point) in enumerate(priced):
        if index in dropped:
            skipped.append(_below_minimum(want.symbol, _BUY, dropped[index], minimum))
            continue
        if no_cash:
            skipped.append(
                SkippedTrade(
                    want.symbol,
                    _BUY,
                    SkipReason.NO_CASH,
                    f"no cash left to buy {want.symbol} after sells, reserves and the cash buffer",
                )
            )
            continue
        qty = want.amount * scale / point.price
        result = _sized(want.symbol, _BUY, qty, point, portfolio, minimum)
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
    amount: Decimal | None = None,
    tax: TaxContext | None = None,
) -> PlannedOrder | BuyWant | WholeSell | SkippedTrade | tuple[PlannedOrder | None, SkippedTrade]:
    """What one row asks for: a sell, dollars to buy, or the reason for neither.

    ``amount`` is the USD to trade (positive: buy); by default the gap to target. A
    tax-aware sell that holds lots back returns the (possibly absent) smaller sell
    with the skip that says why. Under optimal whole shares a sell of a whole-share
    asset is a ``WholeSell``: its count is chosen with the buys.
    """
    if amount is None:
        amount = row.target_percent * portfolio.value / HUNDRED - portfolio.market_value(row.symbol)
    side = _BUY if amount > ZERO and not row.exit else _SELL
    if symbols is not None and row.symbol not in symbols:
        return SkippedTrade(
            row.symbol,
            side,
            SkipReason.NOT_SELECTED,
            f"{row.symbol} was not among the symbols selected for this run",
        )
    if portfolio.open_orders and row.symbol in portfolio.open_order_symbols:
        return SkippedTrade(
            row.symbol,
            side,
            SkipReason.OPEN_ORDER,
            f"{row.symbol} has an open order; left alone until it finishes",
        )
    if side is _BUY:
        return _new_want(row.symbol, amount)
    # ``trade_price``, with a call less per sell of every plan.
    point = usable_price(portfolio, row.symbol, policy.max_price_age)
    if point is None:
        return _no_price(row.symbol, side, portfolio, policy)
    held = portfolio.held_qty(row.symbol)
    if row.exit:
        qty = held
    else:
        # Never more than is held (``min`` written out: calling it costs nearly as much
        # as the division).
        qty = -amount / point.price
        if held < qty:
            qty = held
    if (
        not row.exit
        and policy.whole_shares is _OPTIMAL
        and not (asset := portfolio.asset(row.symbol)).fractionable
    ):
        if (
            asset.tradable
            and point.price >= policy.min_order
            and not (policy.tax_aware and tax is not None)
        ):
            sellable = int(round_qty_down(held, fractionable=False))
            return WholeSell(row.symbol, -amount, point, sellable)
        # The nearest whole share is this line's own least residual drift.
        qty = min(qty.quantize(ONE_SHARE, rounding=ROUND_HALF_UP), held)
    held_back: SkippedTrade | None = None
    gains: Mapping[Term, Decimal] | None = None
    if policy.tax_aware and tax is not None:
        qty, why, gains = _tax_aware_sell(row.symbol, qty, point.price, portfolio, policy, tax)
        if why is not None:
            reason, text = _HELD_BACK[why]
            message = f"sell of {row.symbol}: " + text.format(
                symbol=row.symbol, days=policy.wash_sale_days, period=policy.holding_period_days
            )
            held_back = SkippedTrade(row.symbol, _SELL, reason, message)
            if qty <= ZERO:
                return held_back
    result = _sized(row.symbol, side, qty, point, portfolio, policy.min_order, exit=row.exit)
    if isinstance(result, PlannedOrder) and gains is not None:
        result = replace(result, estimated_gain=gains)
    if held_back is not None:
        return (result if isinstance(result, PlannedOrder) else None, held_back)
    return result


def size_buys(
    wants: Sequence[BuyWant],
    spendable: Decimal,
    portfolio: Portfolio,
    policy: Policy,
    whole_sells: Sequence[WholeSell] = (),
) -> tuple[list[PlannedOrder], list[SkippedTrade]]:
    """Size buys to ``spendable`` USD: the classic ``fit_buys``, or optimal whole shares.

    With ``WholeShares.OPTIMAL``, wants are scaled together when cash is short (as the
    seed does) and fractionable symbols take their share exactly. The whole-share
    buys and ``whole_sells`` then get the signed counts with the least residual under
    the cash left plus what those sells raise (``optimal_trades``), and what is left
    over goes back to the fractionable symbols, up to what each wanted. The orders
    returned include the sells.
    """
    if policy.whole_shares is _ROUND_DOWN:
        return fit_buys(wants, spendable, portfolio, policy)
    wanted = sum((w.amount for w in wants), ZERO)
    expected = sum((s.expected for s in whole_sells), ZERO)
    if not whole_sells and (wanted <= ZERO or spendable <= ZERO):
        return fit_buys(wants, spendable, portfolio, policy)
    # Only optimal whole shares needs the search: a plain plan (`trimtab plan`) skips its import.
    from trimtab.domain.whole_shares import ShareTrade, optimal_trades

    scale = min(Decimal(1), max(spendable + expected, ZERO) / wanted) if wanted > ZERO else ZERO
    lines = [ShareTrade(s.symbol, -s.amount, s.point.price, s.sellable) for s in whole_sells]
    points = {s.symbol: s.point for s in whole_sells}
    fractional: dict[str, Decimal] = {}
    others: list[BuyWant] = []
    for want in wants:
        asset = portfolio.asset(want.symbol)
        priced = trade_price(want.symbol, _BUY, portfolio, policy)
        if want.amount < policy.min_order or isinstance(priced, SkippedTrade) or not asset.tradable:
            others.append(want)
            continue
        points[want.symbol] = priced
        if asset.fractionable:
            fractional[want.symbol] = want.amount * scale
        else:
            # The whole gap, not its scaled share: the cash limit binds in the search.
            lines.append(ShareTrade(want.symbol, want.amount, priced.price))
    budget = spendable - sum(fractional.values(), ZERO)
    chosen = optimal_trades(lines, budget)
    left = budget - chosen.spent
    wanted_by = {w.symbol: w.amount for w in wants}
    for symbol, amount in fractional.items():
        extra = min(max(left, ZERO), wanted_by[symbol] - amount)
        fractional[symbol] = amount + extra
        left -= extra
    orders: list[PlannedOrder] = []
    _, skipped = fit_buys(others, spendable, portfolio, policy)
    selling = {s.symbol for s in whole_sells}
    for symbol, point in points.items():
        side = _SELL if symbol in selling else _BUY
        if symbol in fractional:
            qty = fractional[symbol] / point.price
        else:
            qty = Decimal(abs(chosen.qty[symbol]))
            if qty == ZERO:
                skipped.append(_no_whole_share(symbol, side))
                continue
        result = _sized(symbol, side, qty, point, portfolio, policy.min_order)
        if isinstance(result, PlannedOrder):
            orders.append(result)
        else:
            skipped.append(result)
    return _within_cash(orders, skipped, spendable, portfolio, policy)


def _no_whole_share(symbol: str, side: Side) -> SkippedTrade:
    return SkippedTrade(
        symbol,
        side,
        SkipReason.UNDER_ONE_SHARE,
        f"whole shares: no {side} of {symbol} leaves the least drift within the cash",
    )


def _within_cash(
    orders: list[PlannedOrder],
    skipped: list[SkippedTrade],
    spendable: Decimal,
    portfolio: Portfolio,
    policy: Policy,
) -> tuple[list[PlannedOrder], list[SkippedTrade]]:
    """``orders`` unchanged when the buys fit the cash the sells among them raise.

    A sell the search counted on cannot go missing (its price is at least the minimum
    trade), but should one, the buys are sized again with ``fit_buys``.
    """
    sells = [o for o in orders if o.side is _SELL]
    buys = [o for o in orders if o.side is _BUY]
    cash = spendable + sum((o.notional for o in sells), ZERO)
    if sum((o.notional for o in buys), ZERO) <= cash:
        return orders, skipped
    again, more = fit_buys([BuyWant(o.symbol, o.notional) for o in buys], cash, portfolio, policy)
    return sells + again, skipped + more


@dataclass(slots=True)
class _Intents:
    """Dollars each symbol should trade (positive: buy), and why, before sizing.

    A reason's message is ``None`` for ``Reason.PAST_BAND``: ``_decisions`` words it from
    the drift row, so a plan that is not explained never formats it.
    """

    amounts: dict[str, Decimal] = field(default_factory=dict)
    reasons: dict[str, tuple[Reason, str | None]] = field(default_factory=dict)

    def want(self, symbol: str, amount: Decimal, reason: Reason, message: str) -> None:
        self.amounts[symbol] = self.amounts.get(symbol, ZERO) + amount
        self.reasons[symbol] = (reason, message)


def _band_intents(
    rows: Sequence[DriftRow], base: Decimal, value: Decimal, policy: Policy
) -> tuple[_Intents, dict[str, Decimal]]:
    """The classic band rule, with the policy's scope and how far to trade.

    Also returns each row's gap: USD to its target share of ``base`` (negative: over).
    """
    intents = _Intents()
    amounts, reasons = intents.amounts, intents.reasons
    gaps: dict[str, Decimal] = {}
    whole_book = policy.scope is _WHOLE_BOOK and any(r.needs_rebalance for r in rows)
    trade_to = policy.trade_to
    to_target = trade_to is _TO_TARGET
    # USD per pp of ``base``, exact: dividing by 100 only moves the exponent, and so each
    # target's share below has the very value ``target_percent * base / 100`` has (the
    # rounding to the context's digits does not depend on the exponent).
    per_point = base / HUNDRED
    for row in rows:
        # A row's market_value is the portfolio's for its symbol (0 when not held).
        amount = gaps[row.symbol] = row.target_percent * per_point - row.market_value
        if not (row.needs_rebalance or whole_book):
            continue
        if not to_target:
            edge = row.threshold_percent * value / HUNDRED
            amount = trade_gap(amount, edge, trade_to)
        if amount == ZERO:
            continue
        if row.needs_rebalance:
            why = _PAST_BAND
        else:
            why = (Reason.WHOLE_BOOK, "inside its band; traded with the whole book")
        # ``_Intents.want``, without adding to 0 the first time (the usual: one row a
        # symbol, unless it is targeted twice).
        earlier = amounts.get(row.symbol)
        amounts[row.symbol] = amount if earlier is None else earlier + amount
        reasons[row.symbol] = why
    return intents, gaps


def _invest_cash(
    intents: _Intents,
    rows: Sequence[DriftRow],
    gaps: Mapping[str, Decimal],
    spare: Decimal,
    reason: Reason,
    portfolio: Portfolio,
    policy: Policy,
) -> list[SkippedTrade]:
    """Give ``spare`` USD to the underweights, most underweight (pp) first, each up to target.

    An underweight with no price to buy at (not listed yet, or only a stale price) is
    passed over, so that its share goes to the next one rather than sit idle. Returned:
    why each one passed over got nothing, but for one with a buy of its own already
    (told so when that buy is sized).
    """
    passed_over: dict[str, SkippedTrade] = {}  # once for a symbol targeted twice
    for row in sorted(rows, key=lambda r: r.drift_percent):
        if spare <= ZERO:
            break
        room = gaps[row.symbol] - max(intents.amounts.get(row.symbol, ZERO), ZERO)
        if room <= ZERO or intents.amounts.get(row.symbol, ZERO) < ZERO:
            continue
        if usable_price(portfolio, row.symbol, policy.max_price_age) is None:
            if row.symbol not in intents.amounts and row.symbol not in passed_over:
                passed_over[row.symbol] = _no_price(row.symbol, _BUY, portfolio, policy)
            continue
        amount = min(room, spare)
        spare -= amount
        text = (
            "cash-flow mode: new cash buys the underweights"
            if reason is Reason.CASH_FLOW
            else f"idle cash invested; {row.drift_percent:+z.2f} pp under target"
        )
        if row.symbol not in intents.reasons:
            intents.want(row.symbol, amount, reason, text)
        else:
            intents.amounts[row.symbol] += amount
    return list(passed_over.values())


def _withdrawal_intents(
    rows: Sequence[DriftRow],
    portfolio: Portfolio,
    value: Decimal,
    spare: Decimal,
    policy: Policy,
) -> _Intents:
    """Sell the most overweight first (against targets on the value after the withdrawal).

    ``spare`` is the cash (USD) already free to withdraw; only the rest is raised.
    """
    intents = _Intents()
    need = policy.withdrawal_amount - max(spare, ZERO)
    after = max(invested_base(value, policy) - policy.withdrawal_amount, ZERO)
    over = sorted(
        (
            (portfolio.market_value(r.symbol) - r.target_percent * after / HUNDRED, r.symbol)
            for r in rows
        ),
        reverse=True,
    )
    for excess, symbol in over:
        if need <= ZERO or excess <= ZERO:
            break
        amount = min(excess, need)
        need -= amount
        intents.want(
            symbol,
            -amount,
            Reason.WITHDRAWAL,
            f"sold to raise the {usd(policy.withdrawal_amount)} withdrawal",
        )
    return intents


def _tax_aware_sell(
    symbol: str,
    qty: Decimal,
    price: Decimal,
    portfolio: Portfolio,
    policy: Policy,
    tax: TaxContext,
) -> tuple[Decimal, str | None, Mapping[Term, Decimal] | None]:
    """Cap a sell to the lots tax-aware selling may give up; the gain per term of the result."""
    lots = lots_for(symbol, portfolio.held_qty(symbol), tax.history, tax.cost_basis.get(symbol))
    if not lots:
        return qty, None, None
    recent = bought_within(tax.history, symbol, tax.today, policy.wash_sale_days)

    def take(wanted: Decimal):  # type: ignore[no-untyped-def]
        return select_lots(
            lots,
            wanted,
            price,
            tax.today,
            holding_period_days=policy.holding_period_days,
            avoid_short_term_gains=policy.avoid_short_term_gains,
            bought_recently=recent,
        )

    selection = take(qty)
    asset = portfolio.asset(symbol)
    capped = min(
        qty,
        round_qty_down(
            selection.qty, fractionable=asset.fractionable, increment=asset.min_trade_increment
        ),
    )
    final = take(capped)
    gains = {term: final.gain(term) for term in Term if any(s.term is term for s in final.sales)}
    return capped, selection.held_back, gains


_HELD_BACK = {
    "wash_sale": (
        SkipReason.WASH_SALE,
        "its loss lots are held: {symbol} was bought in the last {days} days (wash sale)",
    ),
    "short_term_gain": (
        SkipReason.SHORT_TERM_GAIN,
        "its short-term gain lots are held (held {period} days or less)",
    ),
}


def _outcome(
    drift: Sequence[DriftRow],
    sells: Sequence[PlannedOrder],
    buys: Sequence[PlannedOrder],
    skipped: Sequence[SkippedTrade],
    policy: Policy,
    intended: bool = False,
) -> tuple[PlanOutcome, str]:
    if sells or buys:
        return (
            _PLANNED,
            f"Rebalancing planned: {counted(len(sells), 'sell')}, {counted(len(buys), 'buy')}",
        )
    if intended or any(row.needs_rebalance for row in drift):
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


class Planner:
    """Plans for one set of targets under one policy, for any number of portfolios.

    What depends on the targets and the policy alone (the enabled targets, whether they
    sum to 100 %, each symbol's band) is worked out once, when the planner is built
    (``prepare_planner``); ``plan`` then does only the per-portfolio work. A backtest
    plans hundreds of days with one planner; ``plan_rebalance`` builds one per call.
    Targets and policies are frozen, so a planner never goes stale.
    """

    __slots__ = ("_band_words", "_bands", "_refusal", "policy", "targets")

    def __init__(self, targets: Sequence[Target], policy: Policy | None = None) -> None:
        self.targets: tuple[Target, ...] = tuple(targets)
        self.policy: Policy = policy or Policy()
        active = enabled_targets(self.targets)
        #: Why every plan stops before looking at the portfolio, if it does.
        self._refusal: tuple[PlanOutcome, str] | None = None
        if not active:
            self._refusal = (
                PlanOutcome.NO_TARGETS,
                "No enabled target allocations; set targets before rebalancing",
            )
        else:
            try:
                check_sum(active, self.policy.sum_tolerance)
            except InvalidTargets as err:
                self._refusal = (PlanOutcome.INVALID_TARGETS, f"Cannot rebalance: {err}")
        self._bands = TargetBands.of(active, self.policy)
        # A band's wording per symbol, but for a symbol targeted twice (each row has its own).
        twice = {s for s, n in Counter(s for s, _, _ in self._bands.rows).items() if n > 1}
        self._band_words = {
            symbol: _band_wording(threshold)
            for symbol, _, threshold in self._bands.rows
            if symbol not in twice
        }

    def plan(
        self,
        portfolio: Portfolio,
        symbols: Collection[str] | None = None,
        tax: TaxContext | None = None,
        *,
        explain: bool = True,
    ) -> Plan:
        """Plan the orders that bring ``portfolio`` back to the targets (``plan_rebalance``).

        ``explain`` False leaves out what only explains the plan to a reader: ``decisions``
        is empty and ``curing_deposit`` is ``None``. The drift, orders, skips, budget and
        outcome are the very same (the same steps work them out). A backtest, which reads
        only the orders of hundreds of plans, plans this way: the explanations are about a
        fifth of a plan's work.
        """
        policy = self.policy
        value = portfolio.value
        if self._refusal is not None:
            outcome, message = self._refusal
            return Plan(outcome, message, value)
        if value <= ZERO:
            return Plan(
                PlanOutcome.ZERO_VALUE,
                f"Portfolio value is {usd(value)}; nothing to rebalance",
                value,
            )

        drift = drift_against(self._bands, portfolio, policy)
        if not portfolio.valuation_agrees:
            return Plan(
                PlanOutcome.VALUATION_MISMATCH, valuation_message(portfolio), value, tuple(drift)
            )
        skipped: list[SkippedTrade] = []
        dropped: dict[str, SkippedTrade] = {}

        def drop(skip: SkippedTrade) -> None:
            skipped.append(skip)
            dropped.setdefault(skip.symbol, skip)

        # Each row is held (never traded), an exit (sold whole) or free to rebalance.
        rows_by_symbol: dict[str, DriftRow] = {}
        free: list[DriftRow] = []
        exits: list[DriftRow] = []
        for row in drift:
            rows_by_symbol[row.symbol] = row
            if row.hold_reason is not None:
                drop(SkippedTrade(row.symbol, None, _HOLD_SKIPS[row.hold_reason], row.note or ""))
            elif row.exit:
                exits.append(row)
            elif row.targeted:
                free.append(row)
        base = invested_base(value, policy)
        buffer = cash_buffer(value, policy)  # worked out once for every budget below
        # Cash beyond the classic buffer that a floor or a target keeps back (USD).
        extra_kept = cash_kept(value, policy, buffer) - buffer
        if policy.cash_mode is _REBALANCE:
            intents, gaps = _band_intents(free, base, value, policy)
        else:
            gaps = {
                row.symbol: row.target_percent * base / HUNDRED - row.market_value for row in free
            }
            spare = buy_budget(portfolio, policy, ZERO, buffer).spendable - extra_kept
            if policy.cash_mode is CashMode.WITHDRAWAL:
                intents = _withdrawal_intents(free, portfolio, value, spare, policy)
            else:
                intents = _Intents()
                for skip in _invest_cash(
                    intents, free, gaps, spare, Reason.CASH_FLOW, portfolio, policy
                ):
                    drop(skip)
        if policy.cash_mode is not _CASH_FLOW:
            for row in exits:
                intents.want(
                    row.symbol,
                    -portfolio.market_value(row.symbol),
                    Reason.EXIT,
                    "an exit (a 0 % target, or no target under the sell policy): sold whole",
                )

        sells: list[PlannedOrder] = []
        wants: list[BuyWant] = []
        whole_sells: list[WholeSell] = []

        def route(amounts: Iterable[tuple[str, Decimal]]) -> None:
            """Put what ``_row_trade`` gives for each (symbol, USD to trade) with the
            sells, the wants or the skips. (One call for all the symbols: a call for
            each symbol of every plan was 2 % of the planning.)"""
            for symbol, amount in amounts:
                if amount == ZERO:
                    continue
                trade = _row_trade(rows_by_symbol[symbol], portfolio, policy, symbols, amount, tax)
                if isinstance(trade, BuyWant):
                    wants.append(trade)
                elif isinstance(trade, PlannedOrder):
                    sells.append(trade)
                elif isinstance(trade, WholeSell):
                    whole_sells.append(trade)
                elif isinstance(trade, tuple):  # a smaller sell (or none) and why
                    order, held_back = trade
                    if order is not None:
                        sells.append(order)
                    drop(held_back)
                else:
                    drop(trade)

        route(intents.amounts.items())
        proceeds = ZERO  # added up as sum(..., ZERO) would, without a generator
        for order in sells:
            proceeds += order.notional
        budget = buy_budget(portfolio, policy, proceeds, buffer)
        spendable = budget.spendable - extra_kept
        if policy.invest_cash and policy.cash_mode is _REBALANCE:
            before = dict(intents.amounts)
            expected = sum((w.expected for w in whole_sells), ZERO)
            spare = spendable + expected - sum((w.amount for w in wants), ZERO)
            for skip in _invest_cash(
                intents, free, gaps, spare, Reason.CASH_INVESTED, portfolio, policy
            ):
                drop(skip)
            wanted = {w.symbol for w in wants}
            extras: list[tuple[str, Decimal]] = []
            for symbol, amount in intents.amounts.items():
                extra = amount - before.get(symbol, ZERO)
                if extra <= ZERO:
                    continue
                if symbol in wanted:
                    wants = [
                        BuyWant(w.symbol, w.amount + extra) if w.symbol == symbol else w
                        for w in wants
                    ]
                elif symbol not in dropped:
                    extras.append((symbol, extra))
            # Routed after the wants are topped up: each symbol's own, in the same order.
            route(extras)
        if policy.tax_aware and tax is not None:
            kept_wants = []
            for want in wants:
                if wash_sale_buy_blocked(
                    tax.history, want.symbol, tax.today, policy.wash_sale_days
                ):
                    drop(
                        SkippedTrade(
                            want.symbol,
                            _BUY,
                            SkipReason.WASH_SALE,
                            f"{want.symbol} was sold at a loss in the last "
                            f"{policy.wash_sale_days} days (wash sale); not bought back yet",
                        )
                    )
                else:
                    kept_wants.append(want)
            wants = kept_wants
        sized, buy_skips = size_buys(wants, spendable, portfolio, policy, whole_sells)
        for skip in buy_skips:
            drop(skip)
        buys = [o for o in sized if o.side is _BUY]
        if whole_sells:
            sells += [o for o in sized if o.side is _SELL]
            budget = buy_budget(portfolio, policy, sum((o.notional for o in sells), ZERO), buffer)
        outcome, message = _outcome(drift, sells, buys, skipped, policy, bool(intents.amounts))
        return _new_plan(
            outcome,
            message,
            value,
            tuple(drift),
            tuple(sells + buys),
            tuple(skipped),
            budget,
            _decisions(drift, sells + buys, intents, dropped, policy, self._band_words)
            if explain
            else (),
            curing_deposit(((r.market_value, r.target_percent) for r in free), value)
            if explain
            else None,
        )


def prepare_planner(targets: Sequence[Target], policy: Policy | None = None) -> Planner:
    """A ``Planner`` for ``targets`` under ``policy`` (the classic ``Policy()`` by default)."""
    return Planner(targets, policy)


def plan_rebalance(
    targets: Sequence[Target],
    portfolio: Portfolio,
    policy: Policy | None = None,
    symbols: Collection[str] | None = None,
    tax: TaxContext | None = None,
) -> Plan:
    """Plan the orders that bring ``portfolio`` back to ``targets``.

    ``symbols`` limits trading to those symbols (drift is still reported for all).
    ``tax`` (today, recorded lots, cost basis) is what ``policy.tax_aware`` sells
    by; without it sells are planned as the classic rules plan them. Every edge case the
    seed names gives a plan with no orders and a clear message, as does a valuation
    that does not add up. Every drift row gets a ``SymbolDecision``. To plan many
    portfolios against the same targets and policy, ``prepare_planner`` once and call
    its ``plan``.
    """
    return Planner(targets, policy).plan(portfolio, symbols, tax)


def _band_wording(threshold_percent: Decimal) -> str:
    """A band in a decision's message: ``±5.00 pp band``."""
    return f"±{threshold_percent:.2f} pp band"


def _drift_message(row: DriftRow, bands: Mapping[str, str], where: str) -> str:
    """``drift +6.00 pp is past its ±5.00 pp band`` (``where`` is "past" or "inside");
    ``bands`` holds ``_band_wording`` per symbol, as far as it is known ahead."""
    band = bands.get(row.symbol) or _band_wording(row.threshold_percent)
    return f"drift {row.drift_percent:+z.2f} pp is {where} its {band}"


def _decisions(
    drift: Sequence[DriftRow],
    orders: Sequence[PlannedOrder],
    intents: _Intents,
    dropped: Mapping[str, SkippedTrade],
    policy: Policy,
    bands: Mapping[str, str],
) -> tuple[SymbolDecision, ...]:
    traded = {o.symbol for o in orders}
    cash_flow = policy.cash_mode is CashMode.CASH_FLOW
    result = []
    for row in drift:
        symbol = row.symbol
        if symbol in traded and symbol in intents.reasons:
            reason, worded = intents.reasons[symbol]
            text = _drift_message(row, bands, "past") if worded is None else worded
            skip = dropped.get(symbol)
            if skip is not None:
                text = f"{text}; partly held back: {skip.message}"
            result.append(SymbolDecision(symbol, True, reason, text))
        elif not row.targeted and symbol not in dropped:
            result.append(
                SymbolDecision(symbol, False, SkipReason.UNTARGETED, "no target; left alone")
            )
        elif symbol in dropped:
            skip = dropped[symbol]
            result.append(SymbolDecision(symbol, False, skip.reason, skip.message))
        elif cash_flow and row.drift_percent > ZERO:
            result.append(
                SymbolDecision(
                    symbol, False, Reason.CASH_FLOW_NO_SELL, "cash-flow mode never sells"
                )
            )
        elif symbol in intents.reasons or row.needs_rebalance:
            result.append(
                SymbolDecision(symbol, False, Reason.NOT_NEEDED, "no trade needed after the others")
            )
        else:
            result.append(
                SymbolDecision(
                    symbol, False, Reason.WITHIN_BAND, _drift_message(row, bands, "inside")
                )
            )
    return tuple(result)
