"""Properties of the planner over accounts mixing long, short, crypto and option positions
and open orders (docs/rebalancing.md): nothing borrowed, nothing reserved spent, the
buffer kept, non-tradable holdings never ordered."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from trimtab.domain.money import HUNDRED, ZERO
from trimtab.domain.planner import Plan, plan_rebalance
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
from trimtab.domain.targets import Target

EQUITIES = ["SPY", "QQQ", "TLT", "GLD", "VTI"]
COINS = ["BTC/USD", "ETH/USD"]
SHORTABLE = ["XYZ", "ABC"]
OPTION = "AAPL250117C00150000"

prices = st.decimals(min_value=Decimal(1), max_value=Decimal(3000), places=2)
money = st.decimals(min_value=Decimal(0), max_value=Decimal(50000), places=2)


def _point(price: Decimal) -> PricePoint:
    return PricePoint(price, None, "position")


@st.composite
def accounts(draw: st.DrawFn) -> tuple[list[Target], Portfolio, Policy]:
    price = {s: draw(prices) for s in [*EQUITIES, *SHORTABLE]}
    price |= {
        c: draw(st.decimals(min_value=Decimal(100), max_value=Decimal(90000), places=2))
        for c in COINS
    }
    holdings: list[Holding] = []
    for symbol in draw(st.lists(st.sampled_from(EQUITIES), max_size=5, unique=True)):
        qty = draw(st.decimals(min_value=Decimal("0.001"), max_value=Decimal(300), places=3))
        holdings.append(Holding(symbol, qty, qty * price[symbol], _point(price[symbol])))
    for coin in draw(st.lists(st.sampled_from(COINS), max_size=2, unique=True)):
        qty = draw(st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(3), places=6))
        holdings.append(
            Holding(coin, qty, qty * price[coin], _point(price[coin]), AssetClass.CRYPTO)
        )
    for symbol in draw(st.lists(st.sampled_from(SHORTABLE), max_size=2, unique=True)):
        qty = -Decimal(draw(st.integers(1, 200)))
        holdings.append(Holding(symbol, qty, qty * price[symbol], _point(price[symbol])))
    if draw(st.booleans()):
        contracts = Decimal(draw(st.integers(1, 10)))
        holdings.append(
            Holding(OPTION, contracts, draw(money), _point(Decimal(5)), AssetClass.US_OPTION)
        )
    cash = draw(st.decimals(min_value=Decimal(-20000), max_value=Decimal(100000), places=2))
    open_orders = []
    for symbol in draw(st.lists(st.sampled_from([*EQUITIES, *COINS]), max_size=3, unique=True)):
        side = draw(st.sampled_from(Side))
        if draw(st.booleans()):
            open_orders.append(OpenOrder(symbol, side, notional=draw(money)))
        else:
            open_orders.append(OpenOrder(symbol, side, qty=Decimal(draw(st.integers(1, 50)))))
    chosen = draw(
        st.lists(
            st.sampled_from([*EQUITIES, *COINS, *SHORTABLE]), min_size=1, max_size=6, unique=True
        )
    )
    weights = draw(st.lists(st.integers(0, 50), min_size=len(chosen), max_size=len(chosen)))
    if sum(weights) == 0:
        weights[0] = 1
    percents = [Decimal(w) * HUNDRED / Decimal(sum(weights)) for w in weights]
    percents[-1] = HUNDRED - sum(percents[:-1], ZERO)
    targets = [Target(s, p) for s, p in zip(chosen, percents, strict=True)]
    assets = {
        c: Asset(
            c,
            asset_class=AssetClass.CRYPTO,
            min_order_size=Decimal("0.0001"),
            min_trade_increment=Decimal("0.00001"),
        )
        for c in COINS
    }
    held = {h.symbol for h in holdings}
    portfolio = Portfolio.of(
        cash,
        holdings,
        prices={s: PricePoint(p, None, "trade") for s, p in price.items() if s not in held},
        assets=assets,
        buying_power=draw(st.one_of(st.none(), money)),
        open_orders=tuple(open_orders),
    )
    policy = Policy(
        cash_buffer_percent=draw(st.decimals(min_value=Decimal(0), max_value=Decimal(2), places=2)),
        untargeted=draw(st.sampled_from(UntargetedHoldings)),
    )
    return targets, portfolio, policy


def open_buy_reserve(portfolio: Portfolio) -> Decimal:
    total = ZERO
    for order in portfolio.open_orders:
        if order.side is Side.BUY:
            unit = portfolio.price_candidates(order.symbol)[0].price
            total += order.notional if order.notional is not None else order.qty * unit  # type: ignore[operator]
    return total


def cash_after(plan: Plan, portfolio: Portfolio) -> Decimal:
    return portfolio.cash + sum(
        (o.notional if o.side is Side.SELL else -o.notional for o in plan.orders), ZERO
    )


CASES = accounts()


@settings(max_examples=300, deadline=None)
@given(CASES)
def test_options_and_shorts_are_never_ordered(case: tuple[list[Target], Portfolio, Policy]) -> None:
    targets, portfolio, policy = case
    for order in plan_rebalance(targets, portfolio, policy).orders:
        holding = portfolio.holding(order.symbol)
        assert order.symbol != OPTION
        assert holding is None or not holding.is_short
        if order.side is Side.SELL:
            assert holding is not None and order.qty <= holding.qty


@settings(max_examples=300, deadline=None)
@given(CASES)
def test_buys_never_spend_short_proceeds_reserved_cash_or_the_buffer(
    case: tuple[list[Target], Portfolio, Policy],
) -> None:
    targets, portfolio, policy = case
    plan = plan_rebalance(targets, portfolio, policy)
    if not plan.buys:
        return
    buffer = portfolio.value * policy.cash_buffer_percent / HUNDRED
    kept = cash_after(plan, portfolio) - portfolio.short_proceeds - open_buy_reserve(portfolio)
    assert kept >= buffer
    sells = sum((o.notional for o in plan.sells), ZERO)
    if portfolio.buying_power is not None:
        spent = sum((o.notional for o in plan.buys), ZERO)
        assert spent <= portfolio.buying_power + sells


@settings(max_examples=300, deadline=None)
@given(CASES)
def test_a_plan_that_buys_never_leaves_cash_below_zero_even_from_debt(
    case: tuple[list[Target], Portfolio, Policy],
) -> None:
    targets, portfolio, policy = case
    plan = plan_rebalance(targets, portfolio, policy)
    if plan.buys:
        assert cash_after(plan, portfolio) >= ZERO
    elif portfolio.cash < ZERO:
        # Sells only: the debt shrinks by what they bring, it never grows.
        assert cash_after(plan, portfolio) >= portfolio.cash
