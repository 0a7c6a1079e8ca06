"""The backtest replay on hand-computed cases: one rebalance, costs, whole shares,
late starts, delistings and zero prices, and the SPEC grammar."""

from __future__ import annotations

import math
import warnings
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest

from tests.domain.builders import targets
from trimtab.domain.backtest import (
    BacktestSettings,
    PriceHistory,
    parse_policy,
    run_backtest,
)
from trimtab.domain.backtest.metrics import MAX_CAGR, cagr
from trimtab.domain.backtest.policy import Calendar
from trimtab.domain.backtest.simulation import calendar_days
from trimtab.domain.policy import CashMode, CashReserveKind
from trimtab.domain.portfolio import Side
from trimtab.domain.targets import Target
from trimtab.errors import InvalidInput

NAN = math.nan
FREE = BacktestSettings(cash=Decimal(1000), min_trade=Decimal(0))


def history(columns: dict[str, list[float]], first: date = date(2024, 1, 2)) -> PriceHistory:
    days = len(next(iter(columns.values())))
    return PriceHistory(
        tuple(first + timedelta(days=i) for i in range(days)),
        tuple(columns),
        np.array(list(zip(*columns.values(), strict=True)), dtype=np.float64),
    )


def replay(prices: PriceHistory, spec: str, settings: BacktestSettings = FREE, **weights: int):
    report = run_backtest(prices, targets(**weights), [parse_policy(spec)], settings)
    return report.outcomes[0]


def test_one_band_rebalance_with_a_cost_per_order() -> None:
    prices = history({"A": [10, 20, 20, 24], "B": [10, 10, 10, 12]})
    settings = BacktestSettings(cash=Decimal(1000), cost_per_order=Decimal(1), min_trade=Decimal(0))
    outcome = replay(prices, "band:5", settings, A=50, B=50)
    fills = [(f.day, f.symbol, f.side, f.qty, f.cost) for f in outcome.replay.fills]
    # Day 0: $998 after two $1 fees, $499 each. Day 1: A is 66.7 %; sell A to half of
    # $1497 (12.475 shares, $249.50 less $1), buy B with what is left after its fee.
    assert fills == [
        (0, "A", Side.BUY, Decimal("49.9"), Decimal(1)),
        (0, "B", Side.BUY, Decimal("49.9"), Decimal(1)),
        (1, "A", Side.SELL, Decimal("12.475"), Decimal(1)),
        (1, "B", Side.BUY, Decimal("24.75"), Decimal(1)),
    ]
    assert outcome.replay.cash == 0
    assert outcome.replay.values.tolist() == [998.0, 1495.0, 1495.0, 37.425 * 24 + 74.65 * 12]
    assert outcome.replay.rebalance_days == (0, 1)
    assert outcome.metrics.costs == 4
    assert outcome.metrics.orders == 4
    assert outcome.metrics.rebalances == 2
    # Turnover counts what day 1 traded, not the first day's investment: $249.50 + $247.50.
    assert outcome.replay.traded == Decimal("497.000")
    mean_value = sum(outcome.replay.values.tolist()) / 4
    assert outcome.metrics.turnover == pytest.approx(497 / 2 / mean_value / (3 / 365.25) * 100)
    assert outcome.metrics.final_value == pytest.approx(1794.0)
    # A's $748.50 of $1495 after the fees is 0.0669 pp over its half.
    off = (748.5 / 1495 - 0.5) * 100
    assert outcome.replay.drift.tolist() == pytest.approx([0.0, off, off, off])


def test_the_return_counts_from_the_starting_cash_not_after_the_first_costs() -> None:
    # Four years to the day (1461 days = 4 × 365.25): A doubles from $10 to $20.
    prices = PriceHistory((date(2020, 1, 1), date(2024, 1, 1)), ("A",), np.array([[10.0], [20.0]]))
    costly = BacktestSettings(cash=Decimal(1000), cost_per_order=Decimal(100))
    # Free: 100 shares, $1000 → $2000. Costly: $100 fee, 90 shares, $900 → $1800.
    free, paid = replay(prices, "none", A=100), replay(prices, "none", costly, A=100)
    assert paid.replay.values.tolist() == [900.0, 1800.0]
    assert free.metrics.cagr == pytest.approx((2**0.25 - 1) * 100)
    assert paid.metrics.cagr == pytest.approx((1.8**0.25 - 1) * 100)
    assert paid.metrics.tracking_difference == pytest.approx((1.8**0.25 - 2**0.25) * 100)
    assert paid.metrics.max_drawdown == pytest.approx(-10.0)
    assert free.metrics.max_drawdown == 0.0


def test_bps_costs_come_out_of_the_buys() -> None:
    prices = history({"A": [10, 10], "B": [10, 10]})
    settings = BacktestSettings(cash=Decimal(1001), cost_bps=Decimal(10), min_trade=Decimal(0))
    outcome = replay(prices, "none", settings, A=50, B=50)
    # $1001 / 1.001 = $1000 of shares and $1 of costs.
    assert [f.qty for f in outcome.replay.fills] == [Decimal(50), Decimal(50)]
    assert outcome.metrics.costs == Decimal(1)
    assert outcome.replay.cash == 0


def test_whole_shares_leave_the_remainder_in_cash() -> None:
    prices = history({"A": [30, 30], "B": [40, 40]})
    settings = BacktestSettings(cash=Decimal(1000), min_trade=Decimal(0), fractional=False)
    outcome = replay(prices, "monthly", settings, A=50, B=50)
    assert [(f.symbol, f.qty) for f in outcome.replay.fills] == [
        ("A", Decimal(16)),
        ("B", Decimal(12)),
    ]
    assert outcome.replay.cash == Decimal(40)


def test_band_only_trades_the_symbols_past_it_and_relative_the_whole_book() -> None:
    # Day 1: A 56 % (+6 pp, past 5), B 22 % (-3 pp), C 22 % (-3 pp): a band sells A only
    # back to 50 % and buys the others with the proceeds; relative 25 % fires on... no:
    # B and C are 12 % off their 25 %, A 12 % off 50 %: relative:25 does nothing.
    prices = history({"A": [10, 14], "B": [10, 11], "C": [10, 11]})
    band = replay(prices, "band:5", A=50, B=25, C=25)
    assert [(f.day, f.symbol, f.side) for f in band.replay.fills if f.day == 1] == [
        (1, "A", Side.SELL)
    ]
    relative = replay(prices, "relative:25", A=50, B=25, C=25)
    assert relative.replay.rebalance_days == (0,)
    both = replay(prices, "band:5,relative:25", A=50, B=25, C=25)
    assert [(f.symbol, f.side) for f in both.replay.fills if f.day == 1] == [
        ("A", Side.SELL),
        ("B", Side.BUY),
        ("C", Side.BUY),
    ]


def test_a_symbol_that_starts_late_is_bought_when_it_first_trades() -> None:
    prices = history({"A": [10, 10, 10, 10], "B": [NAN, NAN, 5, 5]})
    outcome = replay(prices, "band:5", A=50, B=50)
    assert [(f.day, f.symbol, f.qty) for f in outcome.replay.fills] == [
        (0, "A", Decimal(50)),
        (2, "B", Decimal(100)),
    ]
    assert outcome.replay.values.tolist() == [1000.0] * 4
    # The day B starts it is 50 pp under target before the trade, 0 after.
    assert outcome.replay.drift.tolist() == [0.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize("order", ["BC", "CB"])
def test_new_cash_goes_to_the_symbol_that_lists_not_to_one_not_listed_yet(order: str) -> None:
    # $1,000: day 0 buys A's 50 % (50 × $10); B and C, not listed, leave $500 in cash.
    # Day 2 C lists at $10 with the book at $1,500 (A doubled): B and C are both 25 pp
    # under, $375 each. B cannot be bought yet, so the cash goes to C: 37.5 shares, not
    # the $125 left after B's share (as it was when B came first in the targets).
    prices = history(
        {"A": [10, 20, 20, 20, 20], "B": [NAN, NAN, NAN, NAN, 10], "C": [NAN, NAN, 10, 20, 20]}
    )
    weights = {"A": 50, **{symbol: 25 for symbol in order}}
    outcome = replay(prices, "monthly,cash_flow", **weights)
    assert [(f.day, f.symbol, f.qty) for f in outcome.replay.fills] == [
        (0, "A", Decimal(50)),
        (2, "C", Decimal("37.5")),
        (4, "B", Decimal("12.5")),  # the $125 left, the day B lists
    ]
    assert outcome.replay.values.tolist() == [1000.0, 1500.0, 1500.0, 1875.0, 1875.0]


def test_a_symbol_that_stops_trading_is_paid_out_at_its_last_close() -> None:
    prices = history({"A": [10, 10, NAN, NAN], "B": [10, 10, 20, 20]})
    outcome = replay(prices, "band:5", A=50, B=50)
    # Day 2: A pays out $500; B is worth $1000 of $1500 and is sold back to $750.
    assert [(f.day, f.symbol, f.side, f.qty) for f in outcome.replay.fills if f.day > 0] == [
        (2, "B", Side.SELL, Decimal("12.5"))
    ]
    assert outcome.replay.cash == Decimal(750)
    assert outcome.replay.values.tolist() == [1000.0, 1000.0, 1500.0, 1500.0]


def test_a_missing_day_in_the_middle_is_valued_at_the_last_close() -> None:
    prices = history({"A": [10, NAN, 12], "B": [10, 10, 10]})
    outcome = replay(prices, "monthly", A=50, B=50)
    assert outcome.replay.values.tolist() == [1000.0, 1000.0, 1100.0]
    assert outcome.replay.rebalance_days == (0,)


def test_a_zero_close_values_the_holding_at_nothing_and_is_not_traded() -> None:
    prices = history({"A": [10, 0, 10], "B": [10, 10, 10]})
    outcome = replay(prices, "band:5", A=50, B=50)
    # Day 1: A is worth 0, B is 100 % of $500; B is sold to half ($250), A cannot be
    # bought. Day 2: A is back at $500 of $1000, B 25 pp under: the cash buys it back.
    assert [(f.day, f.symbol, f.side, f.qty) for f in outcome.replay.fills if f.day > 0] == [
        (1, "B", Side.SELL, Decimal(25)),
        (2, "B", Side.BUY, Decimal(25)),
    ]
    assert outcome.replay.values.tolist() == [1000.0, 500.0, 1000.0]


def test_a_day_when_every_close_is_zero_does_not_end_the_replay() -> None:
    days = (date(2024, 1, 30), date(2024, 1, 31), date(2024, 2, 1), date(2024, 2, 2))
    days += (date(2024, 3, 1), date(2024, 3, 4))
    closes = [[10, 10], [10, 10], [0, 0], [10, 10], [20, 10], [20, 12]]
    prices = PriceHistory(days, ("A", "B"), np.array(closes, dtype=np.float64))
    outcome = replay(prices, "monthly", A=50, B=50)
    # Feb 1, a month's first day, values both holdings at 0, but they are still held:
    # the closes come back the next day and March's first day rebalances $1500.
    assert [(f.day, f.symbol, f.side, f.qty) for f in outcome.replay.fills if f.day > 0] == [
        (4, "A", Side.SELL, Decimal("12.5")),
        (4, "B", Side.BUY, Decimal(25)),
    ]
    assert outcome.replay.values.tolist() == [1000.0, 1000.0, 0.0, 1000.0, 1500.0, 1650.0]
    assert outcome.metrics.final_value == 1650.0


@pytest.mark.parametrize(
    ("spec", "own_band", "first"),
    [
        ("band:5", {"band_percent": Decimal(10)}, date(2024, 1, 2)),
        ("monthly", {"band_relative_percent": Decimal(50)}, date(2024, 1, 30)),
    ],
)
def test_a_targets_own_band_gives_way_to_the_policys(
    spec: str, own_band: dict[str, Decimal], first: date
) -> None:
    # Saved allocations may carry a symbol's own band (SPY=40:5:25); the SPEC is the
    # rule replayed. A at 55.6 % is past band:5, and off target on the month's first
    # day: both sell it back to $562.50, although its own band (10 pp, or 50 % of its
    # 50 % target) would have kept it.
    prices = history({"A": [10, 12.5, 12.5], "B": [10, 10, 10]}, first)
    own = [Target("A", Decimal(50), **own_band), Target("B", Decimal(50))]
    outcome = run_backtest(prices, own, [parse_policy(spec)], FREE).outcomes[0]
    assert [(f.day, f.symbol, f.side, f.qty) for f in outcome.replay.fills if f.day > 0] == [
        (2 if spec == "monthly" else 1, "A", Side.SELL, Decimal(5)),
        (2 if spec == "monthly" else 1, "B", Side.BUY, Decimal("6.25")),
    ]


@pytest.mark.parametrize("spec", ["relative:25", "band:5,relative:25"])
def test_a_zero_target_under_a_relative_band_is_not_a_numpy_warning(spec: str) -> None:
    prices = history({"A": [10, 12, 14], "B": [10, 10, 10]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 0/0 printed "invalid value encountered in divide"
        outcome = replay(prices, spec, A=100, B=0)
    assert [(f.day, f.symbol, f.qty) for f in outcome.replay.fills] == [(0, "A", Decimal(100))]
    assert outcome.replay.values.tolist() == [1000.0, 1200.0, 1400.0]


def test_tracking_difference_is_zero_for_a_book_that_never_drifts() -> None:
    prices = history({"A": [10, 11, 12.1], "B": [20, 22, 24.2]})
    outcome = replay(prices, "none", A=50, B=50)
    assert outcome.metrics.tracking_difference == pytest.approx(0.0, abs=1e-9)
    assert outcome.metrics.max_drawdown == 0.0


def test_a_target_with_no_column_or_no_close_is_an_error() -> None:
    with pytest.raises(InvalidInput, match="C has no column") as err:
        replay(history({"A": [10], "B": [10]}), "none", A=50, C=50)
    assert err.value.field == "targets"
    with pytest.raises(InvalidInput) as err:
        replay(history({"A": [10], "B": [10]}), "none", C=40, A=20, D=30, E=10)
    assert err.value.message == "C, D, E have no column in the prices"
    with pytest.raises(InvalidInput, match="B has no close between 2024-01-02 and 2024-01-03"):
        replay(history({"A": [10, 10], "B": [NAN, NAN]}), "none", A=50, B=50)
    with pytest.raises(
        InvalidInput, match="B has no close above 0 between 2024-01-02 and 2024-01-03"
    ):
        replay(history({"A": [10, 10], "B": [0, 0]}), "none", A=50, B=50)
    with pytest.raises(
        InvalidInput, match="B has no close above 0 between 2024-01-02 and 2024-01-03"
    ):
        replay(history({"A": [10, NAN], "B": [0, NAN]}), "none", A=50, B=50)


def test_a_range_outside_the_prices_names_their_dates() -> None:
    prices = history({"A": [10, 10]})
    with pytest.raises(InvalidInput) as err:
        prices.between(date(2030, 1, 1), None)
    assert err.value.message == (
        "start 2030-01-01 is after the prices' last day: the prices run from 2024-01-02 to "
        "2024-01-03"
    )
    assert err.value.field == "start"
    with pytest.raises(InvalidInput) as err:
        prices.between(None, date(2020, 1, 1))
    assert err.value.message == (
        "end 2020-01-01 is before the prices' first day: the prices run from 2024-01-02 to "
        "2024-01-03"
    )
    assert err.value.field == "end"
    gappy = PriceHistory((date(2024, 1, 2), date(2024, 1, 9)), ("A",), np.array([[10.0], [10.0]]))
    with pytest.raises(InvalidInput) as err:
        gappy.between(date(2024, 1, 4), date(2024, 1, 6))
    assert err.value.message == (
        "no prices between 2024-01-04 and 2024-01-06: the prices run from 2024-01-02 to 2024-01-09"
    )
    assert prices.between(date(2024, 1, 3), date(2024, 1, 9)).dates == (date(2024, 1, 3),)


def test_calendar_days_are_the_first_days_of_new_periods() -> None:
    # Across 1970, numpy's day 0, which the periods are counted from.
    dates = [
        date(1969, 11, 28),
        date(1969, 12, 1),
        date(1969, 12, 31),
        date(1970, 1, 2),
        date(1970, 1, 30),
        date(1970, 2, 2),
        date(1970, 4, 1),
        date(2024, 4, 2),
    ]
    ordinals = np.array([d.toordinal() for d in dates])
    assert calendar_days(ordinals, Calendar.MONTHLY).tolist() == [1, 1, 0, 1, 0, 1, 1, 1]
    assert calendar_days(ordinals, Calendar.QUARTERLY).tolist() == [1, 0, 0, 1, 0, 0, 1, 1]
    assert calendar_days(ordinals, Calendar.YEARLY).tolist() == [1, 0, 0, 1, 0, 0, 0, 1]
    assert calendar_days(ordinals, None).tolist() == [1, 0, 0, 0, 0, 0, 0, 0]


@pytest.mark.parametrize(
    ("spec", "band", "relative", "calendar", "whole_book"),
    [
        ("none", None, None, None, True),
        ("band:5", Decimal(5), None, None, False),
        ("relative:25", None, Decimal(25), None, True),
        ("band:5,relative:25", Decimal(5), Decimal(25), None, True),
        (" Quarterly ", None, None, Calendar.QUARTERLY, True),
        ("monthly,band:2.5", Decimal("2.5"), None, Calendar.MONTHLY, True),
    ],
)
def test_policy_specs(spec, band, relative, calendar, whole_book) -> None:
    policy = parse_policy(spec)
    assert (policy.band_percent, policy.relative_percent, policy.calendar) == (
        band,
        relative,
        calendar,
    )
    assert policy.whole_book is whole_book


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty"),
        ("band", "band needs a value"),
        ("band:x", "band needs a number"),
        ("band:0", "must be above 0"),
        ("monthly:3", "monthly takes no value"),
        ("weekly", "unknown option 'weekly'"),
        ("band:5,band:6", "band is given twice"),
        ("none,band:5", "none cannot be combined"),
        ("monthly,yearly", "at most one calendar"),
        ("cash_floor:5,cash_target:5", "a cash floor or a cash target, not both"),
        ("cash_target:100", "cash_target must be above 0 and under 100"),
        ("band:5,cash_flow", "cash_flow never sells"),
        ("cash_flow,invest_cash", "leave out invest_cash"),
        ("invest_cash:1", "invest_cash takes no value"),
    ],
)
def test_bad_policy_specs_name_the_fault(spec: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as err:
        parse_policy(spec)
    assert err.value.field == "policy"


# -- Cash options (docs/policies.md "Cash", replayed through the live planner) ---------

MONTH_END = (date(2024, 1, 30), date(2024, 1, 31), date(2024, 2, 1))


def fills_of(outcome) -> list[tuple[int, str, Side, Decimal]]:  # type: ignore[no-untyped-def]
    return [(f.day, f.symbol, f.side, f.qty) for f in outcome.replay.fills]


def test_cash_option_specs() -> None:
    policy = parse_policy("monthly,cash_target:20")
    assert (policy.cash_reserve, policy.cash_reserve_kind) == (Decimal(20), CashReserveKind.TARGET)
    assert parse_policy("cash_floor:2.5").cash_reserve_kind is CashReserveKind.FLOOR
    assert parse_policy("band:5,invest_cash").plans_on_cash
    flow = parse_policy("quarterly,cash_flow").planner_policy(Decimal(1))
    assert flow.cash_mode is CashMode.CASH_FLOW and flow.threshold_percent == 0
    assert not parse_policy("band:5").plans_on_cash


def test_a_cash_target_keeps_its_share_in_cash() -> None:
    """$1000, 50/50, a 20 % cash target: targets apply to the other $800."""
    outcome = replay(history({"A": [10, 10], "B": [20, 20]}), "cash_target:20", A=50, B=50)
    assert fills_of(outcome) == [(0, "A", Side.BUY, Decimal(40)), (0, "B", Side.BUY, Decimal(20))]
    assert outcome.replay.cash == Decimal(200)
    assert outcome.replay.values.tolist() == [1000.0, 1000.0]


def test_a_cash_floor_is_never_spent() -> None:
    """Day 0: a 10 % floor keeps $100, so the $500 wants are scaled to $450 each.

    Day 2 (a new month): A doubled, $1450 in all. A sells to its $725 target ($175);
    the floor is now $145, so of the $275 cash only $130 buys B (13 shares)."""
    prices = PriceHistory(MONTH_END, ("A", "B"), np.array([[10.0, 10.0], [20, 10], [20, 10]]))
    outcome = replay(prices, "monthly,cash_floor:10", A=50, B=50)
    assert fills_of(outcome) == [
        (0, "A", Side.BUY, Decimal(45)),
        (0, "B", Side.BUY, Decimal(45)),
        (2, "A", Side.SELL, Decimal("8.75")),
        (2, "B", Side.BUY, Decimal(13)),
    ]
    assert outcome.replay.cash == Decimal(145)
    assert outcome.replay.values.tolist() == [1000.0, 1450.0, 1450.0]


LATE_C = PriceHistory(
    MONTH_END, ("A", "B", "C"), np.array([[10.0, 10.0, NAN], [20, 10, 10], [20, 10, 10]])
)


def test_cash_flow_buys_with_cash_and_never_sells() -> None:
    """C lists on day 1: the $200 its target left in cash buys it that day (a plan on
    a listing); on day 2, the month's rebalance, A is far over target but not sold."""
    outcome = replay(LATE_C, "monthly,cash_flow", A=40, B=40, C=20)
    assert fills_of(outcome) == [
        (0, "A", Side.BUY, Decimal(40)),
        (0, "B", Side.BUY, Decimal(40)),
        (1, "C", Side.BUY, Decimal(20)),
    ]
    assert outcome.replay.cash == 0
    assert outcome.replay.values.tolist() == [1000.0, 1400.0, 1400.0]


def test_the_same_month_without_cash_options_sells_the_overweight() -> None:
    """Plain ``monthly`` waits for day 2: $1400 back to 40/40/20 sells 12 A and buys
    16 B and 28 C with the $440 of cash."""
    outcome = replay(LATE_C, "monthly", A=40, B=40, C=20)
    assert fills_of(outcome) == [
        (0, "A", Side.BUY, Decimal(40)),
        (0, "B", Side.BUY, Decimal(40)),
        (2, "A", Side.SELL, Decimal(12)),
        (2, "B", Side.BUY, Decimal(16)),
        (2, "C", Side.BUY, Decimal(28)),
    ]


def test_invest_cash_puts_idle_cash_to_work_inside_the_band() -> None:
    """A 30 pp band: C (20 %) lists on day 1 at -20 pp, inside the band. With
    ``invest_cash`` the idle $200 buys it that day; without, it stays in cash."""
    invested = replay(LATE_C, "band:30,invest_cash", A=40, B=40, C=20)
    assert fills_of(invested)[-1] == (1, "C", Side.BUY, Decimal(20))
    assert invested.replay.cash == 0
    idle = replay(LATE_C, "band:30", A=40, B=40, C=20)
    assert [f.day for f in idle.replay.fills] == [0, 0]
    assert idle.replay.cash == Decimal(200)


def test_the_first_day_invests_at_target_under_every_band() -> None:
    # B's 4 % target is inside a 5 pp band even when nothing is held (drift −4 pp), and a
    # 100 pp band holds every drift: the first day still buys both at target ($960, $40).
    prices = history({"A": [10, 10, 10], "B": [4, 4, 4]})
    for spec in ("band:5", "band:100", "band:4"):
        outcome = replay(prices, spec, A=96, B=4)
        assert [(f.day, f.symbol, f.qty) for f in outcome.replay.fills] == [
            (0, "A", Decimal(96)),
            (0, "B", Decimal(10)),
        ], spec
        assert outcome.replay.cash == 0
        assert outcome.replay.values.tolist() == [1000.0] * 3


def test_later_days_keep_the_band_after_a_first_day_at_target() -> None:
    # Day 1: B doubles to $80 of $1040 (7.69 %, +3.69 pp): inside band:5, so no trade;
    # day 2: B at $16 is $160 of $1120 (14.29 %, +10.29 pp): B alone is sold back to 4 %.
    prices = history({"A": [10, 10, 10], "B": [4, 8, 16]})
    outcome = replay(prices, "band:5", A=96, B=4)
    assert [(f.day, f.symbol, f.side, f.qty) for f in outcome.replay.fills] == [
        (0, "A", Side.BUY, Decimal(96)),
        (0, "B", Side.BUY, Decimal(10)),
        (2, "B", Side.SELL, Decimal("7.2")),
        (2, "A", Side.BUY, Decimal("11.52")),
    ]


def test_a_gain_too_big_to_annualise_is_reported_at_the_cagr_ceiling() -> None:
    # A goes from $0.01 to $5 in a day: $50,000 of it becomes $25,000,000, and the
    # value $25,050,000 / $100,000 = ×250.5 a day is ×250.5^365.25 a year: past a float.
    prices = history({"A": [0.01, 5], "B": [2, 2]})
    outcome = replay(prices, "band:5", BacktestSettings(min_trade=Decimal(0)), A=50, B=50)
    assert outcome.metrics.final_value == 25_050_000.0
    assert outcome.metrics.cagr == MAX_CAGR == 1e12
    assert outcome.metrics.tracking_difference == 0.0
    assert cagr(100.0, 250.0, 2.0) == pytest.approx((2.5**0.5 - 1) * 100)


def test_closes_that_grow_past_decimal_digits_are_an_error_naming_the_prices() -> None:
    # Each day A moves ×1e11 one way or the other: relative:25 rebalances daily and the
    # book grows ×5e10 every two days, until a quantity needs more than 28 digits.
    wild = history({"A": [0.0001, 10_000_000] * 20, "B": [1] * 40})
    settings = BacktestSettings(cash=Decimal(10**12), min_trade=Decimal(0))
    with pytest.raises(InvalidInput, match="'relative:25': the closes grow a quantity") as err:
        replay(wild, "relative:25", settings, A=50, B=50)
    assert err.value.field == "prices"
