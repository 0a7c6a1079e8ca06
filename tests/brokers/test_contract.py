"""One contract for every Broker: the same assertions on the paper broker, on AlpacaBroker
talking to the simulator over HTTP, and (with real keys) on Alpaca's paper API."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.brokers.conftest import CASH, PRICES, Venue
from trimtab.brokers.models import (
    Order,
    OrderRequest,
    OrderStatus,
    PricePoint,
    Side,
    TimeInForce,
)
from trimtab.errors import (
    AssetNotTradable,
    DuplicateClientOrderId,
    InsufficientBuyingPower,
    InsufficientQuantity,
    InvalidInput,
    MarketClosed,
    NotFound,
    OrderRejected,
)


def client_id() -> str:
    return f"tt-test-{uuid.uuid4().hex[:16]}"


def buy(symbol: str, *, qty: str | None = None, notional: str | None = None) -> OrderRequest:
    return OrderRequest(
        symbol,
        Side.BUY,
        client_id(),
        qty=Decimal(qty) if qty else None,
        notional=Decimal(notional) if notional else None,
    )


def sell(symbol: str, qty: str) -> OrderRequest:
    return OrderRequest(symbol, Side.SELL, client_id(), qty=Decimal(qty))


def hold_orders(venue: Venue) -> None:
    """Market orders wait for ``fill_pending``, as a busy broker leaves them open."""
    venue.control().fill_immediately = False


def test_account_is_active_with_decimal_money(venue: Venue) -> None:
    account = venue.broker.get_account()
    assert account.status == "ACTIVE"
    assert not account.trading_blocked and not account.account_blocked
    assert all(isinstance(v, Decimal) for v in (account.cash, account.buying_power, account.equity))
    if venue.exchange is not None:
        expected_equity = CASH + 10 * PRICES["SPY"] + Decimal("5.5") * PRICES["QQQ"]
        assert (account.cash, account.buying_power, account.equity) == (
            CASH,
            CASH,
            expected_equity,
        )


def test_positions_carry_qty_and_market_value(venue: Venue) -> None:
    venue.control()
    positions = {p.symbol: p for p in venue.broker.get_positions()}
    assert set(positions) == {"SPY", "QQQ"}
    assert positions["QQQ"].qty == positions["QQQ"].qty_available == Decimal("5.5")
    assert positions["QQQ"].market_value == Decimal("5.5") * PRICES["QQQ"]
    assert positions["SPY"].current_price == PRICES["SPY"]


def test_latest_prices_of_held_and_unheld_symbols_in_one_call(venue: Venue) -> None:
    prices = venue.broker.get_latest_prices(["SPY", "TLT"])
    assert set(prices) == {"SPY", "TLT"}
    assert all(isinstance(p.price, Decimal) and p.price > 0 for p in prices.values())
    assert all(p.source == "trade" and p.as_of is not None for p in prices.values())
    if venue.exchange is not None:
        assert {s: p.price for s, p in prices.items()} == {
            "SPY": PRICES["SPY"],
            "TLT": PRICES["TLT"],
        }


def test_latest_prices_carry_the_time_of_the_trade(venue: Venue) -> None:
    printed = datetime(2026, 3, 2, 15, 59, 58, tzinfo=UTC)
    venue.control().set_prices({"TLT": Decimal("88.50")}, as_of=printed)
    points = venue.broker.get_latest_prices(["TLT"])
    assert points == {"TLT": PricePoint(Decimal("88.50"), printed, "trade")}


def test_latest_prices_leave_out_unknown_symbols(venue: Venue) -> None:
    venue.control()
    assert set(venue.broker.get_latest_prices(["SPY", "ZZZZ"])) == {"SPY"}
    assert venue.broker.get_latest_prices([]) == {}


def test_asset_facts(venue: Venue) -> None:
    spy = venue.broker.get_asset("SPY")
    assert (spy.symbol, spy.tradable, spy.fractionable) == ("SPY", True, True)
    with pytest.raises(NotFound):
        venue.broker.get_asset("ZZZZQ")
    if venue.exchange is not None:
        assert not venue.broker.get_asset("BRK.A").fractionable
        assert not venue.broker.get_asset("LEHMQ").tradable


def test_clock_orders_its_times(venue: Venue) -> None:
    clock = venue.broker.get_clock()
    assert isinstance(clock.is_open, bool)
    assert clock.next_open > clock.timestamp and clock.next_close > clock.timestamp


def test_market_buy_fills_at_the_last_price(venue: Venue) -> None:
    venue.control()
    order = venue.broker.submit_order(buy("TLT", qty="2.5"))
    assert order.status is OrderStatus.FILLED
    assert (order.filled_qty, order.filled_avg_price) == (Decimal("2.5"), PRICES["TLT"])
    assert venue.broker.get_account().cash == CASH - Decimal("2.5") * PRICES["TLT"]
    positions = {p.symbol: p.qty for p in venue.broker.get_positions()}
    assert positions["TLT"] == Decimal("2.5")


def test_notional_buy_fills_a_fractional_qty(venue: Venue) -> None:
    venue.control()
    order = venue.broker.submit_order(buy("SPY", notional="250.00"))
    assert order.qty is None and order.notional == Decimal("250.00")
    assert order.status is OrderStatus.FILLED and order.filled_qty == Decimal("0.5")


def test_nine_decimal_qty_survives_the_round_trip(venue: Venue) -> None:
    venue.control()
    order = venue.broker.submit_order(sell("QQQ", "1.123456789"))
    assert order.qty == order.filled_qty == Decimal("1.123456789")
    qqq = {p.symbol: p for p in venue.broker.get_positions()}["QQQ"]
    assert qqq.qty == Decimal("5.5") - Decimal("1.123456789")


def test_order_found_by_id_and_by_client_id(venue: Venue) -> None:
    hold_orders(venue)
    request = buy("SPY", notional="1.00")
    order = venue.broker.submit_order(request)
    assert order.client_order_id == request.client_order_id
    assert venue.broker.get_order(order.id).client_order_id == request.client_order_id
    found = venue.broker.get_order_by_client_id(request.client_order_id)
    assert found is not None and found.id == order.id
    assert venue.broker.get_order_by_client_id(client_id()) is None
    venue.broker.cancel_order(order.id)


def test_resubmitting_the_same_order_returns_it_instead_of_a_second_one(venue: Venue) -> None:
    hold_orders(venue)
    request = buy("SPY", notional="1.00")
    first = venue.broker.submit_order(request)
    again = venue.broker.submit_order(request)
    assert again.id == first.id
    assert [o.id for o in venue.broker.list_orders(symbols=["SPY"])] == [first.id]
    venue.broker.cancel_order(first.id)


def test_reusing_a_client_order_id_for_another_order_is_refused(venue: Venue) -> None:
    hold_orders(venue)
    first = venue.broker.submit_order(buy("SPY", notional="1.00"))
    clash = OrderRequest("SPY", Side.BUY, first.client_order_id, notional=Decimal("2.00"))
    with pytest.raises(DuplicateClientOrderId) as refused:
        venue.broker.submit_order(clash)
    assert "unique" in refused.value.message
    venue.broker.cancel_order(first.id)


def test_buy_beyond_buying_power_is_refused_with_alpacas_code(venue: Venue) -> None:
    venue.control()
    with pytest.raises(InsufficientBuyingPower) as refused:
        venue.broker.submit_order(buy("SPY", qty="21"))
    assert (refused.value.status, refused.value.broker_code) == (403, 40310000)


def test_sell_beyond_the_qty_available_is_refused(venue: Venue) -> None:
    venue.control()
    with pytest.raises(InsufficientQuantity) as refused:
        venue.broker.submit_order(sell("SPY", "10.5"))
    assert refused.value.broker_code == 40310000


def test_sell_reserved_by_an_open_sell_is_refused(venue: Venue) -> None:
    hold_orders(venue)
    venue.broker.submit_order(sell("SPY", "8"))
    assert {p.symbol: p.qty_available for p in venue.broker.get_positions()}["SPY"] == 2
    with pytest.raises(InsufficientQuantity):
        venue.broker.submit_order(sell("SPY", "3"))


def test_fractional_qty_of_a_whole_share_asset_is_refused(venue: Venue) -> None:
    venue.control()
    with pytest.raises(OrderRejected, match="not fractionable"):
        venue.broker.submit_order(sell("BRK.A", "0.5"))


def test_untradable_asset_is_refused(venue: Venue) -> None:
    venue.control()
    with pytest.raises(AssetNotTradable):
        venue.broker.submit_order(buy("LEHMQ", qty="100"))


def test_order_opposite_to_an_open_order_is_refused(venue: Venue) -> None:
    hold_orders(venue)
    venue.broker.submit_order(sell("SPY", "1"))
    with pytest.raises(OrderRejected, match="wash trade"):
        venue.broker.submit_order(buy("SPY", qty="1"))


def test_malformed_requests_fail_before_reaching_the_broker(venue: Venue) -> None:
    with pytest.raises(InvalidInput):
        venue.broker.submit_order(OrderRequest("SPY", Side.BUY, client_id()))
    with pytest.raises(InvalidInput):
        venue.broker.submit_order(buy("SPY", qty="0"))
    with pytest.raises(InvalidInput):
        venue.broker.submit_order(buy("SPY", qty="0.0000000001"))
    with pytest.raises(InvalidInput):
        venue.broker.submit_order(OrderRequest("SPY", Side.BUY, "x" * 49, qty=Decimal(1)))


def follow(venue: Venue, order: Order) -> Order:
    """Read the order again, as a caller polls it toward a terminal state."""
    return venue.broker.get_order(order.id)


def test_accepted_order_stays_open_until_the_broker_fills_it(venue: Venue) -> None:
    hold_orders(venue)
    order = venue.broker.submit_order(buy("TLT", qty="3"))
    assert order.status is OrderStatus.ACCEPTED and not order.status.is_terminal
    assert [o.id for o in venue.broker.list_orders()] == [order.id]
    assert venue.broker.get_account().buying_power == CASH - 3 * PRICES["TLT"]
    venue.control().fill_pending()
    filled = follow(venue, order)
    assert filled.status is OrderStatus.FILLED and filled.filled_qty == 3
    assert venue.broker.list_orders() == []
    assert [o.id for o in venue.broker.list_orders(open_only=False)] == [order.id]


def test_delayed_fill_comes_due_as_the_clock_moves(venue: Venue) -> None:
    exchange = venue.control()
    exchange.fill_delay = timedelta(seconds=30)
    order = venue.broker.submit_order(buy("TLT", qty="1"))
    assert follow(venue, order).status is OrderStatus.ACCEPTED
    exchange.advance_clock(timedelta(seconds=31))
    assert follow(venue, order).status is OrderStatus.FILLED


def test_partial_fill_then_cancel_keeps_what_filled(venue: Venue) -> None:
    hold_orders(venue)
    order = venue.broker.submit_order(buy("TLT", qty="10"))
    venue.control().fill_pending(fraction=Decimal("0.4"))
    partial = follow(venue, order)
    assert partial.status is OrderStatus.PARTIALLY_FILLED and partial.filled_qty == 4
    venue.broker.cancel_order(order.id)
    canceled = follow(venue, order)
    assert canceled.status is OrderStatus.CANCELED and canceled.filled_qty == 4
    assert {p.symbol: p.qty for p in venue.broker.get_positions()}["TLT"] == 4


def test_order_rejected_after_acceptance_is_terminal(venue: Venue) -> None:
    hold_orders(venue)
    order = venue.broker.submit_order(buy("TLT", qty="1"))
    venue.control().set_order_status(venue.account_id, order.id, OrderStatus.REJECTED)
    rejected = follow(venue, order)
    assert rejected.status is OrderStatus.REJECTED and rejected.status.is_terminal
    assert rejected.filled_qty == 0 and venue.broker.list_orders() == []


def test_cancel_of_a_filled_order_is_refused(venue: Venue) -> None:
    venue.control()
    order = venue.broker.submit_order(buy("TLT", qty="1"))
    with pytest.raises(OrderRejected) as refused:
        venue.broker.cancel_order(order.id)
    assert refused.value.status == 422


def test_unknown_orders_are_not_found(venue: Venue) -> None:
    with pytest.raises(NotFound):
        venue.broker.get_order(str(uuid.uuid4()))
    with pytest.raises(NotFound):
        venue.broker.cancel_order(str(uuid.uuid4()))


def test_list_orders_filters_by_symbol(venue: Venue) -> None:
    hold_orders(venue)
    spy = venue.broker.submit_order(buy("SPY", qty="1"))
    tlt = venue.broker.submit_order(buy("TLT", qty="1"))
    assert [o.id for o in venue.broker.list_orders()] == [tlt.id, spy.id]
    assert [o.id for o in venue.broker.list_orders(symbols=["SPY"])] == [spy.id]


def test_market_closed_queues_day_orders_for_the_open(venue: Venue) -> None:
    exchange = venue.control()
    exchange.set_market_open(False)
    assert venue.broker.get_clock().is_open is False
    order = venue.broker.submit_order(buy("TLT", qty="1"))
    assert order.status is OrderStatus.ACCEPTED
    exchange.set_market_open(True)
    exchange.fill_pending()
    assert follow(venue, order).status is OrderStatus.FILLED


def test_market_closed_refuses_orders_that_cannot_wait(venue: Venue) -> None:
    venue.control().set_market_open(False)
    gtc = OrderRequest("TLT", Side.BUY, client_id(), qty=Decimal(1), time_in_force=TimeInForce.GTC)
    with pytest.raises(MarketClosed):
        venue.broker.submit_order(gtc)
