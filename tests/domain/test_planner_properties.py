"""Properties of the planner over random portfolios (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from trimtab.domain.money import ZERO
from trimtab.domain.planner import Plan, plan_rebalance, prepare_planner
from trimtab.domain.policy import CashMode, CashReserveKind, Policy, Scope, TradeTo, WholeShares
from trimtab.domain.portfolio import Asset, Holding, Portfolio, PricePoint, Side
from trimtab.domain.targets import Target

SYMBOLS = ["SPY", "QQQ", "TLT", "GLD", "VTI", "BND", "EFA", "IWM"]

prices = st.decimals(min_value=Decimal("0.5"), max_value=Decimal(2000), places=2)
quantities = st.one_of(
    st.just(Decimal(0)),
    st.decimals(min_value=Decimal(0), max_value=Decimal(5000), places=3),
)


@st.composite
def cases(draw: st.DrawFn, fractional_only: bool = False) -> tuple[list[Target], Portfolio]:
    symbols = draw(st.lists(st.sampled_from(SYMBOLS), min_size=1, max_size=6, unique=True))
    weights = draw(st.lists(st.integers(1, 50), min_size=len(symbols), max_size=len(symbols)))
    total = sum(weights)
    percents = [Decimal(w * 100) / Decimal(total) for w in weights]
    # Exact Decimal division can leave the sum a hair off 100: give the rest to the last one.
    percents[-1] = Decimal(100) - sum(percents[:-1], ZERO)
    targets = [Target(s, p) for s, p in zip(symbols, percents, strict=True)]
    held = draw(st.lists(st.sampled_from(SYMBOLS), max_size=6, unique=True))
    holdings = [held_at(s, q, draw(prices)) for s in held if (q := draw(quantities)) > ZERO]
    held_now = {h.symbol for h in holdings}
    extra = {s: PricePoint(draw(prices), None, "trade") for s in symbols if s not in held_now}
    assets = {}
    if not fractional_only:
        for s in SYMBOLS:
            if draw(st.booleans()):
                assets[s] = Asset(s, fractionable=False)
    cash = draw(st.decimals(min_value=Decimal(0), max_value=Decimal(200000), places=2))
    return targets, Portfolio.of(cash, holdings, prices=extra, assets=assets)


def apply(plan: Plan, portfolio: Portfolio) -> Portfolio:
    """The portfolio after every planned order fills at its planned price."""
    qty = {h.symbol: h.qty for h in portfolio.holdings.values()}
    cash = portfolio.cash
    for order in plan.orders:
        sign = 1 if order.side is Side.BUY else -1
        qty[order.symbol] = qty.get(order.symbol, ZERO) + sign * order.qty
        cash -= sign * order.notional
    holdings = [held_at(s, q, price_of(portfolio, s)) for s, q in qty.items() if q != ZERO]
    return Portfolio.of(cash, holdings, prices=portfolio.prices, assets=portfolio.assets)


def price_of(portfolio: Portfolio, symbol: str) -> Decimal:
    return portfolio.price_candidates(symbol)[0].price


def held_at(symbol: str, qty: Decimal, price: Decimal) -> Holding:
    return Holding(symbol, qty, qty * price, PricePoint(price, None, "position"))


def gap(portfolio: Portfolio, target: Target) -> Decimal:
    return abs(
        portfolio.market_value(target.symbol) - target.target_percent * portfolio.value / 100
    )


@settings(max_examples=300, deadline=None)
@given(cases())
def test_no_sell_exceeds_the_quantity_held(case: tuple[list[Target], Portfolio]) -> None:
    targets, portfolio = case
    for order in plan_rebalance(targets, portfolio).sells:
        assert order.qty <= portfolio.held_qty(order.symbol)


@settings(max_examples=300, deadline=None)
@given(cases())
def test_cash_never_goes_negative(case: tuple[list[Target], Portfolio]) -> None:
    targets, portfolio = case
    after = apply(plan_rebalance(targets, portfolio), portfolio)
    assert after.cash >= ZERO


@settings(max_examples=300, deadline=None)
@given(cases())
def test_every_traded_symbol_moves_closer_to_its_target(
    case: tuple[list[Target], Portfolio],
) -> None:
    targets, portfolio = case
    plan = plan_rebalance(targets, portfolio)
    after = apply(plan, portfolio)
    traded = {o.symbol for o in plan.orders}
    for target in targets:
        if target.symbol in traded:
            assert gap(after, target) < gap(portfolio, target)


@settings(max_examples=300, deadline=None)
@given(cases())
def test_symbols_without_orders_stay_untouched(case: tuple[list[Target], Portfolio]) -> None:
    targets, portfolio = case
    plan = plan_rebalance(targets, portfolio)
    after = apply(plan, portfolio)
    traded = {o.symbol for o in plan.orders}
    for holding in portfolio.holdings.values():
        if holding.symbol not in traded:
            assert after.held_qty(holding.symbol) == holding.qty


@settings(max_examples=300, deadline=None)
@given(cases())
def test_quantities_respect_the_asset_precision(case: tuple[list[Target], Portfolio]) -> None:
    targets, portfolio = case
    for order in plan_rebalance(targets, portfolio).orders:
        step = Decimal("1e-9") if portfolio.asset(order.symbol).fractionable else Decimal(1)
        assert order.qty % step == 0
        assert order.qty > 0
        assert order.notional >= Policy().min_order


@settings(max_examples=300, deadline=None)
@given(cases(fractional_only=True))
def test_planning_again_after_the_plan_plans_nothing(
    case: tuple[list[Target], Portfolio],
) -> None:
    targets, portfolio = case
    after = apply(plan_rebalance(targets, portfolio), portfolio)
    assert plan_rebalance(targets, after).orders == ()


@settings(max_examples=200, deadline=None)
@given(cases(), st.decimals(min_value=Decimal(0), max_value=Decimal(2), places=2))
def test_buys_never_spend_into_the_cash_buffer(
    case: tuple[list[Target], Portfolio], buffer: Decimal
) -> None:
    targets, portfolio = case
    policy = replace(Policy(), cash_buffer_percent=buffer)
    plan = plan_rebalance(targets, portfolio, policy)
    if plan.buys:
        after = apply(plan, portfolio)
        assert after.cash >= portfolio.value * buffer / 100


@settings(max_examples=200, deadline=None)
@given(cases(), st.sampled_from([Policy(), Policy(threshold_percent=Decimal(0))]))
def test_a_prepared_planner_plans_what_plan_rebalance_plans_for_every_portfolio(
    case: tuple[list[Target], Portfolio], policy: Policy
) -> None:
    targets, portfolio = case
    planner = prepare_planner(targets, policy)
    first = planner.plan(portfolio)
    assert first == plan_rebalance(targets, portfolio, policy)
    after = apply(first, portfolio)
    assert planner.plan(after) == plan_rebalance(targets, after, policy)


#: Policies over every option that changes which orders a plan places.
every_policy = st.builds(
    Policy,
    threshold_percent=st.decimals(min_value=Decimal(0), max_value=Decimal(10), places=1),
    relative_band_percent=st.one_of(
        st.none(), st.decimals(min_value=Decimal(5), max_value=Decimal(50), places=0)
    ),
    scope=st.sampled_from(Scope),
    trade_to=st.sampled_from(TradeTo),
    cash_mode=st.sampled_from([CashMode.REBALANCE, CashMode.CASH_FLOW]),
    invest_cash=st.booleans(),
    cash_reserve=st.decimals(min_value=Decimal(0), max_value=Decimal(20), places=1),
    cash_reserve_kind=st.sampled_from(CashReserveKind),
    whole_shares=st.sampled_from(WholeShares),
    cash_buffer_percent=st.decimals(min_value=Decimal(0), max_value=Decimal(2), places=2),
)


@settings(max_examples=300, deadline=None)
@given(cases(), every_policy)
def test_a_plan_not_explained_is_the_same_plan_without_its_explanations(
    case: tuple[list[Target], Portfolio], policy: Policy
) -> None:
    targets, portfolio = case
    planner = prepare_planner(targets, policy)
    explained = planner.plan(portfolio)
    bare = planner.plan(portfolio, explain=False)
    assert bare == replace(explained, decisions=(), curing_deposit=None)
    if explained.drift and explained.outcome.value not in ("zero_value", "valuation_mismatch"):
        # The explained plan does word a verdict for every drift row.
        assert len(explained.decisions) == len(explained.drift)
