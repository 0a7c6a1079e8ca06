"""Real closing prices from ``../shared/data`` for benchmarks."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def last_closes() -> dict[str, Decimal]:
    """The last day's close of each of the 20 stocks in ``stock_prices.csv``."""
    with (SHARED_DATA / "stock_prices.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    last = rows[-1]
    return {symbol: Decimal(price) for symbol, price in last.items() if symbol != "date" and price}
