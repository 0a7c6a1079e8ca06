"""Replay one rebalancing policy on daily closes, with the live planner on rebalance days.

Rules (``docs/backtest.md``): the first day invests the cash at target; afterwards a
rebalance happens on a calendar day of the policy or on a day whose closes put a
symbol past the policy's band. Between those days the holdings do not change, so the
scan for the next one is a numpy computation over the stretch, and the value and drift
series of all the stretches are computed together once the replay is done (each day's
sum in the same order, whatever stretch it falls in). On a rebalance day the
portfolio is built as ``Portfolio`` values in ``Decimal`` and handed to
``plan_rebalance``, the planner that places live orders;
its sells are filled at the close, then its buys are sized with ``fit_buys`` to the
cash really left after costs, as a live run re-reads buying power after its sells.

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

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from trimtab.domain.backtest.policy import Calendar, RebalancePolicy
from trimtab.domain.money import HUNDRED, ZERO
from trimtab.domain.planner import BuyWant, PlannedOrder, fit_buys, plan_rebalance
from trimtab.domain.policy import Policy
from trimtab.domain.portfolio import Asset, Holding, Portfolio, PricePoint, Side
from trimtab.domain.records import quick_init
from trimtab.domain.targets import Target, enabled_targets
from trimtab.errors import InvalidInput

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
BPS = Decimal(10_000)
#: Days a band policy scans at once for its next trigger: the first stretch is short
#: (a band that trades often wastes little work), each next one twice as long, up to
#: the last size (long enough to amortise numpy's call overhead).
_FIRST_CHUNK = 32
_CHUNK = 256

#: ``progress(day, days)`` is called as the replay advances; it may raise to stop it.
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class PriceHistory:
    """Daily closes in USD: ``closes[day, column]`` for ``dates`` × ``symbols``, NaN when absent.

    ``dates`` are strictly increasing.
    """

    dates: tuple[date, ...]
    symbols: tuple[str, ...]
    closes: FloatArray

    def between(self, start: date | None, end: date | None) -> PriceHistory:
        """The rows from ``start`` to ``end`` inclusive; raise ``InvalidInput`` if none are left."""
        first = self.dates[0]
        last = self.dates[-1]
        lo = 0 if start is None else int(np.searchsorted(_ordinals(self.dates), start.toordinal()))
        hi = (
            len(self.dates)
            if end is None
            else int(np.searchsorted(_ordinals(self.dates), end.toordinal(), side="right"))
        )
        if start is not None and end is not None and start > end:
            raise InvalidInput(f"start {start} is after end {end}", field="start")
        span = f"the prices run from {first} to {last}"
        if start is not None and start > last:
            raise InvalidInput(
                f"start {start} is after the prices' last day: {span}", field="start"
            )
        if end is not None and end < first:
            raise InvalidInput(f"end {end} is before the prices' first day: {span}", field="end")
        if lo >= hi:
            raise InvalidInput(f"no prices between {start} and {end}: {span}", field="start")
        return PriceHistory(self.dates[lo:hi], self.symbols, self.closes[lo:hi])


def _ordinals(dates: Sequence[date]) -> npt.NDArray[np.int64]:
    return np.fromiter((d.toordinal() for d in dates), dtype=np.int64, count=len(dates))


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


@dataclass(frozen=True, slots=True)
class PolicyReplay:
    """What one policy did: ``values`` USD and ``drift`` pp (the largest |actual − target|
    among the symbols trading that day) per day, and every fill."""

    policy: RebalancePolicy
    values: FloatArray
    drift: FloatArray
    fills: tuple[Fill, ...]
    cash: Decimal

    @property
    def rebalance_days(self) -> tuple[int, ...]:
        """Indexes of the days with at least one fill."""
        return tuple(sorted({f.day for f in self.fills}))


@dataclass(frozen=True)
class _Market:
    """The closes of the targeted symbols, prepared once for every policy."""

    dates: tuple[date, ...]
    symbols: tuple[str, ...]
    raw: FloatArray
    valued: FloatArray
    trading: BoolArray
    payout_day: npt.NDArray[np.int64]
    weights: FloatArray


def prepare_market(history: PriceHistory, targets: Sequence[Target]) -> _Market:
    """Select the targets' columns, carry closes forward, find payout days.

    Raises ``InvalidInput`` (field ``targets``) when a target has no column or no close.
    """
    active = enabled_targets(targets)
    columns = []
    for target in active:
        if target.symbol not in history.symbols:
            raise InvalidInput(f"{target.symbol} has no column in the prices", field="targets")
        columns.append(history.symbols.index(target.symbol))
    raw = np.asarray(history.closes[:, columns], dtype=np.float64)
    days = len(history.dates)
    present = np.isfinite(raw)
    for column, target in enumerate(active):
        if not present[:, column].any():
            raise InvalidInput(
                f"{target.symbol} has no close between {history.dates[0]} and {history.dates[-1]}",
                field="targets",
            )
    rows = np.where(present, np.arange(days)[:, None], 0)
    np.maximum.accumulate(rows, axis=0, out=rows)
    valued = np.take_along_axis(raw, rows, axis=0)
    valued = np.where(np.isfinite(valued), valued, 0.0)
    last = days - 1 - np.argmax(present[::-1], axis=0)
    payout_day = np.where(last < days - 1, last + 1, days).astype(np.int64)
    weights = np.array([float(t.target_percent / HUNDRED) for t in active], dtype=np.float64)
    # Row-major: a day's closes sit together, so each day's sum is the same whatever
    # stretch of days it is computed in.
    return _Market(
        history.dates,
        tuple(t.symbol for t in active),
        raw,
        np.ascontiguousarray(valued),
        np.ascontiguousarray(present & (raw > 0)),
        payout_day,
        weights,
    )


def calendar_days(dates: Sequence[date], calendar: Calendar | None) -> BoolArray:
    """True on the first day and on each first trading day of a new period (bt's RunPeriod)."""
    due = np.zeros(len(dates), dtype=np.bool_)
    if len(dates):
        due[0] = True
    if calendar is None:
        return due
    # Each day's period as one number (months since year 0, quarters, or years).
    months_per_period = {Calendar.MONTHLY: 1, Calendar.QUARTERLY: 3, Calendar.YEARLY: 12}
    months = np.fromiter((d.year * 12 + d.month - 1 for d in dates), np.int64, len(dates))
    period = months // months_per_period[calendar]
    due[1:] = period[1:] != period[:-1]
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
        #: No costs at all: every fill's cost is 0 without working it out.
        self.free = settings.cost_bps == ZERO and settings.cost_per_order == ZERO
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
        self.payouts: dict[int, list[int]] = {}
        for column, day in enumerate(market.payout_day.tolist()):
            self.payouts.setdefault(day, []).append(column)
        self.fills: list[Fill] = []
        days = len(market.dates)
        self.values = np.zeros(days, dtype=np.float64)
        self.drift = np.zeros(days, dtype=np.float64)
        self.due = calendar_days(market.dates, policy.calendar)
        self.whole_book = policy.whole_book
        # Whole-book policies trade every symbol off target: a zero band, and no
        # per-target band overriding it.
        self.targets = [
            replace(t, band_percent=None) if self.whole_book else t
            for t in enabled_targets(targets)
        ]
        self.planner_policy = policy.planner_policy(settings.min_trade)
        # Days a symbol first trades after the first day: a policy that invests cash
        # plans on them (and on payouts), as a live check would find the new price.
        first = np.argmax(market.trading, axis=0)
        self.listings: set[int] = set(first[first > 0].tolist()) if policy.plans_on_cash else set()
        self.band = None if policy.band_percent is None else float(policy.band_percent)
        self.relative = (
            None if policy.relative_percent is None else float(policy.relative_percent / HUNDRED)
        )

    # -- the vectorised scan ----------------------------------------------------

    def triggers(self, start: int, stop: int) -> tuple[FloatArray, BoolArray]:
        """Values and drift triggers for days ``start``..``stop`` with today's holdings."""
        market = self.market
        weights = market.weights
        held = market.valued[start:stop] * self.qty_float
        values = held.sum(axis=1) + self.cash_float
        positive = values[:, None] > 0
        # Rows that are not positive stay 0 here; the mask below drops them anyway.
        gap = np.divide(held, values[:, None], out=np.zeros(held.shape), where=positive)
        np.subtract(gap, weights, out=gap)
        np.abs(gap, out=gap)
        if self.band is not None:
            past = gap * 100.0 > self.band
            if self.relative is not None:
                past |= gap / weights > self.relative
        else:
            past = gap / weights > self.relative
        past &= market.trading[start:stop]
        past &= positive
        return values, past.any(axis=1)

    def advance(self, start: int, stop: int) -> tuple[int, float]:
        """Hold today's holdings from ``start`` until a day after it calls for a rebalance,
        or ``stop``; return that day and the value (USD) on ``start``.

        The days are recorded as a stretch of unchanged holdings; their values and
        drift are worked out together at the end (``series``).
        """
        qty = self.qty_float
        cash = self.cash_float
        if not self.policy.watches_drift:
            self.stretches.append((stop, qty, cash))
            return stop, float((self.market.valued[start] * qty).sum() + cash)
        value = 0.0
        day = start
        size = _FIRST_CHUNK
        while day < stop:
            end = min(day + size, stop)
            values, trigger = self.triggers(day, end)
            if day == start:
                value = float(values[0])
                trigger[0] = False  # ``start`` was acted on already
            if trigger.any():
                hit = day + int(np.argmax(trigger))
                self.stretches.append((hit, qty, cash))
                return hit, value
            day = end
            size = min(2 * size, _CHUNK)
        self.stretches.append((stop, qty, cash))
        return stop, value

    def series(self) -> None:
        """Fill ``values`` and ``drift`` for every recorded stretch, in one computation."""
        if not self.stretches:
            return
        ends = np.array([end for end, _, _ in self.stretches], dtype=np.int64)
        lengths = np.diff(ends, prepend=0)
        days = int(ends[-1])
        qty = np.repeat(np.array([q for _, q, _ in self.stretches]), lengths, axis=0)
        cash = np.repeat(np.array([c for _, _, c in self.stretches]), lengths)
        market = self.market
        held = market.valued[:days] * qty
        values, gap = _gaps(held, cash, market.weights, market.trading[:days])
        self.values[:days] = values
        self.drift[:days] = gap.max(axis=1) * 100.0

    # -- rebalance days ----------------------------------------------------------

    def pay_out(self, day: int) -> bool:
        """Turn holdings whose closes ended yesterday into cash at their last close;
        return whether any cash came in."""
        paid = False
        for column in self.payouts.get(day, ()):
            qty = self.qty[column]
            if qty > ZERO:
                self.cash += qty * _decimal(float(self.market.valued[day - 1, column]))
                self.qty[column] = ZERO
                paid = True
        if paid:
            # New arrays: the stretches recorded so far keep theirs.
            self.qty_float = np.fromiter(map(float, self.qty), np.float64, len(self.qty))
            self.cash_float = float(self.cash)
        return paid

    def portfolio(self, day: int) -> Portfolio:
        """The account at ``day``'s close, as the planner reads one."""
        market = self.market
        holdings: dict[str, Holding] = {}
        prices = {}
        assets = {}
        # The sum of the holdings, in the order ``Portfolio.parts_value`` adds them.
        held = ZERO
        for symbol, qty, close_float, trading, kinds in zip(
            market.symbols,
            self.qty,
            market.valued[day].tolist(),
            market.trading[day].tolist(),
            self.assets,
            strict=True,
        ):
            # A close has no "now" to be stale against: undated, it is always used.
            close = PricePoint(_decimal(close_float), None, "close")
            if qty > ZERO:
                value = qty * close.price
                holdings[symbol] = Holding(symbol, qty, value, close)
                held += value
            elif trading:
                prices[symbol] = close
            assets[symbol] = kinds[trading]
        # The sum of parts, given as the equity so the planner does not add the
        # holdings up again on every read.
        return Portfolio(self.cash, holdings, prices, assets, equity=self.cash + held)

    def rebalance(self, day: int) -> None:
        self._trade(day)
        self.qty_float = np.fromiter(map(float, self.qty), np.float64, len(self.qty))
        self.cash_float = float(self.cash)

    def _trade(self, day: int) -> None:
        portfolio = self.portfolio(day)
        plan = plan_rebalance(self.targets, portfolio, self.planner_policy)
        settings = self.settings
        sells: list[PlannedOrder] = []
        planned: list[PlannedOrder] = []
        for order in plan.orders:
            (sells if order.side is Side.SELL else planned).append(order)
        for order in sells:
            notional = order.notional
            cost = ZERO if self.free else settings.cost(notional)
            if cost >= notional:
                continue  # a sale that costs more than it brings in
            self.cash += notional - cost
            self._fill(day, order, -order.qty, cost)
        if not planned:
            return
        # Size the buys to the cash really left, net of their costs: never below zero.
        fixed = settings.cost_per_order * len(planned)
        spendable = (self.cash - fixed) / (1 + settings.cost_bps / BPS)
        buys: Sequence[PlannedOrder] = planned
        if spendable < sum((o.notional for o in buys), ZERO):
            wants = [BuyWant(o.symbol, o.notional) for o in planned]
            buys, _ = fit_buys(wants, spendable, portfolio, self.planner_policy)
        for order in buys:
            notional = order.notional
            cost = ZERO if self.free else settings.cost(notional)
            self.cash -= notional + cost
            self._fill(day, order, order.qty, cost)

    def _fill(self, day: int, order: PlannedOrder, signed: Decimal, cost: Decimal) -> None:
        """Record ``order`` filled at its price; ``signed`` quantity (negative: sold)."""
        column = self.column_of[order.symbol]
        self.qty[column] += signed
        self.fills.append(Fill(day, order.symbol, order.side, order.qty, order.price, cost))

    # -- the whole run ----------------------------------------------------------

    def run(self, progress: Progress | None) -> PolicyReplay:
        days = len(self.market.dates)
        events = sorted(
            {*np.flatnonzero(self.due).tolist(), *self.payouts, *self.listings} - {days}
        )
        event_at = 0
        day = 0
        triggered = False
        while day < days:
            paid = self.pay_out(day)
            new_cash = self.policy.plans_on_cash and (paid or day in self.listings)
            if (
                self.due[day]
                or triggered
                or new_cash
                or (self.policy.watches_drift and self.triggers(day, day + 1)[1][0])
            ):
                self.rebalance(day)
            while event_at < len(events) and events[event_at] <= day:
                event_at += 1
            limit = events[event_at] if event_at < len(events) else days
            after, value = self.advance(day, limit)
            if value <= 0:
                break  # nothing left to invest: the rest of the series stays at 0
            triggered = after < limit
            day = after
            if progress is not None:
                progress(day, days)
        self.series()
        return PolicyReplay(self.policy, self.values, self.drift, tuple(self.fills), self.cash)


def _gaps(
    held: FloatArray, cash: FloatArray | float, weights: FloatArray, trading: BoolArray
) -> tuple[FloatArray, FloatArray]:
    """Values (USD) per day from ``held`` market values and ``cash``, and each symbol's
    |weight - target weight| (0 where it does not trade or the value is not positive)."""
    values = held.sum(axis=1) + cash
    positive = values[:, None] > 0
    actual = np.divide(held, values[:, None], out=np.zeros(held.shape), where=positive)
    gap = np.abs(actual - weights)
    gap[~(trading & positive)] = 0.0
    return values, gap


def _decimal(price: float) -> Decimal:
    """A close as ``Decimal`` through its shortest repr, which is the CSV's text for it."""
    return Decimal(repr(price))


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
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = market.valued[1:] / market.valued[:-1] - 1.0
    growth = np.where(market.trading[:-1] & np.isfinite(growth), growth, 0.0)
    returns = growth @ market.weights
    values[0] = float(cash)
    values[1:] = float(cash) * np.cumprod(1.0 + returns)
    return values
