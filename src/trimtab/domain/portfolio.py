"""What a plan is made from: cash, holdings, prices and facts about assets.

The valuation rules are in docs/rebalancing.md ("Valuation"): each holding is
valued at the broker's own ``market_value`` and the portfolio at the account's
equity; cash + the holdings' market values must agree with it within a cent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from trimtab.domain.money import CENT, ZERO
from trimtab.domain.records import quick_init


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"


class AssetClass(StrEnum):
    """Alpaca's asset classes (``class`` of an asset, ``asset_class`` of a position)."""

    US_EQUITY = "us_equity"
    CRYPTO = "crypto"
    US_OPTION = "us_option"


#: The classes the planner orders; anything else is valued but never traded.
TRADED_CLASSES = frozenset({AssetClass.US_EQUITY, AssetClass.CRYPTO})


@dataclass(frozen=True, slots=True)
class Asset:
    """What the broker allows for a symbol.

    ``min_order_size`` and ``min_trade_increment`` are in units of the asset (coins
    for crypto); Alpaca gives them for crypto only, ``None`` elsewhere. See
    docs/brokers.md.
    """

    symbol: str
    tradable: bool = True
    fractionable: bool = True
    asset_class: AssetClass = AssetClass.US_EQUITY
    min_order_size: Decimal | None = None
    min_trade_increment: Decimal | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class PricePoint:
    """A price (USD per unit) with the time it was made and where it came from.

    ``source`` is ``"trade"`` (last trade print), ``"quote"`` (latest quote) or
    ``"position"`` (the broker's current price of a held position); ``as_of`` is
    ``None`` when the broker gives no time.
    """

    price: Decimal
    as_of: datetime | None
    source: str


@quick_init
@dataclass(frozen=True, slots=True)
class Holding:
    """A position as the broker reports it.

    ``qty`` is signed (a short is negative, in shares, coins or contracts) and
    ``market_value`` is the broker's own figure in USD, signed the same way; an
    option's includes its contract multiplier, so it is never recomputed from qty ×
    price. ``price`` is the broker's current price of the position, if it gave one.
    """

    symbol: str
    qty: Decimal
    market_value: Decimal
    price: PricePoint | None = None
    asset_class: AssetClass = AssetClass.US_EQUITY

    @property
    def is_short(self) -> bool:
        return self.qty < ZERO


@dataclass(frozen=True, slots=True)
class OpenOrder:
    """An order still open at the broker: it may fill at any moment.

    Exactly one of ``qty`` (units) and ``notional`` (USD) is set, as in an order
    request; ``limit_price`` is the order's limit, if it has one.
    """

    symbol: str
    side: Side
    qty: Decimal | None = None
    notional: Decimal | None = None
    limit_price: Decimal | None = None

    def reserved_cash(self, price: Decimal | None) -> Decimal:
        """USD an open buy may still spend: its notional, else qty × (limit or ``price``).

        A sell reserves nothing (its proceeds are not there until it fills). A buy
        whose cost cannot be told (no notional, limit or price) is ``None``-priced
        and reserves nothing here; the caller leaves its symbol alone.
        """
        if self.side is not Side.BUY:
            return ZERO
        if self.notional is not None:
            return self.notional
        unit = self.limit_price if self.limit_price is not None else price
        if self.qty is None or unit is None:
            return ZERO
        return self.qty * unit


@quick_init
@dataclass(frozen=True, slots=True)
class Portfolio:
    """An account at one moment.

    ``holdings`` is keyed by symbol (build one with ``Portfolio.of``). ``prices``
    holds market prices (held or not); a held symbol also has its position's price.
    ``assets`` holds the facts known per symbol; a symbol missing there is taken as
    a tradable, fractionable asset of its holding's class. ``equity`` and
    ``buying_power`` are the broker's figures (USD), ``None`` when not known (an
    offline snapshot): then the value is cash plus the holdings' market values.
    ``as_of`` is when the account was read and ``session_start`` the start of the
    US market's last trading day; prices are judged stale against them.
    """

    cash: Decimal
    holdings: Mapping[str, Holding] = field(default_factory=dict)
    prices: Mapping[str, PricePoint] = field(default_factory=dict)
    assets: Mapping[str, Asset] = field(default_factory=dict)
    equity: Decimal | None = None
    buying_power: Decimal | None = None
    open_orders: tuple[OpenOrder, ...] = ()
    as_of: datetime | None = None
    session_start: datetime | None = None

    @classmethod
    def of(cls, cash: Decimal, holdings: Iterable[Holding] = (), **fields: object) -> Portfolio:
        """A portfolio from a sequence of holdings; raises ``ValueError`` on a repeated symbol."""
        indexed: dict[str, Holding] = {}
        for holding in holdings:
            if holding.symbol in indexed:
                raise ValueError(f"{holding.symbol} is held twice")
            indexed[holding.symbol] = holding
        return cls(cash, indexed, **fields)  # type: ignore[arg-type]

    @property
    def parts_value(self) -> Decimal:
        """Cash plus every holding's market value (shorts negative), in USD."""
        held = ZERO  # added up as sum(..., ZERO) would, without a generator
        for holding in self.holdings.values():
            held += holding.market_value
        return self.cash + held

    @property
    def value(self) -> Decimal:
        """The portfolio value in USD: the broker's equity, or the sum of parts without one."""
        return self.equity if self.equity is not None else self.parts_value

    @property
    def valuation_gap(self) -> Decimal:
        """Equity minus the sum of parts (USD); zero when the broker gave no equity."""
        return self.value - self.parts_value

    @property
    def valuation_agrees(self) -> bool:
        """Whether the sum of parts is within a cent of the equity."""
        return abs(self.valuation_gap) <= CENT

    @property
    def long_value(self) -> Decimal:
        """Market value of every long holding, of any class (USD)."""
        return sum((h.market_value for h in self.holdings.values() if h.market_value > ZERO), ZERO)

    @property
    def short_proceeds(self) -> Decimal:
        """What covering every short would cost now (USD, positive): cash that is not ours."""
        return -sum((h.market_value for h in self.holdings.values() if h.qty < ZERO), ZERO)

    def holding(self, symbol: str) -> Holding | None:
        return self.holdings.get(symbol)

    def held_qty(self, symbol: str) -> Decimal:
        holding = self.holdings.get(symbol)
        return holding.qty if holding else ZERO

    def market_value(self, symbol: str) -> Decimal:
        holding = self.holdings.get(symbol)
        return holding.market_value if holding else ZERO

    def asset(self, symbol: str) -> Asset:
        known = self.assets.get(symbol)
        if known is not None:
            return known
        holding = self.holdings.get(symbol)
        return Asset(symbol, asset_class=holding.asset_class if holding else AssetClass.US_EQUITY)

    def asset_class(self, symbol: str) -> AssetClass:
        """The holding's class as the broker reported it, else the asset's."""
        holding = self.holdings.get(symbol)
        return holding.asset_class if holding else self.asset(symbol).asset_class

    def price_candidates(self, symbol: str) -> list[PricePoint]:
        """Every price known for ``symbol``: the market's, then the position's."""
        found = [self.prices[symbol]] if symbol in self.prices else []
        holding = self.holdings.get(symbol)
        if holding is not None and holding.price is not None:
            found.append(holding.price)
        return found

    @property
    def open_order_symbols(self) -> frozenset[str]:
        return frozenset(o.symbol for o in self.open_orders)
