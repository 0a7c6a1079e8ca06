"""The backtest use case: prices in, every policy's figures and series out.

One result model (``BacktestResult``) serves the CLI's ``--json``, the API and the
page. The rules are in ``docs/backtest.md``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from trimtab.brokers.base import Broker
from trimtab.brokers.models import DailyBar
from trimtab.domain.backtest import (
    BacktestReport,
    BacktestSettings,
    PriceHistory,
    parse_policy,
    run_backtest,
)
from trimtab.domain.backtest.policy import RebalancePolicy
from trimtab.domain.backtest.simulation import FloatArray, check_range
from trimtab.domain.money import MONEY_RANGE, ZERO, NumberRange, cents
from trimtab.domain.targets import Target, enabled_targets, validate_targets
from trimtab.errors import InvalidInput, InvalidTargets
from trimtab.price_files import close_problem, parse_price_csv
from trimtab.services.allocations import list_allocations, make_target
from trimtab.services.context import AppContext
from trimtab.services.policy import MIN_TRADE_RANGE

#: The policy replayed when none is given: the live check's 5 pp band.
DEFAULT_POLICIES = ("band:5",)

#: ``progress(policy_index, day, days)``; it may raise to stop the run.
Progress = Callable[[int, int, int], None]


class PolicyResult(BaseModel):
    """One policy's figures (units in ``docs/backtest.md``) and its daily series.

    Frozen like every service result. The figures are statistics of the replay's float
    series (numpy), not amounts that are ever paid: the fills behind them are Decimal.
    """

    model_config = ConfigDict(frozen=True)

    policy: str = Field(examples=["band:5"])
    final_value: float = Field(description="USD at the last close")
    cagr: float = Field(description="percent per year")
    volatility: float = Field(description="annualised, percent")
    max_drawdown: float = Field(description="percent, ≤ 0")
    rebalances: int
    orders: int
    turnover: float = Field(description="percent of the mean value per year")
    costs: float = Field(description="USD")
    mean_abs_drift: float = Field(description="pp")
    max_abs_drift: float = Field(description="pp")
    tracking_difference: float = Field(
        description="CAGR minus that of a daily-rebalanced portfolio, pp per year"
    )
    rebalance_dates: list[date]
    values: list[tuple[date, float]] = Field(description="[date, USD] per day")
    drift: list[tuple[date, float]] = Field(description="[date, pp] per day")


class BacktestResult(BaseModel):
    """Every policy's result over one date range (frozen)."""

    model_config = ConfigDict(frozen=True)

    start: date
    end: date
    days: int
    symbols: list[str]
    policies: list[PolicyResult]


#: The values each setting may take, in the CLI and the API alike (``docs/backtest.md``):
#: cash above $0 up to $1 trillion; a cost of at most 10,000 bps (100 % of each order)
#: and at most $1 million per order; a minimum trade as the live policy's.
CASH_RANGE = MONEY_RANGE.narrowed(maximum=Decimal(10**12), above=True)
COST_BPS_RANGE = NumberRange(ZERO, Decimal(10_000), 4)
COST_PER_ORDER_RANGE = MONEY_RANGE.narrowed(maximum=Decimal(10**6))
SETTING_RANGES: dict[str, NumberRange] = {
    "cash": CASH_RANGE,
    "cost_bps": COST_BPS_RANGE,
    "cost_per_order": COST_PER_ORDER_RANGE,
    "min_trade": MIN_TRADE_RANGE,
}


def settings_from(
    *,
    cash: Decimal | None = None,
    cost_bps: Decimal | None = None,
    cost_per_order: Decimal | None = None,
    min_trade: Decimal | None = None,
    fractional: bool = True,
) -> BacktestSettings:
    """Settings with the defaults for every option not given; raise ``InvalidInput``
    naming the field for a value outside its ``SETTING_RANGES`` range."""
    defaults = BacktestSettings()
    given = {
        "cash": cash,
        "cost_bps": cost_bps,
        "cost_per_order": cost_per_order,
        "min_trade": min_trade,
    }
    for field, value in given.items():
        if value is not None:
            try:
                SETTING_RANGES[field].check(value, field=field)
            except ValueError as err:
                raise InvalidInput(str(err), field=field) from None
    return BacktestSettings(
        cash=cash if cash is not None else defaults.cash,
        cost_bps=cost_bps if cost_bps is not None else defaults.cost_bps,
        cost_per_order=cost_per_order if cost_per_order is not None else defaults.cost_per_order,
        min_trade=min_trade if min_trade is not None else defaults.min_trade,
        fractional=fractional,
    )


def backtest(
    history: PriceHistory,
    targets: Sequence[Target],
    policies: Sequence[str],
    settings: BacktestSettings,
    *,
    start: date | None = None,
    end: date | None = None,
    progress: Progress | None = None,
) -> BacktestResult:
    """Replay each policy SPEC on ``history`` cut to ``start``..``end``.

    ``targets`` must already be validated. Raises ``InvalidInput`` naming the field: a
    bad SPEC (``policy``), the same policy twice (``policies``), a range with no prices
    (``start``/``end``), a target without prices (``targets``).
    """
    parsed = [parse_policy(spec) for spec in (policies or DEFAULT_POLICIES)]
    seen: dict[RebalancePolicy, str] = {}
    for policy in parsed:
        rules = replace(policy, spec="")
        if rules in seen:
            same = "" if seen[rules] == policy.spec else f" (as {seen[rules]!r})"
            raise InvalidInput(
                f"policy {policy.spec!r} is given more than once{same}", field="policies"
            )
        seen[rules] = policy.spec
    window = history.between(start, end)
    report = run_backtest(window, targets, parsed, settings, progress)
    return result_of(report, [t.symbol for t in enabled_targets(targets)])


def _series(dates: Sequence[date], values: FloatArray, digits: int) -> list[tuple[date, float]]:
    return list(zip(dates, (round(v, digits) for v in values.tolist()), strict=True))


def result_of(report: BacktestReport, symbols: list[str]) -> BacktestResult:
    dates = report.history.dates
    policies = []
    for outcome in report.outcomes:
        metrics = outcome.metrics
        replay = outcome.replay
        policies.append(
            PolicyResult(
                policy=replay.policy.spec,
                final_value=round(metrics.final_value, 2),
                cagr=round(metrics.cagr, 4),
                volatility=round(metrics.volatility, 4),
                max_drawdown=round(metrics.max_drawdown, 4),
                rebalances=metrics.rebalances,
                orders=metrics.orders,
                turnover=round(metrics.turnover, 4),
                costs=float(cents(metrics.costs)),
                mean_abs_drift=round(metrics.mean_abs_drift, 4),
                max_abs_drift=round(metrics.max_abs_drift, 4),
                tracking_difference=round(metrics.tracking_difference, 4),
                rebalance_dates=[dates[day] for day in replay.rebalance_days],
                values=_series(dates, replay.values, 2),
                drift=_series(dates, replay.drift, 4),
            )
        )
    return BacktestResult(
        start=dates[0],
        end=dates[-1],
        days=len(dates),
        symbols=symbols,
        policies=policies,
    )


#: Bounds of one request through the API: the CSV text, the grid it makes, the
#: policies replayed and the wall time, so one request cannot hold a worker for long.
MAX_PRICE_CHARS = 1_000_000
MAX_PRICE_CELLS = 1_000_000
MAX_POLICIES = 8
MAX_SECONDS = 20.0


class BacktestCancelled(InvalidInput):
    """The caller went away (the page's Cancel, a closed connection): the run was stopped."""


def deadline(
    seconds: float, clock: Callable[[], float], cancelled: Callable[[], bool] | None = None
) -> Progress:
    """A ``progress`` callback that stops the run once ``seconds`` have passed on ``clock``
    (``InvalidInput`` ``backtest_too_long``), or as soon as ``cancelled()`` is true
    (``BacktestCancelled``)."""
    stop_at = clock() + seconds

    def check(policy: int, day: int, days: int) -> None:
        if cancelled is not None and cancelled():
            raise BacktestCancelled(
                "the backtest was cancelled", code="backtest_cancelled", field="policies"
            )
        if clock() > stop_at:
            raise InvalidInput(
                f"the backtest ran longer than {seconds:g} s; shorten the date range "
                "or replay fewer policies",
                code="backtest_too_long",
                field="policies",
            )

    return check


def user_targets(
    ctx: AppContext, user_id: int, given: Mapping[str, Decimal] | None
) -> list[Target]:
    """``given`` targets (symbol → percent), or the user's saved allocations; validated.

    Raises ``InvalidTargets`` naming the field.
    """
    if given is None:
        targets = list_allocations(ctx, user_id).targets
        if not enabled_targets(targets):
            raise InvalidTargets(
                "no targets given and none saved; set allocations or send targets",
                field="targets",
            )
    else:
        targets = [make_target(symbol, percent) for symbol, percent in given.items()]
    validate_targets(targets)
    return targets


def backtest_request(
    ctx: AppContext,
    user_id: int,
    *,
    prices_csv: str | None,
    targets: Mapping[str, Decimal] | None,
    policies: Sequence[str],
    settings: BacktestSettings,
    start: date | None,
    end: date | None,
    cancelled: Callable[[], bool] | None = None,
) -> BacktestResult:
    """A backtest for the API: the bounds above, errors naming the request's fields.

    Without ``prices_csv`` the prices are the user's broker's daily bars. The replay
    checks ``cancelled()`` as it advances and stops with ``BacktestCancelled`` once it
    is true (the route sets it when the client disconnects).
    """
    if prices_csv is not None and len(prices_csv) > MAX_PRICE_CHARS:
        raise InvalidInput(
            f"prices_csv is {len(prices_csv)} characters; the limit is {MAX_PRICE_CHARS}",
            field="prices_csv",
        )
    if len(policies) > MAX_POLICIES:
        raise InvalidInput(f"at most {MAX_POLICIES} policies at once", field="policies")
    target_set = user_targets(ctx, user_id, targets)
    if prices_csv is None:
        symbols = [t.symbol for t in enabled_targets(target_set)]
        last = end or ctx.clock().date()
        history = broker_history(ctx.broker_for(user_id), symbols, start, last)
    else:
        history = parse_price_csv(prices_csv, "prices_csv")
    if history.closes.size > MAX_PRICE_CELLS:
        raise InvalidInput(
            f"prices_csv has {history.closes.size} cells; the limit is {MAX_PRICE_CELLS}",
            field="prices_csv",
        )
    return backtest(
        history,
        target_set,
        policies,
        settings,
        start=start,
        end=end,
        progress=deadline(MAX_SECONDS, time.monotonic, cancelled),
    )


#: The first day asked of a broker when no start is given: before any bar it holds, so
#: the default range is all the history the broker has for the targets.
BROKER_FIRST_DAY = date(1970, 1, 1)


#: What to do instead when the broker's history will not do, said to a user of the page
#: or the API (the CLI says it in its own terms).
UPLOAD = "upload a CSV of daily closes with a column for each target instead"


def history_from_bars(
    bars: Mapping[str, Sequence[DailyBar]], symbols: Sequence[str], instead: str = UPLOAD
) -> PriceHistory:
    """A ``PriceHistory`` of ``symbols`` on every day any of them has a bar (NaN elsewhere).

    Raises ``InvalidInput`` (field ``prices``) naming the symbol and day of a close a CSV
    could not hold either (``price_files.close_problem``): a negative one, or one the
    replay's amounts would overflow on.
    """
    days = sorted({bar.day for series in bars.values() for bar in series})
    row_of = {day: row for row, day in enumerate(days)}
    closes = np.full((len(days), len(symbols)), np.nan)
    for column, symbol in enumerate(symbols):
        for bar in bars.get(symbol, ()):
            close = float(bar.close)
            problem = close_problem(close)
            if problem is not None:
                raise InvalidInput(
                    f"the broker's daily bar of {symbol} on {bar.day}: {problem}, "
                    f"got {bar.close}; {instead}",
                    field="prices",
                )
            closes[row_of[bar.day], column] = close
    return PriceHistory(tuple(days), tuple(symbols), closes)


def broker_history(
    broker: Broker,
    symbols: Sequence[str],
    start: date | None,
    end: date,
    instead: str = UPLOAD,
) -> PriceHistory:
    """The broker's daily closes of ``symbols`` from ``start`` to ``end``.

    Without ``start`` the range begins on the first day every symbol has a bar, so the
    replay covers the span the broker's history has for all the targets. Raises
    ``InvalidInput`` (field ``prices``) naming the symbols the broker has no bars for,
    or the two whose bars never overlap, or a bar whose close is out of range
    (``history_from_bars``), and saying what to do ``instead``.
    """
    # Asked of the broker, a range ending before it starts would get no bars at all, as
    # if the broker had none.
    check_range(start, end)
    first = start or BROKER_FIRST_DAY
    bars = broker.get_daily_bars(symbols, first, end)
    missing = [symbol for symbol in symbols if not bars.get(symbol)]
    if missing:
        since = f" between {start} and {end}" if start is not None else ""
        have = "has" if len(missing) == 1 else "have"
        raise InvalidInput(
            f"{', '.join(missing)} {have} no daily bars at the broker{since}; {instead}",
            field="prices",
        )
    history = history_from_bars(bars, symbols, instead)
    if start is not None:
        return history
    begins = {symbol: bars[symbol][0].day for symbol in symbols}
    ends = {symbol: bars[symbol][-1].day for symbol in symbols}
    latest = max(symbols, key=lambda symbol: begins[symbol])
    earliest = min(symbols, key=lambda symbol: ends[symbol])
    if ends[earliest] < begins[latest]:
        raise InvalidInput(
            f"the broker's bars of {earliest} end on {ends[earliest]}, before those of "
            f"{latest} begin on {begins[latest]}: no day has prices for both; {instead}",
            field="prices",
        )
    return history.between(begins[latest], None)
