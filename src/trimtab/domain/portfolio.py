"""What a plan is made from: cash, holdings, prices and facts about assets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from trimtab.domain.money import ZERO


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"


@dataclass(frozen=True, slots=True)
class Holding:
    """A long position: quantity held and the last price it is valued at."""

    symbol: str
    qty: Decimal
    price: Decimal

    @property
    def market_value(self) -> Decimal:
        return self.qty * self.price


class AssetClass(StrEnum):
    """Alpaca's asset classes (``class`` of an asset, ``asset_class`` of a position)."""

    US_EQUITY = "us_equity"
    CRYPTO = "crypto"
    US_OPTION = "us_option"


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


@dataclass(frozen=True, slots=True)
class Portfolio:
    """An account at one moment.

    ``prices`` holds last prices of symbols that are not held (a held symbol's price
    is on its holding); ``assets`` the facts known per symbol, and a symbol missing
    there is taken as tradable and fractionable.
    """

    cash: Decimal
    holdings: tuple[Holding, ...] = ()
    prices: Mapping[str, Decimal] = field(default_factory=dict)
    assets: Mapping[str, Asset] = field(default_factory=dict)

    @property
    def value(self) -> Decimal:
        """Cash plus the market value of every holding."""
        return self.cash + sum((h.market_value for h in self.holdings), ZERO)

    def holding(self, symbol: str) -> Holding | None:
        for holding in self.holdings:
            if holding.symbol == symbol:
                return holding
        return None

    def held_qty(self, symbol: str) -> Decimal:
        holding = self.holding(symbol)
        return holding.qty if holding else ZERO

    def market_value(self, symbol: str) -> Decimal:
        holding = self.holding(symbol)
        return holding.market_value if holding else ZERO

    def price(self, symbol: str) -> Decimal | None:
        holding = self.holding(symbol)
        if holding is not None:
            return holding.price
        return self.prices.get(symbol)

    def asset(self, symbol: str) -> Asset:
        return self.assets.get(symbol) or Asset(symbol)
