"""The preview is the live run (docs/rebalancing.md): on an unchanged market a dry run and
a live run of the same account plan the same orders, sized with the same limits, on
accounts mixing long, short, crypto and option positions."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trimtab.brokers.exchange import Exchange
from trimtab.brokers.models import Asset, AssetClass
from trimtab.domain.targets import Target
from trimtab.services import allocations
from trimtab.services.context import AppContext
from trimtab.services.contract import to_json
from trimtab.services.rebalance import check_rebalance_drift

from .helpers import on_exchange

SYMBOLS = ("SPY", "QQQ", "TLT", "GLD")
BTC = "BTC/USD"
OPTION = "SPY250620C00500000"
SHORT = "XYZ"

accounts = st.fixed_dictionaries(
    {
        "cash": st.integers(min_value=0, max_value=60_000),
        "held": st.tuples(*(st.integers(min_value=0, max_value=300) for _ in SYMBOLS)),
        "whole_shares_only": st.sets(st.sampled_from(SYMBOLS)),
        "btc": st.sampled_from(["0", "0.05", "0.4"]),
        "short": st.integers(min_value=0, max_value=40),
        "contracts": st.integers(min_value=0, max_value=3),
    }
)


def planned(result: dict) -> list[tuple[str, str, float]]:
    return sorted((t["symbol"], t["side"], t["qty"]) for t in result["trades_planned"])


def executed(result: dict) -> list[tuple[str, str, float]]:
    return sorted((t["symbol"], t["side"], t["qty"]) for t in result["trades_executed"])


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(account=accounts)
def test_a_dry_run_and_a_live_run_of_one_account_place_the_same_orders(
    ctx: AppContext, seeded: int, exchange: Exchange, account: dict
) -> None:
    allocations.replace_allocations(
        ctx,
        seeded,
        [Target(s, Decimal(p)) for s, p in (("SPY", 40), ("QQQ", 25), ("TLT", 20), (BTC, 15))],
    )
    for symbol in SYMBOLS:
        exchange.set_asset(Asset(symbol, fractionable=symbol not in account["whole_shares_only"]))
    exchange.set_asset(
        Asset(
            BTC,
            asset_class=AssetClass.CRYPTO,
            min_order_size=Decimal("0.0001"),
            min_trade_increment=Decimal("0.000001"),
        )
    )
    exchange.set_asset(Asset(OPTION, asset_class=AssetClass.US_OPTION))
    exchange.set_prices({BTC: Decimal("60000"), OPTION: Decimal("12.5"), SHORT: Decimal(250)})
    held = {s: Decimal(q) for s, q in zip(SYMBOLS, account["held"], strict=True) if q}
    held |= {BTC: Decimal(account["btc"]), SHORT: -Decimal(account["short"])}
    held |= {OPTION: Decimal(account["contracts"])}
    cash = Decimal(account["cash"]) + Decimal(account["short"]) * 250
    exchange.open_account(str(seeded), cash, {s: q for s, q in held.items() if q})
    on_exchange(ctx, exchange)
    preview = to_json(check_rebalance_drift(ctx, seeded, dry_run=True))
    live = to_json(check_rebalance_drift(ctx, seeded))
    assert executed(live) == planned(preview), (preview["message"], live["message"])
    assert {t["status"] for t in live["trades_executed"]} <= {"filled"}
    traded = {t["symbol"] for t in live["trades_executed"]}
    assert OPTION not in traded and SHORT not in traded
    books = exchange.account_state(str(seeded))
    assert books.cash >= Decimal(account["short"]) * 250  # the short's proceeds kept
