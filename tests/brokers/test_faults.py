"""Faults between AlpacaBroker and the simulator: each ends in a typed error or a retried
success, within the timeout, and never in a second order."""

from __future__ import annotations

import time
import uuid
from decimal import Decimal

import pytest

from tests.brokers.conftest import TIMEOUT, Venue, alpaca_on_sim
from trimtab.brokers.alpaca import AlpacaBroker
from trimtab.brokers.models import OrderRequest, OrderStatus, Side
from trimtab.brokers.sim.faults import Fault
from trimtab.brokers.sim.server import BackgroundServer, free_port
from trimtab.brokers.sim.simulator import Simulator
from trimtab.errors import (
    BrokerAuthFailed,
    BrokerError,
    BrokerUnavailable,
    InsufficientBuyingPower,
    RateLimited,
)

POST_ORDERS = "POST /v2/orders"
#: A stall well past the client's timeout.
STALL = TIMEOUT * 4


@pytest.fixture
def sim(sim_venue: Venue) -> Simulator:
    assert sim_venue.simulator is not None
    return sim_venue.simulator


@pytest.fixture
def broker(sim_venue: Venue) -> AlpacaBroker:
    assert isinstance(sim_venue.broker, AlpacaBroker)
    return sim_venue.broker


def tlt_buy() -> OrderRequest:
    return OrderRequest("TLT", Side.BUY, f"tt-{uuid.uuid4().hex[:12]}", qty=Decimal(2))


def orders_placed(sim: Simulator) -> int:
    return sum(len(state.orders) for state in sim.exchange.accounts.values())


def test_rate_limit_is_retried_by_the_sdk_until_it_passes(
    sim: Simulator, broker: AlpacaBroker
) -> None:
    sim.inject(Fault("GET /v2/account", status=429, times=2))
    assert broker.get_account().status == "ACTIVE"
    assert sim.request_counts()["GET /v2/account"] == 3


def test_rate_limit_that_persists_ends_in_rate_limited(
    sim: Simulator, broker: AlpacaBroker
) -> None:
    sim.inject(Fault("GET /v2/positions", status=429, times=None))
    with pytest.raises(RateLimited) as limited:
        broker.get_positions()
    assert (limited.value.status, limited.value.broker_code) == (429, 42900000)
    # The SDK's own three retries, then our error: a bounded number of tries.
    assert sim.request_counts()["GET /v2/positions"] == 4


@pytest.mark.parametrize("status", [500, 503])
def test_server_error_on_a_read_is_retried_once(
    sim: Simulator, broker: AlpacaBroker, status: int
) -> None:
    sim.inject(Fault("GET /v2/positions", status=status))
    assert {p.symbol for p in broker.get_positions()} == {"SPY", "QQQ"}
    assert sim.request_counts()["GET /v2/positions"] == 2


def test_server_error_that_persists_ends_in_broker_unavailable(
    sim: Simulator, broker: AlpacaBroker
) -> None:
    sim.inject(Fault("GET /v2/account", status=503, times=None))
    with pytest.raises(BrokerUnavailable) as unavailable:
        broker.get_account()
    assert unavailable.value.status == 503 and "service unavailable" in unavailable.value.message


def test_slow_answer_times_out_instead_of_hanging(sim: Simulator, broker: AlpacaBroker) -> None:
    sim.inject(Fault("GET /v2/stocks/trades/latest", delay=STALL, times=None))
    started = time.monotonic()
    with pytest.raises(BrokerUnavailable, match="did not answer"):
        broker.get_latest_prices(["SPY"])
    # Two tries of one timeout each, nowhere near the stall.
    assert time.monotonic() - started < 2 * TIMEOUT + 0.5


def test_refusal_with_alpacas_body_keeps_code_and_message(
    sim: Simulator, broker: AlpacaBroker
) -> None:
    sim.inject(Fault(POST_ORDERS, status=403, code=40310000, message="insufficient buying power"))
    with pytest.raises(InsufficientBuyingPower) as refused:
        broker.submit_order(tlt_buy())
    assert (refused.value.status, refused.value.broker_code) == (403, 40310000)
    assert refused.value.message == (
        "Not enough buying power for this order (Alpaca: insufficient buying power). "
        "Add cash or lower the targets' buys; trimtab never borrows."
    )
    assert sim.request_counts()[POST_ORDERS] == 1 and orders_placed(sim) == 0


def test_partial_fill_is_reported_and_can_be_followed(sim: Simulator, broker: AlpacaBroker) -> None:
    sim.inject(Fault(POST_ORDERS, fill_fraction=Decimal("0.5")))
    order = broker.submit_order(tlt_buy())
    assert order.status is OrderStatus.PARTIALLY_FILLED and order.filled_qty == 1
    sim.exchange.fill_pending()
    assert broker.get_order(order.id).status is OrderStatus.FILLED


def test_answer_lost_after_the_order_landed_is_found_by_client_id_not_posted_again(
    sim: Simulator, broker: AlpacaBroker
) -> None:
    sim.inject(Fault(POST_ORDERS, delay=STALL, after_commit=True))
    request = tlt_buy()
    order = broker.submit_order(request)
    assert order.client_order_id == request.client_order_id
    assert order.status is OrderStatus.FILLED
    counts = sim.request_counts()
    assert counts[POST_ORDERS] == 1
    assert counts["GET /v2/orders:by_client_order_id"] == 1
    assert orders_placed(sim) == 1


def test_server_error_after_the_order_landed_is_found_by_client_id(
    sim: Simulator, broker: AlpacaBroker
) -> None:
    sim.inject(Fault(POST_ORDERS, status=500, after_commit=True))
    broker.submit_order(tlt_buy())
    assert sim.request_counts()[POST_ORDERS] == 1 and orders_placed(sim) == 1


def test_sdk_repost_after_a_lost_504_is_answered_with_the_first_order(
    sim: Simulator, broker: AlpacaBroker
) -> None:
    # alpaca-py posts again by itself on 504; the unique client id makes that a refusal.
    sim.inject(Fault(POST_ORDERS, status=504, after_commit=True))
    order = broker.submit_order(tlt_buy())
    assert sim.request_counts()[POST_ORDERS] == 2
    assert orders_placed(sim) == 1
    assert broker.get_order(order.id).status is OrderStatus.FILLED


def test_order_that_never_landed_is_posted_again_once(sim: Simulator, broker: AlpacaBroker) -> None:
    sim.inject(Fault(POST_ORDERS, status=503))
    order = broker.submit_order(tlt_buy())
    assert order.status is OrderStatus.FILLED
    assert sim.request_counts()[POST_ORDERS] == 2 and orders_placed(sim) == 1


def test_post_that_lands_after_its_retry_is_refused_as_a_duplicate(
    sim: Simulator, broker: AlpacaBroker
) -> None:
    # The first post stalls past the timeout, the lookup finds nothing, the second post
    # lands; then the first one arrives late and meets the unique client id.
    late = TIMEOUT * 2
    sim.inject(Fault(POST_ORDERS, delay=late))
    order = broker.submit_order(tlt_buy())
    time.sleep(late + TIMEOUT)  # let the stalled post finish on the server
    assert sim.request_counts()[POST_ORDERS] == 2
    assert orders_placed(sim) == 1
    assert broker.get_order(order.id).status is OrderStatus.FILLED


def test_unknown_outcome_is_an_error_not_a_second_post(
    sim: Simulator, broker: AlpacaBroker
) -> None:
    sim.inject(Fault(POST_ORDERS, delay=STALL, after_commit=True))
    sim.inject(Fault("GET /v2/orders:by_client_order_id", status=503, times=None))
    with pytest.raises(BrokerUnavailable):
        broker.submit_order(tlt_buy())
    assert sim.request_counts()[POST_ORDERS] == 1


def test_answer_in_an_unknown_shape_is_a_broker_error(sim: Simulator, broker: AlpacaBroker) -> None:
    sim.inject(Fault("GET /v2/account", status=200, message="not an account", times=None))
    with pytest.raises(BrokerError, match="unexpected shape"):
        broker.get_account()


def test_unknown_keys_are_refused_as_auth_failure(sim_server: BackgroundServer) -> None:
    broker = alpaca_on_sim(sim_server, "PKNOBODY", "wrong")
    with pytest.raises(BrokerAuthFailed) as refused:
        broker.get_account()
    assert (refused.value.status, refused.value.broker_code) == (401, 40110000)
    with pytest.raises(BrokerAuthFailed):
        broker.get_latest_prices(["SPY"])


def test_nothing_listening_is_broker_unavailable() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    broker = AlpacaBroker("k", "s", base_url=url, data_url=url, timeout=TIMEOUT, retry_wait=0)
    with pytest.raises(BrokerUnavailable, match="could not reach"):
        broker.get_clock()
