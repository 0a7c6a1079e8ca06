"""The paper broker's books live in the database: a new broker object sees the same account."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, event

from trimtab.brokers.demo import demo_prices
from trimtab.brokers.models import AssetClass, OrderRequest, PricePoint, Side
from trimtab.brokers.paper import StoredPaperBroker
from trimtab.errors import DuplicateClientOrderId, InsufficientBuyingPower, NotFound, OrderRejected
from trimtab.store.db import make_session_factory
from trimtab.store.models import UserRow
from trimtab.store.repositories import PaperAccounts

NOW = datetime(2026, 1, 5, 15, tzinfo=UTC)


@pytest.fixture
def broker(engine: Engine) -> StoredPaperBroker:
    factory = make_session_factory(engine)
    prices, assets = demo_prices()
    with factory.begin() as session:
        user = UserRow(email="a@b.c", password_hash="x", is_admin=False, created_at=NOW)
        session.add(user)
        session.flush()
        PaperAccounts(session).open(user.id, Decimal(10_000), {"SPY": Decimal(10)}, prices, now=NOW)
        user_id = user.id
    return StoredPaperBroker(factory, user_id, prices, assets)


def again(broker: StoredPaperBroker) -> StoredPaperBroker:
    return StoredPaperBroker(broker.session_factory, broker.user_id, broker.prices, broker.assets)


def buy(symbol: str, qty: str, client_order_id: str) -> OrderRequest:
    return OrderRequest(
        symbol=symbol, side=Side.BUY, client_order_id=client_order_id, qty=Decimal(qty)
    )


def test_fills_persist(broker: StoredPaperBroker) -> None:
    order = broker.submit_order(buy("QQQ", "2.5", "c-1"))
    assert order.status == "filled"
    fresh = again(broker)
    assert {p.symbol: p.qty for p in fresh.get_positions()} == {
        "QQQ": Decimal("2.5"),
        "SPY": Decimal(10),
    }
    assert fresh.get_account().cash == Decimal(10_000) - Decimal("2.5") * broker.prices["QQQ"]
    assert fresh.get_order(order.id) == order
    assert fresh.get_order_by_client_id("c-1") == order
    assert fresh.list_orders(open_only=False) == [order]
    assert fresh.list_orders() == []


def test_client_order_id_is_idempotent_for_the_same_order_only(broker: StoredPaperBroker) -> None:
    first = broker.submit_order(buy("QQQ", "1", "c-1"))
    assert again(broker).submit_order(buy("QQQ", "1", "c-1")) == first
    with pytest.raises(DuplicateClientOrderId):
        broker.submit_order(buy("QQQ", "2", "c-1"))
    assert len(broker.list_orders(open_only=False)) == 1


def test_refusals_change_nothing(broker: StoredPaperBroker) -> None:
    with pytest.raises(InsufficientBuyingPower):
        broker.submit_order(buy("SPY", "1000", "c-1"))
    assert broker.get_account().cash == Decimal(10_000)
    assert broker.get_order_by_client_id("c-1") is None
    filled = broker.submit_order(buy("SPY", "1", "c-2"))
    with pytest.raises(OrderRejected):
        broker.cancel_order(filled.id)
    with pytest.raises(NotFound):
        broker.get_order("no-such-order")


def test_a_user_without_a_paper_account(broker: StoredPaperBroker) -> None:
    stranger = StoredPaperBroker(broker.session_factory, broker.user_id + 1, {}, {})
    with pytest.raises(NotFound):
        stranger.get_account()


def test_prices_and_quotes_are_the_paper_markets_now(broker: StoredPaperBroker) -> None:
    paper = StoredPaperBroker(
        broker.session_factory, broker.user_id, broker.prices, broker.assets, clock=lambda: NOW
    )
    spy = broker.prices["SPY"]
    assert paper.get_latest_prices(["SPY", "ZZZZ"]) == {"SPY": PricePoint(spy, NOW, "trade")}
    assert paper.get_latest_quotes(["SPY"]) == {"SPY": PricePoint(spy, NOW, "quote")}
    (position,) = paper.get_positions()
    assert (position.asset_class, position.side) == (AssetClass.US_EQUITY, "long")
    account = paper.get_account()
    assert account.long_market_value == 10 * spy and account.short_market_value == 0


def test_the_books_are_read_from_one_snapshot(broker: StoredPaperBroker, engine: Engine) -> None:
    """The account, its holdings and its orders are read by one statement, so a buy that
    commits while they are read is seen whole or not at all: here it commits just before
    that statement runs, and the cash, the holdings and the order all show it."""
    midway: list[str] = []
    read: list[str] = []

    def buy_midway(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "paper_holdings" not in statement:
            return
        if midway:
            return  # the buy's own statements
        midway.append("buying")
        midway.append(again(broker).submit_order(buy("SPY", "2", "c-midway")).id)
        read.append(statement)

    event.listen(engine, "before_cursor_execute", buy_midway)
    try:
        books = broker.get_books()
    finally:
        event.remove(engine, "before_cursor_execute", buy_midway)
    assert len(midway) == 2 and broker.get_order(midway[1]).status == "filled"
    assert len(read) == 1 and "paper_orders" in read[0] and "paper_accounts" in read[0]
    spent = 2 * broker.prices["SPY"]
    held = {p.symbol: p.qty for p in books.positions}
    assert (books.account.cash, held) == (Decimal(10_000) - spent, {"SPY": Decimal(12)})
    assert books.open_orders == []
