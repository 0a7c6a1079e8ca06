"""The preview is the live run (docs/rebalancing.md): on an unchanged market a dry run and
a live run of the same account plan the same orders, sized with the same limits."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trimtab.brokers.exchange import Exchange
from trimtab.brokers.models import Asset
from trimtab.services.context import AppContext
from trimtab.services.rebalance import check_rebalance_drift

from .helpers import on_exchange

SYMBOLS = ("SPY", "QQQ", "TLT", "GLD")

accounts = st.fixed_dictionaries(
    {
        "cash": st.integers(min_value=0, max_value=60_000),
        "held": st.tuples(*(st.integers(min_value=0, max_value=300) for _ in SYMBOLS)),
        "whole_shares_only": st.sets(st.sampled_from(SYMBOLS)),
    }
)


def planned(result: dict) -> list[tuple[str, str, float]]:
    return [(t["symbol"], t["side"], t["qty"]) for t in result["trades_planned"]]


def executed(result: dict) -> list[tuple[str, str, float]]:
    return [(t["symbol"], t["side"], t["qty"]) for t in result["trades_executed"]]


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(account=accounts)
def test_a_dry_run_and_a_live_run_of_one_account_place_the_same_orders(
    ctx: AppContext, seeded: int, exchange: Exchange, account: dict
) -> None:
    for symbol in SYMBOLS:
        exchange.set_asset(Asset(symbol, fractionable=symbol not in account["whole_shares_only"]))
    held = {s: Decimal(q) for s, q in zip(SYMBOLS, account["held"], strict=True) if q}
    exchange.open_account(str(seeded), Decimal(account["cash"]), held)
    on_exchange(ctx, exchange)
    preview = check_rebalance_drift(ctx, seeded, dry_run=True)
    live = check_rebalance_drift(ctx, seeded)
    assert executed(live) == planned(preview), (preview["message"], live["message"])
    assert {t["status"] for t in live["trades_executed"]} <= {"filled"}
