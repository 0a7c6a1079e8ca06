"""Whatever sequence of orders, fills, price moves and cancels an account meets, the
exchange's books stay sound: no negative cash or shares, open orders never reserve more
than the account has, and no order fills past its quantity."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from trimtab.brokers.exchange import Exchange
from trimtab.brokers.models import OrderRequest, Side
from trimtab.domain.money import ZERO
from trimtab.errors import TrimtabError

SYMBOLS = ("SPY", "TLT")
amounts = st.decimals(min_value=Decimal("0.5"), max_value=Decimal(40), places=2)
prices = st.decimals(min_value=Decimal(5), max_value=Decimal(600), places=2)
steps = st.one_of(
    st.tuples(
        st.just("order"), st.sampled_from(SYMBOLS), st.sampled_from(Side), amounts, st.booleans()
    ),
    st.tuples(st.just("fill"), st.sampled_from(["0.3", "1"])),
    st.tuples(st.just("price"), st.sampled_from(SYMBOLS), prices),
    st.tuples(st.just("cancel")),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(steps, max_size=25))
def test_books_stay_sound(script: list[tuple[object, ...]]) -> None:
    exchange = Exchange(prices={"SPY": Decimal(500), "TLT": Decimal(90)}, fill_immediately=False)
    exchange.open_account("a", Decimal(5000), {"SPY": Decimal(4)})
    for number, step in enumerate(script):
        kind = step[0]
        try:
            if kind == "order":
                _, symbol, side, amount, notional = step
                assert isinstance(amount, Decimal) and isinstance(side, Side)
                request = OrderRequest(
                    str(symbol),
                    side,
                    f"o{number}",
                    qty=None if notional else amount,
                    notional=amount * 10 if notional else None,
                )
                exchange.submit("a", request)
            elif kind == "fill":
                exchange.fill_pending(fraction=Decimal(str(step[1])))
            elif kind == "price":
                exchange.set_prices({str(step[1]): Decimal(str(step[2]))})
            else:
                for order in exchange.orders("a"):
                    exchange.cancel("a", order.id)
        except TrimtabError:
            pass  # a refusal is a legitimate outcome; the books must stay sound either way
        account = exchange.account("a")
        positions = exchange.positions("a")
        assert account.cash >= ZERO and ZERO <= account.buying_power <= account.cash
        assert account.equity == account.cash + sum((p.market_value for p in positions), ZERO)
        for position in positions:
            assert position.qty > ZERO
            assert ZERO <= position.qty_available <= position.qty
        for order in exchange.orders("a", open_only=False):
            assert order.qty is None or ZERO <= order.filled_qty <= order.qty
