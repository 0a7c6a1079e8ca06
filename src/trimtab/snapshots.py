"""Read portfolio and target snapshot files (the design's "Snapshot files") into domain values.

Every fault names the file, the field and what is wrong, so ``trimtab plan`` can
say exactly which line of which file to fix.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from trimtab.domain.money import MONEY_RANGE, PRICE_RANGE, QTY_RANGE, ZERO, NumberRange, to_decimal
from trimtab.domain.planner import TaxContext
from trimtab.domain.portfolio import (
    Asset,
    AssetClass,
    Holding,
    OpenOrder,
    Portfolio,
    PricePoint,
    Side,
)
from trimtab.domain.targets import (
    DEFAULT_SUM_TOLERANCE,
    Target,
    check_symbol,
    validate_targets,
)
from trimtab.domain.tax_lots import Fill, lots_from_fills
from trimtab.errors import InvalidInput
from trimtab.json_keys import DuplicateKey, unique_keys

CSV_HEADER = ("symbol", "qty", "price")
CASH_SYMBOL = "CASH"


#: Any other number in a snapshot: money-sized, to the quantity's 9 decimals (a broker's
#: market_value of a fractional position has more than a cent's).
AMOUNT = NumberRange(ZERO, MONEY_RANGE.maximum, QTY_RANGE.places)


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

    def number(self, value: Any, field: str, bounds: NumberRange = AMOUNT) -> Decimal:
        """A number whose size is inside ``bounds`` (negative ones allowed: shorts, a debit
        balance), so nothing from a file overflows the plan (docs/security.md)."""
        try:
            number = to_decimal(value, field=field)
        except ValueError:
            raise self.fail(field, f"{value!r} is not a number") from None
        try:
            bounds.check(abs(number), field=field)
        except ValueError as err:
            raise self.fail(field, str(err).removeprefix(f"{field}: ")) from None
        return number

    def positive(self, value: Any, field: str, bounds: NumberRange = AMOUNT) -> Decimal:
        result = self.number(value, field, bounds)
        if result <= ZERO:
            raise self.fail(field, f"must be above 0, got {value}")
        return result

    def optional_positive(self, value: Any, field: str) -> Decimal | None:
        return None if value is None else self.positive(value, field)

    def flag(self, value: Any, field: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(field, f"expected true or false, got {value!r}")
        return value

    def time(self, value: Any, field: str) -> datetime:
        """An ISO-8601 time with its offset (``2026-11-27T21:00:00Z``)."""
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise self.fail(field, f"expected an ISO-8601 time with a UTC offset, got {value!r}")
        return moment

    def price(self, value: Any, field: str) -> PricePoint:
        """A positive price, bare or as ``{"price": ..., "as_of": ...}``."""
        if isinstance(value, dict):
            self.known(value, frozenset({"price", "as_of"}), f"{field}.")
            if "price" not in value:
                raise self.fail(f"{field}.price", "missing")
            as_of = self.time(value["as_of"], f"{field}.as_of") if "as_of" in value else None
            price = self.positive(value["price"], f"{field}.price", PRICE_RANGE)
            return PricePoint(price, as_of, "snapshot")
        return PricePoint(self.positive(value, field, PRICE_RANGE), None, "snapshot")

    def asset_class(self, value: Any, field: str) -> AssetClass:
        if value is None:
            return AssetClass.US_EQUITY
        try:
            return AssetClass(value)
        except ValueError:
            known = ", ".join(c.value for c in AssetClass)
            raise self.fail(field, f"expected one of {known}, got {value!r}") from None

    def option_symbol(self, value: Any, field: str) -> str:
        if not isinstance(value, str) or not OPTION_SYMBOL.match(value):
            raise self.fail(
                field, f"expected an option symbol such as AAPL250117C00150000, got {value!r}"
            )
        return value

    def known(self, data: Mapping[str, Any], fields: frozenset[str], prefix: str) -> None:
        unknown = set(data) - fields
        if unknown:
            raise self.fail(", ".join(f"{prefix}{k}" for k in sorted(unknown)), "unknown field")

    def record(self, value: Any, fields: frozenset[str], where: str, what: str) -> dict[str, Any]:
        """``value`` as an object at ``where`` holding only ``fields``; ``what`` says what it
        should be when it is not an object."""
        if not isinstance(value, dict):
            raise self.fail(where, f"expected {what}")
        self.known(value, fields, f"{where}.")
        return value

    def listed(self, data: Mapping[str, Any], field: str, what: str) -> list[Any]:
        value = data.get(field, [])
        if not isinstance(value, list):
            raise self.fail(field, f"expected {what}")
        return value

    def symbol(self, value: Any, field: str) -> str:
        if not isinstance(value, str):
            raise self.fail(field, f"expected a ticker symbol, got {value!r}")
        try:
            return check_symbol(value)
        except InvalidInput as err:
            raise self.fail(field, err.message) from None

    def json(self, *, keys: str = "key") -> Any:
        """The file's JSON, numbers as ``Decimal``; a key given twice in one object is
        refused (``json`` would keep the last silently), named as one of ``keys``."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as err:
            raise self.fail("file", f"cannot read: {err.strerror}") from None
        except UnicodeDecodeError:
            raise self.fail("file", "not UTF-8 text (a binary file?)") from None
        try:
            return json.loads(
                text, parse_float=Decimal, parse_int=Decimal, object_pairs_hook=unique_keys
            )
        except DuplicateKey as err:
            raise self.fail(keys, f"{keys} {err.key} appears more than once") from None
        except json.JSONDecodeError as err:
            raise self.fail(f"line {err.lineno}", f"not valid JSON ({err.msg})") from None
        except RecursionError:
            raise self.fail("file", "JSON nested too deep") from None


PORTFOLIO_FIELDS = frozenset(
    {
        "cash",
        "positions",
        "prices",
        "not_fractionable",
        "equity",
        "buying_power",
        "open_orders",
        "assets",
        "as_of",
        "fills",
    }
)
POSITION_FIELDS = frozenset({"symbol", "qty", "price", "market_value", "asset_class", "cost_basis"})
FILL_FIELDS = frozenset({"symbol", "side", "qty", "price", "filled_on"})
ASSET_FIELDS = frozenset(
    {"asset_class", "tradable", "fractionable", "min_order_size", "min_trade_increment"}
)
ORDER_FIELDS = frozenset({"symbol", "side", "qty", "notional", "limit_price"})
#: OCC option symbols, as Alpaca's positions carry them: root, expiry, C/P, strike.
OPTION_SYMBOL = re.compile(r"^[A-Z]{1,6}\d{6}[CP]\d{8}$")


@dataclass(frozen=True)
class _Row:
    """One position as read, before it is checked against the rest."""

    where: str
    symbol: Any
    qty: Any
    price: Any
    market_value: Any = None
    asset_class: Any = None


def load_portfolio(path: Path, *, now: datetime | None = None) -> Portfolio:
    """A portfolio from JSON or CSV (docs/rebalancing.md, "Snapshot files").

    JSON: ``cash``, ``positions`` (``symbol``, ``qty`` — negative for a short —,
    ``price``, optional ``market_value`` and ``asset_class``), ``prices``,
    ``not_fractionable``, and optionally ``equity``, ``buying_power``,
    ``open_orders``, ``assets`` and ``as_of`` (when it was taken; else ``now``).
    A price is a number or ``{"price": ..., "as_of": "ISO-8601"}``.
    """
    reader = _Reader(path)
    if path.suffix.lower() == ".csv":
        return replace(_portfolio_from_csv(reader), as_of=now)
    data = reader.json()
    if not isinstance(data, dict):
        raise reader.fail("top level", "expected a JSON object with cash and positions")
    reader.known(data, PORTFOLIO_FIELDS, "")
    cash = reader.number(data.get("cash", 0), "cash")
    positions = reader.listed(data, "positions", "a list of {symbol, qty, price}")
    rows = []
    for index, position in enumerate(positions):
        where = f"positions[{index}]"
        position = reader.record(
            position, POSITION_FIELDS, where, "an object with symbol, qty and price"
        )
        for key in ("symbol", "qty"):
            if key not in position:
                raise reader.fail(f"{where}.{key}", "missing")
        rows.append(
            _Row(
                where,
                position["symbol"],
                position["qty"],
                position.get("price"),
                position.get("market_value"),
                position.get("asset_class"),
            )
        )
    prices = data.get("prices", {})
    if not isinstance(prices, dict):
        raise reader.fail("prices", 'expected an object such as {"GLD": "185.10"}')
    not_fractionable = reader.listed(data, "not_fractionable", 'a list of symbols such as ["TLT"]')
    portfolio = _portfolio(reader, cash, rows, prices, not_fractionable)
    assets = {**portfolio.assets, **_assets(reader, data.get("assets", {}))}
    as_of = reader.time(data["as_of"], "as_of") if "as_of" in data else now
    return replace(
        portfolio,
        assets=assets,
        equity=reader.number(data["equity"], "equity") if "equity" in data else None,
        buying_power=(
            reader.number(data["buying_power"], "buying_power") if "buying_power" in data else None
        ),
        open_orders=_open_orders(reader, reader.listed(data, "open_orders", "a list of orders")),
        as_of=as_of,
    )


def load_tax_context(path: Path, today: date) -> TaxContext:
    """What tax-aware selling needs from a JSON snapshot (docs/policies.md, "Tax lots in a
    snapshot"): ``fills`` (``symbol``, ``side``, ``qty``, ``price`` USD per share,
    ``filled_on`` as ``YYYY-MM-DD``) and each position's optional ``cost_basis`` (the
    broker's average entry price, USD per share). A CSV snapshot has neither.

    Raises ``SnapshotError`` naming the field at fault.
    """
    reader = _Reader(path)
    if path.suffix.lower() == ".csv":
        return TaxContext(today)
    data = reader.json()
    if not isinstance(data, dict):
        raise reader.fail("top level", "expected a JSON object with cash and positions")
    basis: dict[str, Decimal] = {}
    for index, position in enumerate(reader.listed(data, "positions", "a list of positions")):
        if isinstance(position, dict) and position.get("cost_basis") is not None:
            where = f"positions[{index}]"
            symbol = reader.symbol(position.get("symbol"), f"{where}.symbol")
            basis[symbol] = reader.positive(
                position["cost_basis"], f"{where}.cost_basis", PRICE_RANGE
            )
    fills = [
        _fill(reader, item, f"fills[{index}]")
        for index, item in enumerate(reader.listed(data, "fills", "a list of fills"))
    ]
    return TaxContext(today, lots_from_fills(fills) if fills else None, basis)


def _fill(reader: _Reader, item: Any, where: str) -> Fill:
    item = reader.record(
        item, FILL_FIELDS, where, "an object with symbol, side, qty, price, filled_on"
    )
    for key in sorted(FILL_FIELDS):
        if key not in item:
            raise reader.fail(f"{where}.{key}", "missing")
    side = item["side"]
    if side not in ("buy", "sell"):
        raise reader.fail(f"{where}.side", f"expected buy or sell, got {side!r}")
    try:
        filled_on = (
            date.fromisoformat(item["filled_on"]) if isinstance(item["filled_on"], str) else None
        )
    except ValueError:
        filled_on = None
    if filled_on is None:
        raise reader.fail(
            f"{where}.filled_on", f"expected a date such as 2026-01-02, got {item['filled_on']!r}"
        )
    return Fill(
        reader.symbol(item["symbol"], f"{where}.symbol"),
        Side(side),
        reader.positive(item["qty"], f"{where}.qty", QTY_RANGE),
        reader.positive(item["price"], f"{where}.price", PRICE_RANGE),
        filled_on,
    )


def _assets(reader: _Reader, raw: Any) -> dict[str, Asset]:
    if not isinstance(raw, dict):
        raise reader.fail("assets", 'expected an object such as {"BTC/USD": {...}}')
    assets = {}
    for raw_symbol, facts in raw.items():
        symbol = reader.symbol(raw_symbol, f"assets.{raw_symbol}")
        where = f"assets.{symbol}"
        facts = reader.record(facts, ASSET_FIELDS, where, "an object of asset facts")
        assets[symbol] = Asset(
            symbol,
            tradable=reader.flag(facts.get("tradable", True), f"{where}.tradable"),
            fractionable=reader.flag(facts.get("fractionable", True), f"{where}.fractionable"),
            asset_class=reader.asset_class(facts.get("asset_class"), f"{where}.asset_class"),
            min_order_size=reader.optional_positive(
                facts.get("min_order_size"), f"{where}.min_order_size"
            ),
            min_trade_increment=reader.optional_positive(
                facts.get("min_trade_increment"), f"{where}.min_trade_increment"
            ),
        )
    return assets


def _open_orders(reader: _Reader, raw: list[Any]) -> tuple[OpenOrder, ...]:
    orders = []
    for index, item in enumerate(raw):
        where = f"open_orders[{index}]"
        item = reader.record(
            item, ORDER_FIELDS, where, "an object with symbol, side and qty or notional"
        )
        if "symbol" not in item:
            raise reader.fail(f"{where}.symbol", "missing")
        side = item.get("side")
        if side not in ("buy", "sell"):
            raise reader.fail(f"{where}.side", f"expected buy or sell, got {side!r}")
        if ("qty" in item) == ("notional" in item):
            raise reader.fail(where, "give exactly one of qty and notional")
        orders.append(
            OpenOrder(
                reader.symbol(item["symbol"], f"{where}.symbol"),
                Side(side),
                qty=reader.optional_positive(item.get("qty"), f"{where}.qty"),
                notional=reader.optional_positive(item.get("notional"), f"{where}.notional"),
                limit_price=reader.optional_positive(
                    item.get("limit_price"), f"{where}.limit_price"
                ),
            )
        )
    return tuple(orders)


def _portfolio_from_csv(reader: _Reader) -> Portfolio:
    try:
        # utf-8-sig: Excel's "CSV UTF-8" starts with a byte order mark.
        with reader.path.open(newline="", encoding="utf-8-sig") as handle:
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
        rows.append(_Row(where, symbol, qty, price))
    return _portfolio(reader, cash, rows, {}, [])


def _holding(reader: _Reader, row: _Row) -> tuple[Holding | None, PricePoint | None]:
    """The holding a row describes (``None`` for qty 0) and the price it gives."""
    asset_class = reader.asset_class(row.asset_class, f"{row.where}.asset_class")
    if asset_class is AssetClass.US_OPTION:
        symbol = reader.option_symbol(row.symbol, f"{row.where}.symbol")
    else:
        symbol = reader.symbol(row.symbol, f"{row.where}.symbol")
    qty = reader.number(row.qty, f"{row.where}.qty", QTY_RANGE)
    price = None if row.price is None else reader.price(row.price, f"{row.where}.price")
    if price is None and asset_class is not AssetClass.US_OPTION:
        raise reader.fail(f"{row.where}.price", "missing")
    if row.market_value is not None:
        market_value = reader.number(row.market_value, f"{row.where}.market_value")
        if qty != ZERO and (market_value < ZERO) != (qty < ZERO):
            raise reader.fail(
                f"{row.where}.market_value", "must have the sign of qty (negative for a short)"
            )
    elif price is None:
        raise reader.fail(
            f"{row.where}.market_value",
            "missing: an option's value includes its contract multiplier; give the broker's",
        )
    else:
        market_value = qty * price.price
    holding = Holding(symbol, qty, market_value, price, asset_class) if qty != ZERO else None
    return holding, price


def _portfolio(
    reader: _Reader,
    cash: Decimal,
    rows: Iterable[_Row],
    prices: Mapping[str, Any],
    not_fractionable: Iterable[Any],
) -> Portfolio:
    """Check positions and prices fit together; rows of qty 0 only give a price."""
    holdings: dict[str, Holding] = {}
    known_prices: dict[str, PricePoint | None] = {}
    for row in rows:
        holding, price = _holding(reader, row)
        symbol = holding.symbol if holding else reader.symbol(row.symbol, f"{row.where}.symbol")
        if symbol in known_prices:
            raise reader.fail(f"{row.where}.symbol", f"{symbol} is listed twice")
        known_prices[symbol] = price
        if holding is not None:
            holdings[symbol] = holding
    # Rows of qty 0 only give a price: it belongs with the market prices.
    market = {s: p for s, p in known_prices.items() if s not in holdings and p is not None}
    for raw_symbol, raw_price in prices.items():
        symbol = reader.symbol(raw_symbol, f"prices.{raw_symbol}")
        price = reader.price(raw_price, f"prices.{symbol}")
        given = known_prices.get(symbol)
        if given is not None and given.price != price.price:
            raise reader.fail(
                f"prices.{symbol}",
                f"{price.price} differs from the position's price {given.price}",
            )
        market[symbol] = price
    assets = {}
    for index, raw_symbol in enumerate(not_fractionable):
        symbol = reader.symbol(raw_symbol, f"not_fractionable[{index}]")
        assets[symbol] = Asset(symbol, fractionable=False)
    worth = abs(cash) + sum((abs(h.market_value) for h in holdings.values()), ZERO)
    if worth > MONEY_RANGE.maximum:
        raise reader.fail(
            "positions", f"the portfolio is worth more than ${MONEY_RANGE.maximum:,f}"
        )
    return Portfolio(cash=cash, holdings=holdings, prices=market, assets=assets)


def load_targets(path: Path, *, tolerance: Decimal = DEFAULT_SUM_TOLERANCE) -> list[Target]:
    """Targets from ``{"SPY": 40, ...}`` or ``[{"symbol", "target_percent", "enabled"}, ...]``.

    The whole set is validated: symbols, percents, uniqueness and the 100 % sum.
    """
    reader = _Reader(path)
    data = reader.json(keys="symbol")
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
    """Raise ``SnapshotError`` on the portfolio file when an enabled target has no price
    (a 0 % target of a symbol not held needs none)."""
    for target in targets:
        needed = target.target_percent > ZERO or portfolio.holding(target.symbol) is not None
        if target.enabled and needed and not portfolio.price_candidates(target.symbol):
            raise SnapshotError(
                path,
                "prices",
                f'no price for target symbol {target.symbol}; add it under "prices"',
            )
