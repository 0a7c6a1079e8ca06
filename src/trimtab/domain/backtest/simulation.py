"""Replay one rebalancing policy on daily closes, with the live planner on rebalance days.

Rules (``docs/backtest.md``): the first day invests the cash at target; afterwards a
rebalance happens on a calendar day of the policy or on a day whose closes put a
symbol past the policy's band. Between those days the holdings do not change, so the
scan for the next one is a numpy computation over the stretch, and the value and drift
series of all the stretches are computed together once the replay is done (each day's
sum in the same order, whatever stretch it falls in). On a rebalance day the
portfolio is built as ``Portfolio`` values in ``Decimal`` and handed to the planner
that places live orders (``prepare_planner`` once per replay, whose ``plan`` is what
``plan_rebalance`` runs); its sells are filled at the close, then its buys are sized
with ``fit_buys`` to the cash really left after costs, as a live run re-reads buying
power after its sells.

Prices: a symbol trades on a day when it has a close above 0 that day. A missing cell
after its first close is valued at the last close (no trade that day); a close of 0
values the holding at 0; the day after a symbol's last close in the file its holding
is paid out in cash at that close. A symbol that trades on no day of the range is an
error. Symbols that do not trade on a day are left out of the drift checks that day.

The value and drift series are floats (numpy): cash and quantities are ``Decimal``
and exact, values are their float products, which agree with an exact sum far within
the 1e-6 relative tolerance the oracle tests hold trimtab to.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from itertools import repeat
from operator import mul

import numpy as np
import numpy.typing as npt

from trimtab.domain.backtest.closes import shortest_decimal, shortest_decimals
from trimtab.domain.backtest.policy import Calendar, RebalancePolicy
from trimtab.domain.money import HUNDRED, ZERO
from trimtab.domain.planner import BuyWant, PlannedOrder, fit_buys, prepare_planner
from trimtab.domain.policy import Policy
from trimtab.domain.portfolio import Asset, Holding, Portfolio, PricePoint, Side
from trimtab.domain.records import quick_constructor, quick_init
from trimtab.domain.targets import Target, enabled_targets
from trimtab.errors import InvalidInput

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
BPS = Decimal(10_000)
_SELL = Side.SELL
#: Made for every symbol of every plan day: without ``type.__call__`` (``quick_constructor``).
_new_holding = quick_constructor(Holding)
_new_price = quick_constructor(PricePoint)
_new_portfolio = quick_constructor(Portfolio)
#: Days a band policy scans at once for its next trigger: the first stretch is short
#: (a band that trades often wastes little work; relative:25 on the bench's stocks
#: trades within 64 days 9 times in 10), each next one twice as long, up to the last
#: size (long enough to amortise numpy's call overhead).
_FIRST_CHUNK = 64
_CHUNK = 256
#: The ordinal of 1970-01-01, numpy's day 0.
_EPOCH = date(1970, 1, 1).toordinal()
#: ``PriceHistory.ordinals`` not given: worked out from the dates.
_UNSET: IntArray = np.empty(0, dtype=np.int64)

#: ``progress(day, days)`` is called as the replay advances; it may raise to stop it.
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class PriceHistory:
    """Daily closes in USD: ``closes[day, column]`` for ``dates`` × ``symbols``, NaN when absent.

    ``dates`` are strictly increasing. ``ordinals`` are their ``date.toordinal()`` numbers
    (the calendar and range arithmetic run on them), worked out from ``dates`` when not
    given.
    """

    dates: tuple[date, ...]
    symbols: tuple[str, ...]
    closes: FloatArray
    ordinals: IntArray = field(default_factory=lambda: _UNSET, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.ordinals is _UNSET:
            object.__setattr__(self, "ordinals", _ordinals(self.dates))

    def between(self, start: date | None, end: date | None) -> PriceHistory:
        """The rows from ``start`` to ``end`` inclusive; raise ``InvalidInput`` if none are left."""
        first = self.dates[0]
        last = self.dates[-1]
        lo = 0 if start is None else int(np.searchsorted(self.ordinals, start.toordinal()))
        hi = (
            len(self.dates)
            if end is None
            else int(np.searchsorted(self.ordinals, end.toordinal(), side="right"))
        )
        check_range(start, end)
        span = f"the prices run from {first} to {last}"
        if start is not None and start > last:
            raise InvalidInput(
                f"start {start} is after the prices' last day: {span}", field="start"
            )
        if end is not None and end < first:
            raise InvalidInput(f"end {end} is before the prices' first day: {span}", field="end")
        if lo >= hi:
            raise InvalidInput(f"no prices between {start} and {end}: {span}", field="start")
        return PriceHistory(
            self.dates[lo:hi], self.symbols, self.closes[lo:hi], self.ordinals[lo:hi]
        )


def check_range(start: date | None, end: date | None) -> None:
    """Raise ``InvalidInput`` (field ``start``) when ``start`` is after ``end``."""
    if start is not None and end is not None and start > end:
        raise InvalidInput(f"start {start} is after end {end}", field="start")


def _ordinals(dates: Sequence[date]) -> IntArray:
    return np.fromiter(map(date.toordinal, dates), dtype=np.int64, count=len(dates))


@dataclass(frozen=True, slots=True)
class BacktestSettings:
    """Money and trading rules shared by every policy of a run.

    ``cash`` USD to invest on the first day; ``cost_bps`` basis points of each order's
    notional plus ``cost_per_order`` USD per order, paid from cash; ``min_trade`` USD,
    the planner's minimum; ``fractional`` False trades whole shares only.
    """

    cash: Decimal = Decimal(100_000)
    cost_bps: Decimal = ZERO
    cost_per_order: Decimal = ZERO
    min_trade: Decimal = Policy().min_trade
    fractional: bool = True

    def cost(self, notional: Decimal) -> Decimal:
        """USD paid for one order of ``notional`` USD."""
        return notional * self.cost_bps / BPS + self.cost_per_order


@quick_init
@dataclass(frozen=True, slots=True)
class Fill:
    """One order filled at the day's close; ``cost`` USD paid for it."""

    day: int
    symbol: str
    side: Side
    qty: Decimal
    price: Decimal
    cost: Decimal

    @property
    def notional(self) -> Decimal:
        return self.qty * self.price


@quick_init
@dataclass(frozen=True, slots=True)
class RebalanceDay:
    """The fills of one rebalance day: the planner's ``orders`` as filled at their
    prices, in order (sells first), and the ``costs`` (USD) paid for each."""

    day: int
    orders: tuple[PlannedOrder, ...]
    costs: tuple[Decimal, ...]


#: Made on every plan day: without ``type.__call__`` (``quick_constructor``), as the
#: account the planner reads (``_Replay.portfolio``) is.
_new_day = quick_constructor(RebalanceDay)


@dataclass(frozen=True, slots=True)
class PolicyReplay:
    """What one policy did: ``values`` USD and ``drift`` pp (the largest |actual − target|
    among the symbols trading that day) per day, the ``cash`` (USD) left at the end,
    and its fills, day by day (``fills`` lists them one by one).

    ``rebalance_days`` are the indexes of the days with at least one fill, ``orders``
    the number of fills, ``traded`` the notional (USD) filled after the first day and
    ``costs`` the USD paid for all of them, each added up in fill order.
    """

    policy: RebalancePolicy
    values: FloatArray
    drift: FloatArray
    cash: Decimal
    trades: tuple[RebalanceDay, ...]
    orders: int
    traded: Decimal
    costs: Decimal

    @property
    def rebalance_days(self) -> tuple[int, ...]:
        """Indexes of the days with at least one fill."""
        return tuple(trade.day for trade in self.trades)

    @property
    def fills(self) -> tuple[Fill, ...]:
        """Every fill, in order."""
        return tuple(
            Fill(trade.day, order.symbol, order.side, order.qty, order.price, cost)
            for trade in self.trades
            for order, cost in zip(trade.orders, trade.costs, strict=True)
        )


@dataclass(frozen=True)
class _Market:
    """The closes of the targeted symbols, prepared once for every policy."""

    dates: tuple[date, ...]
    ordinals: IntArray
    symbols: tuple[str, ...]
    valued: FloatArray
    trading: BoolArray
    #: ``valued`` transposed (``[column, day]``, each symbol's closes together), for
    #: the computations over every day at once.
    by_symbol: FloatArray
    payout_day: IntArray
    weights: FloatArray
    #: The days some symbol does not trade on, in order.
    gap_days: list[int]
    #: Each planned day's closes (``closes_on``), shared by every policy of a run.
    points: dict[int, tuple[list[Decimal], list[PricePoint]]] = field(default_factory=dict)

    def every_symbol_trades(self, start: int, stop: int) -> bool:
        """Whether every symbol trades on each day from ``start`` to ``stop`` (exclusive)."""
        gaps = self.gap_days
        if not gaps:
            return True
        first = bisect_left(gaps, start)
        return first == len(gaps) or gaps[first] >= stop

    def closes_on(self, day: int) -> tuple[list[Decimal], list[PricePoint]]:
        """``day``'s closes in column order (see ``_closes``)."""
        found = self.points.get(day)
        if found is None:
            found = self.points[day] = _closes(self.valued[day])
        return found

    def load_closes(self, days: Sequence[int]) -> None:
        """Work out the closes of ``days`` for ``closes_on`` ahead, in one pass: a
        calendar policy's plan days are known before its replay, and converting a few
        hundred days' closes together (``shortest_decimals`` in bulk) takes half the CPU
        time of converting them day by day."""
        days = [day for day in days if day not in self.points]
        width = len(self.symbols)
        closes, points = _closes(self.valued[days].ravel())
        for start, day in zip(range(0, len(closes), width), days, strict=True):
            stop = start + width
            self.points[day] = closes[start:stop], points[start:stop]


def _closes(prices: FloatArray) -> tuple[list[Decimal], list[PricePoint]]:
    """Closes as ``Decimal`` through their shortest repr (the CSV's text for them, as
    ``shortest_decimals``), and as the planner's prices: undated, since a
    close has no "now" to be stale against."""
    closes = shortest_decimals(prices)
    return closes, list(map(_new_price, closes, repeat(None), repeat("close")))


def prepare_market(history: PriceHistory, targets: Sequence[Target]) -> _Market:
    """Select the targets' columns, carry closes forward, find payout days.

    Raises ``InvalidInput`` (field ``targets``) when a target has no column or no close.
    """
    active = enabled_targets(targets)
    missing = [t.symbol for t in active if t.symbol not in history.symbols]
    if missing:
        have = "has" if len(missing) == 1 else "have"
        raise InvalidInput(f"{', '.join(missing)} {have} no column in the prices", field="targets")
    columns = [history.symbols.index(target.symbol) for target in active]
    raw = np.asarray(history.closes, dtype=np.float64)[:, columns]
    days = len(history.dates)
    present = np.isfinite(raw)
    if days and present.all():
        # Every close is there: nothing to carry forward and nobody is paid out.
        valued = np.ascontiguousarray(raw)
        trading = raw > 0
        payout_day = np.full(len(columns), days, dtype=np.int64)
    else:
        for column, target in enumerate(active):
            if not present[:, column].any():
                raise InvalidInput(
                    f"{target.symbol} has no close between {history.dates[0]} "
                    f"and {history.dates[-1]}",
                    field="targets",
                )
        rows = np.where(present, np.arange(days)[:, None], 0)
        np.maximum.accumulate(rows, axis=0, out=rows)
        valued = np.take_along_axis(raw, rows, axis=0)
        valued = np.where(np.isfinite(valued), valued, 0.0)
        trading = present & (raw > 0)
        last = days - 1 - np.argmax(present[::-1], axis=0)
        payout_day = np.where(last < days - 1, last + 1, days).astype(np.int64)
    never = np.flatnonzero(~trading.any(axis=0)).tolist()
    if never:
        # Closes of 0 only: the target would sit in cash all along, never bought.
        raise InvalidInput(
            f"{active[never[0]].symbol} has no close above 0 between {history.dates[0]} "
            f"and {history.dates[-1]}",
            field="targets",
        )
    weights = np.array([float(t.target_percent / HUNDRED) for t in active], dtype=np.float64)
    every = np.logical_and.reduce(np.ascontiguousarray(trading.T), axis=0)
    # Row-major: a day's closes sit together, so each day's sum is the same whatever
    # stretch of days it is computed in.
    return _Market(
        history.dates,
        history.ordinals,
        tuple(t.symbol for t in active),
        np.ascontiguousarray(valued),
        np.ascontiguousarray(trading),
        np.ascontiguousarray(valued.T),
        payout_day,
        weights,
        np.flatnonzero(~every).tolist(),
    )


def calendar_days(ordinals: IntArray, calendar: Calendar | None) -> BoolArray:
    """True on the first day and on each first trading day of a new period (bt's RunPeriod).

    ``ordinals`` are the days' ``date.toordinal()`` numbers, increasing.
    """
    due = np.zeros(len(ordinals), dtype=np.bool_)
    if len(ordinals):
        due[0] = True
    if calendar is None:
        return due
    # The first days of the periods after the first day's, as ordinals: months are
    # counted from 1970-01, which starts a quarter and a year.
    months_per_period = {Calendar.MONTHLY: 1, Calendar.QUARTERLY: 3, Calendar.YEARLY: 12}
    step = months_per_period[calendar]
    first, last = (
        (np.asarray(ordinals[[0, -1]], dtype=np.int64) - _EPOCH)
        .astype("datetime64[D]")
        .astype("datetime64[M]")
        .astype(np.int64)
    )
    starts = np.arange((first // step + 1) * step, last + 1, step, dtype=np.int64)
    starts = starts.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + _EPOCH
    # A period's first trading day is the first day on or after its start.
    due[np.searchsorted(ordinals, starts)] = True
    return due


class _Replay:
    """The state of one policy's replay: cash and quantities, exact; series, float."""

    def __init__(
        self,
        market: _Market,
        targets: Sequence[Target],
        policy: RebalancePolicy,
        settings: BacktestSettings,
    ) -> None:
        self.market = market
        self.policy = policy
        self.settings = settings
        self.cash = settings.cash
        self.qty = [ZERO] * len(market.symbols)
        self.qty_float = np.zeros(len(market.symbols), dtype=np.float64)
        self.cash_float = float(self.cash)
        self.positive = self.cash_float > 0
        self.every_held = False
        #: No costs at all: every fill's cost is 0 without working it out.
        self.free = settings.cost_bps == ZERO and settings.cost_per_order == ZERO
        self.buy_divisor = 1 + settings.cost_bps / BPS
        #: (end day, quantities, cash) of each stretch of unchanged holdings, in order
        #: from the first day: the series are computed from them at the end.
        self.stretches: list[tuple[int, FloatArray, float]] = []
        self.column_of = {symbol: column for column, symbol in enumerate(market.symbols)}
        # The two ``Asset`` values each symbol can be on a day: trading or not.
        self.assets = [
            {
                trading: Asset(symbol, tradable=trading, fractionable=settings.fractional)
                for trading in (True, False)
            }
            for symbol in market.symbols
        ]
        #: The assets on a day every symbol trades (most days): one mapping for all.
        self.all_tradable = {
            symbol: kinds[True] for symbol, kinds in zip(market.symbols, self.assets, strict=True)
        }
        self.payouts: dict[int, list[int]] = {}
        for column, day in enumerate(market.payout_day.tolist()):
            self.payouts.setdefault(day, []).append(column)
        self.trades: list[RebalanceDay] = []
        self.orders = 0
        self.traded = ZERO
        self.costs = ZERO
        days = len(market.dates)
        self.values = np.zeros(days, dtype=np.float64)
        self.drift = np.zeros(days, dtype=np.float64)
        self.due = set(np.flatnonzero(calendar_days(market.ordinals, policy.calendar)).tolist())
        # Every calendar day is planned: their closes are converted together.
        market.load_closes(sorted(self.due))
        self.whole_book = policy.whole_book
        # Read on every day the replay stops at: looked up once.
        self.watches_drift = policy.watches_drift
        self.plans_on_cash = policy.plans_on_cash
        # The SPEC's band is the rule replayed, the one the drift scan applies: a
        # target's own band (saved allocations may carry one) would override it in the
        # planner, which would then leave a symbol the scan found past the band (or a
        # whole-book day's symbol) inside its own.
        self.targets = [
            replace(t, band_percent=None, band_relative_percent=None)
            if t.band_percent is not None or t.band_relative_percent is not None
            else t
            for t in enabled_targets(targets)
        ]
        self.planner_policy = policy.planner_policy(settings.min_trade)
        # What the plans depend on besides the portfolio, worked out once for every day.
        self.planner = prepare_planner(self.targets, self.planner_policy)
        # The first day invests the cash at target under every policy: a band-only one
        # plans it as a whole book, or a target inside its band would never be bought.
        self.first_policy, self.first_planner = self.planner_policy, self.planner
        if not self.whole_book:
            self.first_policy = policy.first_day().planner_policy(settings.min_trade)
            self.first_planner = prepare_planner(self.targets, self.first_policy)
        # Days a symbol first trades after the first day: a policy that invests cash
        # plans on them (and on payouts), as a live check would find the new price.
        self.listings: set[int] = set()
        if policy.plans_on_cash:
            first = np.argmax(market.trading, axis=0)
            self.listings = set(first[first > 0].tolist())
        self.band = None if policy.band_percent is None else float(policy.band_percent)
        self.relative = (
            None if policy.relative_percent is None else float(policy.relative_percent / HUNDRED)
        )
        self.zero_weight = bool((market.weights == 0).any())

    # -- the vectorised scan ----------------------------------------------------

    def first_trigger(self, start: int, stop: int, *, acted: bool) -> tuple[int, FloatArray]:
        """The first day of ``start``..``stop`` (exclusive; after ``start`` when it was
        ``acted`` on already) whose closes put a symbol past the policy's band with
        today's holdings, as an offset from ``start`` (-1: none), and the values (USD) as
        a column."""
        # Outputs are passed by position: a numpy call costs more than a 32-day chunk of
        # arithmetic, and keyword arguments add to it.
        market = self.market
        weights = market.weights
        held = np.multiply(market.valued[start:stop], self.qty_float)
        values = np.add.reduce(held, 1, keepdims=True)
        np.add(values, self.cash_float, values)
        mask = None
        if self.positive and market.every_symbol_trades(start, stop):
            # Every close is above 0 and something is held or cash is: every value is too.
            gap = np.divide(held, values, held)
        else:
            positive = values > 0
            # Rows that are not positive are left as they are: the mask drops them.
            gap = np.divide(held, values, out=held, where=positive)
            mask = market.trading[start:stop] & positive
        np.subtract(gap, weights, gap)
        np.absolute(gap, gap)
        if self.band is not None:
            past = gap * 100.0 > self.band
            if self.relative is not None:
                past |= self.past_relative(gap, np.empty_like(gap))
        else:
            past = self.past_relative(gap, gap)
        if mask is not None:
            past &= mask
        if acted:
            past[0] = False
        first = int(past.argmax())
        return (first // past.shape[1] if past.item(first) else -1), values

    def past_relative(self, gap: FloatArray, out: FloatArray) -> BoolArray:
        """Whether each |actual − target| (``gap``) is past the relative band: ``out``
        takes the ratios. A 0 % target's band has width 0: held, its ratio is inf and
        past; not held, 0/0 is NaN and not past, which numpy would warn about."""
        weights = self.market.weights
        if self.zero_weight:
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.divide(gap, weights, out) > self.relative
        return np.divide(gap, weights, out) > self.relative

    def advance(self, start: int, stop: int) -> tuple[int, bool]:
        """Hold today's holdings from ``start`` until a day after it calls for a rebalance,
        or ``stop``; return that day and whether the value (USD) on ``start`` is above 0.

        The days are recorded as a stretch of unchanged holdings; their values and
        drift are worked out together at the end (``series``).
        """
        qty = self.qty_float
        cash = self.cash_float
        if not self.watches_drift:
            self.stretches.append((stop, qty, cash))
            if self.positive and self.market.every_symbol_trades(start, start + 1):
                return stop, True
            return stop, float(np.add.reduce(self.market.valued[start] * qty) + cash) > 0
        positive = True
        day = start
        size = _FIRST_CHUNK
        while day < stop:
            end = min(day + size, stop)
            hit, values = self.first_trigger(day, end, acted=day == start)
            if day == start:
                positive = float(values[0, 0]) > 0
            if hit >= 0:
                self.stretches.append((day + hit, qty, cash))
                return day + hit, positive
            day = end
            size = min(2 * size, _CHUNK)
        self.stretches.append((stop, qty, cash))
        return stop, positive

    def series(self) -> None:
        """Fill ``values`` and ``drift`` for every recorded stretch, in one computation
        over the closes by symbol (each sum over a day's symbols in column order)."""
        if not self.stretches:
            return
        ends = np.array([end for end, _, _ in self.stretches], dtype=np.int64)
        lengths = np.diff(ends, prepend=0)
        days = int(ends[-1])
        qty = np.repeat(np.array([q for _, q, _ in self.stretches]).T, lengths, axis=1)
        cash = np.repeat(np.array([c for _, _, c in self.stretches]), lengths)
        market = self.market
        held = np.multiply(market.by_symbol[:, :days], qty, out=qty)
        values = np.add.reduce(held, axis=0)
        values += cash
        positive = values > 0
        everywhere = bool(positive.all())
        if everywhere:
            gap = np.divide(held, values, out=held)
        else:
            gap = np.divide(held, values, out=held, where=positive)
        np.subtract(gap, market.weights[:, None], out=gap)
        np.abs(gap, out=gap)
        if not market.every_symbol_trades(0, days):
            # Symbols that do not trade that day are left out of its drift.
            np.multiply(gap, market.trading[:days].T, out=gap)
        drift = np.maximum.reduce(gap, axis=0)
        drift *= 100.0
        if not everywhere:
            drift[~positive] = 0.0
        self.values[:days] = values
        self.drift[:days] = drift

    # -- rebalance days ----------------------------------------------------------

    def pay_out(self, day: int) -> bool:
        """Turn holdings whose closes ended yesterday into cash at their last close;
        return whether any cash came in."""
        paid = False
        for column in self.payouts.get(day, ()):
            qty = self.qty[column]
            if qty > ZERO:
                self.cash += qty * shortest_decimal(float(self.market.valued[day - 1, column]))
                self.qty[column] = ZERO
                paid = True
        if paid:
            self._held_changed()
        return paid

    def _held_changed(self) -> None:
        # New arrays: the stretches recorded so far keep theirs.
        self.qty_float = np.fromiter(map(float, self.qty), np.float64, len(self.qty))
        self.cash_float = float(self.cash)
        smallest = min(self.qty, default=ZERO)
        self.every_held = smallest > ZERO
        # Whether every day's value is above 0 while every symbol trades (closes above 0).
        self.positive = smallest >= ZERO and (
            self.cash_float > 0 or (self.cash_float == 0 and any(self.qty))
        )

    def portfolio(self, day: int) -> Portfolio:
        """The account at ``day``'s close, as the planner reads one."""
        market = self.market
        every_trades = market.every_symbol_trades(day, day + 1)
        if every_trades and self.every_held:
            # The usual day: every symbol held and trading.
            closes, points = market.closes_on(day)
            values = list(map(mul, self.qty, closes))
            holdings = dict(
                zip(
                    market.symbols,
                    map(_new_holding, market.symbols, self.qty, values, points),
                    strict=True,
                )
            )
            # The sum of parts, in the order ``Portfolio.parts_value`` adds them, given as
            # the equity so the planner does not add the holdings up again on every read.
            equity = self.cash + sum(values, ZERO)
            return _new_portfolio(self.cash, holdings, {}, self.all_tradable, equity=equity)
        holdings = {}
        prices: dict[str, PricePoint] = {}
        held = ZERO
        if every_trades:
            for symbol, qty, close in zip(
                market.symbols, self.qty, market.closes_on(day)[1], strict=True
            ):
                if qty > ZERO:
                    value = qty * close.price
                    holdings[symbol] = Holding(symbol, qty, value, close)
                    held += value
                else:
                    prices[symbol] = close
            assets = self.all_tradable
        else:
            assets = {}
            for symbol, qty, close, trading, kinds in zip(
                market.symbols,
                self.qty,
                market.closes_on(day)[1],
                market.trading[day].tolist(),
                self.assets,
                strict=True,
            ):
                if qty > ZERO:
                    value = qty * close.price
                    holdings[symbol] = Holding(symbol, qty, value, close)
                    held += value
                elif trading:
                    prices[symbol] = close
                assets[symbol] = kinds[trading]
        return Portfolio(self.cash, holdings, prices, assets, equity=self.cash + held)

    def rebalance(self, day: int) -> None:
        if self._trade(day):
            self._held_changed()

    def _trade(self, day: int) -> bool:
        """Plan ``day`` and fill the plan; return whether anything filled."""
        portfolio = self.portfolio(day)
        planner, planner_policy = (
            (self.first_planner, self.first_policy)
            if day == 0
            else (self.planner, self.planner_policy)
        )
        plan = planner.plan(portfolio, explain=False)
        if not plan.orders:
            return False
        settings = self.settings
        # No costs (the usual comparison): each fill moves its notional only.
        cost_of = None if self.free else settings.cost
        cash = self.cash
        qty = self.qty
        column_of = self.column_of
        filled: list[PlannedOrder] = []
        costs: list[Decimal] = []
        notionals: list[Decimal] = []
        planned: list[PlannedOrder] = []
        for order in plan.orders:
            if order.side is not _SELL:
                planned.append(order)
                continue
            notional = order.qty * order.price
            if cost_of is None:
                cash += notional
            else:
                cost = cost_of(notional)
                if cost >= notional:
                    continue  # a sale that costs more than it brings in
                cash += notional - cost
                costs.append(cost)
            qty[column_of[order.symbol]] -= order.qty
            filled.append(order)
            notionals.append(notional)
        if planned:
            # Size the buys to the cash really left, net of their costs: never below zero.
            spendable = cash
            if cost_of is not None:
                fixed = settings.cost_per_order * len(planned)
                spendable = (cash - fixed) / self.buy_divisor
            buys: Sequence[PlannedOrder] = planned
            wanted = [o.qty * o.price for o in planned]
            if spendable < sum(wanted, ZERO):
                wants = [BuyWant(o.symbol, n) for o, n in zip(planned, wanted, strict=True)]
                buys, _ = fit_buys(wants, spendable, portfolio, planner_policy)
                wanted = [o.qty * o.price for o in buys]
            for order, notional in zip(buys, wanted, strict=True):
                if cost_of is None:
                    cash -= notional
                else:
                    cost = cost_of(notional)
                    cash -= notional + cost
                    costs.append(cost)
                qty[column_of[order.symbol]] += order.qty
            filled += buys
            notionals += wanted
        self.cash = cash
        if not filled:
            return False
        if cost_of is None:
            costs = [ZERO] * len(filled)
        self.trades.append(_new_day(day, tuple(filled), tuple(costs)))
        self.orders += len(filled)
        if day > 0:
            self.traded = sum(notionals, self.traded)
        if cost_of is not None:
            self.costs = sum(costs, self.costs)
        return True

    # -- the whole run ----------------------------------------------------------

    def run(self, progress: Progress | None) -> PolicyReplay:
        days = len(self.market.dates)
        events = sorted({*self.due, *self.payouts, *self.listings} - {days})
        event_at = 0
        day = 0
        triggered = False
        while day < days:
            paid = day in self.payouts and self.pay_out(day)
            new_cash = self.plans_on_cash and (paid or day in self.listings)
            if (
                day in self.due
                or triggered
                or new_cash
                or (self.watches_drift and self.first_trigger(day, day + 1, acted=False)[0] == 0)
            ):
                self.rebalance(day)
            while event_at < len(events) and events[event_at] <= day:
                event_at += 1
            limit = events[event_at] if event_at < len(events) else days
            after, positive = self.advance(day, limit)
            if not positive and self.cash <= ZERO and not any(self.qty):
                # Nothing held and no cash: the rest of the series stays at 0. A value
                # of 0 from closes of 0 is not that: the closes may come back.
                break
            triggered = after < limit
            day = after
            if progress is not None:
                progress(day, days)
        self.series()
        return PolicyReplay(
            self.policy,
            self.values,
            self.drift,
            self.cash,
            tuple(self.trades),
            self.orders,
            self.traded,
            self.costs,
        )


def replay_policy(
    market: _Market,
    targets: Sequence[Target],
    policy: RebalancePolicy,
    settings: BacktestSettings,
    progress: Progress | None = None,
) -> PolicyReplay:
    """Replay ``policy`` on ``market`` (from ``prepare_market``); see the module doc."""
    return _Replay(market, targets, policy, settings).run(progress)


def daily_rebalanced(market: _Market, cash: Decimal) -> FloatArray:
    """Values USD of a frictionless portfolio put back to target at every close.

    Each day it holds the target weight of every symbol trading the day before, the
    rest in cash; it is the reference the tracking difference is measured against.
    """
    days = len(market.dates)
    values = np.empty(days, dtype=np.float64)
    if days == 0:
        return values
    closes = market.by_symbol
    if market.every_symbol_trades(0, days):
        growth = closes[:, 1:] / closes[:, :-1]
        growth -= 1.0
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            growth = closes[:, 1:] / closes[:, :-1] - 1.0
        growth = np.where(market.trading[:-1].T & np.isfinite(growth), growth, 0.0)
    returns = market.weights @ growth
    values[0] = float(cash)
    values[1:] = float(cash) * np.cumprod(1.0 + returns)
    return values
