"""Summary figures of a replay, as ``docs/backtest.md`` defines them.

Percent figures are in percent (``12.5`` is 12.5 %); money in USD.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np

from trimtab.domain.backtest.simulation import FloatArray, PolicyReplay

#: Trading days a year, to annualise the daily volatility.
TRADING_DAYS = 252
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True, slots=True)
class PolicyMetrics:
    """One policy's figures.

    ``cagr``, ``volatility`` (annualised standard deviation of daily returns) and
    ``max_drawdown`` (largest fall from a running peak, ≤ 0) in percent;
    ``turnover`` in percent of the mean value per year (half of all traded notional
    after the first day, divided by the mean value and the years); ``costs`` USD;
    ``mean_abs_drift`` and ``max_abs_drift`` in pp over the daily drift series;
    ``tracking_difference`` the CAGR minus that of a portfolio rebalanced every day,
    in pp per year; ``rebalances`` days that traded (the first day's investment
    included), ``orders`` fills.
    """

    final_value: float
    cagr: float
    volatility: float
    max_drawdown: float
    rebalances: int
    orders: int
    turnover: float
    costs: Decimal
    mean_abs_drift: float
    max_abs_drift: float
    tracking_difference: float


def years_between(first: date, last: date) -> float:
    return (last - first).days / DAYS_PER_YEAR


#: The largest CAGR reported, in percent: a big gain over a short range annualises
#: past any float (×500 in a day is 500^365), so it is shown as this ceiling instead.
MAX_CAGR = 1e12


def cagr(first: float, last: float, years: float) -> float:
    """Compound annual growth from ``first`` to ``last`` USD in percent, at most
    ``MAX_CAGR``; 0 over a range shorter than a day or from 0."""
    if years <= 0 or first <= 0:
        return 0.0
    try:
        growth = (last / first) ** (1.0 / years)
    except OverflowError:
        return MAX_CAGR
    return min(float((growth - 1.0) * 100.0), MAX_CAGR)


def summarise(
    replay: PolicyReplay, dates: tuple[date, ...], reference: FloatArray, cash: float
) -> PolicyMetrics:
    """The figures of ``replay`` over ``dates``, against the daily-rebalanced ``reference``.

    ``cash`` is the USD invested: the return and the drawdown count from it, so the
    first day's costs are a loss like any other (``docs/backtest.md``).
    """
    values = replay.values
    years = years_between(dates[0], dates[-1])
    with np.errstate(divide="ignore", invalid="ignore"):
        returns = values[1:] / values[:-1] - 1.0
    returns = returns[np.isfinite(returns)]
    volatility = (
        float(np.std(returns, ddof=1) * np.sqrt(TRADING_DAYS) * 100.0) if len(returns) > 1 else 0.0
    )
    peaks = np.maximum(np.maximum.accumulate(values), cash)
    with np.errstate(divide="ignore", invalid="ignore"):
        drawdowns = np.where(peaks > 0, values / peaks - 1.0, 0.0)
    traded = replay.traded
    mean_value = float(values.mean())
    turnover = (
        float(traded) / 2.0 / mean_value / years * 100.0 if years > 0 and mean_value > 0 else 0.0
    )
    growth = cagr(cash, float(values[-1]), years)
    return PolicyMetrics(
        final_value=float(values[-1]),
        cagr=growth,
        volatility=volatility,
        max_drawdown=float(drawdowns.min() * 100.0),
        rebalances=len(replay.rebalance_days),
        orders=replay.orders,
        turnover=turnover,
        costs=replay.costs,
        mean_abs_drift=float(replay.drift.mean()),
        max_abs_drift=float(replay.drift.max()),
        tracking_difference=growth - cagr(cash, float(reference[-1]), years),
    )
