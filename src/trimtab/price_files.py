"""Read daily closes from a wide CSV: a ``date`` column, then one column per symbol.

Example (``docs/backtest.md``)::

    date,SPY,TLT
    2020-01-02,324.87,137.80
    2020-01-03,322.41,

An empty cell means no close that day (not yet listed, halted, delisted). Every
fault raises ``PriceFileError`` naming the source and line, so ``trimtab backtest``
exits 2 and ``POST /api/backtests`` answers 422 with the same message.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np

from trimtab.domain.backtest import PriceHistory
from trimtab.domain.money import MONEY_RANGE, PRICE_RANGE
from trimtab.domain.targets import check_symbol
from trimtab.errors import InvalidInput

#: A close above 0 lies between the smallest amount the money columns hold ($0.0001)
#: and the largest price a snapshot or an order may carry ($10 million), so the replay's
#: ``Decimal`` quantities and values stay inside what they hold.
SMALLEST_CLOSE = float(Decimal(1).scaleb(-MONEY_RANGE.places))
LARGEST_CLOSE = float(PRICE_RANGE.maximum)


class PriceFileError(InvalidInput):
    """A price CSV that cannot be read; the message names the source and line."""

    code = "invalid_prices"

    def __init__(self, source: str, where: str, problem: str) -> None:
        super().__init__(f"{source}: {where}: {problem}", field="prices")


def load_price_csv(path: Path) -> PriceHistory:
    """Closes from the CSV file at ``path``; raises ``PriceFileError``."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise PriceFileError(str(path), "file", f"cannot read: {err}") from None
    return parse_price_csv(text, str(path))


def parse_price_csv(text: str, source: str = "prices") -> PriceHistory:
    """Closes from CSV ``text``; ``source`` names it in errors. Raises ``PriceFileError``.

    A leading byte order mark (Excel's "CSV UTF-8") is dropped."""
    rows = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    try:
        header = next(rows, None)
    except csv.Error as err:
        raise PriceFileError(source, "line 1", f"not a readable CSV ({err})") from None
    if not header or header[0].strip().lower() != "date":
        raise PriceFileError(source, "line 1", "expected a header: date,SYMBOL,SYMBOL,...")
    symbols: list[str] = []
    for cell in header[1:]:
        try:
            symbol = check_symbol(cell.strip().upper())
        except InvalidInput as err:
            raise PriceFileError(source, "line 1", err.message) from None
        if symbol in symbols:
            raise PriceFileError(source, "line 1", f"{symbol} appears twice")
        symbols.append(symbol)
    if not symbols:
        raise PriceFileError(source, "line 1", "no symbol columns after date")
    dates: list[date] = []
    closes: list[list[float]] = []
    width = len(symbols) + 1
    try:
        for line in rows:
            number = rows.line_num
            if not any(cell.strip() for cell in line):
                continue
            if len(line) != width:
                raise PriceFileError(
                    source, f"line {number}", f"expected {width} columns, got {len(line)}"
                )
            day = _date(line[0], source, number)
            if dates and day <= dates[-1]:
                raise PriceFileError(
                    source, f"line {number}", f"date {day} is not after {dates[-1]}"
                )
            dates.append(day)
            closes.append(
                [_close(cell, symbols[i], source, number) for i, cell in enumerate(line[1:])]
            )
    except csv.Error as err:
        raise PriceFileError(
            source, f"line {rows.line_num}", f"not a readable CSV ({err})"
        ) from None
    if not dates:
        raise PriceFileError(source, "line 2", "no price rows after the header")
    return PriceHistory(tuple(dates), tuple(symbols), np.array(closes, dtype=np.float64))


def _date(text: str, source: str, number: int) -> date:
    """A row's day: an ISO date, or an ISO date and time (a close's timestamp, as some
    exports write it: ``2020-01-02 00:00:00``), whose day is taken. Anything after the
    date that is not a time is refused (``2020-01-02xyz``)."""
    cell = text.strip()
    try:
        if len(cell) <= 10:
            return date.fromisoformat(cell)
        return datetime.fromisoformat(cell).date()
    except ValueError:
        raise PriceFileError(
            source, f"line {number}", f"date {text!r} is not a YYYY-MM-DD date"
        ) from None


def _close(text: str, symbol: str, source: str, number: int) -> float:
    cell = text.strip()
    if not cell:
        return math.nan
    try:
        if "_" in cell:  # float() reads "1_0" as 10: a digit grouping no CSV writes
            raise ValueError(cell)
        value = float(cell)
    except ValueError:
        raise PriceFileError(
            source, f"line {number}", f"{symbol}: {cell!r} is not a number"
        ) from None
    problem = close_problem(value)
    if problem is not None:
        raise PriceFileError(source, f"line {number}", f"{symbol}: {problem}, got {cell}")
    return value


def close_problem(value: float) -> str | None:
    """Why ``value`` cannot be a close (USD), or ``None`` when it can: a close is 0 or
    from ``SMALLEST_CLOSE`` to ``LARGEST_CLOSE``, whether a CSV or the broker gave it."""
    if not math.isfinite(value) or value < 0:
        return "a close must be a number ≥ 0"
    if value and not SMALLEST_CLOSE <= value <= LARGEST_CLOSE:
        return f"a close must be 0 or from {SMALLEST_CLOSE:g} to {LARGEST_CLOSE:,.0f}"
    return None
