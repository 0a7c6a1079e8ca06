"""Structured logs: one line per order step with its identifiers, and never a secret."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
import structlog
from structlog.testing import capture_logs

from trimtab.brokers.exchange import Exchange
from trimtab.brokers.models import Asset
from trimtab.brokers.sim.server import BackgroundServer
from trimtab.brokers.sim.simulator import Simulator
from trimtab.monitoring.logs import configure_logging
from trimtab.services.broker_accounts import make_broker_for, set_broker_account
from trimtab.services.context import AppContext
from trimtab.services.contract import to_json
from trimtab.services.instrumented_broker import instrumented
from trimtab.services.rebalance import check_rebalance_drift

from .helpers import on_exchange

SYMBOLS = ("SPY", "QQQ", "TLT", "GLD")
HOLDINGS = {"SPY": Decimal(60), "QQQ": Decimal(20), "TLT": Decimal(10), "GLD": Decimal(10)}
SECRET = "sk-never-in-a-log-7f3a9c"


def hundreds() -> Exchange:
    return Exchange(
        prices={s: Decimal(100) for s in SYMBOLS},
        assets={s: Asset(s, fractionable=True) for s in SYMBOLS},
    )


@pytest.fixture(autouse=True)
def _default_logging() -> None:
    """A CLI test earlier in the session leaves its warning-level configuration behind."""
    structlog.reset_defaults()


def test_each_order_step_is_one_line_with_its_identifiers(ctx: AppContext, seeded: int) -> None:
    exchange = hundreds()
    exchange.open_account(str(seeded), Decimal(0), HOLDINGS)
    on_exchange(ctx, exchange)
    with capture_logs() as logs:
        result = to_json(check_rebalance_drift(ctx, seeded))

    steps = [
        (e["event"], e["symbol"], e["status"]) for e in logs if e["event"].startswith("order_")
    ]
    # $10,000 at SPY 60 %: sell 20 SPY; $1,975 after the 0.25 % buffer buys 9.875 QQQ and TLT.
    assert steps == [
        ("order_planned", "SPY", "planned"),
        ("order_planned", "QQQ", "planned"),
        ("order_planned", "TLT", "planned"),
        ("order_submitted", "SPY", "planned"),
        ("order_answered", "SPY", "filled"),
        ("order_filled", "SPY", "filled"),
        ("order_submitted", "QQQ", "planned"),
        ("order_answered", "QQQ", "filled"),
        ("order_filled", "QQQ", "filled"),
        ("order_submitted", "TLT", "planned"),
        ("order_answered", "TLT", "filled"),
        ("order_filled", "TLT", "filled"),
    ]
    filled = [e for e in logs if e["event"] == "order_filled"]
    assert [(e["side"], e["qty"], e["filled_qty"]) for e in filled] == [
        ("sell", "20.000000000", "20.000000000"),
        ("buy", "9.875000000", "9.875000000"),
        ("buy", "9.875000000", "9.875000000"),
    ]
    for entry in logs:
        assert entry["run_id"] == result["run_id"]
        assert entry["user_id"] == seeded
        assert entry["client_order_id"].startswith(f"tt-{result['run_id']}-")
        assert entry["log_level"] == "info"


@pytest.fixture
def json_logs() -> io.StringIO:
    stream = io.StringIO()
    configure_logging("debug", stream)
    yield stream
    structlog.reset_defaults()


def test_a_run_through_alpaca_logs_json_and_never_the_secret(
    ctx: AppContext, seeded: int, json_logs: io.StringIO
) -> None:
    with BackgroundServer(Simulator()) as server:
        server.simulator.exchange = hundreds()
        server.simulator.open_account("PKLOGS01", SECRET, cash=Decimal(0), holdings=HOLDINGS)
        settings = ctx.settings.model_copy(
            update={"alpaca_base_url": server.base_url, "alpaca_data_url": server.base_url}
        )
        ctx.broker_for = instrumented(make_broker_for(settings, ctx.store))
        set_broker_account(ctx, seeded, "alpaca", key_id="PKLOGS01", secret=SECRET)
        result = to_json(check_rebalance_drift(ctx, seeded))
        # A wrong secret too: the refusal is logged nowhere with the key in it.
        set_broker_account(ctx, seeded, "alpaca", key_id="PKLOGS01", secret=SECRET + "x")
        with pytest.raises(Exception, match="refused the API keys"):
            to_json(check_rebalance_drift(ctx, seeded))
        structlog.get_logger().info("probe", alpaca_secret_key=SECRET, password=SECRET)

    assert result["status"] == "completed"
    text = json_logs.getvalue()
    assert SECRET not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines[-1]["alpaca_secret_key"] == lines[-1]["password"] == "[redacted]"
    orders = [line for line in lines if line["event"].startswith("order_")]
    assert len(orders) == 12
    assert {"run_id", "user_id", "client_order_id", "symbol", "side", "qty", "status"} <= set(
        orders[0]
    )
    assert orders[0]["timestamp"].endswith("Z")
