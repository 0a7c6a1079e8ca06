"""Screening many accounts at once: which could be past a drift band (numpy, one pass).

A filter before the exact check, not money math: it works in float64 on the last
known positions and current prices, and errs towards checking. An account is kept
when any symbol's |drift| is within ``margin_pp`` of its band or past it, when its
value is not positive, or when a price is missing (NaN). The exact, Decimal check
(``analyse_drift``) then runs on the kept accounts only (docs/automation.md).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

#: How close to its band (pp) a symbol's drift may come before the account is checked.
DEFAULT_MARGIN_PP = 0.5

Matrix = npt.NDArray[np.float64]


def screen_drift(
    qty: Matrix,
    cash: Matrix,
    prices: Matrix,
    target_percent: Matrix,
    band_percent: Matrix,
    margin_pp: float = DEFAULT_MARGIN_PP,
) -> npt.NDArray[np.bool_]:
    """Which of A accounts over S symbols could need a rebalance.

    Shapes: ``qty``, ``target_percent`` and ``band_percent`` are (A, S) in shares and
    pp; ``cash`` is (A,) in USD; ``prices`` is (S,) in USD per share. A held symbol
    with no target has target 0 and an infinite band (it is never traded). Returns a
    boolean (A,) array: True where the account should be checked.
    """
    market_value = qty * prices
    portfolio_value = cash + market_value.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        actual_percent = market_value * (100.0 / portfolio_value)[:, None]
    drift = np.abs(actual_percent - target_percent)
    near_band = (drift > band_percent - margin_pp) | np.isnan(drift)
    kept: npt.NDArray[np.bool_] = near_band.any(axis=1) | ~(portfolio_value > 0)
    return kept
