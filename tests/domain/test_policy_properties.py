"""Properties of the policy options over random portfolios (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from trimtab.domain.drift import analyse_drift
from trimtab.domain.money import ZERO
from trimtab.domain.planner import TaxContext, plan_rebalance
from trimtab.domain.policy import CashMode, Policy, Scope, TradeTo, WholeShares
from trimtab.domain.portfolio import Asset, Portfolio, PricePoint, Side
from trimtab.domain.targets import Target
from trimtab.domain.tax_lots import (
    Fill,
    TaxLot,
    Term,
    lots_from_fills,
    select_lots,
)
from trimtab.domain.whole_shares import (
    ShareTrade,
    ShareWant,
    optimal_trades,
    optimal_whole_shares,
    residual,
)

from .test_planner_properties import apply, cases, held_at

TODAY = date(2026, 11, 30)

policies = st.builds(
    Policy,
    threshold_percent=st.decimals(min_value=Decimal("0.5"), max_value=Decimal(10), places=1),
    relative_band_percent=st.one_of(
        st.none(), st.decimals(min_value=Decimal(5), max_value=Decimal(50), places=0)
    ),
    trade_to=st.sampled_from(TradeTo),
    whole_shares=st.sampled_from(WholeShares),
    cash_buffer_percent=st.decimals(min_value=Decimal(0), max_value=Decimal(2), places=2),
)


@settings(max_examples=200, deadline=None)
@given(cases(), policies)
def test_a_band_never_trades_a_symbol_inside_it(
    case: tuple[list[Target], Portfolio], policy: Policy
) -> None:
    targets, portfolio = case
    plan = plan_rebalance(targets, portfolio, policy)
    inside = {row.symbol for row in plan.drift if not row.needs_rebalance}
    assert not inside & {o.symbol for o in plan.orders}


@settings(max_examples=200, deadline=None)
@given(cases(), policies)
def test_cash_flow_mode_never_sells_and_keeps_the_buffer(
    case: tuple[list[Target], Portfolio], policy: Policy
) -> None:
    targets, portfolio = case
    flow = replace(policy, cash_mode=CashMode.CASH_FLOW)
    plan = plan_rebalance(targets, portfolio, flow)
    assert plan.sells == ()
    if plan.buys:
        after = apply(plan, portfolio)
        assert after.cash >= portfolio.value * flow.cash_buffer_percent / 100


@settings(max_examples=200, deadline=None)
@given(cases(), policies, st.booleans())
def test_the_buffer_is_respected_with_every_option(
    case: tuple[list[Target], Portfolio], policy: Policy, whole_book: bool
) -> None:
    targets, portfolio = case
    policy = replace(
        policy, invest_cash=True, scope=Scope.WHOLE_BOOK if whole_book else Scope.PAST_BAND
    )
    plan = plan_rebalance(targets, portfolio, policy)
    after = apply(plan, portfolio)
    if plan.buys:
        assert after.cash >= portfolio.value * policy.cash_buffer_percent / 100
    for order in plan.sells:
        assert order.qty <= portfolio.held_qty(order.symbol)


share_wants = st.lists(
    st.tuples(
        st.decimals(min_value=Decimal(0), max_value=Decimal(20000), places=2),
        st.decimals(min_value=Decimal("1.00"), max_value=Decimal(1500), places=2),
    ),
    min_size=1,
    max_size=8,
)


def _greedy(wants: list[ShareWant], budget: Decimal) -> list[int]:
    """PyPortfolioOpt-style greedy: round down, then one share at a time to the most short."""
    qty = [int(w.want // w.price) for w in wants]
    left = budget - sum((w.price * q for w, q in zip(wants, qty, strict=True)), ZERO)
    if left < ZERO:
        return [0] * len(wants)
    while True:
        short = [
            (w.want - w.price * q, i)
            for i, (w, q) in enumerate(zip(wants, qty, strict=True))
            if w.price <= left and w.want - w.price * q > ZERO
        ]
        if not short:
            return qty
        _, i = max(short)
        qty[i] += 1
        left -= wants[i].price


@settings(max_examples=300, deadline=None)
@given(share_wants, st.decimals(min_value=Decimal(0), max_value=Decimal(60000), places=2))
def test_optimal_whole_shares_beat_rounding_down_and_greedy(
    raw: list[tuple[Decimal, Decimal]], budget: Decimal
) -> None:
    wants = [ShareWant(f"S{i}", want, price) for i, (want, price) in enumerate(raw)]
    result = optimal_whole_shares(wants, budget)
    assert result.spent <= budget or budget <= ZERO
    down = [int(w.want // w.price) for w in wants]
    if sum((w.price * q for w, q in zip(wants, down, strict=True)), ZERO) <= budget:
        assert result.residual <= residual(wants, down)
    assert result.residual <= residual(wants, _greedy(wants, budget))


trade_lines = st.lists(
    st.tuples(
        st.decimals(min_value=Decimal(-20000), max_value=Decimal(20000), places=2),
        st.decimals(min_value=Decimal("1.00"), max_value=Decimal(1500), places=2),
        st.integers(min_value=0, max_value=40),
    ),
    min_size=1,
    max_size=8,
)


def _trade_residual(lines: list[ShareTrade], qty: list[int]) -> Decimal:
    return sum((abs(t.want - q * t.price) for t, q in zip(lines, qty, strict=True)), ZERO)


@settings(max_examples=300, deadline=None)
@given(trade_lines, st.decimals(min_value=Decimal(-2000), max_value=Decimal(40000), places=2))
def test_joint_whole_shares_beat_sequential_rounding_and_greedy(
    raw: list[tuple[Decimal, Decimal, int]], budget: Decimal
) -> None:
    lines = [ShareTrade(f"S{i}", w, p, h) for i, (w, p, h) in enumerate(raw)]
    result = optimal_trades(lines, budget)
    qty = [result.qty[t.symbol] for t in lines]
    for t, q in zip(lines, qty, strict=True):
        assert q >= 0 if t.want >= ZERO else -t.sellable <= q <= 0, (t, q)
    buys = sum((q * t.price for t, q in zip(lines, qty, strict=True) if q > 0), ZERO)
    raised = -sum((q * t.price for t, q in zip(lines, qty, strict=True) if q < 0), ZERO)
    assert buys == ZERO or buys <= budget + raised  # never spends cash it does not have
    assert result.residual == _trade_residual(lines, qty)
    # Sells rounded down (or to their nearest share), then the buys chosen after them:
    # rounded down, greedy, or optimal for the cash those sells leave.
    for rounding in (lambda x: int(x), lambda x: int(x.to_integral_value())):
        sold = [min(rounding(-t.want / t.price), t.sellable) if t.want < ZERO else 0 for t in lines]
        cash = budget + sum((s * t.price for t, s in zip(lines, sold, strict=True)), ZERO)
        wants = [ShareWant(t.symbol, max(t.want, ZERO), t.price) for t in lines]
        buy_sets = [_greedy(wants, cash), [int(w.want // w.price) for w in wants]]
        if cash > ZERO:
            best = optimal_whole_shares(wants, cash)
            buy_sets.append([best.qty[w.symbol] for w in wants])
        for bought in buy_sets:
            cost = sum((w.price * q for w, q in zip(wants, bought, strict=True)), ZERO)
            if cost > max(cash, ZERO) and any(bought):
                continue
            plan = [-s if t.want < ZERO else b for t, s, b in zip(lines, sold, bought, strict=True)]
            assert result.residual <= _trade_residual(lines, plan)


@settings(max_examples=200, deadline=None)
@given(cases(), st.decimals(min_value=Decimal(0), max_value=Decimal(2), places=2))
def test_optimal_whole_share_plans_never_leave_more_drift_than_rounding_down(
    case: tuple[list[Target], Portfolio], buffer: Decimal
) -> None:
    targets, portfolio = case
    assume(all(p.price >= 1 for p in portfolio.prices.values()))
    assume(all(h.price is None or h.price.price >= 1 for h in portfolio.holdings.values()))
    every = {*portfolio.prices, *portfolio.holdings}
    portfolio = replace(portfolio, assets={s: Asset(s, fractionable=False) for s in every})
    policy = Policy(
        threshold_percent=Decimal(0),
        scope=Scope.WHOLE_BOOK,
        min_trade=Decimal(1),
        cash_buffer_percent=buffer,
    )
    down = apply(plan_rebalance(targets, portfolio, policy), portfolio)
    optimal = plan_rebalance(targets, portfolio, replace(policy, whole_shares=WholeShares.OPTIMAL))
    after = apply(optimal, portfolio)

    def drift(book: Portfolio) -> Decimal:
        return sum(
            (
                abs(book.market_value(t.symbol) - t.target_percent * book.value / 100)
                for t in targets
            ),
            ZERO,
        )

    assert drift(after) <= drift(down)
    for order in optimal.sells:
        assert order.qty <= portfolio.held_qty(order.symbol)
    if optimal.buys:
        assert after.cash >= portfolio.value * buffer / 100


def test_optimal_whole_shares_spend_to_the_last_cent_the_cash_allows() -> None:
    # The property's shrunk counterexample (main, 1 Dec 2026). Value 199,999.98 cash +
    # 0.081 SPY × 1,613.74 (130.71294) = 200,130.69294; the 1.89 % buffer keeps
    # 3,782.47009656..., so buys may spend 196,217.50990343...: 196,217.50 in cents.
    # The wants (target × value − held) add up to the cash, 199,999.98, and their
    # rounded-down shares alone cost 199,478.67, more than that, so every dollar not spent
    # is a dollar of drift: drift = cash left ≥ 199,999.98 − 196,217.50 = 3,782.48.
    # Rounding down (wants scaled by 196,217.5099.../199,999.98) leaves 3,988.72. Optimal left
    # 5,336.62 in the original find and 5,359.59 here: HiGHS met the float budget by
    # overdrawing it by 0.0001, the Decimal check then dropped the dearest share (SPY,
    # 1,613.74) and the greedy plan (SPY cut from 10 to 7, 1,575.97 idle) won instead.
    weights = {"SPY": 26, "QQQ": 62, "TLT": 8, "GLD": 84, "VTI": 48, "BND": 82}
    targets = [Target(s, Decimal(w * 100) / 310) for s, w in weights.items()]
    targets[-1] = Target("BND", 100 - sum((t.target_percent for t in targets[:-1]), ZERO))
    prices = {"QQQ": "1.08", "TLT": "1.77", "GLD": "1.00", "VTI": "1.32", "BND": "2.15"}
    portfolio = Portfolio.of(
        Decimal("199999.98"),
        [held_at("SPY", Decimal("0.081"), Decimal("1613.74"))],
        prices={s: PricePoint(Decimal(p), None, "trade") for s, p in prices.items()},
        assets={s: Asset(s, fractionable=False) for s in weights},
    )
    policy = Policy(
        threshold_percent=Decimal(0),
        scope=Scope.WHOLE_BOOK,
        min_trade=Decimal(1),
        cash_buffer_percent=Decimal("1.89"),
    )
    down = apply(plan_rebalance(targets, portfolio, policy), portfolio)
    assert down.cash == Decimal("3988.72")
    optimal = plan_rebalance(targets, portfolio, replace(policy, whole_shares=WholeShares.OPTIMAL))
    after = apply(optimal, portfolio)
    assert after.cash == Decimal("3782.48")
    for t in targets:  # no line past its want: the drift is the cash left
        assert after.market_value(t.symbol) <= t.target_percent * portfolio.value / 100


lots = st.lists(
    st.tuples(
        st.decimals(min_value=Decimal(1), max_value=Decimal(50), places=0),
        st.decimals(min_value=Decimal(50), max_value=Decimal(150), places=0),
        st.integers(min_value=1, max_value=900),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(
    lots,
    st.decimals(min_value=Decimal(1), max_value=Decimal(200), places=0),
    st.decimals(min_value=Decimal(60), max_value=Decimal(140), places=0),
    st.booleans(),
)
def test_no_short_term_gain_lot_is_sold_while_a_loss_or_long_term_lot_would_do(
    raw: list[tuple[Decimal, Decimal, int]], wanted: Decimal, price: Decimal, avoid: bool
) -> None:
    held = [TaxLot("SPY", q, cost, TODAY - timedelta(days=age)) for q, cost, age in raw]
    chosen = select_lots(held, wanted, price, TODAY, avoid_short_term_gains=avoid)
    sold = {id(s.lot): s.qty for s in chosen.sales}
    short_gain_sold = any(s.term is Term.SHORT and s.gain > ZERO for s in chosen.sales)
    if short_gain_sold:
        assert not avoid
        for lot in held:
            better = price < lot.cost_per_share or lot.term(TODAY, 365) is Term.LONG
            if better:
                assert sold.get(id(lot)) == lot.qty  # every better lot was used up first


@settings(max_examples=200, deadline=None)
@given(cases(), st.integers(min_value=0, max_value=60), st.booleans())
def test_the_wash_sale_guard_holds(
    case: tuple[list[Target], Portfolio], days_ago: int, loss: bool
) -> None:
    targets, portfolio = case
    fills = []
    for target in targets:
        points = portfolio.price_candidates(target.symbol)
        price = points[0].price if points else Decimal(1)
        sold_at = price / 2 if loss else price * 2
        fills += [
            Fill(target.symbol, Side.BUY, Decimal(1), price, TODAY - timedelta(days=400)),
            Fill(target.symbol, Side.SELL, Decimal(1), sold_at, TODAY - timedelta(days=days_ago)),
        ]
    tax = TaxContext(TODAY, lots_from_fills(fills))
    plan = plan_rebalance(targets, portfolio, Policy(tax_aware=True, invest_cash=True), tax=tax)
    if loss and days_ago <= 30:
        assert plan.buys == ()
    recent_buys = [
        Fill(t.symbol, Side.BUY, Decimal(1), Decimal(10**6), TODAY - timedelta(days=days_ago))
        for t in targets
    ]
    tax = TaxContext(TODAY, lots_from_fills(recent_buys))
    plan = plan_rebalance(targets, portfolio, Policy(tax_aware=True), tax=tax)
    for order in plan.sells:
        # Each sell realises no loss while a buy sits inside the window.
        if days_ago <= 30:
            assert all(g >= ZERO for g in (order.estimated_gain or {}).values())


def test_drift_rows_carry_the_band_width() -> None:
    targets = [Target("SPY", Decimal(40)), Target("GLD", Decimal(60))]
    portfolio = Portfolio(cash=Decimal(100))
    rows = analyse_drift(targets, portfolio, Policy(relative_band_percent=Decimal(5)))
    assert [r.threshold_percent for r in rows] == [Decimal(2), Decimal(3)]
