"""How an order is shaped for its asset before any broker sees it: crypto goes out gtc,
its qty rounded down to the coin's increment, never under the coin's minimum."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trimtab.brokers.models import Asset, AssetClass, OrderRequest, Side, TimeInForce
from trimtab.brokers.order_rules import order_for_asset
from trimtab.errors import BelowMinimumOrderSize

BTC = Asset(
    "BTC/USD",
    asset_class=AssetClass.CRYPTO,
    min_order_size=Decimal("0.0001"),
    min_trade_increment=Decimal("0.0001"),
)


def order(qty: str | Decimal, tif: TimeInForce = TimeInForce.DAY) -> OrderRequest:
    return OrderRequest("BTC/USD", Side.SELL, "tt-1", qty=Decimal(qty), time_in_force=tif)


def test_equity_orders_are_left_as_they_are() -> None:
    request = OrderRequest("SPY", Side.BUY, "tt-1", qty=Decimal("0.123456789"))
    assert order_for_asset(request, Asset("SPY")) is request


def test_crypto_day_becomes_gtc_and_ioc_stays() -> None:
    assert order_for_asset(order("0.15"), BTC).time_in_force is TimeInForce.GTC
    assert order_for_asset(order("0.15", TimeInForce.IOC), BTC).time_in_force is TimeInForce.IOC


def test_crypto_qty_rounds_down_to_the_increment() -> None:
    assert order_for_asset(order("0.12349"), BTC).qty == Decimal("0.1234")


def test_crypto_qty_under_the_minimum_is_refused() -> None:
    with pytest.raises(BelowMinimumOrderSize, match=r"0\.00019 BTC/USD rounds to 0\.0001"):
        order_for_asset(order("0.00019"), replace_min(BTC, "0.0002"))


def replace_min(asset: Asset, minimum: str) -> Asset:
    return Asset(
        asset.symbol,
        asset_class=asset.asset_class,
        min_order_size=Decimal(minimum),
        min_trade_increment=asset.min_trade_increment,
    )


@given(
    st.decimals(min_value=Decimal("0.000000001"), max_value=Decimal(1000), places=9),
    st.sampled_from(["0.0001", "0.001", "0.000000001", "0.5"]),
)
def test_rounded_qty_is_never_more_than_asked_and_whole_steps(qty: Decimal, step: str) -> None:
    asset = Asset(
        "ETH/USD",
        asset_class=AssetClass.CRYPTO,
        min_order_size=Decimal(step),
        min_trade_increment=Decimal(step),
    )
    try:
        shaped = order_for_asset(order(qty), asset)
    except BelowMinimumOrderSize:
        assert qty < Decimal(step)
        return
    assert shaped.qty is not None
    assert Decimal(step) <= shaped.qty <= qty
    assert shaped.qty % Decimal(step) == 0
    assert qty - shaped.qty < Decimal(step)
