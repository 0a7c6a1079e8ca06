"""What a plan is made from: cash, holdings, prices and facts about assets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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


@dataclass(frozen=True, slots=True)
class Asset:
    """What the broker allows for a symbol."""

    symbol: str
    tradable: bool = True
    fractionable: bool = True


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
