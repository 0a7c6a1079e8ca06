"""A live run against an exchange we steer: order of sends, fills, crashes, the risk gate."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from tests.fake_broker import FakeBroker
from trimtab.brokers.exchange import Exchange
from trimtab.brokers.models import Account, Asset, Order, OrderRequest, Side
from trimtab.domain.money import ZERO
from trimtab.errors import BrokerUnavailable
from trimtab.services import risk, runs
from trimtab.services.context import AppContext, RunOptions
from trimtab.services.contract import to_json
from trimtab.services.rebalance import check_rebalance_drift, resume_unfinished_runs
from trimtab.store.models import OrderRow

from .helpers import BrokerSpy, Crash, all_in_spy, drifted_account, on_exchange


def placed_client_ids(exchange: Exchange, user_id: int) -> Counter[str]:
    return Counter(o.client_order_id for o in exchange.account_state(str(user_id)).orders.values())


def test_sells_are_sent_before_buys(ctx: AppContext, seeded: int, exchange: Exchange) -> None:
    all_in_spy(exchange, seeded)
    on_exchange(ctx, exchange)
    result = to_json(check_rebalance_drift(ctx, seeded))
    assert result["status"] == "completed", result["message"]
    assert [t["side"] for t in result["trades_executed"]] == ["sell", "buy", "buy", "buy"]
    orders = list(exchange.account_state(str(seeded)).orders.values())
    assert [o.side for o in orders] == ["sell", "buy", "buy", "buy"]
    assert exchange.account_state(str(seeded)).cash >= ZERO


def test_buys_wait_for_asynchronous_sell_fills(
    ctx: AppContext, seeded: int, exchange: Exchange
) -> None:
    exchange.fill_immediately = False
    all_in_spy(exchange, seeded)
    on_exchange(ctx, exchange)
    ctx.sleep = lambda _seconds: exchange.fill_pending()
    result = to_json(check_rebalance_drift(ctx, seeded))
    assert result["status"] == "completed", result["message"]
    assert {t["status"] for t in result["trades_executed"]} == {"filled"}


class MarginBroker(BrokerSpy):
    """A Reg-T margin account: buying power twice the equity, far above the cash."""

    def get_account(self) -> Account:
        account = self.inner.get_account()
        return replace(account, buying_power=account.equity * 2)


@pytest.mark.parametrize("account", [BrokerSpy, MarginBroker], ids=["cash", "margin"])
def test_buys_are_sized_to_the_cash_really_there(
    ctx: AppContext, seeded: int, exchange: Exchange, account: type[BrokerSpy]
) -> None:
    """The sells bring less than planned; the buys shrink to the cash (never to margin)."""
    all_in_spy(exchange, seeded)
    planned_spy = exchange.prices["SPY"]

    def price_drops(_n: int) -> None:
        exchange.set_prices({"SPY": planned_spy * Decimal("0.9")})

    on_exchange(ctx, exchange, lambda b: account(b, before_submit=price_drops))
    result = to_json(check_rebalance_drift(ctx, seeded))
    assert result["status"] == "completed", result["message"]
    planned = {t["symbol"]: t["qty"] for t in result["trades_planned"] if t["side"] == "buy"}
    bought = {t["symbol"]: t["qty"] for t in result["trades_executed"] if t["side"] == "buy"}
    assert all(bought[s] < planned[s] for s in planned)
    assert exchange.account_state(str(seeded)).cash >= ZERO


@pytest.mark.parametrize("crash_after", [1, 2, 3, 4])
@pytest.mark.parametrize("when", ["before_answer", "before_send"])
def test_a_crashed_run_resumed_places_each_order_exactly_once(
    ctx: AppContext, seeded: int, exchange: Exchange, crash_after: int, when: str
) -> None:
    all_in_spy(exchange, seeded)

    def crash(n: int) -> None:
        if n == crash_after:
            raise Crash

    hook = {"after_submit" if when == "before_answer" else "before_submit": crash}
    on_exchange(ctx, exchange, lambda b: BrokerSpy(b, **hook))
    with pytest.raises(Crash):
        to_json(check_rebalance_drift(ctx, seeded))
    on_exchange(ctx, exchange)
    result = to_json(check_rebalance_drift(ctx, seeded))
    assert result["resumed"] is True
    assert result["status"] == "completed", result["message"]
    placed = placed_client_ids(exchange, seeded)
    assert len(placed) == 4
    assert set(placed.values()) == {1}
    detail = to_json(runs.get_run(ctx, seeded, result["run_id"]))
    assert {o["client_order_id"] for o in detail["orders"]} == set(placed)
    assert to_json(check_rebalance_drift(ctx, seeded))["status"] == "nothing_to_do"


class FlipsKillSwitchAfterFirstOrder(BrokerSpy):
    """Turns the user's kill switch on when the run reads the account after its sell.

    Not from inside ``submit_order``: a flip waits for the send in flight (the risk
    gate, docs/order-safety.md), so it cannot come from the sending thread itself.
    """

    user_id = 0

    def get_account(self) -> Account:
        if self.submits == 1 and self.user_id:
            risk.set_user_risk(self.ctx, self.user_id, kill_switch=True, reason="panic")
            self.user_id = 0
        return self.inner.get_account()


def test_kill_switch_stops_remaining_orders(
    ctx: AppContext, seeded: int, exchange: Exchange
) -> None:
    all_in_spy(exchange, seeded)

    def spy(broker: FakeBroker) -> BrokerSpy:
        flipping = FlipsKillSwitchAfterFirstOrder(broker)
        flipping.ctx = ctx  # type: ignore[attr-defined]
        flipping.user_id = seeded
        return flipping

    on_exchange(ctx, exchange, spy)
    result = to_json(check_rebalance_drift(ctx, seeded))
    assert result["status"] == "partial"
    assert "Kill switch is on: panic" in result["message"]
    assert len(placed_client_ids(exchange, seeded)) == 1
    statuses = [o["status"] for o in to_json(runs.get_run(ctx, seeded, result["run_id"]))["orders"]]
    assert statuses == ["filled", "blocked", "blocked", "blocked"]


def test_slow_fills_leave_the_run_awaiting_and_the_next_check_finishes_it(
    ctx: AppContext, seeded: int, exchange: Exchange
) -> None:
    exchange.fill_immediately = False
    all_in_spy(exchange, seeded)
    on_exchange(ctx, exchange)
    ctx.run_options = RunOptions(fill_timeout=0.05, poll_interval=0.0)
    first = to_json(check_rebalance_drift(ctx, seeded))
    assert first["status"] == "awaiting_fills"
    assert [t["side"] for t in first["trades_executed"]] == ["sell"]
    exchange.fill_pending()
    exchange.fill_immediately = True
    second = to_json(check_rebalance_drift(ctx, seeded))
    assert second["run_id"] == first["run_id"]
    assert second["status"] == "completed", second["message"]
    assert len(placed_client_ids(exchange, seeded)) == 4


def test_closed_market_sends_nothing_unless_queued(
    ctx: AppContext, seeded: int, exchange: Exchange
) -> None:
    exchange.market_open = False
    all_in_spy(exchange, seeded)
    on_exchange(ctx, exchange)
    closed = to_json(check_rebalance_drift(ctx, seeded))
    assert closed["status"] == "nothing_to_do"
    assert "Market is closed" in closed["message"]
    assert closed["trades_planned"]
    assert not placed_client_ids(exchange, seeded)

    queued = to_json(check_rebalance_drift(ctx, seeded, queue_if_closed=True))
    assert queued["status"] == "awaiting_fills"
    assert [t["side"] for t in queued["trades_executed"]] == ["sell"]
    exchange.market_open = True
    exchange.fill_pending()
    done = to_json(check_rebalance_drift(ctx, seeded))
    assert done["run_id"] == queued["run_id"]
    assert done["status"] == "completed", done["message"]


def test_symbols_with_an_open_order_are_left_alone(
    ctx: AppContext, seeded: int, exchange: Exchange
) -> None:
    drifted_account(exchange, seeded)
    exchange.fill_immediately = False
    on_exchange(ctx, exchange)
    exchange.submit(
        str(seeded),
        OrderRequest(symbol="SPY", side=Side.SELL, client_order_id="mine-1", qty=Decimal(1)),
    )
    exchange.fill_immediately = True
    result = to_json(check_rebalance_drift(ctx, seeded))
    assert "SPY" not in {t["symbol"] for t in result["trades_executed"]}
    skips = {s["symbol"]: s["reason"] for s in result["skipped"]}
    assert skips["SPY"] == "open_order"
    assert exchange.order_by_client_id(str(seeded), "mine-1").status == "accepted"


def test_a_rejected_order_makes_the_run_partial(
    ctx: AppContext, seeded: int, exchange: Exchange
) -> None:
    all_in_spy(exchange, seeded)

    def halt_gld(_n: int) -> None:
        exchange.set_asset(Asset("GLD", tradable=False))

    on_exchange(ctx, exchange, lambda b: BrokerSpy(b, after_submit=halt_gld))
    result = to_json(check_rebalance_drift(ctx, seeded))
    assert result["status"] == "partial"
    assert "GLD" in result["message"]


def test_the_worker_finishes_a_queued_run_once_its_sells_fill(
    ctx: AppContext, seeded: int, exchange: Exchange
) -> None:
    exchange.market_open = False
    all_in_spy(exchange, seeded)
    on_exchange(ctx, exchange)
    queued = to_json(check_rebalance_drift(ctx, seeded, queue_if_closed=True))
    assert queued["status"] == "awaiting_fills"
    assert [r["status"] for r in to_json(resume_unfinished_runs(ctx))] == ["awaiting_fills"]
    exchange.market_open = True
    exchange.fill_pending()
    finished = to_json(resume_unfinished_runs(ctx))
    assert [(r["run_id"], r["status"]) for r in finished] == [(queued["run_id"], "completed")]
    assert to_json(resume_unfinished_runs(ctx)) == []


@pytest.mark.parametrize("broker_got_it", [True, False])
def test_a_send_that_times_out_is_never_placed_twice(
    ctx: AppContext, seeded: int, exchange: Exchange, broker_got_it: bool
) -> None:
    all_in_spy(exchange, seeded)

    def time_out(n: int) -> None:
        if n == 1:
            raise BrokerUnavailable("read timed out", status=504)

    hook = {"after_submit" if broker_got_it else "before_submit": time_out}
    on_exchange(ctx, exchange, lambda b: BrokerSpy(b, **hook))
    first = to_json(check_rebalance_drift(ctx, seeded))
    if broker_got_it:
        assert first["status"] == "completed", first["message"]
    else:
        assert first["status"] == "awaiting_fills"
        assert [
            o["status"] for o in to_json(runs.get_run(ctx, seeded, first["run_id"]))["orders"]
        ] == [
            "unknown",
            "planned",
            "planned",
            "planned",
        ]
        on_exchange(ctx, exchange)
        assert to_json(check_rebalance_drift(ctx, seeded))["status"] == "completed"
    placed = placed_client_ids(exchange, seeded)
    assert len(placed) == 4 and set(placed.values()) == {1}


class OutageAfterSells(BrokerSpy):
    """The broker stops answering account reads once the first order is in."""

    def get_account(self) -> Account:
        if self.submits:
            raise BrokerUnavailable("503 from the broker", status=503)
        return self.inner.get_account()


def test_a_broker_outage_mid_run_leaves_it_for_the_next_check(
    ctx: AppContext, seeded: int, exchange: Exchange
) -> None:
    all_in_spy(exchange, seeded)
    on_exchange(ctx, exchange, OutageAfterSells)
    result = to_json(check_rebalance_drift(ctx, seeded))
    assert result["status"] == "awaiting_fills"
    assert "broker error: 503 from the broker" in result["message"]
    on_exchange(ctx, exchange)
    assert to_json(check_rebalance_drift(ctx, seeded))["status"] == "completed"
    assert len(placed_client_ids(exchange, seeded)) == 4


class RecordChecker(BrokerSpy):
    """Reads each order's record, in a session of its own, just before it is sent."""

    def __init__(self, inner: FakeBroker, ctx: AppContext, before_submit: Callable[[int], None]):
        super().__init__(inner, before_submit=before_submit)
        self.ctx = ctx
        self.seen: list[tuple[str, str, Decimal | None]] = []

    def submit_order(self, request: OrderRequest) -> Order:
        with self.ctx.store.session_factory() as session:
            row = session.scalars(
                select(OrderRow).where(OrderRow.client_order_id == request.client_order_id)
            ).one()
            self.seen.append((row.symbol, row.status, row.qty))
        assert request.qty == row.qty
        return super().submit_order(request)


def test_each_order_is_sent_as_committed_and_the_run_reads_its_orders_once(
    ctx: AppContext, seeded: int, exchange: Exchange
) -> None:
    """The sell brings less than planned, so every buy is resized before it is sent: the
    resized quantity is committed first (a crash then leaves the order it sends), and the
    run keeps its orders in memory rather than reading them again at each step."""
    all_in_spy(exchange, seeded)
    lower = {"SPY": exchange.prices["SPY"] * Decimal("0.9")}
    checkers: list[RecordChecker] = []

    def checker(broker: FakeBroker) -> RecordChecker:
        checkers.append(RecordChecker(broker, ctx, lambda n: exchange.set_prices(lower)))
        return checkers[-1]

    reads: list[str] = []

    def count_order_reads(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        # Not the checker's own reads (by client order id).
        if "FROM orders" in statement and "WHERE orders.client_order_id" not in statement:
            reads.append(statement)

    on_exchange(ctx, exchange, checker)
    event.listen(ctx.store.engine, "before_cursor_execute", count_order_reads)
    try:
        result = to_json(check_rebalance_drift(ctx, seeded, dry_run=False))
    finally:
        event.remove(ctx.store.engine, "before_cursor_execute", count_order_reads)
    assert result["status"] == "completed", result["message"]
    planned = {t["symbol"]: t["qty"] for t in result["trades_planned"]}
    executed = {t["symbol"]: t["qty"] for t in result["trades_executed"]}
    seen = [s for c in checkers for s in c.seen]
    assert [(symbol, status) for symbol, status, _ in seen] == [
        ("SPY", "planned"),
        ("GLD", "planned"),
        ("QQQ", "planned"),
        ("TLT", "planned"),
    ]
    assert {symbol: qty for symbol, _, qty in seen} == {
        s: Decimal(str(q)) for s, q in executed.items()
    }
    assert all(executed[s] < planned[s] for s in ("QQQ", "TLT", "GLD"))
    assert len(reads) == 1, reads
