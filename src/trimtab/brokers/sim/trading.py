"""The Alpaca v2 trading routes a rebalancer uses: account, positions, orders, assets, clock."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from trimtab.brokers.models import AssetClass
from trimtab.brokers.sim.routing import AccountId, SimulatedRoute, injected_fault, simulator_of
from trimtab.brokers.sim.schemas import (
    JSON,
    account_json,
    asset_json,
    clock_json,
    order_json,
    order_request_from_json,
    position_json,
    position_symbol,
)
from trimtab.errors import InvalidInput, NotFound

router = APIRouter(prefix="/v2", route_class=SimulatedRoute)


@router.get("/account")
async def get_account(request: Request, account_id: AccountId) -> JSON:
    sim = simulator_of(request)
    return account_json(sim.exchange.account(account_id), sim.started_at)


@router.get("/positions")
async def list_positions(request: Request, account_id: AccountId) -> list[JSON]:
    exchange = simulator_of(request).exchange
    return [position_json(p, exchange.asset(p.symbol)) for p in exchange.positions(account_id)]


@router.get("/positions/{symbol:path}")
async def get_position(request: Request, account_id: AccountId, symbol: str) -> JSON:
    exchange = simulator_of(request).exchange
    for position in exchange.positions(account_id):
        if symbol in (position.symbol, position_symbol(position.symbol)):
            return position_json(position, exchange.asset(position.symbol))
    raise NotFound("position does not exist")


@router.post("/orders")
async def submit_order(request: Request, account_id: AccountId) -> JSON:
    try:
        # parse_float keeps a JSON number such as 0.123456789 exact.
        body = json.loads(await request.body(), parse_float=Decimal)
    except ValueError:
        raise InvalidInput("request body is not valid JSON") from None
    fault = injected_fault(request)
    order = simulator_of(request).exchange.submit(
        account_id,
        order_request_from_json(body),
        fill_fraction=fault.fill_fraction if fault else None,
    )
    return order_json(order)


@router.get("/orders")
async def list_orders(
    request: Request,
    account_id: AccountId,
    status: Literal["open", "closed", "all"] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    direction: Literal["asc", "desc"] = "desc",
    symbols: str | None = None,
) -> list[JSON]:
    wanted = symbols.split(",") if symbols else None
    orders = simulator_of(request).exchange.orders(
        account_id, open_only=status == "open", symbols=wanted
    )
    if status == "closed":
        orders = [o for o in orders if o.status.is_terminal]
    if direction == "asc":
        orders.reverse()
    return [order_json(o) for o in orders[:limit]]


@router.get("/orders:by_client_order_id")
async def get_order_by_client_id(
    request: Request, account_id: AccountId, client_order_id: str
) -> JSON:
    order = simulator_of(request).exchange.order_by_client_id(account_id, client_order_id)
    if order is None:
        raise NotFound("order not found")
    return order_json(order)


@router.get("/orders/{order_id}")
async def get_order(request: Request, account_id: AccountId, order_id: str) -> JSON:
    return order_json(simulator_of(request).exchange.order(account_id, order_id))


@router.delete("/orders/{order_id}", status_code=204)
async def cancel_order(request: Request, account_id: AccountId, order_id: str) -> Response:
    simulator_of(request).exchange.cancel(account_id, order_id)
    return Response(status_code=204)


@router.get("/assets")
async def list_assets(
    request: Request,
    account_id: AccountId,
    status: Literal["active", "inactive"] | None = None,
    asset_class: AssetClass | None = None,
) -> list[JSON]:
    """The assets the exchange knows by name (a priced symbol alone is not listed)."""
    exchange = simulator_of(request).exchange
    assets = sorted(exchange.assets.values(), key=lambda a: a.symbol)
    return [
        asset_json(a)
        for a in assets
        if (asset_class is None or a.asset_class is asset_class)
        and (status is None or (status == "active") == a.tradable)
    ]


@router.get("/assets/{symbol:path}")
async def get_asset(request: Request, account_id: AccountId, symbol: str) -> JSON:
    """By order symbol (``BTC/USD``) or, as Alpaca also takes, position symbol (``BTCUSD``)."""
    exchange = simulator_of(request).exchange
    for known in exchange.assets:
        if symbol != known and symbol == position_symbol(known):
            symbol = known
    return asset_json(exchange.asset(symbol))


@router.get("/clock")
async def get_clock(request: Request, account_id: AccountId) -> JSON:
    return clock_json(simulator_of(request).exchange.clock())
