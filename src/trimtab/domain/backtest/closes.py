"""Closes as ``Decimal``: the shortest decimal that names each float, as the CSV wrote it.

A close is read from text into a float; the replay trades on it as ``Decimal(repr(x))``,
the shortest digits that give back the same float, which are the CSV's own digits
(``docs/backtest.md``, "How a day is replayed"). ``shortest_decimals`` gives exactly those
(the same digits and exponent) for many closes at once, without formatting each one.

The rule it relies on: a float is named by at most one decimal of 15 significant digits
or fewer (a double carries 15 decimal digits exactly, C's ``DBL_DIG``). For each float
it finds the fewest decimal places k (up to 22, the largest power of ten a double holds
exactly) at which the integer n nearest to x·10^k gives back x as n / 10^k (a correctly
rounded division of two exact doubles, which is what reading the text "nE-k" gives)
with |n| < 10^15. That n·10^-k is then the one short decimal naming x, so it is the one
``repr`` prints. ``repr`` writes a whole number as ``N.0``: that is n·10 at k = 1.
Anything else (-0.0, NaN and infinities, more than 15 significant digits,
|x| ≥ 10^15) goes through ``repr`` itself.
"""

from __future__ import annotations

from decimal import Decimal
from operator import mul

import numpy as np
import numpy.typing as npt

#: 10^k as exact doubles, and 10^-k as ``Decimal``, for k = 0..22.
_POWERS = [10.0**k for k in range(23)]
_SCALES = [Decimal(1).scaleb(-k) for k in range(23)]
#: Coefficients below this have at most 15 digits.
_LIMIT = 1e15
#: Below this many values numpy's cost per call outweighs what it saves, and one
#: ``repr`` each is as quick or quicker (they break even at about 500 values; at
#: 3,400, a ``monthly`` run's plan days, the numpy way takes half the time).
BULK = 500


def shortest_decimal(close: float) -> Decimal:
    """One close as ``Decimal`` through its shortest repr, which is the CSV's text for it."""
    return Decimal(repr(close))


def shortest_decimals(values: npt.NDArray[np.float64]) -> list[Decimal]:
    """``[shortest_decimal(x) for x in values]`` (equal digits and exponents), for a 1-D array.

    Needs the decimal context's precision at 16 digits or more (the default is 28) for
    the exact product n × 10^-k.
    """
    if len(values) < BULK:
        # ``shortest_decimal`` on each, without a Python call per close.
        return list(map(Decimal, map(repr, values.tolist())))
    coefficients = np.zeros(len(values), dtype=np.float64)
    places = np.full(len(values), -1, dtype=np.int64)
    # -0.0 reads back as Decimal("-0.0"), which n = 0 cannot say: left to repr.
    left = np.flatnonzero(np.isfinite(values) & ~((values == 0) & np.signbit(values)))
    x = values[left]
    with np.errstate(over="ignore", invalid="ignore"):
        for k, power in enumerate(_POWERS):
            if not len(left):
                break
            n = np.rint(x * power)
            named = (n / power == x) & (np.abs(n) < _LIMIT)
            found = left[named]
            coefficients[found] = n[named]
            places[found] = k
            left = left[~named]
            x = x[~named]
    whole = places == 0
    coefficients[whole] *= 10
    places[whole] = 1
    result = list(
        map(
            mul,
            map(Decimal, coefficients.astype(np.int64).tolist()),
            map(_SCALES.__getitem__, places.tolist()),
        )
    )
    for index in np.flatnonzero(places < 0).tolist():
        result[index] = shortest_decimal(float(values[index]))
    return result
