"""The account as the page shows it: value, cash, positions and their actual weights.

The same valuation the planner uses (``broker_view.read_account``): positions at
the broker's ``market_value``, the whole at the account's equity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from trimtab.domain.money import CENT, ZERO, percent_of
from trimtab.domain.portfolio import AssetClass, Portfolio
from trimtab.services.broker_view import read_account
from trimtab.services.context import AppContext
from trimtab.services.contract import PERCENT_PLACES, SCHEMA_CONFIG, number


@dataclass(frozen=True, kw_only=True)
class PositionView:
    """One holding and its share of the portfolio value."""

    __pydantic_config__: ClassVar[dict[str, Any]] = SCHEMA_CONFIG

    symbol: str
    qty: float
    """Signed: a short position is negative."""
    price: float
    market_value: float
    """The broker's own figure (USD), signed like qty."""
    actual_percent: float
    asset_class: AssetClass
    side: str
    """``long`` or ``short``."""


@dataclass(frozen=True, kw_only=True)
class PortfolioView:
    """The account's value, cash and positions, from the broker (USD)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = SCHEMA_CONFIG

    portfolio_value: float
    """The account's equity (USD)."""
    cash: float
    buying_power: float
    equity: float
    valuation_agrees: bool
    """Whether cash + the positions' market values is within a cent of equity."""
    positions: tuple[PositionView, ...]
    as_of: datetime


@dataclass(frozen=True, kw_only=True)
class AssetInfo:
    """Whether the broker knows a symbol and how it may be traded."""

    __pydantic_config__: ClassVar[dict[str, Any]] = SCHEMA_CONFIG

    symbol: str
    tradable: bool
    fractionable: bool


def valuation(portfolio: Portfolio, as_of: datetime) -> PortfolioView:
    """Value, cash, buying power and each position's share of the value (USD, percent)."""
    value = portfolio.value
    return PortfolioView(
        portfolio_value=number(value, CENT),
        cash=number(portfolio.cash, CENT),
        buying_power=number(portfolio.buying_power or ZERO, CENT),
        equity=number(value, CENT),
        valuation_agrees=portfolio.valuation_agrees,
        positions=tuple(
            PositionView(
                symbol=h.symbol,
                qty=number(h.qty),
                price=number(h.price.price if h.price else ZERO),
                market_value=number(h.market_value, CENT),
                actual_percent=number(
                    percent_of(h.market_value, value) if value > ZERO else ZERO, PERCENT_PLACES
                ),
                asset_class=h.asset_class,
                side="short" if h.is_short else "long",
            )
            for h in portfolio.holdings.values()
        ),
        as_of=as_of,
    )


def portfolio_view(ctx: AppContext, user_id: int) -> PortfolioView:
    """Account and positions from the user's broker, each with its share of the whole."""
    _, portfolio = read_account(ctx.broker_for(user_id))
    return valuation(portfolio, ctx.clock())


def asset_info(ctx: AppContext, user_id: int, symbol: str) -> AssetInfo:
    """Whether the user's broker knows ``symbol`` and how it may be traded (``NotFound`` if not)."""
    asset = ctx.broker_for(user_id).get_asset(symbol)
    return AssetInfo(symbol=asset.symbol, tradable=asset.tradable, fractionable=asset.fractionable)
