"""Alpaca's error answers become our typed errors, with its code, status and message."""

from __future__ import annotations

import json

import pytest
import requests
from alpaca.common.exceptions import APIError

from trimtab.brokers.alpaca_errors import error_from_api, error_from_transport
from trimtab.errors import (
    AccountMayNotTrade,
    AssetNotTradable,
    BelowMinimumNotional,
    BelowMinimumOrderSize,
    BrokerAuthFailed,
    BrokerError,
    BrokerUnavailable,
    DuplicateClientOrderId,
    InsufficientBuyingPower,
    InsufficientQuantity,
    InvalidTimeInForce,
    MarketClosed,
    NotFound,
    OrderRejected,
    PatternDayTraderProtection,
    RateLimited,
    TrimtabError,
)


def api_error(status: int, body: str) -> APIError:
    response = requests.Response()
    response.status_code = status
    return APIError(body, requests.HTTPError(response=response))


def alpaca_body(code: int, message: str) -> str:
    return json.dumps({"code": code, "message": message})


@pytest.mark.parametrize(
    ("status", "code", "message", "kind"),
    [
        (403, 40310000, "insufficient buying power", InsufficientBuyingPower),
        (
            403,
            40310000,
            "insufficient qty available for order (requested: 5, available: 2)",
            InsufficientQuantity,
        ),
        (422, 42210000, "asset LEHMQ is not tradable", AssetNotTradable),
        (422, 40010001, "client_order_id must be unique", DuplicateClientOrderId),
        (403, 40310000, "market is closed", MarketClosed),
        (403, 40310000, "potential wash trade detected. use complex orders", OrderRejected),
        (422, 40010001, "qty must be > 0", OrderRejected),
        (401, 40110000, "request is not authorized", BrokerAuthFailed),
        (403, 40310000, "forbidden", BrokerAuthFailed),
        (403, 40310000, "forbidden.", BrokerAuthFailed),
        (403, 40310000, "account is not authorized to trade", AccountMayNotTrade),
        (
            403,
            40310100,
            "trade denied due to pattern day trading protection",
            PatternDayTraderProtection,
        ),
        (403, 40310100, "day trade denied", PatternDayTraderProtection),
        (403, 40310000, "cost basis must be >= 1", BelowMinimumNotional),
        (422, 42210000, "invalid crypto time_in_force", InvalidTimeInForce),
        (422, 40010001, "qty must be >= 0.0001", BelowMinimumOrderSize),
        (429, 42910000, "rate limit exceeded", RateLimited),
        (500, 50010000, "internal server error", BrokerUnavailable),
        (503, 50310000, "service unavailable", BrokerUnavailable),
    ],
)
def test_alpaca_refusal_maps_to_its_error(
    status: int, code: int, message: str, kind: type[BrokerError]
) -> None:
    error = error_from_api(api_error(status, alpaca_body(code, message)))
    assert type(error) is kind
    assert (error.status, error.broker_code) == (status, code)
    assert message in error.message


def test_not_found_keeps_the_message() -> None:
    error = error_from_api(api_error(404, alpaca_body(40410000, "order not found")))
    assert isinstance(error, NotFound) and error.message == "order not found"


def test_gateway_page_without_json_is_unavailable_without_a_code() -> None:
    error = error_from_api(api_error(502, "<html><body>502 Bad Gateway</body></html>"))
    assert isinstance(error, BrokerUnavailable)
    assert (error.status, error.broker_code) == (502, None)
    assert "502 Bad Gateway" in error.message


@pytest.mark.parametrize(
    ("failure", "words"),
    [(requests.ReadTimeout(), "did not answer within 2 s"), (requests.ConnectionError(), "reach")],
)
def test_transport_failures_are_unavailable(failure: requests.RequestException, words: str) -> None:
    error: TrimtabError = error_from_transport(failure, timeout=2)
    assert isinstance(error, BrokerUnavailable) and words in error.message


@pytest.mark.parametrize(
    ("status", "code", "message", "fix"),
    [
        (401, 40110000, "request is not authorized", "Check the key id and secret"),
        (403, 40310000, "account is not authorized to trade", "Alpaca's dashboard"),
        (403, 40310100, "trade denied due to pattern day trading protection", "$25,000"),
        (403, 40310000, "cost basis must be >= 1", "minimum trade to $1.00"),
    ],
)
def test_each_refusal_says_what_it_means_and_a_fix(
    status: int, code: int, message: str, fix: str
) -> None:
    error = error_from_api(api_error(status, alpaca_body(code, message)))
    assert f"(Alpaca: {message})" in error.message and fix in error.message


def test_an_account_refusal_is_never_taken_for_refused_keys() -> None:
    refusal = alpaca_body(40310000, "account is not authorized to trade")
    assert not isinstance(error_from_api(api_error(403, refusal)), BrokerAuthFailed)
