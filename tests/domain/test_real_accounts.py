"""Hand-computed plans for accounts shaped like real ones: one case per kind of
docs/rebalancing.md (valuation, classes, shorts, never borrow, prices, exits)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from trimtab.domain.drift import Action, HoldReason
from trimtab.domain.money import usd, usd_under
from trimtab.domain.planner import (
    BuyWant,
    PlanOutcome,
    SkipReason,
    buy_budget,
    fit_buys,
    plan_rebalance,
)
from trimtab.domain.policy import Policy, UntargetedHoldings
from trimtab.domain.portfolio import (
    Asset,
    AssetClass,
    Holding,
    OpenOrder,
    Portfolio,
    PricePoint,
    Side,
)

from .builders import held, targets

D = Decimal
NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # a Monday, the market open since 14:30
SESSION_START = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # midnight in New York
BTC = Asset(
    "BTC/USD",
    asset_class=AssetClass.CRYPTO,
    min_order_size=D("0.0001"),
    min_trade_increment=D("0.0001"),
)


def quote(price: str, as_of: datetime | None = None) -> PricePoint:
    return PricePoint(D(price), as_of, "trade")


def orders_of(plan: object) -> list[tuple[str, Side, Decimal]]:
    return [(o.symbol, o.side, o.qty) for o in plan.orders]  # type: ignore[attr-defined]


def skip_reasons(plan: object) -> dict[str, SkipReason]:
    return {s.symbol: s.reason for s in plan.skipped}  # type: ignore[attr-defined]


# -- shorts: the account --------------------------------------------------

SHORT_ACCOUNT = Portfolio.of(
    D(30000),
    [
        held("SPY", 8, 500),
        Holding("XYZ", D(-40), D(-10000), quote("250"), AssetClass.US_EQUITY),
    ],
    prices={"QQQ": quote("400"), "TLT": quote("90"), "GLD": quote("200")},
    equity=D(24000),
    buying_power=D(48000),
)


def test_a_short_is_valued_negative_and_its_proceeds_are_never_spent() -> None:
    plan = plan_rebalance(targets(SPY=40, QQQ=30, TLT=20, GLD=10), SHORT_ACCOUNT)
    assert plan.portfolio_value == D(24000)
    xyz = next(r for r in plan.drift if r.symbol == "XYZ")
    assert (xyz.market_value, xyz.action, xyz.needs_rebalance) == (D(-10000), Action.NONE, False)
    assert xyz.hold_reason is HoldReason.SHORT_POSITION
    assert round(xyz.actual_percent, 4) == D("-41.6667")
    # Spendable = min(30,000 - 10,000 short proceeds, 48,000, 24,000 - 4,000 invested)
    # - 60 buffer = 19,940 of the 20,000 wanted: every buy x 0.997.
    assert plan.budget is not None and plan.budget.spendable == D(19940)
    assert orders_of(plan) == [
        ("SPY", Side.BUY, D("11.1664")),  # 5,600 x 0.997 / 500
        ("QQQ", Side.BUY, D("17.946")),  # 7,200 x 0.997 / 400
        ("TLT", Side.BUY, D("53.173333333")),  # 4,800 x 0.997 / 90
        ("GLD", Side.BUY, D("11.964")),  # 2,400 x 0.997 / 200
    ]
    spent = sum(o.notional for o in plan.orders)
    assert SHORT_ACCOUNT.cash - spent >= D(10000) + D(60)
    assert skip_reasons(plan)["XYZ"] is SkipReason.SHORT_POSITION


def test_a_short_is_never_covered_even_with_a_target() -> None:
    plan = plan_rebalance(targets(SPY=50, XYZ=50), SHORT_ACCOUNT)
    assert "XYZ" not in {o.symbol for o in plan.orders}
    assert skip_reasons(plan)["XYZ"] is SkipReason.SHORT_POSITION


# -- crypto -------------------------------------------------------------------------

BTC_ACCOUNT = Portfolio.of(
    D(6000),
    [Holding("BTC/USD", D("0.15"), D(9000), quote("60000"), AssetClass.CRYPTO)],
    prices={"SPY": quote("500")},
    assets={"BTC/USD": BTC},
    equity=D(15000),
)


def test_crypto_is_planned_under_its_order_symbol_in_its_increments() -> None:
    plan = plan_rebalance(targets(SPY=60, **{"BTC/USD": 40}), BTC_ACCOUNT)
    btc = next(r for r in plan.drift if r.symbol == "BTC/USD")
    assert (btc.actual_percent, btc.asset_class) == (D(60), AssetClass.CRYPTO)
    # Sell 3,000 / 60,000 = 0.05 BTC; buy SPY with 6,000 + 3,000 - 37.50 buffer.
    assert orders_of(plan) == [("BTC/USD", Side.SELL, D("0.05")), ("SPY", Side.BUY, D("17.925"))]
    assert plan.orders[0].asset_class is AssetClass.CRYPTO


def test_a_crypto_buy_is_rounded_down_to_the_assets_increment() -> None:
    account = Portfolio.of(
        D(1000),
        [held("SPY", 18, 500)],
        prices={"BTC/USD": quote("60000")},
        assets={"BTC/USD": BTC},
        equity=D(10000),
    )
    plan = plan_rebalance(targets(SPY=90, **{"BTC/USD": 10}), account)
    # 975 / 60,000 = 0.01625 BTC, down to the 0.0001 increment.
    assert orders_of(plan) == [("BTC/USD", Side.BUY, D("0.0162"))]


def test_a_crypto_order_under_the_minimum_order_size_is_skipped_with_the_reason() -> None:
    account = Portfolio.of(
        D(3),
        [held("SPY", "19.994", 500)],
        prices={"BTC/USD": quote("60000")},
        assets={"BTC/USD": BTC},
        equity=D(10000),
    )
    policy = Policy(threshold_percent=D("0.01"), min_trade=D(1), cash_buffer_percent=D(0))
    plan = plan_rebalance(targets(SPY="99.97", **{"BTC/USD": "0.03"}), account, policy)
    assert plan.orders == ()
    (skip,) = plan.skipped
    assert skip.reason is SkipReason.BELOW_MIN_ORDER_SIZE
    assert skip.message == "buy of 0.00005 BTC/USD is under its minimum order size of 0.0001"


# -- options and other classes ---------------------------------------------------------

OPTION_ACCOUNT = Portfolio.of(
    D(10000),
    [
        held("SPY", 20, 500),
        Holding("AAPL250117C00150000", D(2), D(10000), quote("50"), AssetClass.US_OPTION),
    ],
    prices={"QQQ": quote("400")},
    equity=D(30000),
)


def test_an_option_counts_at_its_market_value_and_is_never_ordered() -> None:
    plan = plan_rebalance(targets(SPY=50, QQQ=50), OPTION_ACCOUNT)
    assert plan.portfolio_value == D(30000)  # not 10,000 + 10,000 + 2 x 50 = 20,100
    option = next(r for r in plan.drift if r.symbol == "AAPL250117C00150000")
    assert (option.hold_reason, option.needs_rebalance) == (HoldReason.ASSET_CLASS, False)
    assert option.note == (
        "AAPL250117C00150000 is a us_option position: counted in the value, not rebalanced"
    )
    # 10,000 cash, 30,000 - 20,000 uninvested, less 75: 9,925 of 20,000 wanted.
    assert orders_of(plan) == [
        ("SPY", Side.BUY, D("4.9625")),  # 5,000 x 0.49625 / 500
        ("QQQ", Side.BUY, D("18.609375")),  # 15,000 x 0.49625 / 400
    ]


# -- never borrow ---------------------------------------------------------------------


def test_a_margin_account_in_debt_sells_to_repay_and_never_levers_further() -> None:
    account = Portfolio.of(
        D(-5000),
        [held("SPY", 30, 500)],
        prices={"QQQ": quote("400")},
        equity=D(10000),
        buying_power=D(20000),
    )
    plan = plan_rebalance(targets(SPY=60, QQQ=40), account)
    # SPY 15,000 of 10,000 equity: sell 9,000 (18 shares). The debt takes 5,000 of it;
    # QQQ gets 4,000 - 25 buffer, not the 20,000 of buying power.
    assert orders_of(plan) == [("SPY", Side.SELL, D(18)), ("QQQ", Side.BUY, D("9.9375"))]
    spent = plan.buys[0].notional
    assert account.cash + plan.sells[0].notional - spent == D(25)


def test_a_margin_account_in_debt_has_nothing_to_spend_before_sells() -> None:
    account = Portfolio.of(
        D(-1000),
        [held("SPY", 12, 500)],
        prices={"QQQ": quote("400")},
        equity=D(5000),
        buying_power=D(9000),
    )
    # min(-1,000 cash, 9,000 buying power, 5,000 - 6,000 uninvested) - 12.50 buffer.
    assert buy_budget(account, Policy()).spendable == D("-1012.5")


def test_open_buy_orders_reserve_their_cash_and_their_symbols_are_left_alone() -> None:
    account = Portfolio.of(
        D(10000),
        prices={"SPY": quote("500"), "GLD": quote("200"), "QQQ": quote("400")},
        equity=D(10000),
        open_orders=(
            OpenOrder("QQQ", Side.BUY, qty=D(5)),  # 5 x 400 = 2,000
            OpenOrder("TLT", Side.BUY, notional=D(1000)),
            OpenOrder("GLD", Side.SELL, qty=D(1)),
        ),
    )
    plan = plan_rebalance(targets(SPY=50, GLD=50), account)
    assert plan.budget is not None and plan.budget.open_orders == D(3000)
    # 10,000 - 3,000 reserved - 25 buffer = 6,975; GLD has its own open order.
    assert orders_of(plan) == [("SPY", Side.BUY, D("10"))]
    assert skip_reasons(plan)["GLD"] is SkipReason.OPEN_ORDER


# -- prices you can trust -----------------------------------------------------------------

DATED = Portfolio.of(
    D(10000),
    prices={
        "SPY": quote("500", NOW - timedelta(minutes=1)),
        "GLD": quote("200", datetime(2026, 11, 27, 21, 0, tzinfo=UTC)),
    },
    equity=D(10000),
    as_of=NOW,
    session_start=SESSION_START,
)


def test_a_price_from_before_the_last_trading_day_is_not_traded_on() -> None:
    plan = plan_rebalance(targets(SPY=50, GLD=50), DATED)
    (gld,) = [s for s in plan.skipped if s.symbol == "GLD"]
    assert gld.reason is SkipReason.STALE_PRICE
    assert gld.message == (
        "GLD's last price $200 is from 2026-11-27T21:00:00+00:00 (older than "
        "2026-11-30T05:00:00+00:00); not trading on a stale price"
    )
    # The stale want takes no share of the cash: SPY gets its whole 5,000.
    (spy,) = plan.orders
    assert (spy.symbol, spy.qty, spy.price_as_of) == ("SPY", D(10), NOW - timedelta(minutes=1))
    assert spy.price_source == "trade"


def test_a_stale_trade_falls_back_to_the_positions_current_price() -> None:
    account = Portfolio.of(
        D(0),
        [Holding("SPY", D(20), D(10000), PricePoint(D(500), None, "position"))],
        prices={"SPY": quote("480", NOW - timedelta(days=5)), "QQQ": quote("400", NOW)},
        equity=D(10000),
        as_of=NOW,
        session_start=SESSION_START,
    )
    plan = plan_rebalance(targets(SPY=50, QQQ=50), account)
    assert [(o.symbol, o.qty, o.price, o.price_source) for o in plan.sells] == [
        ("SPY", D(10), D(500), "position")
    ]


def test_the_policys_age_limit_applies_and_crypto_goes_stale_in_a_day() -> None:
    account = replace(
        BTC_ACCOUNT,
        holdings={},
        cash=D(15000),
        prices={
            "SPY": quote("500", NOW - timedelta(hours=2)),
            "BTC/USD": quote("60000", NOW - timedelta(hours=25)),
        },
        as_of=NOW,
        session_start=SESSION_START,
    )
    plan = plan_rebalance(targets(SPY=60, **{"BTC/USD": 40}), account)
    assert skip_reasons(plan)["BTC/USD"] is SkipReason.STALE_PRICE
    assert [o.symbol for o in plan.orders] == ["SPY"]
    strict = Policy(max_price_age=timedelta(hours=1))
    assert plan_rebalance(targets(SPY=60, **{"BTC/USD": 40}), account, strict).orders == ()


# -- broker minimum and messages -------------------------------------------------------------


def test_alpacas_one_dollar_minimum_is_a_floor_under_the_minimum_trade() -> None:
    policy = Policy(min_trade=D("0.5"))
    account = Portfolio.of(D(100), prices={"QQQ": quote("400")}, equity=D(100))
    orders, skipped = fit_buys([BuyWant("QQQ", D("0.9996"))], D(100), account, policy)
    assert orders == []
    assert skipped[0].message == "buy of QQQ for $0.9996 is under the $1.00 minimum trade"


def test_messages_show_the_unrounded_amount_only_where_rounding_would_mislead() -> None:
    assert usd_under(D("0.4999"), D("0.50")) == "$0.4999"
    assert usd_under(D("0.494"), D("0.50")) == "$0.49"
    assert usd(D("-6000")) == "-$6,000.00"


# -- exits -----------------------------------------------------------------------------------


def test_a_zero_target_sells_the_whole_position_dust_included() -> None:
    account = Portfolio.of(
        D("138.2716055"),
        [held("SPY", "10.123456789", 500), held("QQQ", 12, 400)],
        equity=D(10000),
    )
    plan = plan_rebalance(targets(SPY=0, QQQ=100), account)
    assert orders_of(plan) == [
        ("SPY", Side.SELL, D("10.123456789")),
        ("QQQ", Side.BUY, D("12.9375")),  # (138.27 + 5,061.73 - 25) / 400
    ]
    assert plan.sells[0].exit is True


def test_an_exit_needs_only_the_brokers_minimum_and_dust_under_it_is_reported() -> None:
    account = Portfolio.of(D(9995), [held("SPY", "0.01", 500)], equity=D(10000))
    policy = Policy(min_trade=D(10))
    assert orders_of(plan_rebalance(targets(SPY=0, QQQ=100), account, policy))[0] == (
        "SPY",
        Side.SELL,
        D("0.01"),
    )
    dust = Portfolio.of(D("9999.5"), [held("SPY", "0.001", 500)], equity=D(10000))
    plan = plan_rebalance(targets(SPY=0, QQQ=100), dust, policy)
    assert [s.message for s in plan.skipped if s.symbol == "SPY"] == [
        "sell of SPY for $0.50 is under the $1.00 minimum trade"
    ]


def test_untargeted_holdings_are_left_alone_or_sold_whole_as_the_policy_says() -> None:
    account = Portfolio.of(D(0), [held("SPY", "18.8", 500), held("TSLA", 3, 200)], equity=D(10000))
    leave = plan_rebalance(targets(SPY=100), account)
    assert orders_of(leave) == []
    assert skip_reasons(leave)["TSLA"] is SkipReason.UNTARGETED
    sell = plan_rebalance(targets(SPY=100), account, Policy(untargeted=UntargetedHoldings.SELL))
    # TSLA sold whole (600); SPY buys 600 - 25 buffer = 575 / 500.
    assert orders_of(sell) == [("TSLA", Side.SELL, D(3)), ("SPY", Side.BUY, D("1.15"))]


# -- valuation ---------------------------------------------------------------------------------


def test_a_valuation_that_does_not_add_up_stops_the_plan_and_says_why() -> None:
    off = replace(SHORT_ACCOUNT, equity=D("24010"))
    plan = plan_rebalance(targets(SPY=40, QQQ=30, TLT=20, GLD=10), off)
    assert (plan.outcome, plan.orders) == (PlanOutcome.VALUATION_MISMATCH, ())
    assert plan.message == (
        "Cannot rebalance: the broker's figures disagree. Equity is $24,010.00 but cash "
        "$30,000.00 + positions -$6,000.00 = $24,000.00 ($10.00 apart); no orders. "
        "Check again in a moment"
    )
    within_a_cent = replace(SHORT_ACCOUNT, equity=D("24000.01"))
    assert plan_rebalance(targets(SPY=100), within_a_cent).outcome is PlanOutcome.PLANNED
