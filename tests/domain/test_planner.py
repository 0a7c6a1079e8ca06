"""Hand-computed plans, the seed's worked example and its edge cases."""

from dataclasses import replace
from decimal import Decimal

from trimtab.domain.drift import Action
from trimtab.domain.planner import BuyWant, PlanOutcome, SkipReason, fit_buys, plan_rebalance
from trimtab.domain.policy import Policy
from trimtab.domain.portfolio import Side
from trimtab.domain.targets import Target

from .builders import SEED_TARGETS, portfolio, targets

NO_BUFFER = Policy(cash_buffer_percent=Decimal(0))

#: $100,000 with SPY at 46.5 %: the seed's example. TLT sits exactly 5 pp under its target.
SEED_PORTFOLIO = portfolio(
    cash=0,
    holdings={
        "SPY": (100, 465),
        "QQQ": (75, 400),
        "TLT": (150, 100),
        "GLD": (50, 170),
    },
)


def test_seed_worked_example_spy_at_46_5_percent_is_a_sell() -> None:
    plan = plan_rebalance(SEED_TARGETS, SEED_PORTFOLIO)
    spy = plan.drift[0]
    assert plan.portfolio_value == Decimal(100000)
    assert (spy.symbol, spy.target_percent, spy.actual_percent) == ("SPY", 40, Decimal("46.5"))
    assert spy.drift_percent == Decimal("6.5")
    assert spy.needs_rebalance is True
    assert spy.action is Action.SELL


def test_seed_worked_example_sells_spy_back_to_40_percent() -> None:
    plan = plan_rebalance(SEED_TARGETS, SEED_PORTFOLIO)
    # (46,500 - 40,000) / 465 = 13.978494623655..., cut to 9 decimals.
    assert [(o.symbol, o.side, o.qty) for o in plan.orders] == [
        ("SPY", Side.SELL, Decimal("13.978494623"))
    ]
    assert plan.outcome is PlanOutcome.PLANNED


def test_drift_of_exactly_the_threshold_is_inside_the_band() -> None:
    plan = plan_rebalance(SEED_TARGETS, SEED_PORTFOLIO)
    tlt = next(row for row in plan.drift if row.symbol == "TLT")
    assert tlt.drift_percent == Decimal(-5)
    assert (tlt.needs_rebalance, tlt.action) == (False, Action.NONE)


def test_full_example_with_cash_whole_shares_and_unheld_targets() -> None:
    # Value = 2,500 + 100 x 465 + 50.5 x 400 = 69,200.
    snapshot = portfolio(
        cash="2500.00",
        holdings={"SPY": (100, "465.00"), "QQQ": ("50.5", "400.00")},
        prices={"GLD": "185.10", "TLT": "92.00"},
        not_fractionable=("TLT",),
    )
    plan = plan_rebalance(SEED_TARGETS, snapshot)
    assert plan.portfolio_value == Decimal("69200.00")
    assert [(r.symbol, r.action) for r in plan.drift] == [
        ("SPY", Action.SELL),  # 67.20 % vs 40 %
        ("QQQ", Action.NONE),  # 29.19 % vs 30 %
        ("TLT", Action.BUY),  # 0 % vs 20 %
        ("GLD", Action.BUY),  # 0 % vs 10 %
    ]
    assert [(o.symbol, o.side, o.qty) for o in plan.orders] == [
        # (46,500 - 27,680) / 465 = 40.473118279...
        ("SPY", Side.SELL, Decimal("40.473118279")),
        # 13,840 / 92 = 150.43...: TLT is not fractionable, so 150 whole shares.
        ("TLT", Side.BUY, Decimal(150)),
        # 6,920 / 185.10 = 37.385197190707...
        ("GLD", Side.BUY, Decimal("37.385197190")),
    ]


def test_sells_come_before_buys() -> None:
    snapshot = portfolio(holdings={"GLD": (100, 100), "SPY": (10, 100)}, prices={"TLT": 50})
    plan = plan_rebalance(targets(SPY=50, TLT=30, GLD=20), snapshot)
    sides = [o.side for o in plan.orders]
    assert sides == sorted(sides, key=lambda s: s is Side.BUY)
    assert sides[0] is Side.SELL


def test_buys_are_scaled_together_to_the_cash_the_sells_free_less_the_buffer() -> None:
    # Value 10,000, no cash. Sells free 2,000 (A) + 1,000 (B) = 3,000; buffer 0.25 % = 25.
    snapshot = portfolio(holdings={"A": (60, 100), "B": (40, 100)}, prices={"C": 50})
    plan = plan_rebalance(targets(A=40, B=30, C=30), snapshot)
    assert [(o.symbol, o.side, o.qty) for o in plan.orders] == [
        ("A", Side.SELL, Decimal(20)),
        ("B", Side.SELL, Decimal(10)),
        ("C", Side.BUY, Decimal("59.5")),  # 2,975 / 50
    ]


def test_scaled_buys_round_down_to_whole_shares_for_non_fractionable_assets() -> None:
    snapshot = portfolio(
        holdings={"A": (60, 100), "B": (40, 100)}, prices={"C": 50}, not_fractionable=("C",)
    )
    plan = plan_rebalance(targets(A=40, B=30, C=30), snapshot)
    assert plan.buys[0].qty == Decimal(59)


def test_fit_buys_scales_each_buy_by_the_same_factor() -> None:
    snapshot = portfolio(prices={"X": 10, "Y": 10})
    orders, skipped = fit_buys(
        [BuyWant("X", Decimal(3000)), BuyWant("Y", Decimal(1000))],
        Decimal(2000),
        snapshot,
        NO_BUFFER,
    )
    assert [(o.symbol, o.qty) for o in orders] == [("X", Decimal(150)), ("Y", Decimal(50))]
    assert skipped == []


def test_fit_buys_drops_a_buy_scaled_under_the_minimum_and_gives_its_cash_to_the_others() -> None:
    # $50 for wants of 1,000 + 300 + 290: scaled by 50/1,590, Y (9.43) and Z (9.12) fall
    # under the $10 minimum. Dropping Z, the smallest, gives scale 50/1,300: Y is 11.54.
    snapshot = portfolio(prices={"X": 10, "Y": 10, "Z": 10})
    orders, skipped = fit_buys(
        [BuyWant("X", Decimal(1000)), BuyWant("Y", Decimal(300)), BuyWant("Z", Decimal(290))],
        Decimal(50),
        snapshot,
        NO_BUFFER,
    )
    assert [(o.symbol, o.qty) for o in orders] == [
        ("X", Decimal("3.846153846")),  # 1,000 × 50/1,300 / 10, rounded down to 1e-9
        ("Y", Decimal("1.153846153")),  # 300 × 50/1,300 / 10
    ]
    assert [(s.symbol, s.reason) for s in skipped] == [("Z", SkipReason.BELOW_MINIMUM)]
    assert skipped[0].message == "buy of Z for $9.12 is under the $10.00 minimum trade"


def test_planning_again_after_a_cash_short_plan_with_dropped_buys_plans_nothing() -> None:
    # Found by hypothesis. Value 500: $43.18 cash and $456.82 of E, which has no target.
    # Wants A 50, B 100, C 100, D 250, scaled by 43.18/500: A (4.32) is dropped, then B
    # (9.60 at 43.18/450); at 43.18/350 C is 12.34 and D 30.84. Before, A's, B's and C's
    # cash stayed idle and the next plan bought D again.
    snapshot = portfolio(
        cash="43.18", holdings={"E": (100, "4.5682")}, prices={"A": 1, "B": 1, "C": 1, "D": 1}
    )
    goal = targets(A=10, B=20, C=20, D=50)
    plan = plan_rebalance(goal, snapshot, NO_BUFFER)
    assert [(o.symbol, o.qty) for o in plan.orders] == [
        ("C", Decimal("12.337142857")),  # 100 × 43.18/350, rounded down to 1e-9
        ("D", Decimal("30.842857142")),  # 250 × 43.18/350
    ]
    after = portfolio(
        cash="0.000000001",
        holdings={"E": (100, "4.5682"), "C": ("12.337142857", 1), "D": ("30.842857142", 1)},
        prices={"A": 1, "B": 1},
    )
    assert plan_rebalance(goal, after, NO_BUFFER).orders == ()


def test_buys_without_any_cash_are_skipped_with_the_reason() -> None:
    # B is 7 pp under but A and C stay inside their bands: nothing is sold, no cash to buy.
    snapshot = portfolio(holdings={"A": (52, 100), "B": (38, 100), "C": (10, 100)})
    plan = plan_rebalance(targets(A=50, B=45, C=5), snapshot)
    assert plan.orders == ()
    assert [(s.symbol, s.reason) for s in plan.skipped] == [("B", SkipReason.NO_CASH)]
    assert plan.outcome is PlanOutcome.NO_WORTHWHILE_TRADE


def test_per_symbol_band_overrides_the_policy_threshold() -> None:
    wide = [replace(t, band_percent=Decimal(10)) if t.symbol == "SPY" else t for t in SEED_TARGETS]
    plan = plan_rebalance(wide, SEED_PORTFOLIO)
    assert plan.outcome is PlanOutcome.WITHIN_BANDS
    assert plan.orders == ()


def test_held_symbols_without_target_are_reported_and_left_alone() -> None:
    snapshot = portfolio(holdings={"SPY": (60, 100), "ARKK": (40, 100)})
    plan = plan_rebalance(targets(SPY=100), snapshot, NO_BUFFER)
    arkk = plan.drift[-1]
    assert (arkk.symbol, arkk.target_percent, arkk.targeted) == ("ARKK", 0, False)
    assert arkk.action is Action.NONE
    assert all(o.symbol != "ARKK" for o in plan.orders)
    assert any(s.symbol == "ARKK" and s.reason is SkipReason.UNTARGETED for s in plan.skipped)


def test_symbols_filter_trades_only_the_selected_symbols() -> None:
    snapshot = portfolio(holdings={"A": (70, 100)}, cash=3000)
    plan = plan_rebalance(targets(A=40, B=60), snapshot, symbols={"A"})
    assert [(o.symbol, o.side) for o in plan.orders] == [("A", Side.SELL)]
    assert [(s.symbol, s.reason) for s in plan.skipped] == [("B", SkipReason.NOT_SELECTED)]


def test_an_asset_that_is_not_tradable_is_skipped() -> None:
    snapshot = portfolio(holdings={"A": (70, 100), "B": (30, 100)}, not_tradable=("A",))
    plan = plan_rebalance(targets(A=40, B=60), snapshot)
    assert plan.orders == ()
    assert {(s.symbol, s.reason) for s in plan.skipped} == {
        ("A", SkipReason.NOT_TRADABLE),
        ("B", SkipReason.NO_CASH),
    }


# -- the seed's edge cases: no orders, a clear message -------------------------


def test_portfolio_value_zero() -> None:
    plan = plan_rebalance(SEED_TARGETS, portfolio(cash=0, prices={"SPY": 400}))
    assert plan.outcome is PlanOutcome.ZERO_VALUE
    assert plan.orders == ()
    assert plan.message == "Portfolio value is $0.00; nothing to rebalance"


def test_no_targets() -> None:
    plan = plan_rebalance([], SEED_PORTFOLIO)
    assert plan.outcome is PlanOutcome.NO_TARGETS
    assert plan.message == "No enabled target allocations; set targets before rebalancing"


def test_only_disabled_targets_count_as_no_targets() -> None:
    plan = plan_rebalance([Target("SPY", Decimal(100), enabled=False)], SEED_PORTFOLIO)
    assert plan.outcome is PlanOutcome.NO_TARGETS


def test_targets_not_summing_to_100_stop_the_run() -> None:
    plan = plan_rebalance(targets(SPY=40, QQQ=30, TLT=20), SEED_PORTFOLIO)
    assert plan.outcome is PlanOutcome.INVALID_TARGETS
    assert plan.orders == ()
    assert plan.message == (
        "Cannot rebalance: targets sum to 90.00 %, expected 100 % (10.00 pp missing)"
    )


def test_all_drift_inside_the_bands() -> None:
    snapshot = portfolio(holdings={"SPY": (42, 100), "QQQ": (58, 100)})
    plan = plan_rebalance(targets(SPY=40, QQQ=60), snapshot)
    assert plan.outcome is PlanOutcome.WITHIN_BANDS
    assert plan.needs_rebalance is False
    assert plan.message == "All holdings are within their drift bands; no rebalancing needed"


def test_positions_under_ten_dollars_give_only_skipped_trades() -> None:
    # $18 account: SPY is $14 (77.8 %) against 50 %, a $5 sell and a $5 buy.
    snapshot = portfolio(holdings={"SPY": (14, 1), "QQQ": (4, 1)})
    plan = plan_rebalance(targets(SPY=50, QQQ=50), snapshot, NO_BUFFER)
    assert plan.needs_rebalance is True
    assert plan.orders == ()
    assert plan.outcome is PlanOutcome.NO_WORTHWHILE_TRADE
    assert {s.reason for s in plan.skipped} == {SkipReason.BELOW_MINIMUM}
    assert plan.message == "Drift found, but every trade is under the $10.00 minimum; no orders"


def test_a_trade_of_exactly_the_minimum_is_placed() -> None:
    snapshot = portfolio(holdings={"SPY": (30, 1), "QQQ": (10, 1)})
    plan = plan_rebalance(targets(SPY=50, QQQ=50), snapshot, NO_BUFFER)
    assert [(o.symbol, o.notional) for o in plan.orders] == [
        ("SPY", Decimal(10)),
        ("QQQ", Decimal(10)),
    ]


def test_less_than_one_share_of_a_whole_share_asset_is_skipped_with_the_reason() -> None:
    snapshot = portfolio(
        holdings={"BRK.A": (1, 600000), "SPY": (1, 20000)}, not_fractionable=("BRK.A",)
    )
    plan = plan_rebalance(targets(**{"BRK.A": 90, "SPY": 10}), snapshot)
    # Selling 0.07 of a share is impossible, so nothing frees cash for the SPY buy.
    assert plan.orders == ()
    assert {(s.symbol, s.reason) for s in plan.skipped} == {
        ("BRK.A", SkipReason.UNDER_ONE_SHARE),
        ("SPY", SkipReason.NO_CASH),
    }


def test_a_symbol_targeted_twice_is_bought_for_both_rows_in_one_order() -> None:
    # Unvalidated targets may name a symbol twice: each row is its own drift row, and
    # their gaps (30 % + 30 % of $10,000) add up into one buy of $6,000 / $100.
    twice = [Target("SPY", Decimal(30)), Target("SPY", Decimal(30)), Target("TLT", Decimal(40))]
    plan = plan_rebalance(twice, portfolio(cash=10000, prices={"SPY": 100, "TLT": 50}), NO_BUFFER)
    assert [row.symbol for row in plan.drift] == ["SPY", "SPY", "TLT"]
    assert [(o.symbol, o.side, o.qty) for o in plan.orders] == [
        ("SPY", Side.BUY, Decimal(60)),
        ("TLT", Side.BUY, Decimal(80)),
    ]
