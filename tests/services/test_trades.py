"""execute_trade: validation naming the field, the risk gate, the recorded order."""

from __future__ import annotations

from decimal import Decimal

import pytest

from trimtab.brokers.exchange import Exchange
from trimtab.brokers.models import Asset
from trimtab.errors import Conflict, InsufficientBuyingPower, InvalidInput
from trimtab.services import users
from trimtab.services.broker_accounts import account_lock
from trimtab.services.context import AppContext
from trimtab.services.contract import to_json
from trimtab.services.trades import execute_trade
from trimtab.store.models import OrderRow

from .helpers import on_exchange


def test_a_market_buy_is_placed_and_recorded(ctx: AppContext, user_id: int) -> None:
    result = to_json(execute_trade(ctx, user_id, "SPY", "buy", Decimal("2.5")))
    assert set(result) == {
        "order_id",
        "client_order_id",
        "symbol",
        "side",
        "qty",
        "status",
        "submitted_at",
    }
    assert (result["symbol"], result["side"], result["qty"], result["status"]) == (
        "SPY",
        "buy",
        2.5,
        "filled",
    )
    with ctx.store.session_factory() as session:
        row = session.query(OrderRow).filter_by(client_order_id=result["client_order_id"]).one()
        assert row.broker_order_id == result["order_id"]
        assert row.run_id is None
    held = {p.symbol: p.qty for p in ctx.broker_for(user_id).get_positions()}
    assert held == {"SPY": Decimal("2.5")}


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("spy", "buy", 1), "symbol"),
        (("SPY", "hold", 1), "side"),
        (("SPY", "buy", 0), "qty"),
        (("SPY", "buy", -3), "qty"),
        (("SPY", "buy", "ten"), "qty"),
        (("SPY", "buy", "0.0000000001"), "qty"),
        (("ZZZZ", "buy", 1), "symbol"),
    ],
)
def test_bad_input_names_the_field(
    ctx: AppContext, user_id: int, args: tuple[str, str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        to_json(execute_trade(ctx, user_id, *args))  # type: ignore[arg-type]
    assert err.value.field == field


def test_order_type_and_time_in_force_are_checked(ctx: AppContext, user_id: int) -> None:
    with pytest.raises(InvalidInput) as err:
        to_json(execute_trade(ctx, user_id, "SPY", "buy", 1, order_type="limit"))
    assert err.value.field == "order_type"
    with pytest.raises(InvalidInput) as err:
        to_json(execute_trade(ctx, user_id, "SPY", "buy", 1, time_in_force="forever"))
    assert err.value.field == "time_in_force"
    with pytest.raises(InvalidInput) as err:
        to_json(execute_trade(ctx, user_id, "SPY", "buy", "0.5", time_in_force="gtc"))
    assert err.value.field == "time_in_force"


def test_fractional_qty_only_where_the_asset_is_fractionable(
    ctx: AppContext, user_id: int, exchange: Exchange
) -> None:
    exchange.open_account(str(user_id), Decimal(10000))
    exchange.set_asset(Asset("TLT", fractionable=False))
    on_exchange(ctx, exchange)
    with pytest.raises(InvalidInput) as err:
        to_json(execute_trade(ctx, user_id, "TLT", "buy", "1.5"))
    assert err.value.field == "qty"
    assert to_json(execute_trade(ctx, user_id, "TLT", "buy", 2))["status"] == "filled"


def test_a_broker_refusal_is_raised_and_recorded(ctx: AppContext, user_id: int) -> None:
    with pytest.raises(InsufficientBuyingPower):
        to_json(execute_trade(ctx, user_id, "SPY", "buy", 10_000))
    with ctx.store.session_factory() as session:
        row = session.query(OrderRow).one()
        assert row.status == "rejected"
        assert row.error and "buying power" in row.error


def test_a_repeated_request_with_its_idempotency_key_places_one_order(
    ctx: AppContext, user_id: int
) -> None:
    first = to_json(execute_trade(ctx, user_id, "SPY", "buy", 2, idempotency_key="buy-spy-1"))
    again = to_json(execute_trade(ctx, user_id, "SPY", "buy", 2, idempotency_key="buy-spy-1"))
    assert again == first
    held = {p.symbol: p.qty for p in ctx.broker_for(user_id).get_positions()}
    assert held["SPY"] == 2
    # Another user's identical key is their own order.
    other = users.create_user(ctx, "bob@example.com", "correct horse battery").id
    theirs = to_json(execute_trade(ctx, other, "SPY", "buy", 1, idempotency_key="buy-spy-1"))
    assert theirs["order_id"] != first["order_id"]


def test_a_key_whose_first_try_was_refused_is_not_tried_again(
    ctx: AppContext, user_id: int
) -> None:
    with pytest.raises(InsufficientBuyingPower):
        to_json(execute_trade(ctx, user_id, "SPY", "buy", 10_000, idempotency_key="too-big"))
    with pytest.raises(Conflict, match="already tried and not placed"):
        to_json(execute_trade(ctx, user_id, "SPY", "buy", 1, idempotency_key="too-big"))


def test_a_bad_idempotency_key_names_the_field(ctx: AppContext, user_id: int) -> None:
    with pytest.raises(InvalidInput) as err:
        to_json(execute_trade(ctx, user_id, "SPY", "buy", 1, idempotency_key="no spaces allowed"))
    assert err.value.field == "idempotency_key"


def test_no_trade_while_a_rebalance_holds_the_account(ctx: AppContext, user_id: int) -> None:
    with (
        account_lock(ctx, user_id),
        pytest.raises(Conflict, match="a rebalance is already running"),
    ):
        to_json(execute_trade(ctx, user_id, "SPY", "buy", 1))
    assert ctx.broker_for(user_id).get_positions() == []
