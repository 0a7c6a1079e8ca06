"""The account as the page shows it: value, cash, positions and their actual weights.

The same valuation the planner uses (``broker_view.read_account``): positions at
the broker's ``market_value``, the whole at the account's equity.
"""

from __future__ import annotations

from typing import Any

from trimtab.domain.money import CENT, ZERO, percent_of
from trimtab.domain.portfolio import Portfolio
from trimtab.services.broker_view import read_account
from trimtab.services.context import AppContext
from trimtab.services.contract import PERCENT_PLACES, number


def valuation_json(portfolio: Portfolio) -> dict[str, Any]:
    """Value, cash, buying power and each position's share of the value (USD, percent)."""
    value = portfolio.value
    return {
        "portfolio_value": number(value, CENT),
        "cash": number(portfolio.cash, CENT),
        "buying_power": number(portfolio.buying_power or ZERO, CENT),
        "equity": number(value, CENT),
        "valuation_agrees": portfolio.valuation_agrees,
        "positions": [
            {
                "symbol": h.symbol,
                "qty": number(h.qty),
                "price": number(h.price.price if h.price else ZERO),
                "market_value": number(h.market_value, CENT),
                "actual_percent": number(
                    percent_of(h.market_value, value) if value > ZERO else ZERO, PERCENT_PLACES
                ),
                "asset_class": str(h.asset_class),
                "side": "short" if h.is_short else "long",
            }
            for h in portfolio.holdings.values()
        ],
    }


def portfolio_view(ctx: AppContext, user_id: int) -> dict[str, Any]:
    """Account and positions from the user's broker, each with its share of the whole."""
    _, portfolio = read_account(ctx.broker_for(user_id))
    return {**valuation_json(portfolio), "as_of": ctx.clock().isoformat()}


def asset_info(ctx: AppContext, user_id: int, symbol: str) -> dict[str, Any]:
    """Whether the user's broker knows ``symbol`` and how it may be traded (``NotFound`` if not)."""
    asset = ctx.broker_for(user_id).get_asset(symbol)
    return {
        "symbol": asset.symbol,
        "tradable": asset.tradable,
        "fractionable": asset.fractionable,
    }
