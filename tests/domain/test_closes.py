"""``shortest_decimals``: each float's ``Decimal(repr(x))``, digits and exponent alike."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from trimtab.domain.backtest.closes import BULK, shortest_decimals
from trimtab.price_files import load_price_csv

PRICES = Path(__file__).resolve().parents[3] / "shared" / "data" / "stock_prices.csv"


def _expected(values: np.ndarray) -> list[tuple[object, ...]]:
    return [Decimal(repr(x)).as_tuple() for x in values.tolist()]


def _got(values: np.ndarray) -> list[tuple[object, ...]]:
    return [d.as_tuple() for d in shortest_decimals(values)]


def test_hand_picked_floats_read_as_repr_writes_them() -> None:
    values = np.array(
        [
            101.880455,  # the CSV's digits
            3.99,
            0.1 + 0.2,  # 0.30000000000000004: 17 digits, through repr
            100.0,  # "100.0": (1000, -1), not Decimal("100")
            0.0,
            -0.0,  # "-0.0": through repr
            1e-05,  # "1e-05"
            1.5e-7,
            123456789012345.0,  # 15 digits, whole
            1e15,  # at the limit: through repr
            1e22,
            -42.125,
            5e-324,
            float("nan"),
            float("inf"),
        ]
        * (BULK // 15 + 1)
    )
    decimals = shortest_decimals(values)
    assert [d.as_tuple() for d in decimals[:15] if d.is_finite()] == [
        Decimal(text).as_tuple()
        for text in (
            "101.880455",
            "3.99",
            "0.30000000000000004",
            "100.0",
            "0.0",
            "-0.0",
            "0.00001",
            "1.5E-7",
            "123456789012345.0",
            "1000000000000000.0",
            "1E+22",
            "-42.125",
            "5E-324",
        )
    ]
    assert decimals[13].is_nan()
    assert decimals[14] == Decimal("Infinity")
    assert _got(values) == _expected(values)


def test_every_close_of_the_shared_file_reads_as_repr_writes_it() -> None:
    closes = load_price_csv(PRICES).closes
    values = closes[np.isfinite(closes)]
    assert len(values) > 100_000
    assert _got(values) == _expected(values)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True),
            # Closes as a CSV writes them: up to 6 decimals.
            st.decimals(min_value=0, max_value=10**7, places=6).map(float),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_any_float_reads_as_repr_writes_it(values: list[float]) -> None:
    # Repeated up to the bulk size: fewer values take the repr path itself.
    array = np.resize(np.array(values, dtype=np.float64), BULK)
    assert _got(array) == _expected(array)
