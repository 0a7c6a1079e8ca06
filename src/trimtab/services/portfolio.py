"""The account as the page shows it: value, cash, positions and their actual weights.

The same valuation the planner uses (``broker_view.read_account``): positions at
the broker's ``market_value``, the whole at the account's equity.
"""

from __future__ import annotations

from datetime import datetime

from trimtab.domain.money import CENT, ZERO, percent_of
from trimtab.domain.portfolio import AssetClass, Portfolio
from trimtab.services.broker_view import read_account
from trimtab.services.context import AppContext
from trimtab.services.contract import PERCENT_PLACES, Number, result, rounded


@result
class PositionView:
    """One holding and its share of the portfolio value."""

    symbol: str
    qty: Number
    """Signed: a short position is negative."""
    price: Number
    market_value: Number
    """The broker's own figure (USD), signed like qty."""
    actual_percent: Number
    asset_class: AssetClass
    side: str
    """``long`` or ``short``."""


@result
class PortfolioView:
    """The account's value, cash and positions, from the broker (USD)."""

    portfolio_value: Number
    """The account's equity (USD)."""
    cash: Number
    buying_power: Number
    equity: Number
    valuation_agrees: bool
    """Whether cash + the positions' market values is within a cent of equity."""
    positions: tuple[PositionView, ...]
    as_of: datetime


@result
class AssetInfo:
    """Whether the broker knows a symbol and how it may be traded."""

    symbol: str
    tradable: bool
    fractionable: bool


def valuation(portfolio: Portfolio, as_of: datetime) -> PortfolioView:
    """Value, cash, buying power and each position's share of the value (USD, percent)."""
    value = portfolio.value
    return PortfolioView(
        portfolio_value=rounded(value, CENT),
        cash=rounded(portfolio.cash, CENT),
        buying_power=rounded(portfolio.buying_power or ZERO, CENT),
        equity=rounded(value, CENT),
        valuation_agrees=portfolio.valuation_agrees,
        positions=tuple(
            PositionView(
                symbol=h.symbol,
                qty=h.qty,
                price=h.price.price if h.price else ZERO,
                market_value=rounded(h.market_value, CENT),
                actual_percent=rounded(
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
