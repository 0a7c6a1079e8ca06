"""Properties of a live run on random accounts: no overdraft, no short sale, no refusal."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trimtab.brokers.exchange import Exchange
from trimtab.brokers.models import Asset
from trimtab.domain.money import ZERO
from trimtab.services.context import AppContext
from trimtab.services.contract import to_json
from trimtab.services.rebalance import check_rebalance_drift

from .helpers import BrokerSpy, on_exchange

SYMBOLS = ("SPY", "QQQ", "TLT", "GLD")

accounts = st.fixed_dictionaries(
    {
        "cash": st.integers(min_value=0, max_value=50_000),
        "held": st.tuples(*(st.integers(min_value=0, max_value=400) for _ in SYMBOLS)),
        "whole_shares_only": st.sets(st.sampled_from(SYMBOLS)),
        # Falls of any size; rises only within the 0.25 % cash buffer, which is what
        # the buffer is for (a larger rise between sizing and fill is refused, as Alpaca would).
        "price_move": st.sampled_from(["0.9", "1", "1.002"]),
    }
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(account=accounts)
def test_a_live_run_never_overdraws_or_oversells(
    ctx: AppContext, seeded: int, exchange: Exchange, account: dict
) -> None:
    for symbol in SYMBOLS:
        exchange.set_asset(Asset(symbol, fractionable=symbol not in account["whole_shares_only"]))
    held = {s: Decimal(q) for s, q in zip(SYMBOLS, account["held"], strict=True) if q}
    exchange.open_account(str(seeded), Decimal(account["cash"]), held)
    planned_prices = dict(exchange.prices)
    move = Decimal(account["price_move"])

    def prices_move_after_planning(_n: int) -> None:
        exchange.set_prices({s: p * move for s, p in planned_prices.items()})

    on_exchange(ctx, exchange, lambda b: BrokerSpy(b, before_submit=prices_move_after_planning))
    try:
        result = to_json(check_rebalance_drift(ctx, seeded))
    finally:
        exchange.set_prices(planned_prices)
    books = exchange.account_state(str(seeded))
    assert books.cash >= ZERO
    assert all(h.qty >= ZERO for h in books.holdings.values())
    assert set(Counter(o.client_order_id for o in books.orders.values()).values()) <= {1}
    assert result["status"] in {"completed", "nothing_to_do", "partial"}, result["message"]
    rejected = [t for t in result["trades_executed"] if t["status"] == "rejected"]
    assert rejected == [], result["message"]
