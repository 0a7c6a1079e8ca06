"""Daily closes the paper broker and the simulator serve as historical bars.

A slice of the shared price data is packaged (``demo_history.csv``: the 20 stocks and
SPY, 2016-01-04 to 2018-04-11; PyPortfolioOpt test data, MIT License, Copyright (c)
2018 Robert Andrew Martin), so a paper account can be backtested without a file.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources

from trimtab.brokers.models import DailyBar

#: Symbol → its bars, oldest first.
DailyHistory = Mapping[str, Sequence[DailyBar]]


@lru_cache(maxsize=1)
def packaged_history() -> DailyHistory:
    """The packaged closes (read once)."""
    text = resources.files("trimtab.brokers").joinpath("demo_history.csv").read_text()
    rows = csv.reader(line for line in text.splitlines() if not line.startswith("#"))
    header = next(rows)
    bars: dict[str, list[DailyBar]] = {symbol: [] for symbol in header[1:]}
    for row in rows:
        day = date.fromisoformat(row[0])
        for symbol, cell in zip(header[1:], row[1:], strict=True):
            if cell:
                bars[symbol].append(DailyBar(day, Decimal(cell)))
    return bars


def bars_between(
    history: DailyHistory, symbols: Sequence[str], start: date, end: date
) -> dict[str, list[DailyBar]]:
    """The bars of ``symbols`` from ``start`` to ``end`` inclusive; symbols without any left out."""
    result = {}
    for symbol in symbols:
        bars = [bar for bar in history.get(symbol, ()) if start <= bar.day <= end]
        if bars:
            result[symbol] = bars
    return result
