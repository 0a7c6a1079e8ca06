"""The paper broker with its books in the database, so a paper account survives restarts.

Each call loads the account (cash, holdings, open orders) into an ``Exchange`` on the
paper market under a row lock, lets the exchange apply its rules, and writes the books
back: the paper broker refuses exactly what the exchange model refuses. A read loads
them in one statement, so they come from one snapshot without a transaction of their
own (``_BOOKS``).

The books are rows; the market the account trades on (prices, quotes, assets, hours,
when orders fill, the clock) and the account's flags are given to each broker, not
stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Row,
    Select,
    and_,
    bindparam,
    literal_column,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session, sessionmaker

from trimtab.brokers.books import AccountFlags, AccountState, Holding
from trimtab.brokers.exchange import Exchange
from trimtab.brokers.models import (
    Account,
    Asset,
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
from trimtab.brokers.order_rules import order_for_asset, same_order
from trimtab.errors import DuplicateClientOrderId, NotFound
from trimtab.store.db import reading
from trimtab.store.models import Base, PaperAccountRow, PaperHoldingRow, PaperOrderRow

#: The account's id inside the exchange its books are loaded into (``edit_books``).
ACCOUNT_KEY = "paper"


def _now() -> datetime:
    return datetime.now(UTC)


def _order_from_row(row: PaperOrderRow | Row[Any]) -> Order:
    """An order from its row: the ORM object or a plain row of the same columns."""
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


_ACCOUNTS, _HOLDINGS, _ORDERS = (
    PaperAccountRow.__table__,
    PaperHoldingRow.__table__,
    PaperOrderRow.__table__,
)
_MINE: BindParameter[int] = bindparam("user_id")
_OPEN_OR_ASKED = or_(_ORDERS.c.is_open.is_(True), _ORDERS.c.id == bindparam("also_order"))
#: A pattern day trader's books also hold the orders that changed today: a fill today
#: makes closing that position today a day trade.
_OPEN_ASKED_OR_TODAY = or_(_OPEN_OR_ASKED, _ORDERS.c.updated_at >= bindparam("since"))


def _load(entity: type[Base], where: ColumnElement[bool], *order: Any) -> Select[Any]:
    """A write's statement of the books, built once (building one costs more than
    running it): it loads the objects the write saves over."""
    return select(entity).where(where).order_by(*order)


_LOAD_ACCOUNT = _load(PaperAccountRow, _ACCOUNTS.c.user_id == _MINE)
_LOAD_HOLDINGS = _load(PaperHoldingRow, _HOLDINGS.c.user_id == _MINE)
_LOAD_ORDERS = _load(
    PaperOrderRow, and_(_ORDERS.c.user_id == _MINE, _OPEN_OR_ASKED), _ORDERS.c.submitted_at
)
_LOAD_ORDERS_SINCE = _load(
    PaperOrderRow, and_(_ORDERS.c.user_id == _MINE, _OPEN_ASKED_OR_TODAY), _ORDERS.c.submitted_at
)
_LOCK_ACCOUNT = _LOAD_ACCOUNT.with_for_update()


def _books_in_one(orders_wanted: ColumnElement[bool]) -> Select[Any]:
    """A read of the books in one statement: one snapshot on either database, with no
    transaction around it (on PostgreSQL a REPEATABLE READ one cost four round trips).

    The account's row is joined to two parts: part 1 carries one row per holding, part 2
    one per order ``orders_wanted`` keeps (oldest first); a part with none gives one row
    of NULLs. Each column keeps its own type, so the values are read as the ORM reads
    them. The holdings' columns are labelled ``holding_*``; the orders' keep their names.
    """
    part = literal_column("1", Integer).label("part")
    parts = union_all(select(part), select(literal_column("2", Integer))).subquery("parts")
    joined = (
        _ACCOUNTS.join(parts, true())
        .outerjoin(_HOLDINGS, and_(parts.c.part == 1, _HOLDINGS.c.user_id == _ACCOUNTS.c.user_id))
        .outerjoin(
            _ORDERS,
            and_(parts.c.part == 2, _ORDERS.c.user_id == _ACCOUNTS.c.user_id, orders_wanted),
        )
    )
    return (
        select(
            _ACCOUNTS.c.cash,
            parts.c.part,
            _HOLDINGS.c.symbol.label("holding_symbol"),
            _HOLDINGS.c.qty.label("holding_qty"),
            _HOLDINGS.c.avg_entry_price.label("holding_avg_entry_price"),
            *(_ORDERS.c[name] for name in _ORDER_FIELDS),
        )
        .select_from(joined)
        .where(_ACCOUNTS.c.user_id == _MINE)
        .order_by(parts.c.part, _ORDERS.c.submitted_at)
    )


#: The columns ``_order_from_row`` reads.
_ORDER_FIELDS = (
    "id",
    "client_order_id",
    "symbol",
    "side",
    "qty",
    "notional",
    "filled_qty",
    "filled_avg_price",
    "status",
    "type",
    "time_in_force",
    "submitted_at",
    "updated_at",
)
_BOOKS = _books_in_one(_OPEN_OR_ASKED)
_BOOKS_SINCE = _books_in_one(_OPEN_ASKED_OR_TODAY)

_OPEN_ORDERS = (
    select(PaperOrderRow)
    .where(PaperOrderRow.user_id == bindparam("user_id"), PaperOrderRow.is_open.is_(True))
    .order_by(PaperOrderRow.submitted_at.desc())
)


class StoredPaperBroker:
    """A ``Broker`` for one user's paper account, filling market orders at the last price.

    ``market`` is the paper market the account trades on: ``prices`` and ``assets``,
    when each price printed, quotes, hours, when orders fill and the ``clock`` (an
    ``Exchange`` without accounts; it fills at once and never closes unless changed).
    ``flags`` says what the account may do (an active cash account). Neither is
    stored: tests script them on the broker, and nothing in the API or CLI changes them.
    """

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
        self.market = Exchange(prices=dict(prices), assets=dict(assets), clock=clock)
        self.flags = AccountFlags()

    @property
    def prices(self) -> dict[str, Decimal]:
        """The market's last prices (USD per share)."""
        return self.market.prices

    @property
    def assets(self) -> dict[str, Asset]:
        return self.market.assets

    @contextmanager
    def _books(self, *, write: bool, also_order: str | None = None) -> Iterator[Exchange]:
        """The account loaded into an exchange; with ``write``, locked and saved afterwards."""
        if not write:
            yield self._read_books(also_order)
            return
        with self.session_factory.begin() as session:
            mine = {"user_id": self.user_id}
            account = session.scalars(_LOCK_ACCOUNT, mine).one_or_none()
            if account is None:
                raise NotFound("this user has no paper account")
            exchange = self.market.on_same_market()
            state = exchange.open_account(ACCOUNT_KEY, account.cash, flags=self.flags)
            holdings = session.scalars(_LOAD_HOLDINGS, mine).all()
            state.holdings = {h.symbol: Holding(h.qty, h.avg_entry_price) for h in holdings}
            orders = {row.id: row for row in self._orders(session, also_order)}
            state.orders = {order_id: _order_from_row(row) for order_id, row in orders.items()}
            yield exchange
            self._save(session, account, state, {h.symbol: h for h in holdings}, orders)

    def _read_books(self, also_order: str | None) -> Exchange:
        """The account loaded into an exchange from one statement (``_books_in_one``)."""
        params = self._order_params(also_order)
        statement = _BOOKS_SINCE if "since" in params else _BOOKS
        with reading(self.session_factory) as session:
            rows = session.execute(statement, params).all()
        if not rows:
            raise NotFound("this user has no paper account")
        exchange = self.market.on_same_market()
        state = exchange.open_account(ACCOUNT_KEY, rows[0].cash, flags=self.flags)
        state.holdings = {
            row.holding_symbol: Holding(row.holding_qty, row.holding_avg_entry_price)
            for row in rows
            if row.part == 1 and row.holding_symbol is not None
        }
        state.orders = {
            row.id: _order_from_row(row) for row in rows if row.part == 2 and row.id is not None
        }
        return exchange

    def _order_params(self, also_order: str | None) -> dict[str, object]:
        """The parameters of the orders the exchange's rules need: the open ones,
        ``also_order``, and for a pattern day trader those that changed today (UTC)."""
        params: dict[str, object] = {"user_id": self.user_id, "also_order": also_order or ""}
        if self.flags.pattern_day_trader:
            params["since"] = datetime.combine(self.market.now().date(), time(), UTC)
        return params

    def _orders(self, session: Session, also_order: str | None) -> Sequence[PaperOrderRow]:
        """The orders ``_order_params`` names, as objects to save over."""
        params = self._order_params(also_order)
        statement = _LOAD_ORDERS_SINCE if "since" in params else _LOAD_ORDERS
        return session.scalars(statement, params).all()

    @contextmanager
    def edit_books(self, *, also_order: str | None = None) -> Iterator[Exchange]:
        """The account's books in an exchange (as ``ACCOUNT_KEY``), locked, and saved
        when the block ends: how tests set cash and holdings, fill held orders or force
        an order's status (``also_order`` loads that order even if it is closed).
        Nothing in the API or CLI calls it."""
        with self._books(write=True, also_order=also_order) as exchange:
            yield exchange

    @property
    def _fills_on_read(self) -> bool:
        """Whether a read can fill orders (a market that fills after a delay), so reads
        must lock and save the books as writes do."""
        return self.market.fill_immediately and bool(self.market.fill_delay)

    def _settle(self) -> None:
        """Book the fills a delayed market owes before reading order rows directly."""
        if self._fills_on_read:
            with self._books(write=True) as exchange:
                exchange.settle(ACCOUNT_KEY)

    def _save(
        self,
        session: Session,
        account: PaperAccountRow,
        state: AccountState,
        stored: dict[str, PaperHoldingRow],
        stored_orders: dict[str, PaperOrderRow],
    ) -> None:
        """Write ``state`` over the rows it was loaded from; an order not among
        ``stored_orders`` is new."""
        account.cash = state.cash
        account.updated_at = self.market.now()
        for symbol, row in stored.items():
            if symbol not in state.holdings:
                session.delete(row)
        for symbol, holding in state.holdings.items():
            row = stored.get(symbol) or PaperHoldingRow(user_id=self.user_id, symbol=symbol)
            row.qty = holding.qty
            row.avg_entry_price = holding.avg_entry_price
            session.add(row)
        for order in state.orders.values():
            order_row = stored_orders.get(order.id) or PaperOrderRow(
                id=order.id, user_id=self.user_id
            )
            _copy_order_to_row(order, order_row)
            session.add(order_row)

    def get_account(self) -> Account:
        with self._books(write=self._fills_on_read) as exchange:
            return exchange.account(ACCOUNT_KEY)

    def get_positions(self) -> list[Position]:
        with self._books(write=self._fills_on_read) as exchange:
            return exchange.positions(ACCOUNT_KEY)

    def get_books(self, *, open_orders: bool = True) -> Books:
        """Account, positions and open orders from one read of the books."""
        with self._books(write=self._fills_on_read) as exchange:
            return exchange.books(ACCOUNT_KEY, open_orders=open_orders)

    def get_latest_prices(self, symbols: Sequence[str]) -> dict[str, PricePoint]:
        """The paper market's prices: it fills at them now, so they are as of now unless
        a test dated them."""
        return self.market.latest_prices(symbols)

    def get_latest_quotes(self, symbols: Sequence[str]) -> dict[str, PricePoint]:
        """Quoted at the paper market's prices, now (unless a test scripted quotes)."""
        return self.market.latest_quotes(symbols)

    def get_asset(self, symbol: str) -> Asset:
        return self.market.asset(symbol)

    def get_clock(self) -> Clock:
        return self.market.clock()

    def get_daily_bars(
        self, symbols: Sequence[str], start: date, end: date
    ) -> dict[str, list[DailyBar]]:
        return self.market.daily_bars(symbols, start, end)

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
            return exchange.submit(ACCOUNT_KEY, request)

    def get_order(self, order_id: str) -> Order:
        self._settle()
        with reading(self.session_factory) as session:
            row = session.get(PaperOrderRow, order_id)
            if row is None or row.user_id != self.user_id:
                raise NotFound(f"order not found: {order_id}")
            return _order_from_row(row)

    def get_order_by_client_id(self, client_order_id: str) -> Order | None:
        self._settle()
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
        self._settle()
        with reading(self.session_factory) as session:
            rows = session.scalars(query, {"user_id": self.user_id}).all()
            return [_order_from_row(row) for row in rows]

    def cancel_order(self, order_id: str) -> None:
        with self._books(write=True, also_order=order_id) as exchange:
            exchange.cancel(ACCOUNT_KEY, order_id)
