"""The paper broker with its books in the database, so a paper account survives restarts.

Each call loads the account (cash, holdings, open orders) into the in-memory
``Exchange`` under a row lock, lets the exchange apply its rules, and writes the
books back: the paper broker refuses exactly what the exchange model refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session, sessionmaker

from trimtab.brokers.books import AccountState, Holding
from trimtab.brokers.exchange import Exchange
from trimtab.brokers.models import (
    Account,
    Asset,
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
from trimtab.brokers.order_rules import order_for_asset, same_order
from trimtab.errors import DuplicateClientOrderId, NotFound
from trimtab.store.db import reading
from trimtab.store.models import PaperAccountRow, PaperHoldingRow, PaperOrderRow

_ACCOUNT_KEY = "paper"


def _now() -> datetime:
    return datetime.now(UTC)


def _order_from_row(row: PaperOrderRow) -> Order:
    return Order(
        id=row.id,
        client_order_id=row.client_order_id,
        symbol=row.symbol,
        side=Side(row.side),
        qty=row.qty,
        notional=row.notional,
        filled_qty=row.filled_qty,
        filled_avg_price=row.filled_avg_price,
        status=OrderStatus(row.status),
        type=OrderType(row.type),
        time_in_force=TimeInForce(row.time_in_force),
        submitted_at=row.submitted_at,
        updated_at=row.updated_at,
    )


def _copy_order_to_row(order: Order, row: PaperOrderRow) -> None:
    row.client_order_id = order.client_order_id
    row.symbol = order.symbol
    row.side = str(order.side)
    row.qty = order.qty
    row.notional = order.notional
    row.filled_qty = order.filled_qty
    row.filled_avg_price = order.filled_avg_price
    row.status = str(order.status)
    row.is_open = not order.status.is_terminal
    row.type = str(order.type)
    row.time_in_force = str(order.time_in_force)
    row.submitted_at = order.submitted_at
    row.updated_at = order.updated_at


# The books' statements, built once (building one costs more than running it).
_ACCOUNT = select(PaperAccountRow).where(PaperAccountRow.user_id == bindparam("user_id"))
_ACCOUNT_FOR_UPDATE = _ACCOUNT.with_for_update()
_HOLDINGS = select(PaperHoldingRow).where(PaperHoldingRow.user_id == bindparam("user_id"))
_OPEN_ORDERS_AND = (
    select(PaperOrderRow)
    .where(
        PaperOrderRow.user_id == bindparam("user_id"),
        or_(PaperOrderRow.is_open.is_(True), PaperOrderRow.id == bindparam("also_order")),
    )
    .order_by(PaperOrderRow.submitted_at)
)

_OPEN_ORDERS = (
    select(PaperOrderRow)
    .where(PaperOrderRow.user_id == bindparam("user_id"), PaperOrderRow.is_open.is_(True))
    .order_by(PaperOrderRow.submitted_at.desc())
)


class StoredPaperBroker:
    """A ``Broker`` for one user's paper account, filling market orders at the last price."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        user_id: int,
        prices: Mapping[str, Decimal],
        assets: Mapping[str, Asset],
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.session_factory = session_factory
        self.user_id = user_id
        self.prices = dict(prices)
        self.assets = dict(assets)
        self.clock = clock

    def _exchange(self) -> Exchange:
        return Exchange(prices=self.prices, assets=self.assets, clock=self.clock)

    @contextmanager
    def _books(self, *, write: bool, also_order: str | None = None) -> Iterator[Exchange]:
        """The account loaded into an exchange; with ``write``, locked and saved afterwards."""
        opened = self.session_factory.begin() if write else reading(self.session_factory)
        with opened as session:
            mine = {"user_id": self.user_id}
            query = _ACCOUNT_FOR_UPDATE if write else _ACCOUNT
            account = session.scalars(query, mine).one_or_none()
            if account is None:
                raise NotFound("this user has no paper account")
            exchange = self._exchange()
            state = exchange.open_account(_ACCOUNT_KEY, account.cash)
            holdings = session.scalars(_HOLDINGS, mine).all()
            state.holdings = {h.symbol: Holding(h.qty, h.avg_entry_price) for h in holdings}
            orders = session.scalars(
                _OPEN_ORDERS_AND, {**mine, "also_order": also_order or ""}
            ).all()
            state.orders = {row.id: _order_from_row(row) for row in orders}
            yield exchange
            if write:
                self._save(session, account, state, {h.symbol: h for h in holdings})

    def _save(
        self,
        session: Session,
        account: PaperAccountRow,
        state: AccountState,
        stored: dict[str, PaperHoldingRow],
    ) -> None:
        account.cash = state.cash
        account.updated_at = self.clock()
        for symbol, row in stored.items():
            if symbol not in state.holdings:
                session.delete(row)
        for symbol, holding in state.holdings.items():
            row = stored.get(symbol) or PaperHoldingRow(user_id=self.user_id, symbol=symbol)
            row.qty = holding.qty
            row.avg_entry_price = holding.avg_entry_price
            session.add(row)
        for order in state.orders.values():
            order_row = session.get(PaperOrderRow, order.id) or PaperOrderRow(
                id=order.id, user_id=self.user_id
            )
            _copy_order_to_row(order, order_row)
            session.add(order_row)

    def get_account(self) -> Account:
        with self._books(write=False) as exchange:
            return exchange.account(_ACCOUNT_KEY)

    def get_positions(self) -> list[Position]:
        with self._books(write=False) as exchange:
            return exchange.positions(_ACCOUNT_KEY)

    def get_latest_prices(self, symbols: Sequence[str]) -> dict[str, PricePoint]:
        """The paper market's prices: it fills at them now, so they are as of now."""
        now = self.clock()
        return {s: PricePoint(self.prices[s], now, "trade") for s in symbols if s in self.prices}

    def get_latest_quotes(self, symbols: Sequence[str]) -> dict[str, PricePoint]:
        """Quoted at the paper market's prices, now."""
        now = self.clock()
        return {s: PricePoint(self.prices[s], now, "quote") for s in symbols if s in self.prices}

    def get_asset(self, symbol: str) -> Asset:
        return self._exchange().asset(symbol)

    def get_clock(self) -> Clock:
        return self._exchange().clock()

    def get_daily_bars(
        self, symbols: Sequence[str], start: date, end: date
    ) -> dict[str, list[DailyBar]]:
        return self._exchange().daily_bars(symbols, start, end)

    def submit_order(self, request: OrderRequest) -> Order:
        request = order_for_asset(request, self.get_asset(request.symbol))
        # Closed orders are not loaded into the exchange, so reuse is caught here.
        placed = self.get_order_by_client_id(request.client_order_id)
        if placed is not None:
            if same_order(placed, request):
                return placed
            raise DuplicateClientOrderId(
                "client_order_id must be unique", status=422, broker_code=40010001
            )
        with self._books(write=True) as exchange:
            return exchange.submit(_ACCOUNT_KEY, request)

    def get_order(self, order_id: str) -> Order:
        with reading(self.session_factory) as session:
            row = session.get(PaperOrderRow, order_id)
            if row is None or row.user_id != self.user_id:
                raise NotFound(f"order not found: {order_id}")
            return _order_from_row(row)

    def get_order_by_client_id(self, client_order_id: str) -> Order | None:
        with reading(self.session_factory) as session:
            row = session.scalars(
                select(PaperOrderRow).where(
                    PaperOrderRow.user_id == self.user_id,
                    PaperOrderRow.client_order_id == client_order_id,
                )
            ).one_or_none()
            return _order_from_row(row) if row else None

    def list_orders(
        self, *, open_only: bool = True, symbols: Sequence[str] | None = None
    ) -> list[Order]:
        if open_only and symbols is None:
            query = _OPEN_ORDERS  # what every check asks
        else:
            query = select(PaperOrderRow).where(PaperOrderRow.user_id == bindparam("user_id"))
            if open_only:
                query = query.where(PaperOrderRow.is_open.is_(True))
            if symbols is not None:
                query = query.where(PaperOrderRow.symbol.in_(list(symbols)))
            query = query.order_by(PaperOrderRow.submitted_at.desc())
        with reading(self.session_factory) as session:
            rows = session.scalars(query, {"user_id": self.user_id}).all()
            return [_order_from_row(row) for row in rows]

    def cancel_order(self, order_id: str) -> None:
        with self._books(write=True, also_order=order_id) as exchange:
            exchange.cancel(_ACCOUNT_KEY, order_id)
