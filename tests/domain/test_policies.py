"""Hand-computed plans for each policy option (docs/policies.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from trimtab.domain.bands import Band, band_for, trade_gap
from trimtab.domain.planner import Reason, SkipReason, TaxContext, plan_rebalance
from trimtab.domain.policy import (
    Amount,
    CashMode,
    CashReserveKind,
    Policy,
    Scope,
    TradeTo,
    WholeShares,
)
from trimtab.domain.portfolio import Side
from trimtab.domain.targets import Target
from trimtab.domain.tax_lots import Fill, Term, lots_from_fills

from .builders import SEED_TARGETS, portfolio, targets

NO_BUFFER = Policy(cash_buffer_percent=Decimal(0))


def orders(plan: object) -> list[tuple[str, Side, Decimal]]:
    return [(o.symbol, o.side, o.qty) for o in plan.orders]  # type: ignore[attr-defined]


def reasons(plan: object) -> dict[str, str]:
    return {d.symbol: str(d.reason) for d in plan.decisions}  # type: ignore[attr-defined]


# ---- bands -------------------------------------------------------------------------


def test_five_twenty_five_band_takes_the_narrower_width() -> None:
    band = Band(Decimal(5), Decimal(25))
    assert band.width(Decimal(40)) == Decimal(5)  # 25 % of 40 = 10 pp: 5 pp acts
    assert band.width(Decimal(10)) == Decimal("2.5")  # 25 % of 10 = 2.5 pp acts
    assert band.is_passed(Decimal(10), Decimal("2.6")) is True
    assert band.is_passed(Decimal(10), Decimal("2.5")) is False


def test_a_symbol_band_replaces_the_default_as_a_whole() -> None:
    policy = Policy(relative_band_percent=Decimal(25))
    own = band_for(Target("GLD", Decimal(10), band_relative_percent=Decimal(50)), policy)
    assert own == Band(None, Decimal(50))
    assert band_for(Target("SPY", Decimal(40)), policy) == Band(Decimal(5), Decimal(25))


def test_trade_to_band_edge_and_halfway() -> None:
    assert trade_gap(Decimal(-6500), Decimal(5000), TradeTo.BAND_EDGE) == Decimal(-1500)
    assert trade_gap(Decimal(6500), Decimal(5000), TradeTo.BAND_EDGE) == Decimal(1500)
    assert trade_gap(Decimal(-6500), Decimal(5000), TradeTo.HALFWAY) == Decimal(-3250)


# $100,000: SPY 46.5 %, QQQ 30 %, TLT 15 %, GLD 8.5 %.
BOOK = portfolio(
    cash=0,
    holdings={"SPY": (100, 465), "QQQ": (75, 400), "TLT": (150, 100), "GLD": (50, 170)},
)


def test_relative_band_of_ten_percent_of_target() -> None:
    plan = plan_rebalance(SEED_TARGETS, BOOK, Policy(relative_band_percent=Decimal(10)))
    # Widths: SPY 4 pp, QQQ 3, TLT 2, GLD 1. Drifts +6.5, 0, -5, -1.5: all but QQQ past.
    assert reasons(plan) == {
        "SPY": "past_band",
        "QQQ": "within_band",
        "TLT": "past_band",
        "GLD": "past_band",
    }
    # SPY sells 6,500 / 465 = 13.978494623; TLT buys 5,000, GLD 1,500 (0.25 % kept).
    assert orders(plan)[0] == ("SPY", Side.SELL, Decimal("13.978494623"))
    assert [(s, side) for s, side, _ in orders(plan)[1:]] == [("TLT", Side.BUY), ("GLD", Side.BUY)]


def test_band_edge_trades_only_back_to_the_edge() -> None:
    plan = plan_rebalance(SEED_TARGETS, BOOK, Policy(trade_to=TradeTo.BAND_EDGE))
    # SPY 6.5 pp over a 5 pp band: sell 1.5 pp = $1,500 = 3.225806451 shares.
    assert orders(plan) == [("SPY", Side.SELL, Decimal("3.225806451"))]


def test_halfway_trades_half_the_gap() -> None:
    plan = plan_rebalance(SEED_TARGETS, BOOK, Policy(trade_to=TradeTo.HALFWAY))
    assert orders(plan) == [("SPY", Side.SELL, Decimal("6.989247311"))]  # 3,250 / 465


def test_whole_book_scope_trades_every_symbol_once_one_is_past() -> None:
    plan = plan_rebalance(SEED_TARGETS, BOOK, Policy(scope=Scope.WHOLE_BOOK, **_nb()))
    assert orders(plan) == [
        ("SPY", Side.SELL, Decimal("13.978494623")),  # 6,500 / 465
        # 5,000 / 100, scaled to the proceeds 13.978494623 × 465 = 6,499.999999695.
        ("TLT", Side.BUY, Decimal("49.999999997")),
        ("GLD", Side.BUY, Decimal("8.823529411")),  # 1,500 / 170
    ]
    assert reasons(plan)["TLT"] == "whole_book"
    assert reasons(plan)["QQQ"] == "within_band"  # exactly at target: nothing to trade


def _nb() -> dict[str, Decimal]:
    return {"cash_buffer_percent": Decimal(0)}


# ---- cash --------------------------------------------------------------------------

#: $10,000 of which $1,500 is cash; QQQ is 6 pp under, the others inside the 5 pp band.
IDLE = portfolio(
    cash=1500, holdings={"SPY": (8, 450), "QQQ": (6, 400), "TLT": (17, 100), "GLD": (5, 160)}
)


def test_default_leaves_idle_cash_alone() -> None:
    # SPY 36 %, QQQ 24 %, TLT 17 %, GLD 8 %: QQQ is 6 pp under, the only one past.
    plan = plan_rebalance(SEED_TARGETS, IDLE, NO_BUFFER)
    assert orders(plan) == [("QQQ", Side.BUY, Decimal("1.5"))]  # 600 / 400


def test_invest_cash_buys_the_underweights_most_underweight_first() -> None:
    policy = Policy(invest_cash=True, cash_buffer_percent=Decimal(0))
    plan = plan_rebalance(SEED_TARGETS, IDLE, policy)
    # QQQ 600 (band), then idle 900: SPY -4 pp → 400; TLT -3 pp → 300; GLD -2 pp → 200.
    assert orders(plan) == [
        ("QQQ", Side.BUY, Decimal("1.5")),
        ("SPY", Side.BUY, Decimal("0.888888888")),
        ("TLT", Side.BUY, Decimal(3)),
        ("GLD", Side.BUY, Decimal("1.25")),
    ]
    assert reasons(plan)["SPY"] == "cash_invested"
    assert reasons(plan)["QQQ"] == "past_band"


def test_cash_flow_mode_never_sells_and_buys_underweights() -> None:
    plan = plan_rebalance(SEED_TARGETS, BOOK_WITH_CASH, Policy(cash_mode=CashMode.CASH_FLOW))
    assert all(o.side is Side.BUY for o in plan.orders)
    assert reasons(plan)["SPY"] == "cash_flow_no_sell"
    # $10,000 new cash, value 110,000, 0.25 % = 275 kept: TLT (-6.36 pp) first.
    assert orders(plan)[0][0] == "TLT"


def test_cash_flow_passes_over_an_underweight_with_no_price() -> None:
    # $2,000: A 30 × $50 and $500 cash. B (no price yet) and C ($10) are both 25 pp
    # under, $500 short each. B comes first but cannot be bought: the $500 buys C.
    book = portfolio(cash=500, holdings={"A": (30, 50)}, prices={"C": 10})
    policy = Policy(cash_mode=CashMode.CASH_FLOW, cash_buffer_percent=Decimal(0))
    plan = plan_rebalance(targets(A=50, B=25, C=25), book, policy)
    assert orders(plan) == [("C", Side.BUY, Decimal(50))]
    assert [(s.symbol, s.reason) for s in plan.skipped] == [("B", SkipReason.NO_PRICE)]
    assert reasons(plan)["B"] == "no_price"


BOOK_WITH_CASH = portfolio(
    cash=10000,
    holdings={"SPY": (100, 465), "QQQ": (75, 400), "TLT": (150, 100), "GLD": (50, 170)},
)


def test_withdrawal_sells_the_most_overweight_first() -> None:
    policy = Policy(cash_mode=CashMode.WITHDRAWAL, withdrawal_amount=Decimal(5000), **_nb())
    plan = plan_rebalance(SEED_TARGETS, BOOK, policy)
    # After $5,000 out, SPY's target is 38,000: 8,500 over, more than needed.
    assert orders(plan) == [("SPY", Side.SELL, Decimal("10.752688172"))]  # 5,000 / 465
    assert reasons(plan)["SPY"] == "withdrawal"


def test_cash_floor_in_dollars_is_kept_back() -> None:
    policy = Policy(invest_cash=True, cash_reserve=Decimal(1000), cash_reserve_unit=Amount.USD)
    plan = plan_rebalance(SEED_TARGETS, IDLE, policy)
    # 1,500 cash less the 1,000 floor: QQQ's 600 is cut to 500 = 1.25 shares.
    assert orders(plan) == [("QQQ", Side.BUY, Decimal("1.25"))]


def test_cash_target_scales_the_symbol_targets() -> None:
    policy = Policy(
        cash_reserve=Decimal(20),
        cash_reserve_kind=CashReserveKind.TARGET,
        scope=Scope.WHOLE_BOOK,
        threshold_percent=Decimal(1),
        cash_buffer_percent=Decimal(0),
    )
    # Targets apply to 8,000: SPY 3,200 (holds 3,600: sell 400), QQQ 2,400 (holds 2,400).
    plan = plan_rebalance(SEED_TARGETS, IDLE, policy)
    assert ("SPY", Side.SELL, Decimal("0.888888888")) in orders(plan)


def test_curing_deposit_reaches_targets_without_selling() -> None:
    plan = plan_rebalance(SEED_TARGETS, BOOK)
    # SPY 46,500 at a 40 % target needs a value of 116,250: deposit 16,250.
    assert plan.curing_deposit == Decimal(16250)


# ---- whole shares ------------------------------------------------------------------


def test_optimal_whole_shares_spend_the_leftover() -> None:
    snapshot = portfolio(cash=1000, prices={"A": 300, "B": 70}, not_fractionable=("A", "B"))
    two = targets(A=60, B=40)
    seed = plan_rebalance(two, snapshot, NO_BUFFER)
    # Round down: A 600/300 = 2, B 400/70 = 5.71 → 5: $950 spent, $50 idle.
    assert orders(seed) == [("A", Side.BUY, Decimal(2)), ("B", Side.BUY, Decimal(5))]
    best = plan_rebalance(two, snapshot, Policy(whole_shares=WholeShares.OPTIMAL, **_nb()))
    # 2 × 300 + 6 × 70 = 1,020 > 1,000, so B 6 does not fit; residual 0 + 50 is best.
    assert orders(best) == [("A", Side.BUY, Decimal(2)), ("B", Side.BUY, Decimal(5))]


def test_optimal_whole_shares_round_up_when_it_fits() -> None:
    snapshot = portfolio(cash=1000, prices={"A": 300, "B": 80}, not_fractionable=("A", "B"))
    plan = plan_rebalance(
        targets(A=55, B=45), snapshot, Policy(whole_shares=WholeShares.OPTIMAL, **_nb())
    )
    # Wants 550 and 450: nearest is A 2 (600) and B 6 (480) = 1,080, over; A 1 + B 6 = 780
    # (residual 250 + 30); A 2 + B 5 = 1,000 (residual 50 + 50): the optimum.
    assert orders(plan) == [("A", Side.BUY, Decimal(2)), ("B", Side.BUY, Decimal(5))]


def test_optimal_whole_shares_round_a_sell_up_to_fund_a_buy() -> None:
    snapshot = portfolio(
        cash=0, holdings={"A": (10, 100)}, prices={"B": 70}, not_fractionable=("A", "B")
    )
    policy = Policy(whole_shares=WholeShares.OPTIMAL, min_trade=Decimal(1), **_nb())
    plan = plan_rebalance(targets(A=56, B=44), snapshot, policy)
    # Value 1,000: A wants 560 (sell 4.4 shares), B wants 440 (6.29 shares). Selling the
    # nearest 4 leaves $400: B 5 (residual A 40 + B 90 = 130). Selling 5 raises $500:
    # B 6 = 420 (residual A 60 + B 20 = 80), the optimum.
    assert orders(plan) == [("A", Side.SELL, Decimal(5)), ("B", Side.BUY, Decimal(6))]
    assert plan.budget is not None and plan.budget.spendable == Decimal(500)


def test_optimal_whole_shares_sell_none_when_that_leaves_the_least_drift() -> None:
    snapshot = portfolio(
        cash=0, holdings={"A": (10, 100), "B": (2, 20)}, not_fractionable=("A", "B")
    )
    policy = Policy(
        whole_shares=WholeShares.OPTIMAL,
        min_trade=Decimal(1),
        threshold_percent=Decimal(0),
        **_nb(),
    )
    # Value 1,040: A wants 967.20 (sell 0.328 of a share), B 72.80 (buy 1.64 at $20).
    # Sell none: residual 32.80 + 32.80 = 65.60. Sell 1 A: 67.20, and its $100 buys
    # B 2 (residual 7.20): 74.40. Nothing trades.
    plan = plan_rebalance(targets(A=93, B=7), snapshot, policy)
    assert orders(plan) == []
    assert reasons(plan) == {"A": "under_one_share", "B": "under_one_share"}


# ---- tax lots ------------------------------------------------------------------------

TODAY = date(2026, 11, 30)


def test_tax_aware_sell_takes_losses_then_long_term_and_avoids_short_term() -> None:
    fills = [
        Fill("SPY", Side.BUY, Decimal(40), Decimal(300), date(2024, 1, 2)),  # LT gain 165
        Fill("SPY", Side.BUY, Decimal(30), Decimal(500), date(2026, 3, 2)),  # loss -35
        Fill("SPY", Side.BUY, Decimal(30), Decimal(400), date(2026, 6, 1)),  # ST gain 65
    ]
    tax = TaxContext(TODAY, lots_from_fills(fills))
    policy = Policy(tax_aware=True, threshold_percent=Decimal(1), **_nb())
    snapshot = portfolio(cash=0, holdings={"SPY": (100, 465), "TLT": (100, 100)})
    # Value 56,500; SPY target 50 % = 28,250: sell 18,250 / 465 = 39.24 shares.
    plan = plan_rebalance(targets(SPY=50, TLT=50), snapshot, policy, tax=tax)
    sell = plan.sells[0]
    assert sell.qty == Decimal("39.247311827")
    # 30 loss shares (-35 each = -1,050), then 9.247311827 LT shares at +165.
    # The loss lot is under a year old: a short-term loss.
    assert sell.estimated_gain == {
        Term.SHORT: Decimal(-1050),
        Term.LONG: Decimal("1525.806451455"),
    }
    assert plan.realised_gain(Term.LONG) == Decimal("1525.806451455")
    assert plan.realised_gain(Term.SHORT) == Decimal("-1050")


def test_avoiding_short_term_gains_caps_the_sell() -> None:
    fills = [Fill("SPY", Side.BUY, Decimal(100), Decimal(400), date(2026, 6, 1))]
    tax = TaxContext(TODAY, lots_from_fills(fills))
    policy = Policy(tax_aware=True, **_nb())
    plan = plan_rebalance(SEED_TARGETS, BOOK, policy, tax=tax)
    assert plan.sells == ()
    assert reasons(plan)["SPY"] == "short_term_gain"


def test_wash_sale_blocks_buying_back_a_loss() -> None:
    fills = [
        Fill("TLT", Side.BUY, Decimal(10), Decimal(120), date(2026, 9, 1)),
        Fill("TLT", Side.SELL, Decimal(10), Decimal(100), date(2026, 11, 10)),
    ]
    tax = TaxContext(TODAY, lots_from_fills(fills))
    policy = Policy(tax_aware=True, threshold_percent=Decimal(1))
    plan = plan_rebalance(SEED_TARGETS, BOOK, policy, tax=tax)
    assert "TLT" not in {o.symbol for o in plan.orders}
    assert reasons(plan)["TLT"] == str(SkipReason.WASH_SALE)
    # 31 days after the loss sale the guard no longer holds.
    later = TaxContext(date(2026, 12, 11), tax.history)
    assert "TLT" in {o.symbol for o in plan_rebalance(SEED_TARGETS, BOOK, policy, tax=later).buys}


def test_default_reasons_name_the_band() -> None:
    plan = plan_rebalance(SEED_TARGETS, BOOK)
    by = {d.symbol: d for d in plan.decisions}
    assert by["SPY"].message == "drift +6.50 pp is past its ±5.00 pp band"
    assert by["TLT"].message == "drift -5.00 pp is inside its ±5.00 pp band"
    assert by["SPY"].reason is Reason.PAST_BAND


def test_a_drift_that_rounds_to_zero_is_never_written_minus_zero() -> None:
    # A at 49.9995% of 100,000: drift -0.0005 pp, which "+.2f" alone writes "-0.00".
    book = portfolio(holdings={"A": (1, "49999.50"), "B": (1, "50000.50")})
    plan = plan_rebalance(targets(A=50, B=50), book)
    by = {d.symbol: d for d in plan.decisions}
    assert by["A"].message == "drift +0.00 pp is inside its ±5.00 pp band"
    assert by["B"].message == "drift +0.00 pp is inside its ±5.00 pp band"
