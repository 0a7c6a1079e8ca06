"""The Alpaca market-data routes alpaca-py calls for latest prices (always multi-symbol)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from fastapi import APIRouter, Request

from trimtab.brokers.sim.routing import AccountId, SimulatedRoute, simulator_of
from trimtab.brokers.sim.schemas import JSON, bar_json, quote_json, trade_json
from trimtab.errors import InvalidInput

#: Data routes take the same key pairs as trading ones; an unknown pair gets the same 401.
router = APIRouter(prefix="/v2/stocks", route_class=SimulatedRoute)


def _latest(
    request: Request, symbols: str, key: str, render: Callable[[Decimal, datetime], JSON]
) -> JSON:
    """One entry per known symbol; unknown symbols are left out, as Alpaca leaves them."""
    wanted = [s for s in symbols.split(",") if s]
    if not wanted:
        raise InvalidInput("symbols is required", field="symbols")
    exchange = simulator_of(request).exchange
    now = exchange.now()
    points = exchange.latest_prices(wanted)
    return {key: {s: render(p.price, p.as_of or now) for s, p in points.items()}}


@router.get("/trades/latest")
async def latest_trades(
    request: Request, account_id: AccountId, symbols: str, feed: str = "iex"
) -> JSON:
    return _latest(request, symbols, "trades", trade_json)


@router.get("/quotes/latest")
async def latest_quotes(
    request: Request, account_id: AccountId, symbols: str, feed: str = "iex"
) -> JSON:
    return _latest(request, symbols, "quotes", quote_json)


@router.get("/bars/latest")
async def latest_bars(
    request: Request, account_id: AccountId, symbols: str, feed: str = "iex"
) -> JSON:
    return _latest(request, symbols, "bars", bar_json)
