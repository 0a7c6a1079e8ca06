"""``/_sim``: script the simulator over HTTP (seed accounts, move prices and the clock,
fill orders, inject faults, read request counts) when it runs in another process."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from trimtab.brokers.books import AccountFlags
from trimtab.brokers.demo import NEW_ACCOUNT_CASH
from trimtab.brokers.models import Asset, AssetClass, OrderStatus
from trimtab.brokers.sim.faults import ANY_ROUTE, Fault
from trimtab.brokers.sim.routing import simulator_of
from trimtab.brokers.sim.schemas import JSON, order_json

router = APIRouter(prefix="/_sim", include_in_schema=False)


class AccountSeed(BaseModel):
    key_id: str = Field(min_length=1)
    secret_key: str = Field(min_length=1)
    cash: Decimal = NEW_ACCOUNT_CASH
    holdings: dict[str, Decimal] = {}


class AssetFacts(BaseModel):
    tradable: bool = True
    fractionable: bool = True
    asset_class: AssetClass = AssetClass.US_EQUITY
    min_order_size: Decimal | None = Field(default=None, gt=0)
    min_trade_increment: Decimal | None = Field(default=None, gt=0)


class PositionSeed(BaseModel):
    """One position; negative ``qty`` is a short. ``asset_class`` registers an unknown
    symbol (an option contract, say) as an asset of that class."""

    symbol: str = Field(min_length=1)
    qty: Decimal
    avg_entry_price: Decimal | None = Field(default=None, ge=0)
    asset_class: AssetClass | None = None


class FlagsSpec(BaseModel):
    """Alpaca's account flags; ``buying_power`` replaces the simulator's own figure."""

    status: str = "ACTIVE"
    trading_blocked: bool = False
    account_blocked: bool = False
    trade_suspended_by_user: bool = False
    pattern_day_trader: bool = False
    shorting_enabled: bool = False
    multiplier: Decimal = Field(default=Decimal(1), ge=1, le=4)
    buying_power: Decimal | None = Field(default=None, ge=0)


class CashSpec(BaseModel):
    cash: Decimal


class Market(BaseModel):
    is_open: bool


class ClockMove(BaseModel):
    seconds: float = Field(gt=0)


class FillRequest(BaseModel):
    account_id: str | None = None
    fraction: Decimal = Field(default=Decimal(1), gt=0, le=1)


class StatusChange(BaseModel):
    status: OrderStatus


class FaultSpec(BaseModel):
    route: str = ANY_ROUTE
    status: int | None = Field(default=None, ge=400, le=599)
    code: int | None = None
    message: str | None = None
    delay: float = Field(default=0.0, ge=0)
    after_commit: bool = False
    fill_fraction: Decimal | None = Field(default=None, gt=0, lt=1)
    times: int | None = Field(default=1, ge=1)


@router.post("/accounts", status_code=201)
async def seed_account(request: Request, seed: AccountSeed) -> dict[str, str]:
    key = simulator_of(request).open_account(
        seed.key_id, seed.secret_key, cash=seed.cash, holdings=seed.holdings
    )
    return {"key_id": key.key_id, "account_id": key.account_id}


@router.put("/accounts/{key_id}/positions", status_code=204)
async def set_positions(request: Request, key_id: str, positions: list[PositionSeed]) -> Response:
    """Replace the account's positions (long, short, crypto ``BTC/USD``, options)."""
    sim = simulator_of(request)
    exchange = sim.exchange
    for seed in positions:
        if seed.asset_class is not None and seed.symbol not in exchange.assets:
            exchange.set_asset(Asset(seed.symbol, asset_class=seed.asset_class))
    exchange.set_holdings(
        sim.account_of_key(key_id),
        {p.symbol: p.qty for p in positions},
        {p.symbol: p.avg_entry_price for p in positions if p.avg_entry_price is not None},
    )
    return Response(status_code=204)


@router.put("/accounts/{key_id}/flags", status_code=204)
async def set_flags(request: Request, key_id: str, spec: FlagsSpec) -> Response:
    sim = simulator_of(request)
    sim.exchange.set_flags(sim.account_of_key(key_id), AccountFlags(**spec.model_dump()))
    return Response(status_code=204)


@router.put("/accounts/{key_id}/cash", status_code=204)
async def set_cash(request: Request, key_id: str, spec: CashSpec) -> Response:
    """The broker's cash figure, short proceeds included."""
    sim = simulator_of(request)
    sim.exchange.set_cash(sim.account_of_key(key_id), spec.cash)
    return Response(status_code=204)


@router.put("/prices", status_code=204)
async def set_prices(
    request: Request, prices: dict[str, Decimal], as_of: datetime | None = None
) -> Response:
    """Last trade prices; ``as_of`` (query) dates the prints, else they print at each read."""
    simulator_of(request).exchange.set_prices(prices, as_of=as_of)
    return Response(status_code=204)


@router.put("/quotes", status_code=204)
async def set_quotes(
    request: Request, prices: dict[str, Decimal], as_of: datetime | None = None
) -> Response:
    """Latest quotes, made at ``as_of`` (query) or now."""
    simulator_of(request).exchange.set_quotes(prices, as_of=as_of)
    return Response(status_code=204)


@router.put("/assets/{symbol:path}", status_code=204)
async def set_asset(request: Request, symbol: str, facts: AssetFacts) -> Response:
    simulator_of(request).exchange.set_asset(Asset(symbol, **facts.model_dump()))
    return Response(status_code=204)


@router.put("/market", status_code=204)
async def set_market(request: Request, market: Market) -> Response:
    simulator_of(request).exchange.set_market_open(market.is_open)
    return Response(status_code=204)


@router.post("/clock/advance", status_code=204)
async def advance_clock(request: Request, move: ClockMove) -> Response:
    simulator_of(request).exchange.advance_clock(timedelta(seconds=move.seconds))
    return Response(status_code=204)


@router.post("/fill")
async def fill_pending(request: Request, fill: FillRequest) -> dict[str, int]:
    changed = simulator_of(request).exchange.fill_pending(fill.account_id, fraction=fill.fraction)
    return {"filled": changed}


@router.put("/orders/{order_id}/status")
async def set_order_status(request: Request, order_id: str, change: StatusChange) -> JSON:
    return order_json(simulator_of(request).set_order_status(order_id, change.status))


@router.post("/faults", status_code=201)
async def inject_fault(request: Request, spec: FaultSpec) -> FaultSpec:
    simulator_of(request).inject(Fault(**spec.model_dump()))
    return spec


@router.delete("/faults", status_code=204)
async def clear_faults(request: Request) -> Response:
    simulator_of(request).faults.clear()
    return Response(status_code=204)


@router.get("/requests")
async def request_counts(request: Request) -> dict[str, int]:
    return simulator_of(request).request_counts()


@router.delete("/requests", status_code=204)
async def reset_request_counts(request: Request) -> Response:
    simulator_of(request).reset_counts()
    return Response(status_code=204)
