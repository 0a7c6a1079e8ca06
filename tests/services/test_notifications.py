"""Notifications: email through a real aiosmtpd server, signed webhooks to a real HTTP
receiver with retries, the events the run path raises, and preferences."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from prometheus_client import REGISTRY

from tests.fake_broker import FakeBroker
from trimtab.brokers.exchange import Exchange
from trimtab.brokers.models import Asset, Order, OrderRequest
from trimtab.errors import BrokerUnavailable, InvalidInput, OrderRejected
from trimtab.services import notifications, risk
from trimtab.services.automation import DueOutcome, check_due, sweep
from trimtab.services.context import AppContext
from trimtab.services.contract import to_json
from trimtab.services.demo import seed_demo_user
from trimtab.services.notifications import NotifyEvent
from trimtab.services.notify_delivery import DeliveryPolicy, Notifier
from trimtab.services.notify_webhook import verify_signature
from trimtab.services.rebalance import check_rebalance_drift
from trimtab.services.trades import execute_trade

from .helpers import FakeClock, on_exchange
from .notify_receivers import smtp_server, webhook_receiver

FAST = DeliveryPolicy(max_attempts=3, first_retry=0.01, max_retry=0.05, timeout=5.0)
SYMBOLS = ("SPY", "QQQ", "TLT", "GLD")


@pytest.fixture
def hundreds() -> Exchange:
    """Every symbol at $100, so each weight and order is easy to compute by hand."""
    return Exchange(
        prices={s: Decimal(100) for s in SYMBOLS},
        assets={s: Asset(s, fractionable=True) for s in SYMBOLS},
    )


@pytest.fixture
def account(ctx: AppContext, seeded: int, hundreds: Exchange) -> int:
    """SPY 60, QQQ 20, TLT 10, GLD 10 shares, no cash: $10,000 at 60/20/10/10 %."""
    hundreds.open_account(
        str(seeded),
        Decimal(0),
        {"SPY": Decimal(60), "QQQ": Decimal(20), "TLT": Decimal(10), "GLD": Decimal(10)},
    )
    on_exchange(ctx, hundreds)
    return seeded


def with_smtp(ctx: AppContext, url: str | None) -> AppContext:
    return replace(
        ctx, settings=ctx.settings.model_copy(update={"smtp_url": url}), notifier=Notifier(FAST)
    )


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_email_of_an_executed_run_holds_the_drift_table_and_the_orders(
    ctx: AppContext, account: int
) -> None:
    with smtp_server() as (url, mailbox):
        ctx = with_smtp(ctx, url)
        notifications.set_preferences(
            ctx, account, email="alice@example.com", events=["run_executed"]
        )
        result = to_json(check_rebalance_drift(ctx, account))
        assert ctx.notifier.drain(10)

    assert result["status"] == "completed"
    assert mailbox.recipients == [["alice@example.com"]]
    (message,) = mailbox.messages
    assert message["Subject"] == f"trimtab: rebalance executed (run {result['run_id']}: completed)"
    assert message["From"] == "alerts@trimtab.test"
    assert message.get_content_type() == "multipart/alternative"
    plain, rich = (part for part in message.iter_parts())
    assert plain.get_content_type() == "text/plain"
    assert rich.get_content_type() == "text/html"
    ids = [t["order_id"] for t in result["trades_executed"]]
    # Sell SPY 60 → 40 % of $10,000: 20 shares, leaving $2,000 cash. Less the 0.25 %
    # cash buffer ($25), $1,975 buys QQQ and TLT alike: 9.875 shares each at $100.
    # SMTP carries lines ending in CRLF.
    assert plain.get_content().replace("\r\n", "\n") == (
        "Rebalancing executed: 3 orders filled\n"
        f"Run {result['run_id']}, status completed\n"
        "Portfolio value: $10,000.00\n"
        "\n"
        "Drift\n"
        "Symbol  Target %  Actual %  Drift pp  Action\n"
        "GLD     10.00     10.00     +0.00     none\n"
        "QQQ     30.00     20.00     -10.00    buy\n"
        "SPY     40.00     60.00     +20.00    sell\n"
        "TLT     20.00     10.00     -10.00    buy\n"
        "\n"
        "Orders\n"
        "Side  Symbol  Qty    Status  Order id\n"
        f"sell  SPY     20     filled  {ids[0]}\n"
        f"buy   QQQ     9.875  filled  {ids[1]}\n"
        f"buy   TLT     9.875  filled  {ids[2]}\n"
    )
    html = rich.get_content()
    assert "<td>SPY</td><td>40.00</td><td>60.00</td><td>+20.00</td><td>sell</td>" in html
    assert f"<td>buy</td><td>TLT</td><td>9.875</td><td>filled</td><td>{ids[2]}</td>" in html
    (delivery,) = to_json(notifications.list_deliveries(ctx, account))["deliveries"]
    assert delivery["channel"] == "email"
    assert delivery["status"] == "delivered"
    assert delivery["attempts"] == 1


def test_webhook_is_signed_and_retried_after_500s(ctx: AppContext, account: int) -> None:
    ctx = with_smtp(ctx, None)
    with webhook_receiver([500, 500, 200]) as (url, hook):
        prefs = notifications.set_preferences(ctx, account, webhook_url=url)
        secret = prefs.webhook_secret
        assert secret is not None and secret.startswith("whsec_")
        to_json(check_rebalance_drift(ctx, account))
        assert ctx.notifier.drain(10, retries=True)

    assert len(hook.received) == 3
    now = int(ctx.clock().timestamp())
    for headers, body in hook.received:
        assert verify_signature(secret, headers["Trimtab-Signature"], body, now=now)
        assert not verify_signature("whsec_wrong", headers["Trimtab-Signature"], body, now=now)
        assert headers["Trimtab-Event"] == "run_executed"
    payload = json.loads(hook.received[0][1])
    assert payload["event"] == "run_executed"
    assert payload["data"]["status"] == "completed"
    assert [o["symbol"] for o in payload["data"]["orders"]] == ["SPY", "QQQ", "TLT"]
    (delivery,) = to_json(notifications.list_deliveries(ctx, account))["deliveries"]
    assert payload["id"] == delivery["id"]
    assert (delivery["status"], delivery["attempts"], delivery["status_code"]) == (
        "delivered",
        3,
        200,
    )
    assert delivery["error"] is None
    assert delivery["next_retry_at"] is None


def test_webhook_gives_up_after_the_attempt_limit(ctx: AppContext, account: int) -> None:
    ctx = with_smtp(ctx, None)
    before = metric("trimtab_notification_failures_total", channel="webhook", event="run_executed")
    with webhook_receiver([500]) as (url, hook):
        notifications.set_preferences(ctx, account, webhook_url=url)
        to_json(check_rebalance_drift(ctx, account))
        assert ctx.notifier.drain(10, retries=True)

    assert len(hook.received) == FAST.max_attempts == 3
    (delivery,) = to_json(notifications.list_deliveries(ctx, account))["deliveries"]
    assert (delivery["status"], delivery["attempts"], delivery["status_code"]) == (
        "failed",
        3,
        500,
    )
    assert delivery["error"] == "HTTP 500"
    assert delivery["next_retry_at"] is None
    after = metric("trimtab_notification_failures_total", channel="webhook", event="run_executed")
    assert after - before == 3


def test_an_unreachable_channel_never_fails_the_run(
    ctx: AppContext, account: int, clock: FakeClock
) -> None:
    with smtp_server() as (url, _mailbox):
        pass  # the server is gone: nothing listens on its port any more
    # Retries a day apart: the test sees the first attempt only. ``max_retry`` caps the
    # backoff, so it is raised too: under FAST's 0.05 s cap this notifier's thread retried
    # after the test had ended, and claimed a later test's delivery of the same id (each
    # test empties the database, so ids start at 1 again) while that test's receiver closed.
    day = 86400.0
    ctx = replace(
        with_smtp(ctx, url), notifier=Notifier(replace(FAST, first_retry=day, max_retry=day))
    )
    notifications.set_preferences(ctx, account, email="alice@example.com")
    result = to_json(check_rebalance_drift(ctx, account))
    assert ctx.notifier.drain(10)

    assert result["status"] == "completed"
    (delivery,) = to_json(notifications.list_deliveries(ctx, account))["deliveries"]
    assert (delivery["status"], delivery["attempts"]) == ("retrying", 1)
    assert delivery["error"].startswith("ConnectionRefusedError")
    assert delivery["next_retry_at"] == to_json(clock.now + timedelta(seconds=day))


def test_a_run_blocked_by_risk_is_told(ctx: AppContext, account: int) -> None:
    ctx = with_smtp(ctx, None)
    risk.set_user_risk(ctx, account, kill_switch=True, reason="holiday")
    with webhook_receiver([204]) as (url, hook):
        notifications.set_preferences(ctx, account, webhook_url=url)
        result = to_json(check_rebalance_drift(ctx, account))
        assert ctx.notifier.drain(10)

    assert result["status"] == "blocked_by_risk"
    (payload,) = [json.loads(body) for _, body in hook.received]
    assert payload["event"] == "risk_blocked"
    assert payload["data"]["drift_analysis"][2] == {
        "symbol": "SPY",
        "target_percent": 40.0,
        "actual_percent": 60.0,
        "drift_percent": 20.0,
        "needs_rebalance": True,
        "action": "sell",
    }
    assert payload["data"]["orders"] == []


class RefusesTLT:
    """A paper broker whose venue refuses any TLT order."""

    def __init__(self, inner: FakeBroker) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def submit_order(self, request: OrderRequest) -> Order:
        if request.symbol == "TLT":
            raise OrderRejected("TLT is halted", broker_code=42210000, status=422)
        return self.inner.submit_order(request)


def test_a_rejected_order_is_told_once_and_the_run_after(
    ctx: AppContext, account: int, hundreds: Exchange
) -> None:
    ctx = with_smtp(ctx, None)
    on_exchange(ctx, hundreds, wrap=RefusesTLT)
    with webhook_receiver([200]) as (url, hook):
        notifications.set_preferences(ctx, account, webhook_url=url)
        result = to_json(check_rebalance_drift(ctx, account))
        assert ctx.notifier.drain(10)

    assert result["status"] == "partial"
    events = sorted(
        (json.loads(body)["event"], json.loads(body)["data"]) for _, body in hook.received
    )
    assert [e for e, _ in events] == ["order_rejected", "run_executed"]
    rejected = events[0][1]
    assert rejected["message"] == "buy TLT rejected: TLT is halted"
    (order,) = rejected["orders"]
    assert (order["symbol"], order["side"], order["qty"], order["status"]) == (
        "TLT",
        "buy",
        9.875,
        "rejected",
    )


def test_events_not_chosen_are_not_sent(ctx: AppContext, account: int) -> None:
    ctx = with_smtp(ctx, None)
    with webhook_receiver([200]) as (url, hook):
        notifications.set_preferences(ctx, account, webhook_url=url, events=["risk_blocked"])
        to_json(check_rebalance_drift(ctx, account))
        assert ctx.notifier.drain(10)
    assert hook.received == []
    assert to_json(notifications.list_deliveries(ctx, account)) == {"deliveries": [], "total": 0}


def test_preferences_secret_is_shown_once_and_rotates(ctx: AppContext, user_id: int) -> None:
    fresh = notifications.get_preferences(ctx, user_id)
    assert fresh.events == tuple(e for e in NotifyEvent if e is not NotifyEvent.TEST)
    assert (fresh.email, fresh.webhook_url, fresh.webhook_secret_set) == (None, None, False)

    first = notifications.set_preferences(ctx, user_id, webhook_url="https://hooks.example/t")
    assert first.webhook_secret is not None
    again = notifications.set_preferences(ctx, user_id, email="a@example.com")
    assert again.webhook_secret is None
    assert again.webhook_secret_set
    rotated = notifications.set_preferences(ctx, user_id, rotate_secret=True)
    assert rotated.webhook_secret not in (None, first.webhook_secret)
    cleared = notifications.set_preferences(ctx, user_id, webhook_url="", email="")
    assert (cleared.webhook_url, cleared.webhook_secret_set, cleared.email) == (None, False, None)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"webhook_url": "ftp://example.com/x"}, "webhook_url"),
        ({"events": ["run_executed", "lunch"]}, "events"),
        ({"rotate_secret": True}, "rotate_secret"),
    ],
)
def test_bad_preferences_name_the_field(
    ctx: AppContext, user_id: int, change: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        notifications.set_preferences(ctx, user_id, **change)  # type: ignore[arg-type]
    assert raised.value.field == field


def test_signature_refuses_an_old_timestamp() -> None:
    from trimtab.services.notify_webhook import signature_header

    header = signature_header("whsec_x", 1_000_000, b"{}")
    assert verify_signature("whsec_x", header, b"{}", now=1_000_300)
    assert not verify_signature("whsec_x", header, b"{}", now=1_000_301)
    assert not verify_signature("whsec_x", header, b"{ }", now=1_000_000)
    assert not verify_signature("whsec_x", "v1=abc", b"{}", now=1_000_000)


def test_the_documented_signature_example() -> None:
    """docs/notifications.md shows this header for ``{"id":42}``."""
    from trimtab.services.notify_webhook import signature_header

    assert signature_header("whsec_example", 1764514800, b'{"id":42}') == (
        "t=1764514800,v1=36c3386f56fe711c25e5d30672ea7cf1540d3b9c1ae56d76c89c8e0f7475369f"
    )


def test_a_scheduled_dry_run_past_a_band_is_told(ctx: AppContext, clock: FakeClock) -> None:
    """The demo user's daily 10:00 check is a dry run ("dry run and notify"): its drift
    past the band raises ``drift_past_band``, and no order is placed."""
    ctx = with_smtp(ctx, None)
    user_id = seed_demo_user(ctx).user.id
    with webhook_receiver([200]) as (url, hook):
        notifications.set_preferences(ctx, user_id, webhook_url=url, events=["drift_past_band"])
        # Tue 2026-01-06 10:00:30 New York: the schedule is due.
        clock.now = datetime(2026, 1, 6, 15, 0, 30, tzinfo=UTC)
        outcomes: list[DueOutcome] = []
        sweep(ctx, lambda due: outcomes.extend(check_due(ctx, d) for d in due))
        assert ctx.notifier.drain(10)

    assert outcomes == [DueOutcome.CHECKED]
    ((_, body),) = hook.received
    payload = json.loads(body)
    assert payload["event"] == "drift_past_band"
    assert (payload["data"]["status"], payload["data"]["dry_run"]) == ("planned", True)
    assert payload["data"]["orders"] == []
    actions = {row["symbol"]: row["action"] for row in payload["data"]["drift_analysis"]}
    assert (actions["SPY"], actions["TLT"]) == ("sell", "buy")


class Outage:
    """A paper broker that, while ``down`` is set, times out on every request."""

    down = False

    def __init__(self, inner: FakeBroker) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> object:
        attribute = getattr(self.inner, name)
        if not Outage.down or not callable(attribute):
            return attribute

        def times_out(*_args: object, **_kwargs: object) -> object:
            raise BrokerUnavailable(f"{name}: the broker did not answer in 10 s")

        return times_out


def test_a_failing_broker_is_told_once_per_streak_for_checks_and_trades(
    ctx: AppContext, account: int, hundreds: Exchange, clock: FakeClock
) -> None:
    ctx = with_smtp(ctx, None)
    on_exchange(ctx, hundreds, wrap=Outage)

    def down(action: Callable[[], object]) -> None:
        clock.advance(60)
        Outage.down = True
        try:
            with pytest.raises(BrokerUnavailable):
                action()
        finally:
            Outage.down = False

    with webhook_receiver([200]) as (url, hook):
        notifications.set_preferences(ctx, account, webhook_url=url)
        # One streak: a live check, a dry run and a trade fail one after the other.
        down(lambda: to_json(check_rebalance_drift(ctx, account)))
        down(lambda: to_json(check_rebalance_drift(ctx, account, dry_run=True)))
        down(lambda: to_json(execute_trade(ctx, account, "SPY", "buy", 1)))
        # The broker answers: a check records its run, and the streak is over.
        clock.advance(60)
        assert to_json(check_rebalance_drift(ctx, account, dry_run=True))["status"] == "planned"
        # A new streak, begun by a trade.
        down(lambda: to_json(execute_trade(ctx, account, "SPY", "buy", 1)))
        down(lambda: to_json(execute_trade(ctx, account, "SPY", "buy", 1)))
        assert ctx.notifier.drain(10)

    told = [json.loads(body) for _, body in hook.received]
    assert [(t["event"], t["data"]["code"]) for t in told] == [
        ("broker_failing", "broker_unavailable"),
        ("broker_failing", "broker_unavailable"),
    ]
    assert told[0]["data"]["message"] == "get_books: the broker did not answer in 10 s"
    assert told[1]["data"]["message"] == "get_asset: the broker did not answer in 10 s"
