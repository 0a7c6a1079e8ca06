"""An in-memory brokerage: accounts, positions, orders and fills at the last price.

The paper broker (``brokers/paper.py``) and the Alpaca-compatible simulator run on this
one model, so they refuse the same things real Alpaca accounts refuse: a buy past
buying power, a sell past the quantity available, a reused ``client_order_id``, a
fractional quantity of a non-fractionable asset, an order opposite to an open
order of the same symbol, an order from an account that may not trade, a crypto
order that is not gtc/ioc or under the coin's minimum size, an order under $1,
and a day trade under pattern-day-trader protection (docs/brokers.md).

Positions are signed (a short has negative qty); an option's market value is
qty × price × 100. Crypto trades around the clock; the market clock is the
stock market's.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from trimtab.brokers.books import AccountFlags, AccountState, Holding
from trimtab.brokers.history import DailyHistory, bars_between, packaged_history
from trimtab.brokers.models import (
    Account,
    Asset,
    AssetClass,
    Books,
    Clock,
    DailyBar,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    Position,
    PricePoint,
    Side,
    TimeInForce,
)
from trimtab.brokers.order_rules import (
    CRYPTO_TIME_IN_FORCE,
    MAX_CLIENT_ORDER_ID,
    is_fractional,
    order_amount,
)
from trimtab.domain.money import ZERO
from trimtab.errors import (
    AccountMayNotTrade,
    AccountTradingBlocked,
    AssetNotTradable,
    BelowMinimumNotional,
    BelowMinimumOrderSize,
    DuplicateClientOrderId,
    InsufficientBuyingPower,
    InsufficientQuantity,
    InvalidInput,
    InvalidTimeInForce,
    MarketClosed,
    NotFound,
    OrderRejected,
    PatternDayTraderProtection,
)

__all__ = ["MAX_CLIENT_ORDER_ID", "AccountFlags", "AccountState", "Exchange", "Holding"]

#: Shares per US option contract: a contract quoted at $50 is worth $5,000.
OPTION_MULTIPLIER = Decimal(100)
#: Alpaca refuses fractional, notional and crypto orders worth less than this (USD).
MIN_COST_BASIS = Decimal(1)
#: FINRA's pattern-day-trader equity floor (USD): under it a flagged account may not day trade.
PDT_MIN_EQUITY = Decimal(25000)


def contract_multiplier(asset_class: AssetClass) -> Decimal:
    """Units of the underlying per unit held: 100 for an option contract, else 1."""
    return OPTION_MULTIPLIER if asset_class is AssetClass.US_OPTION else Decimal(1)


def _now() -> datetime:
    return datetime.now(UTC)


class Exchange:
    """Prices, assets and a market clock shared by any number of accounts.

    With ``fill_immediately`` market orders fill by themselves ``fill_delay`` after
    they are accepted (at once when it is zero); otherwise they stay ``accepted``
    until ``fill_pending`` runs, as with a broker that fills asynchronously.
    Thread-safe: one lock guards every change.
    """

    def __init__(
        self,
        *,
        prices: dict[str, Decimal] | None = None,
        assets: dict[str, Asset] | None = None,
        market_open: bool = True,
        fill_immediately: bool = True,
        fill_delay: timedelta = timedelta(0),
        clock: Callable[[], datetime] = _now,
        history: DailyHistory | None = None,
    ) -> None:
        self.prices: dict[str, Decimal] = dict(prices or {})
        #: Daily closes served as historical bars; the packaged ones when not given.
        self.history = history
        #: When each price's trade printed; a symbol missing here printed just now.
        self.price_times: dict[str, datetime] = {}
        #: Scripted latest quotes (price, time); a symbol missing here is quoted at its
        #: last price, just now.
        self.quotes: dict[str, tuple[Decimal, datetime]] = {}
        self.assets: dict[str, Asset] = dict(assets or {})
        self.market_open = market_open
        self.fill_immediately = fill_immediately
        self.fill_delay = fill_delay
        self.now = clock
        self.accounts: dict[str, AccountState] = {}
        self.lock = threading.RLock()

    def on_same_market(self) -> Exchange:
        """A new exchange on this one's market (prices and when they printed, quotes,
        assets, hours, fill rules, clock and history) with no accounts: the stored paper
        broker loads one account's books into one for each call."""
        with self.lock:
            copy = Exchange(
                prices=self.prices,
                assets=self.assets,
                market_open=self.market_open,
                fill_immediately=self.fill_immediately,
                fill_delay=self.fill_delay,
                clock=self.now,
                history=self.history,
            )
            copy.price_times = dict(self.price_times)
            copy.quotes = dict(self.quotes)
            return copy

    # -- set-up -------------------------------------------------------------
    def open_account(
        self,
        account_id: str,
        cash: Decimal,
        holdings: Mapping[str, Decimal] | None = None,
        flags: AccountFlags | None = None,
    ) -> AccountState:
        """Create (or reset) an account with cash and holdings (negative qty: a short)
        entered at current prices. ``cash`` is the broker's: it includes a short's proceeds."""
        with self.lock:
            state = AccountState(id=account_id, cash=cash, flags=flags or AccountFlags())
            self.accounts[account_id] = state
            self.set_holdings(account_id, holdings or {})
            return state

    def set_holdings(
        self,
        account_id: str,
        holdings: Mapping[str, Decimal],
        entry_prices: Mapping[str, Decimal] | None = None,
    ) -> None:
        """Replace an account's positions; entry prices default to current prices."""
        with self.lock:
            state = self.account_state(account_id)
            state.holdings = {
                symbol: Holding(
                    qty, (entry_prices or {}).get(symbol, self.prices.get(symbol, ZERO))
                )
                for symbol, qty in holdings.items()
                if qty != ZERO
            }

    def set_cash(self, account_id: str, cash: Decimal) -> None:
        with self.lock:
            self.account_state(account_id).cash = cash

    def set_flags(self, account_id: str, flags: AccountFlags) -> None:
        with self.lock:
            self.account_state(account_id).flags = flags

    def set_quotes(self, prices: Mapping[str, Decimal], *, as_of: datetime | None = None) -> None:
        """Script latest quotes, made at ``as_of`` (now when not given)."""
        with self.lock:
            at = as_of or self.now()
            self.quotes.update({symbol: (price, at) for symbol, price in prices.items()})

    def account_state(self, account_id: str) -> AccountState:
        try:
            return self.accounts[account_id]
        except KeyError:
            raise NotFound(f"no account {account_id}") from None

    def set_prices(self, prices: Mapping[str, Decimal], *, as_of: datetime | None = None) -> None:
        """Move last prices; open orders fill at the new ones. ``as_of`` dates the trade
        prints (an old one makes a stale price); without it they print at every read."""
        with self.lock:
            self.prices.update(prices)
            for symbol in prices:
                if as_of is None:
                    self.price_times.pop(symbol, None)
                else:
                    self.price_times[symbol] = as_of

    def set_asset(self, asset: Asset) -> None:
        with self.lock:
            self.assets[asset.symbol] = asset

    def set_market_open(self, is_open: bool) -> None:
        with self.lock:
            self.market_open = is_open

    def advance_clock(self, delta: timedelta) -> None:
        """Move the exchange's time forward: delayed fills come due without waiting."""
        with self.lock:
            earlier = self.now
            self.now = lambda: earlier() + delta

    # -- reads --------------------------------------------------------------
    def account(self, account_id: str) -> Account:
        """Alpaca's figures: equity = cash + long_market_value + short_market_value."""
        with self.lock:
            state = self._settled(account_id)
            values = [p.market_value for p in self._positions(state)]
            long_value = sum((v for v in values if v > ZERO), ZERO)
            short_value = sum((v for v in values if v < ZERO), ZERO)
            flags = state.flags
            return Account(
                id=state.id,
                cash=state.cash,
                buying_power=self._buying_power(state, long_value, short_value),
                equity=state.cash + long_value + short_value,
                status=flags.status,
                trading_blocked=flags.trading_blocked,
                account_blocked=flags.account_blocked,
                pattern_day_trader=flags.pattern_day_trader,
                shorting_enabled=flags.shorting_enabled,
                trade_suspended_by_user=flags.trade_suspended_by_user,
                long_market_value=long_value,
                short_market_value=short_value,
                multiplier=flags.multiplier,
            )

    def books(self, account_id: str, *, open_orders: bool = True) -> Books:
        """The account, its positions and (``open_orders``) its open orders, newest first."""
        with self.lock:
            account = self.account(account_id)
            orders = self.orders(account_id) if open_orders else None
            return Books(account, self.positions(account_id), orders)

    def _buying_power(
        self, state: AccountState, long_value: Decimal, short_value: Decimal
    ) -> Decimal:
        """The scripted figure, else cash less open buys (a cash account), else a simplified
        Reg-T figure: (equity − half the gross position value) × multiplier, less open buys."""
        if state.flags.buying_power is not None:
            return state.flags.buying_power
        reserved = state.reserved_cash(self.prices)
        if state.flags.multiplier <= 1:
            return max(state.cash - reserved, ZERO)
        equity = state.cash + long_value + short_value
        margin = (long_value - short_value) / 2
        return max((equity - margin) * state.flags.multiplier - reserved, ZERO)

    def positions(self, account_id: str) -> list[Position]:
        with self.lock:
            return self._positions(self._settled(account_id))

    def _positions(self, state: AccountState) -> list[Position]:
        result = []
        for symbol, holding in sorted(state.holdings.items()):
            price = self.prices.get(symbol, holding.avg_entry_price)
            asset_class = self.asset_class(symbol)
            available = holding.qty
            if holding.qty > ZERO:
                # A notional sell reserves more shares as the price falls; it can never
                # deliver more than is held.
                available = max(holding.qty - state.reserved_qty(symbol, self.prices), ZERO)
            result.append(
                Position(
                    symbol=symbol,
                    qty=holding.qty,
                    qty_available=available,
                    market_value=holding.qty * price * contract_multiplier(asset_class),
                    current_price=price,
                    avg_entry_price=holding.avg_entry_price,
                    asset_class=asset_class,
                )
            )
        return result

    def asset_class(self, symbol: str) -> AssetClass:
        asset = self.assets.get(symbol)
        return asset.asset_class if asset is not None else AssetClass.US_EQUITY

    def latest_quotes(self, symbols: Sequence[str]) -> dict[str, PricePoint]:
        """Latest quote of each known symbol: the scripted one, else its last price now."""
        with self.lock:
            now = self.now()
            result = {}
            for symbol in symbols:
                if symbol in self.quotes:
                    price, at = self.quotes[symbol]
                    result[symbol] = PricePoint(price, at, "quote")
                elif symbol in self.prices:
                    result[symbol] = PricePoint(self.prices[symbol], now, "quote")
            return result

    def latest_prices(self, symbols: Sequence[str]) -> dict[str, PricePoint]:
        """Last trade of each known symbol; unknown ones are left out."""
        with self.lock:
            now = self.now()
            return {
                s: PricePoint(self.prices[s], self.price_times.get(s, now), "trade")
                for s in symbols
                if s in self.prices
            }

    def daily_bars(
        self, symbols: Sequence[str], start: date, end: date
    ) -> dict[str, list[DailyBar]]:
        """Historical daily closes of ``symbols`` (see ``brokers.history``)."""
        history = self.history if self.history is not None else packaged_history()
        return bars_between(history, symbols, start, end)

    def asset(self, symbol: str) -> Asset:
        with self.lock:
            if symbol in self.assets:
                return self.assets[symbol]
            if symbol in self.prices:
                return Asset(symbol)
            raise NotFound(f"asset not found: {symbol}")

    def clock(self) -> Clock:
        now = self.now()
        day = timedelta(days=1)
        return Clock(
            timestamp=now,
            is_open=self.market_open,
            next_open=now + (day if self.market_open else timedelta(hours=1)),
            next_close=now + (timedelta(hours=1) if self.market_open else day),
        )

    def orders(
        self, account_id: str, *, open_only: bool = True, symbols: Sequence[str] | None = None
    ) -> list[Order]:
        """Newest first, as Alpaca lists them."""
        with self.lock:
            state = self._settled(account_id)
            return [
                o
                for o in reversed(state.orders.values())
                if (not open_only or not o.status.is_terminal)
                and (symbols is None or o.symbol in symbols)
            ]

    def order(self, account_id: str, order_id: str) -> Order:
        with self.lock:
            try:
                return self._settled(account_id).orders[order_id]
            except KeyError:
                raise NotFound(f"order not found: {order_id}") from None

    def order_by_client_id(self, account_id: str, client_order_id: str) -> Order | None:
        with self.lock:
            for order in self._settled(account_id).orders.values():
                if order.client_order_id == client_order_id:
                    return order
            return None

    # -- writes -------------------------------------------------------------
    def submit(
        self, account_id: str, request: OrderRequest, *, fill_fraction: Decimal | None = None
    ) -> Order:
        """Accept an order after the checks Alpaca makes, filling it now if so configured.

        ``fill_fraction`` (0..1) fills only that part at once and leaves the order
        ``partially_filled``: the rest fills only through ``fill_pending``.
        """
        with self.lock:
            state = self._settled(account_id)
            self._check(state, request)
            now = self.now()
            order = Order(
                id=str(uuid.uuid4()),
                client_order_id=request.client_order_id,
                symbol=request.symbol,
                side=request.side,
                qty=request.qty,
                notional=request.notional,
                filled_qty=ZERO,
                filled_avg_price=None,
                status=OrderStatus.ACCEPTED,
                type=request.type,
                time_in_force=request.time_in_force,
                submitted_at=now,
                updated_at=now,
            )
            state.orders[order.id] = order
            trading = self._trading(order.symbol)
            if trading and fill_fraction is not None:
                order = state.fill(order, self.prices, self.now(), fill_fraction)
            elif trading and self.fill_immediately and not self.fill_delay:
                order = state.fill(order, self.prices, self.now())
            return order

    def cancel(self, account_id: str, order_id: str) -> None:
        with self.lock:
            state = self.account_state(account_id)
            order = self.order(account_id, order_id)
            if order.status.is_terminal:
                raise OrderRejected(
                    f"order {order_id} is {order.status} and can no longer be canceled",
                    status=422,
                    broker_code=42210000,
                )
            state.orders[order_id] = replace(
                order, status=OrderStatus.CANCELED, updated_at=self.now()
            )

    def fill_pending(self, account_id: str | None = None, *, fraction: Decimal = Decimal(1)) -> int:
        """Fill open market orders (all accounts, or one); ``fraction`` < 1 fills them partly.

        Returns how many orders changed. While the market is closed only crypto fills.
        """
        changed = 0
        with self.lock:
            states = (
                [self.account_state(account_id)] if account_id else list(self.accounts.values())
            )
            for state in states:
                for order in list(state.orders.values()):
                    if (
                        not order.status.is_terminal
                        and order.type is OrderType.MARKET
                        and self._trading(order.symbol)
                    ):
                        state.fill(order, self.prices, self.now(), fraction)
                        changed += 1
        return changed

    def set_order_status(self, account_id: str, order_id: str, status: OrderStatus) -> Order:
        """Force an order's status (tests: a broker that rejects or cancels after accepting)."""
        with self.lock:
            state = self.account_state(account_id)
            order = replace(self.order(account_id, order_id), status=status, updated_at=self.now())
            state.orders[order_id] = order
            return order

    def settle(self, account_id: str) -> None:
        """Fill the account's orders whose fill delay has passed (reads do it too)."""
        with self.lock:
            self._settled(account_id)

    # -- internals ----------------------------------------------------------
    def _settled(self, account_id: str) -> AccountState:
        """The account after filling the orders whose fill delay has passed.

        Only orders still waiting for their first fill are due: one left
        partially filled on purpose keeps its remainder open.
        """
        state = self.account_state(account_id)
        if not (self.fill_immediately and self.fill_delay):
            return state
        due = self.now() - self.fill_delay
        for order in list(state.orders.values()):
            if (
                self._trading(order.symbol)
                and order.status is OrderStatus.ACCEPTED
                and order.type is OrderType.MARKET
                and order.submitted_at <= due
            ):
                state.fill(order, self.prices, self.now())
        return state

    def _trading(self, symbol: str) -> bool:
        """Whether ``symbol`` trades now: crypto always, the rest while the market is open."""
        return self.market_open or self.asset_class(symbol) is AssetClass.CRYPTO

    def _check(self, state: AccountState, request: OrderRequest) -> None:
        """Alpaca's refusals, in the order it makes them (codes and messages: docs/brokers.md)."""
        amount = order_amount(request)
        if any(o.client_order_id == request.client_order_id for o in state.orders.values()):
            raise DuplicateClientOrderId(
                "client_order_id must be unique", status=422, broker_code=40010001
            )
        if not state.flags.may_trade:
            # Alpaca answers every such account alike; the flag picks our error class.
            kind = AccountTradingBlocked if state.flags.trading_blocked else AccountMayNotTrade
            raise kind("account is not authorized to trade", status=403, broker_code=40310000)
        asset = self.asset(request.symbol)
        if not asset.tradable:
            raise AssetNotTradable(
                f"asset {request.symbol} is not tradable", status=422, broker_code=42210000
            )
        if asset.asset_class is AssetClass.US_OPTION:
            raise OrderRejected(
                "account is not approved for options trading", status=403, broker_code=40310000
            )
        if asset.asset_class is AssetClass.CRYPTO:
            _check_crypto(request, asset)
        elif is_fractional(request):
            if not asset.fractionable:
                raise OrderRejected(
                    f"asset {request.symbol} is not fractionable",
                    status=422,
                    broker_code=42210000,
                )
            if request.time_in_force is not TimeInForce.DAY:
                raise OrderRejected(
                    "fractional orders must be DAY orders", status=422, broker_code=42210000
                )
        if request.type is not OrderType.MARKET:
            raise InvalidInput("only market orders are supported", field="type")
        opposite = [
            o
            for o in state.open_orders()
            if o.symbol == request.symbol and o.side is not request.side
        ]
        if opposite:
            raise OrderRejected(
                f"potential wash trade detected: open {opposite[0].side} order on {request.symbol}",
                status=403,
                broker_code=40310000,
            )
        price = self.prices.get(request.symbol)
        if price is None:
            raise OrderRejected(f"no price for {request.symbol}", status=422, broker_code=42210000)
        qty = request.qty if request.qty is not None else amount / price
        cost = amount if request.notional is not None else qty * price
        if cost < MIN_COST_BASIS and (
            is_fractional(request) or asset.asset_class is AssetClass.CRYPTO
        ):
            raise BelowMinimumNotional(
                f"cost basis must be >= {MIN_COST_BASIS}", status=403, broker_code=40310000
            )
        account = self.account(state.id)
        if (
            state.flags.pattern_day_trader
            and account.equity < PDT_MIN_EQUITY
            and self._is_day_trade(state, request)
        ):
            raise PatternDayTraderProtection(
                "trade denied due to pattern day trading protection",
                status=403,
                broker_code=40310100,
            )
        if request.side is Side.BUY:
            if cost > account.buying_power:
                raise InsufficientBuyingPower(
                    "insufficient buying power", status=403, broker_code=40310000
                )
        else:
            held = state.holdings.get(request.symbol)
            available_qty = (max(held.qty, ZERO) if held else ZERO) - state.reserved_qty(
                request.symbol, self.prices
            )
            if qty > available_qty:
                raise InsufficientQuantity(
                    f"insufficient qty available for order (requested: {qty}, "
                    f"available: {available_qty})",
                    status=403,
                    broker_code=40310000,
                )
        if not self._trading(request.symbol) and request.time_in_force is not TimeInForce.DAY:
            raise MarketClosed("market is closed", status=403, broker_code=40310000)

    def _is_day_trade(self, state: AccountState, request: OrderRequest) -> bool:
        """Whether the order would close, today, a position opened by a fill today."""
        today = self.now().date()
        return any(
            o.symbol == request.symbol
            and o.side is not request.side
            and o.filled_qty > ZERO
            and o.updated_at.date() == today
            for o in state.orders.values()
        )


def _check_crypto(request: OrderRequest, asset: Asset) -> None:
    """Crypto orders are gtc or ioc, and a quantity is at least the coin's minimum order
    size and a whole number of its trade increments."""
    if request.time_in_force not in CRYPTO_TIME_IN_FORCE:
        raise InvalidTimeInForce("invalid crypto time_in_force", status=422, broker_code=42210000)
    if request.qty is None:
        return
    if asset.min_order_size is not None and request.qty < asset.min_order_size:
        raise BelowMinimumOrderSize(
            f"qty must be >= {asset.min_order_size}", status=422, broker_code=40010001
        )
    step = asset.min_trade_increment
    if step is not None and request.qty % step != ZERO:
        raise BelowMinimumOrderSize(
            f"qty must be a multiple of {step}", status=422, broker_code=40010001
        )
