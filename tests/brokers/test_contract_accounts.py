"""The broker contract for accounts shaped like real ones: short, crypto and option
positions, account flags, prices with their time, and Alpaca's refusals. Run on the
paper broker and on AlpacaBroker talking to the simulator over HTTP (the issue's
hand-computed cases), and the read-only parts on Alpaca's paper API with real keys."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.brokers.conftest import OPTION, Venue
from tests.brokers.test_contract import buy, client_id, sell
from trimtab.brokers.books import AccountFlags
from trimtab.brokers.models import (
    AssetClass,
    OrderRequest,
    OrderStatus,
    PricePoint,
    Side,
    TimeInForce,
)
from trimtab.errors import (
    AccountMayNotTrade,
    AccountTradingBlocked,
    BelowMinimumNotional,
    BelowMinimumOrderSize,
    InsufficientQuantity,
    OrderRejected,
    PatternDayTraderProtection,
)


def script(venue: Venue, cash: str, holdings: dict[str, str]) -> None:
    exchange = venue.control()
    exchange.set_cash(venue.account_id, Decimal(cash))
    exchange.set_holdings(venue.account_id, {s: Decimal(q) for s, q in holdings.items()})


def test_account_figures_add_up_and_flags_are_booleans(venue: Venue) -> None:
    account = venue.broker.get_account()
    assert account.equity == account.cash + account.long_market_value + account.short_market_value
    flags = (
        account.pattern_day_trader,
        account.shorting_enabled,
        account.trade_suspended_by_user,
        account.trading_blocked,
        account.account_blocked,
    )
    assert all(isinstance(flag, bool) for flag in flags)
    assert account.multiplier >= 1


def test_long_equity_positions_are_us_equity_and_long(venue: Venue) -> None:
    venue.control()
    positions = venue.broker.get_positions()
    assert {(p.symbol, p.asset_class, p.side) for p in positions} == {
        ("SPY", AssetClass.US_EQUITY, "long"),
        ("QQQ", AssetClass.US_EQUITY, "long"),
    }
    account = venue.broker.get_account()
    # 10 SPY at $500 + 5.5 QQQ at $400.
    assert (account.long_market_value, account.short_market_value) == (Decimal(7200), 0)


def test_short_is_negative_and_its_proceeds_are_in_cash_not_equity(venue: Venue) -> None:
    # Cash $30,000 of which $10,000 came from shorting 40 XYZ at $250; 8 SPY at $500.
    script(venue, "30000", {"XYZ": "-40", "SPY": "8"})
    account = venue.broker.get_account()
    assert (account.cash, account.long_market_value, account.short_market_value) == (
        Decimal(30000),
        Decimal(4000),
        Decimal(-10000),
    )
    assert account.equity == Decimal(24000)
    xyz = {p.symbol: p for p in venue.broker.get_positions()}["XYZ"]
    assert (xyz.qty, xyz.market_value, xyz.side, xyz.current_price) == (
        Decimal(-40),
        Decimal(-10000),
        "short",
        Decimal(250),
    )


def test_selling_more_of_a_short_is_refused(venue: Venue) -> None:
    script(venue, "30000", {"XYZ": "-40"})
    with pytest.raises(InsufficientQuantity):
        venue.broker.submit_order(sell("XYZ", "1"))


def test_crypto_position_carries_the_order_symbol_and_the_brokers_value(venue: Venue) -> None:
    # 0.15 BTC at $60,000 = $9,000 of a $15,000 account.
    script(venue, "6000", {"BTC/USD": "0.15"})
    btc = {p.symbol: p for p in venue.broker.get_positions()}["BTC/USD"]
    assert (btc.qty, btc.market_value, btc.asset_class) == (
        Decimal("0.15"),
        Decimal(9000),
        AssetClass.CRYPTO,
    )
    assert venue.broker.get_account().equity == Decimal(15000)
    prices = venue.broker.get_latest_prices(["BTC/USD", "SPY"])
    assert {s: p.price for s, p in prices.items()} == {
        "BTC/USD": Decimal(60000),
        "SPY": Decimal(500),
    }


def test_crypto_asset_facts(venue: Venue) -> None:
    venue.control()
    btc = venue.broker.get_asset("BTC/USD")
    assert (btc.asset_class, btc.min_order_size, btc.min_trade_increment) == (
        AssetClass.CRYPTO,
        Decimal("0.0001"),
        Decimal("0.0001"),
    )


def test_crypto_sell_goes_out_gtc_even_when_asked_for_day(venue: Venue) -> None:
    script(venue, "6000", {"BTC/USD": "0.15"})
    request = sell("BTC/USD", "0.15")
    assert request.time_in_force is TimeInForce.DAY
    order = venue.broker.submit_order(request)
    assert (order.time_in_force, order.status, order.filled_qty) == (
        TimeInForce.GTC,
        OrderStatus.FILLED,
        Decimal("0.15"),
    )
    assert venue.broker.get_account().cash == Decimal(15000)
    # The same request again is the same order, not a second one.
    assert venue.broker.submit_order(request).id == order.id


def test_crypto_qty_is_rounded_down_to_the_coins_increment(venue: Venue) -> None:
    script(venue, "6000", {"BTC/USD": "0.15"})
    order = venue.broker.submit_order(sell("BTC/USD", "0.12345"))
    assert order.qty == order.filled_qty == Decimal("0.1234")
    held = {p.symbol: p.qty for p in venue.broker.get_positions()}
    assert held["BTC/USD"] == Decimal("0.0266")


def test_crypto_qty_under_the_minimum_order_size_is_refused(venue: Venue) -> None:
    script(venue, "6000", {"BTC/USD": "0.15"})
    with pytest.raises(BelowMinimumOrderSize, match=r"minimum order of 0\.0001"):
        venue.broker.submit_order(sell("BTC/USD", "0.00005"))
    assert venue.broker.list_orders(open_only=False) == []


def test_crypto_trades_while_the_stock_market_is_closed(venue: Venue) -> None:
    script(venue, "6000", {"BTC/USD": "0.15"})
    venue.control().set_market_open(False)
    order = venue.broker.submit_order(sell("BTC/USD", "0.05"))
    assert order.status is OrderStatus.FILLED


def test_option_is_valued_at_the_brokers_market_value_with_its_multiplier(venue: Venue) -> None:
    # 2 contracts quoted at $50 a share: 2 × 50 × 100 = $10,000 of $30,000 equity.
    script(venue, "20000", {OPTION: "2"})
    option = {p.symbol: p for p in venue.broker.get_positions()}[OPTION]
    assert (option.qty, option.current_price, option.market_value, option.asset_class) == (
        Decimal(2),
        Decimal(50),
        Decimal(10000),
        AssetClass.US_OPTION,
    )
    account = venue.broker.get_account()
    assert (account.long_market_value, account.equity) == (Decimal(10000), Decimal(30000))


def test_option_orders_are_refused(venue: Venue) -> None:
    script(venue, "20000", {OPTION: "2"})
    with pytest.raises(OrderRejected, match="options"):
        venue.broker.submit_order(sell(OPTION, "1"))


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(buy("SPY", notional="0.50"), id="notional"),
        pytest.param(buy("SPY", qty="0.001"), id="fractional-qty"),
    ],
)
def test_orders_under_one_dollar_are_refused(venue: Venue, request_: OrderRequest) -> None:
    venue.control()
    with pytest.raises(BelowMinimumNotional, match="cost basis must be >= 1") as refused:
        venue.broker.submit_order(request_)
    assert (refused.value.status, refused.value.broker_code) == (403, 40310000)


def test_an_order_of_exactly_one_dollar_is_taken(venue: Venue) -> None:
    venue.control()
    order = venue.broker.submit_order(buy("SPY", notional="1.00"))
    assert order.status is OrderStatus.FILLED and order.filled_qty == Decimal("0.002")


@pytest.mark.parametrize(
    ("flags", "kind"),
    [
        (AccountFlags(trading_blocked=True), AccountTradingBlocked),
        (AccountFlags(account_blocked=True), AccountMayNotTrade),
        (AccountFlags(trade_suspended_by_user=True), AccountMayNotTrade),
        (AccountFlags(status="INACTIVE"), AccountMayNotTrade),
    ],
)
def test_an_account_that_may_not_trade_refuses_orders(
    venue: Venue, flags: AccountFlags, kind: type[AccountMayNotTrade]
) -> None:
    venue.control().set_flags(venue.account_id, flags)
    with pytest.raises(kind) as refused:
        venue.broker.submit_order(buy("TLT", qty="1"))
    assert type(refused.value) is kind
    assert (refused.value.status, refused.value.broker_code) == (403, 40310000)


def test_account_flags_are_read(venue: Venue) -> None:
    flags = AccountFlags(pattern_day_trader=True, shorting_enabled=True, multiplier=Decimal(2))
    venue.control().set_flags(venue.account_id, flags)
    account = venue.broker.get_account()
    assert (account.pattern_day_trader, account.shorting_enabled, account.multiplier) == (
        True,
        True,
        Decimal(2),
    )
    # Equity $17,200 less half of the $7,200 held, times 2.
    assert account.buying_power == Decimal(27200)


def test_a_day_trade_under_pattern_day_trader_protection_is_refused(venue: Venue) -> None:
    # Equity $17,200 is under $25,000: a flagged account may not close today's buy today.
    venue.control().set_flags(venue.account_id, AccountFlags(pattern_day_trader=True))
    venue.broker.submit_order(buy("TLT", qty="1"))
    with pytest.raises(PatternDayTraderProtection) as refused:
        venue.broker.submit_order(sell("TLT", "1"))
    assert (refused.value.status, refused.value.broker_code) == (403, 40310100)
    # Selling what was held before today is no day trade.
    assert venue.broker.submit_order(sell("SPY", "1")).status is OrderStatus.FILLED


def test_latest_quote_is_a_fresher_price_than_an_old_trade(venue: Venue) -> None:
    exchange = venue.control()
    printed = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
    quoted = datetime(2026, 3, 5, 14, 31, 5, tzinfo=UTC)
    exchange.set_prices({"TLT": Decimal("88.50")}, as_of=printed)
    exchange.set_quotes({"TLT": Decimal("91.25")}, as_of=quoted)
    assert venue.broker.get_latest_prices(["TLT"]) == {
        "TLT": PricePoint(Decimal("88.50"), printed, "trade")
    }
    assert venue.broker.get_latest_quotes(["TLT", "ZZZZ"]) == {
        "TLT": PricePoint(Decimal("91.25"), quoted, "quote")
    }


def test_a_crypto_order_by_notional_is_taken_gtc(venue: Venue) -> None:
    venue.control()
    request = OrderRequest("BTC/USD", Side.BUY, client_id(), notional=Decimal("600.00"))
    order = venue.broker.submit_order(request)
    assert (order.time_in_force, order.filled_qty) == (TimeInForce.GTC, Decimal("0.01"))
