"""``AlpacaBroker``: the Broker protocol on Alpaca's trading and market-data APIs via alpaca-py.

Every request carries a timeout; errors become trimtab errors; an order whose
answer was lost is looked up by its ``client_order_id`` before anything is sent
again, so a flaky network never places an order twice.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from datetime import time as time_of_day
from decimal import Decimal
from http.cookiejar import DefaultCookiePolicy
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pydantic
import requests
from alpaca.common.exceptions import APIError
from alpaca.common.rest import RESTClient
from alpaca.data.enums import Adjustment, DataFeed
from alpaca.data.historical import CryptoHistoricalDataClient, StockHistoricalDataClient
from alpaca.data.models import BarSet, Quote, Trade
from alpaca.data.requests import (
    CryptoLatestQuoteRequest,
    CryptoLatestTradeRequest,
    StockBarsRequest,
    StockLatestQuoteRequest,
    StockLatestTradeRequest,
)
from alpaca.data.timeframe import TimeFrame
from alpaca.trading import models as sdk
from alpaca.trading.client import TradingClient
from alpaca.trading.enums import QueryOrderStatus
from alpaca.trading.requests import GetOrdersRequest
from requests.adapters import HTTPAdapter

from trimtab.brokers.alpaca_errors import error_from_api, error_from_transport, explained
from trimtab.brokers.alpaca_mapping import (
    account_from_sdk,
    asset_from_sdk,
    clock_from_sdk,
    order_from_sdk,
    position_from_sdk,
)
from trimtab.brokers.asset_cache import SHARED_ASSET_CACHE, AssetCache
from trimtab.brokers.base import books_of
from trimtab.brokers.models import (
    Account,
    Asset,
    Books,
    Clock,
    DailyBar,
    Order,
    OrderRequest,
    Position,
    PricePoint,
    decimal_text,
)
from trimtab.brokers.order_rules import order_amount, order_for_asset, same_order
from trimtab.config import Settings
from trimtab.domain.money import ZERO
from trimtab.errors import (
    AccountMayNotTrade,
    AccountTradingBlocked,
    BrokerError,
    BrokerUnavailable,
    ConfigError,
    DuplicateClientOrderId,
    NotFound,
)

T = TypeVar("T")
#: Alpaca caps one page of orders at 500.
MAX_ORDERS_PAGE = 500
#: Alpaca dates daily bars at midnight New York time.
NEW_YORK = ZoneInfo("America/New_York")


#: Connections kept open per host, shared by every client of the process: a worker's
#: threads reuse them across accounts instead of connecting for each.
POOL_CONNECTIONS = 32
_SHARED_ADAPTER = HTTPAdapter(pool_connections=8, pool_maxsize=POOL_CONNECTIONS)


class _TimeoutSession(requests.Session):
    """alpaca-py sends every request through one ``requests.Session`` without a timeout.

    Every session sends through one shared connection pool, keeps no cookies (Alpaca
    authenticates each request by its key headers) and reads the proxy and CA bundle
    environment once per host rather than on every request.
    """

    #: (scheme, host) -> requests' environment settings for it (proxies, CA bundle).
    _environment: ClassVar[dict[tuple[str, str], dict[str, Any]]] = {}

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout
        self.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        for scheme in ("https://", "http://"):
            self.mount(scheme, _SHARED_ADAPTER)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, **kwargs)

    def merge_environment_settings(  # type: ignore[override]
        self, url: str, proxies: dict[str, str], stream: bool | None, verify: Any, cert: Any
    ) -> dict[str, Any]:
        if proxies or verify not in (None, True) or cert is not None or not self.trust_env:
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        parts = urlsplit(url)
        origin = (parts.scheme, parts.netloc)
        found = self._environment.get(origin)
        if found is None:
            found = super().merge_environment_settings(url, {}, None, None, None)
            self._environment[origin] = found
        return {
            **found,
            "proxies": dict(found["proxies"]),
            "stream": found["stream"] if stream is None else stream,
        }


def _configure(client: RESTClient, *, session: _TimeoutSession, retry_wait: float) -> None:
    # The SDK constructors expose neither the session nor the 429/504 retry pause
    # (3 s, three times); these attributes are where RESTClient keeps them.
    client._session = session
    client._retry_wait = retry_wait  # type: ignore[assignment]


class AlpacaBroker:
    """One Alpaca account, paper or live, reached with its API key pair."""

    def __init__(
        self,
        key_id: str,
        secret_key: str,
        *,
        paper: bool = True,
        base_url: str | None = None,
        data_url: str | None = None,
        timeout: float = 10.0,
        retry_wait: float = 3.0,
        feed: DataFeed = DataFeed.IEX,
        asset_cache: AssetCache = SHARED_ASSET_CACHE,
    ) -> None:
        self.trading = TradingClient(key_id, secret_key, paper=paper, url_override=base_url)
        self.data = StockHistoricalDataClient(key_id, secret_key, url_override=data_url)
        self.crypto_data = CryptoHistoricalDataClient(key_id, secret_key, url_override=data_url)
        session = _TimeoutSession(timeout)
        for client in (self.trading, self.data, self.crypto_data):
            _configure(client, session=session, retry_wait=retry_wait)
        self.timeout = timeout
        self.retry_wait = retry_wait
        self.feed = feed
        self.asset_cache = asset_cache
        # Paper and live list the same assets; an override is its own venue.
        self._api = base_url or "alpaca"

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> AlpacaBroker:
        """The account of ALPACA_KEY_ID / ALPACA_SECRET_KEY, with the URL overrides."""
        if not settings.alpaca_key_id or settings.alpaca_secret_key is None:
            raise ConfigError(
                "TRIMTAB_BROKER=alpaca needs ALPACA_KEY_ID and ALPACA_SECRET_KEY",
                field="ALPACA_KEY_ID",
            )
        return cls(
            settings.alpaca_key_id,
            settings.alpaca_secret_key.get_secret_value(),
            paper=settings.alpaca_paper,
            base_url=settings.alpaca_base_url,
            data_url=settings.alpaca_data_url,
            **options,
        )

    # -- reads --------------------------------------------------------------
    def get_account(self) -> Account:
        return account_from_sdk(_expect(sdk.TradeAccount, self._read(self.trading.get_account)))

    def get_positions(self) -> list[Position]:
        positions = self._read(self.trading.get_all_positions)
        return [position_from_sdk(_expect(sdk.Position, p)) for p in positions]

    def get_books(self, *, open_orders: bool = True) -> Books:
        """Two requests (account, positions), three with ``open_orders``."""
        return books_of(self, open_orders=open_orders)

    def get_latest_prices(self, symbols: Sequence[str]) -> dict[str, PricePoint]:
        """Last trades: stocks from the stock feed, ``BTC/USD``-style pairs from the crypto
        one (one request per kind asked for)."""
        stocks, coins = _split_crypto(symbols)
        trades: dict[str, Any] = {}
        if stocks:
            stock_request = StockLatestTradeRequest(symbol_or_symbols=stocks, feed=self.feed)
            trades |= self._read(lambda: self.data.get_stock_latest_trade(stock_request))
        if coins:
            coin_request = CryptoLatestTradeRequest(symbol_or_symbols=coins)
            trades |= self._read(lambda: self.crypto_data.get_crypto_latest_trade(coin_request))
        return {
            symbol: PricePoint(_price(_expect(Trade, trade).price), trade.timestamp, "trade")
            for symbol, trade in trades.items()
        }

    def get_latest_quotes(self, symbols: Sequence[str]) -> dict[str, PricePoint]:
        """Latest quotes, priced at the midpoint of bid and ask (or the one side quoted);
        a symbol with neither side quoted is left out."""
        stocks, coins = _split_crypto(symbols)
        quotes: dict[str, Any] = {}
        if stocks:
            stock_request = StockLatestQuoteRequest(symbol_or_symbols=stocks, feed=self.feed)
            quotes |= self._read(lambda: self.data.get_stock_latest_quote(stock_request))
        if coins:
            coin_request = CryptoLatestQuoteRequest(symbol_or_symbols=coins)
            quotes |= self._read(lambda: self.crypto_data.get_crypto_latest_quote(coin_request))
        points = {}
        for symbol, answer in quotes.items():
            quote = _expect(Quote, answer)
            sides = [_price(p) for p in (quote.bid_price, quote.ask_price) if p and p > 0]
            if sides:
                points[symbol] = PricePoint(sum(sides, ZERO) / len(sides), quote.timestamp, "quote")
        return points

    def get_daily_bars(
        self, symbols: Sequence[str], start: date, end: date
    ) -> dict[str, list[DailyBar]]:
        """Daily bars, split- and dividend-adjusted (``Adjustment.ALL``) as a backtest needs."""
        if not symbols:
            return {}
        request = StockBarsRequest(
            symbol_or_symbols=list(symbols),
            timeframe=TimeFrame.Day,
            start=datetime.combine(start, time_of_day(), NEW_YORK),
            end=datetime.combine(end, time_of_day(23, 59), NEW_YORK),
            adjustment=Adjustment.ALL,
            feed=self.feed,
        )
        answer = self._read(lambda: self.data.get_stock_bars(request))
        bar_set = _expect(BarSet, answer)
        return {
            symbol: [
                DailyBar(bar.timestamp.astimezone(NEW_YORK).date(), Decimal(str(bar.close)))
                for bar in bars
            ]
            for symbol, bars in bar_set.data.items()
            if bars
        }

    def get_asset(self, symbol: str) -> Asset:
        """Cached for the trading day: tradable/fractionable do not change within one."""
        asset = self.asset_cache.get(self._api, symbol)
        if asset is None:
            answer = self._read(lambda: self.trading.get_asset(symbol))
            asset = asset_from_sdk(_expect(sdk.Asset, answer))
            self.asset_cache.put(self._api, asset)
        return asset

    def get_clock(self) -> Clock:
        return clock_from_sdk(_expect(sdk.Clock, self._read(self.trading.get_clock)))

    def get_order(self, order_id: str) -> Order:
        answer = self._read(lambda: self.trading.get_order_by_id(order_id))
        return order_from_sdk(_expect(sdk.Order, answer))

    def get_order_by_client_id(self, client_order_id: str) -> Order | None:
        try:
            order = self._read(lambda: self.trading.get_order_by_client_id(client_order_id))
        except NotFound:
            return None
        return order_from_sdk(_expect(sdk.Order, order))

    def list_orders(
        self, *, open_only: bool = True, symbols: Sequence[str] | None = None
    ) -> list[Order]:
        query = GetOrdersRequest(
            status=QueryOrderStatus.OPEN if open_only else QueryOrderStatus.ALL,
            symbols=list(symbols) if symbols else None,
            limit=MAX_ORDERS_PAGE,
        )
        orders = self._read(lambda: self.trading.get_orders(query))
        return [order_from_sdk(_expect(sdk.Order, o)) for o in orders]

    # -- writes -------------------------------------------------------------
    def submit_order(self, request: OrderRequest) -> Order:
        """Post once; if the answer is lost, look the order up before posting again.

        The SDK itself re-posts on 429 and 504; the unique ``client_order_id``
        turns such a second post into a duplicate refusal, answered here with the
        order the first post placed.
        """
        order_amount(request)
        if _is_crypto(request.symbol):
            request = order_for_asset(request, self.get_asset(request.symbol))
        body = _order_body(request)
        lost: BrokerError | None = None
        for _ in range(2):
            try:
                return order_from_sdk(self._call(lambda: self._post_order(body)))
            except (BrokerUnavailable, DuplicateClientOrderId) as error:
                placed = self.get_order_by_client_id(request.client_order_id)
                if placed is not None and same_order(placed, request):
                    return placed
                if placed is not None:
                    raise  # the id belongs to another order
                lost = error
        assert lost is not None
        raise lost

    def _post_order(self, body: dict[str, Any]) -> sdk.Order:
        try:
            return sdk.Order(**_expect(dict, self.trading.post("/orders", body)))
        except APIError as error:
            refusal = error_from_api(error)
            if isinstance(refusal, AccountMayNotTrade):
                raise self._why_not_trading(refusal) from error
            raise

    def _why_not_trading(self, refusal: AccountMayNotTrade) -> AccountMayNotTrade:
        """Alpaca gives one message for every account that may not trade; its flags say which."""
        try:
            account = self.get_account()
        except BrokerError:
            return refusal
        reason: AccountMayNotTrade | None = None
        if account.trading_blocked:
            reason = AccountTradingBlocked(
                "Trading is blocked on this Alpaca account (trading_blocked). Alpaca sets "
                "this flag: ask Alpaca support why and to lift it.",
                broker_code=refusal.broker_code,
                status=refusal.status,
            )
        elif account.account_blocked or account.trade_suspended_by_user:
            flag = "account_blocked" if account.account_blocked else "trade_suspended_by_user"
            reason = AccountMayNotTrade(
                explained(AccountMayNotTrade, f"account is not authorized to trade ({flag})"),
                broker_code=refusal.broker_code,
                status=refusal.status,
            )
        elif account.status != "ACTIVE":
            reason = AccountMayNotTrade(
                explained(AccountMayNotTrade, f"account status is {account.status}"),
                broker_code=refusal.broker_code,
                status=refusal.status,
            )
        return reason or refusal

    def cancel_order(self, order_id: str) -> None:
        self._call(lambda: self.trading.delete(f"/orders/{order_id}"))

    # -- transport ----------------------------------------------------------
    def _call(self, send: Callable[[], T]) -> T:
        """One exchange with Alpaca, its failures raised as trimtab errors."""
        try:
            return send()
        except APIError as error:
            raise error_from_api(error) from error
        except requests.RequestException as error:
            raise error_from_transport(error, timeout=self.timeout) from error
        except pydantic.ValidationError as error:
            raise BrokerError(f"Alpaca answered in an unexpected shape: {error}") from error

    def _read(self, send: Callable[[], T]) -> T:
        """A read is safe to repeat: one more try after a timeout or a 5xx."""
        try:
            return self._call(send)
        except BrokerUnavailable:
            time.sleep(self.retry_wait)
            return self._call(send)


def _is_crypto(symbol: str) -> bool:
    """Alpaca spells every crypto pair, and nothing else, with a slash: ``BTC/USD``."""
    return "/" in symbol


#: An OCC option symbol: root, expiry YYMMDD, C or P, strike × 1000 in 8 digits.
_OPTION_SYMBOL = re.compile(r"[A-Z]{1,6}\d{6}[CP]\d{8}")


def _split_crypto(symbols: Sequence[str]) -> tuple[list[str], list[str]]:
    """Stocks and crypto pairs; option contracts are left out (no stock feed prices them,
    and trimtab values them at the position's market value)."""
    stocks = [s for s in symbols if not _is_crypto(s) and not _OPTION_SYMBOL.fullmatch(s)]
    return stocks, [s for s in symbols if _is_crypto(s)]


def _price(number: float) -> Decimal:
    # Data prices arrive as JSON numbers; their shortest repr is the decimal Alpaca sent.
    return Decimal(str(number))


def _expect(kind: type[T], answer: object) -> T:
    """The SDK's parsed model; anything else means Alpaca answered in a shape we do not know."""
    if not isinstance(answer, kind):
        raise BrokerError(f"Alpaca answered with {type(answer).__name__}, not {kind.__name__}")
    return answer


def _order_body(request: OrderRequest) -> dict[str, Any]:
    # Decimal strings, Alpaca's own type for these fields: the SDK's request models
    # hold floats, which would round a 9-decimal quantity.
    body: dict[str, Any] = {
        "symbol": request.symbol,
        "side": request.side.value,
        "type": request.type.value,
        "time_in_force": request.time_in_force.value,
        "client_order_id": request.client_order_id,
    }
    for name in ("qty", "notional", "limit_price"):
        value: Decimal | None = getattr(request, name)
        if value is not None:
            body[name] = decimal_text(value)
    return body
