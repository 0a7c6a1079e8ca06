"""Read portfolio and target snapshot files (the design's "Snapshot files") into domain values.

Every fault names the file, the field and what is wrong, so ``trimtab plan`` can
say exactly which line of which file to fix.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from trimtab.domain.money import ZERO, to_decimal
from trimtab.domain.portfolio import Asset, Holding, Portfolio
from trimtab.domain.targets import (
    DEFAULT_SUM_TOLERANCE,
    Target,
    check_symbol,
    validate_targets,
)
from trimtab.errors import InvalidInput

CSV_HEADER = ("symbol", "qty", "price")
CASH_SYMBOL = "CASH"


class SnapshotError(InvalidInput):
    """A snapshot file that cannot be read, or whose contents do not fit together."""

    code = "invalid_snapshot"

    def __init__(self, path: Path, field: str, problem: str) -> None:
        super().__init__(f"{path}: {field}: {problem}", field=field)
        self.path = path


@dataclass(frozen=True)
class _Reader:
    """Field readers that raise ``SnapshotError`` pointing into one file."""

    path: Path

    def fail(self, field: str, problem: str) -> SnapshotError:
        return SnapshotError(self.path, field, problem)

    def number(self, value: Any, field: str) -> Decimal:
        try:
            return to_decimal(value, field=field)
        except ValueError:
            raise self.fail(field, f"{value!r} is not a number") from None

    def positive(self, value: Any, field: str) -> Decimal:
        result = self.number(value, field)
        if result <= ZERO:
            raise self.fail(field, f"must be above 0, got {value}")
        return result

    def symbol(self, value: Any, field: str) -> str:
        if not isinstance(value, str):
            raise self.fail(field, f"expected a ticker symbol, got {value!r}")
        try:
            return check_symbol(value)
        except InvalidInput as err:
            raise self.fail(field, err.message) from None

    def json(self) -> Any:
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as err:
            raise self.fail("file", f"cannot read: {err.strerror}") from None
        try:
            return json.loads(text, parse_float=Decimal, parse_int=Decimal)
        except json.JSONDecodeError as err:
            raise self.fail(f"line {err.lineno}", f"not valid JSON ({err.msg})") from None


def load_portfolio(path: Path) -> Portfolio:
    """A portfolio from JSON (``cash``, ``positions``, ``prices``, ``not_fractionable``) or CSV."""
    reader = _Reader(path)
    if path.suffix.lower() == ".csv":
        return _portfolio_from_csv(reader)
    data = reader.json()
    if not isinstance(data, dict):
        raise reader.fail("top level", "expected a JSON object with cash and positions")
    unknown = set(data) - {"cash", "positions", "prices", "not_fractionable"}
    if unknown:
        raise reader.fail(", ".join(sorted(unknown)), "unknown field")
    cash = reader.number(data.get("cash", 0), "cash")
    positions = data.get("positions", [])
    if not isinstance(positions, list):
        raise reader.fail("positions", "expected a list of {symbol, qty, price}")
    rows = []
    for index, position in enumerate(positions):
        where = f"positions[{index}]"
        if not isinstance(position, dict):
            raise reader.fail(where, "expected an object with symbol, qty and price")
        for key in CSV_HEADER:
            if key not in position:
                raise reader.fail(f"{where}.{key}", "missing")
        rows.append((where, position["symbol"], position["qty"], position["price"]))
    prices = data.get("prices", {})
    if not isinstance(prices, dict):
        raise reader.fail("prices", 'expected an object such as {"GLD": "185.10"}')
    not_fractionable = data.get("not_fractionable", [])
    if not isinstance(not_fractionable, list):
        raise reader.fail("not_fractionable", 'expected a list of symbols such as ["TLT"]')
    return _portfolio(reader, cash, rows, prices, not_fractionable)


def _portfolio_from_csv(reader: _Reader) -> Portfolio:
    try:
        with reader.path.open(newline="", encoding="utf-8") as handle:
            lines = list(csv.reader(handle))
    except OSError as err:
        raise reader.fail("file", f"cannot read: {err.strerror}") from None
    except (csv.Error, UnicodeDecodeError) as err:
        raise reader.fail("file", f"not a readable CSV ({err})") from None
    if not lines or tuple(c.strip().lower() for c in lines[0]) != CSV_HEADER:
        raise reader.fail("header", "expected the header symbol,qty,price")
    cash = ZERO
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        where = f"line {number}"
        if not any(cell.strip() for cell in line):
            continue
        if len(line) != len(CSV_HEADER):
            raise reader.fail(where, f"expected 3 columns, got {len(line)}")
        symbol, qty, price = (cell.strip() for cell in line)
        if symbol.upper() == CASH_SYMBOL:
            if reader.number(price, f"{where}.price") != 1:
                raise reader.fail(f"{where}.price", "the CASH row's price must be 1")
            cash += reader.number(qty, f"{where}.qty")
            continue
        rows.append((where, symbol, qty, price))
    return _portfolio(reader, cash, rows, {}, [])


def _portfolio(
    reader: _Reader,
    cash: Decimal,
    rows: Iterable[tuple[str, Any, Any, Any]],
    prices: Mapping[str, Any],
    not_fractionable: Iterable[Any],
) -> Portfolio:
    """Check positions and prices fit together; rows of qty 0 only give a price."""
    holdings: list[Holding] = []
    known_prices: dict[str, Decimal] = {}
    for where, raw_symbol, raw_qty, raw_price in rows:
        symbol = reader.symbol(raw_symbol, f"{where}.symbol")
        if symbol in known_prices:
            raise reader.fail(f"{where}.symbol", f"{symbol} is listed twice")
        qty = reader.number(raw_qty, f"{where}.qty")
        if qty < ZERO:
            raise reader.fail(f"{where}.qty", f"short positions are not supported, got {qty}")
        price = reader.positive(raw_price, f"{where}.price")
        known_prices[symbol] = price
        if qty > ZERO:
            holdings.append(Holding(symbol, qty, price))
    held = {h.symbol for h in holdings}
    # Rows of qty 0 only give a price: it belongs with the prices of symbols not held.
    extra_prices = {s: p for s, p in known_prices.items() if s not in held}
    for raw_symbol, raw_price in prices.items():
        symbol = reader.symbol(raw_symbol, f"prices.{raw_symbol}")
        price = reader.positive(raw_price, f"prices.{symbol}")
        if symbol in known_prices and known_prices[symbol] != price:
            raise reader.fail(
                f"prices.{symbol}",
                f"{price} differs from the position's price {known_prices[symbol]}",
            )
        extra_prices[symbol] = price
    assets = {}
    for index, raw_symbol in enumerate(not_fractionable):
        symbol = reader.symbol(raw_symbol, f"not_fractionable[{index}]")
        assets[symbol] = Asset(symbol, fractionable=False)
    return Portfolio(cash=cash, holdings=tuple(holdings), prices=extra_prices, assets=assets)


def load_targets(path: Path, *, tolerance: Decimal = DEFAULT_SUM_TOLERANCE) -> list[Target]:
    """Targets from ``{"SPY": 40, ...}`` or ``[{"symbol", "target_percent", "enabled"}, ...]``.

    The whole set is validated: symbols, percents, uniqueness and the 100 % sum.
    """
    reader = _Reader(path)
    data = reader.json()
    targets: list[Target] = []
    if isinstance(data, dict):
        for raw_symbol, percent in data.items():
            symbol = reader.symbol(raw_symbol, f"{raw_symbol}")
            targets.append(Target(symbol, reader.number(percent, symbol)))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            where = f"[{index}]"
            if not isinstance(item, dict):
                raise reader.fail(where, "expected an object with symbol and target_percent")
            for key in ("symbol", "target_percent"):
                if key not in item:
                    raise reader.fail(f"{where}.{key}", "missing")
            enabled = item.get("enabled", True)
            if not isinstance(enabled, bool):
                raise reader.fail(f"{where}.enabled", f"expected true or false, got {enabled!r}")
            targets.append(
                Target(
                    reader.symbol(item["symbol"], f"{where}.symbol"),
                    reader.number(item["target_percent"], f"{where}.target_percent"),
                    enabled,
                )
            )
    else:
        raise reader.fail("top level", 'expected {"SPY": 40, ...} or a list of targets')
    try:
        validate_targets(targets, tolerance)
    except InvalidInput as err:
        raise reader.fail(err.field or "targets", err.message) from None
    return targets


def check_prices_for(targets: Iterable[Target], portfolio: Portfolio, path: Path) -> None:
    """Raise ``SnapshotError`` on the portfolio file when an enabled target has no price."""
    for target in targets:
        if target.enabled and portfolio.price(target.symbol) is None:
            raise SnapshotError(
                path,
                "prices",
                f'no price for target symbol {target.symbol}; add it under "prices"',
            )
