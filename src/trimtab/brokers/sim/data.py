"""The Alpaca market-data routes alpaca-py calls for latest prices and daily
bars (always multi-symbol):
stocks under ``/v2/stocks``, crypto pairs under ``/v1beta3/crypto/us``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request

from trimtab.brokers.exchange import Exchange
from trimtab.brokers.models import AssetClass, PricePoint
from trimtab.brokers.sim.routing import AccountId, SimulatedRoute, simulator_of
from trimtab.brokers.sim.schemas import JSON, bar_json, quote_json, trade_json
from trimtab.errors import InvalidInput

#: Data routes take the same key pairs as trading ones; an unknown pair gets the same 401.
router = APIRouter(prefix="/v2/stocks", route_class=SimulatedRoute)
crypto_router = APIRouter(prefix="/v1beta3/crypto/us", route_class=SimulatedRoute)

Render = Callable[[Decimal, datetime], JSON]
Read = Callable[[Exchange, list[str]], dict[str, PricePoint]]


def _trades(exchange: Exchange, symbols: list[str]) -> dict[str, PricePoint]:
    return exchange.latest_prices(symbols)


def _quotes(exchange: Exchange, symbols: list[str]) -> dict[str, PricePoint]:
    return exchange.latest_quotes(symbols)


def _symbols(symbols: str) -> list[str]:
    """The comma-separated ``symbols`` query, which must name one at least."""
    wanted = [s for s in symbols.split(",") if s]
    if not wanted:
        raise InvalidInput("symbols is required", field="symbols")
    return wanted


def _latest(
    request: Request, symbols: str, key: str, asset_class: AssetClass, read: Read, render: Render
) -> JSON:
    """One entry per known symbol of ``asset_class``; others are left out, as Alpaca does."""
    wanted = _symbols(symbols)
    exchange = simulator_of(request).exchange
    now = exchange.now()
    ours = [s for s in wanted if exchange.asset_class(s) is asset_class]
    return {key: {s: render(p.price, p.as_of or now) for s, p in read(exchange, ours).items()}}


def _latest_route(
    key: str, asset_class: AssetClass, read: Read, render: Render
) -> Callable[[Request, str, str], Awaitable[JSON]]:
    """A latest-data route; its ``feed`` query (stocks) is accepted and ignored."""

    async def latest(request: Request, account_id: AccountId, symbols: str) -> JSON:
        return _latest(request, symbols, key, asset_class, read, render)

    return latest


_STOCK, _CRYPTO = AssetClass.US_EQUITY, AssetClass.CRYPTO
_GET = ["GET"]
router.add_api_route(
    "/trades/latest", _latest_route("trades", _STOCK, _trades, trade_json), methods=_GET
)
router.add_api_route(
    "/quotes/latest", _latest_route("quotes", _STOCK, _quotes, quote_json), methods=_GET
)
router.add_api_route("/bars/latest", _latest_route("bars", _STOCK, _trades, bar_json), methods=_GET)
crypto_router.add_api_route(
    "/latest/trades", _latest_route("trades", _CRYPTO, _trades, trade_json), methods=_GET
)
crypto_router.add_api_route(
    "/latest/quotes", _latest_route("quotes", _CRYPTO, _quotes, quote_json), methods=_GET
)


#: Alpaca stamps a daily bar at midnight New York time.
NEW_YORK = ZoneInfo("America/New_York")
#: Alpaca's largest page of bars.
MAX_BAR_PAGE = 10_000


def _day(text: str | None, field: str) -> date | None:
    if not text:
        return None
    try:
        return (
            datetime.fromisoformat(text).astimezone(NEW_YORK).date()
            if "T" in text
            else (date.fromisoformat(text))
        )
    except ValueError:
        raise InvalidInput(f"{field}: {text!r} is not an RFC 3339 time", field=field) from None


@router.get("/bars")
async def bars(
    request: Request,
    account_id: AccountId,
    symbols: str,
    timeframe: str = "1Day",
    start: str | None = None,
    end: str | None = None,
    limit: int = 1000,
    page_token: str | None = None,
    feed: str = "iex",
    adjustment: str = "raw",
    sort: str = "asc",
) -> JSON:
    """Daily bars of the exchange's history, paged over all symbols as Alpaca pages them."""
    if timeframe not in ("1Day", "1D"):
        raise InvalidInput(
            "the simulator serves daily bars only (timeframe=1Day)", field="timeframe"
        )
    wanted = _symbols(symbols)
    first = _day(start, "start") or date.min
    last = _day(end, "end") or date.max
    found = simulator_of(request).exchange.daily_bars(wanted, first, last)
    flat = [(symbol, bar) for symbol in wanted for bar in found.get(symbol, [])]
    offset = int(page_token) if page_token and page_token.isdigit() else 0
    size = max(1, min(limit, MAX_BAR_PAGE))
    page = flat[offset : offset + size]
    result: dict[str, list[JSON]] = {}
    for symbol, bar in page:
        at = datetime.combine(bar.day, time(), NEW_YORK).astimezone(UTC)
        result.setdefault(symbol, []).append(bar_json(bar.close, at))
    more = offset + size < len(flat)
    return {"bars": result, "next_page_token": str(offset + size) if more else None}
