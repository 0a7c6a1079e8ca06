"""The account as the page shows it: value, cash, positions and their actual weights."""

from __future__ import annotations

from typing import Any

from trimtab.domain.money import CENT, ZERO, percent_of
from trimtab.services.context import AppContext
from trimtab.services.contract import PERCENT_PLACES, number


def portfolio_view(ctx: AppContext, user_id: int) -> dict[str, Any]:
    """Account and positions from the user's broker, each with its share of the whole."""
    broker = ctx.broker_for(user_id)
    account = broker.get_account()
    positions = broker.get_positions()
    value = account.cash + sum((p.market_value for p in positions), ZERO)
    return {
        "portfolio_value": number(value, CENT),
        "cash": number(account.cash, CENT),
        "buying_power": number(account.buying_power, CENT),
        "positions": [
            {
                "symbol": p.symbol,
                "qty": number(p.qty),
                "price": number(p.current_price),
                "market_value": number(p.market_value, CENT),
                "actual_percent": number(
                    percent_of(p.market_value, value) if value > ZERO else ZERO, PERCENT_PLACES
                ),
            }
            for p in positions
        ],
        "as_of": ctx.clock().isoformat(),
    }


def asset_info(ctx: AppContext, user_id: int, symbol: str) -> dict[str, Any]:
    """Whether the user's broker knows ``symbol`` and how it may be traded (``NotFound`` if not)."""
    asset = ctx.broker_for(user_id).get_asset(symbol)
    return {
        "symbol": asset.symbol,
        "tradable": asset.tradable,
        "fractionable": asset.fractionable,
    }
