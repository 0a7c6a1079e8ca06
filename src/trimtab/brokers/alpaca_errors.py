"""Alpaca's refusals and transport failures as trimtab errors, with the broker's code,
HTTP status and message kept on them."""

from __future__ import annotations

import json

import requests
from alpaca.common.exceptions import APIError

from trimtab.errors import (
    AssetNotTradable,
    BrokerAuthFailed,
    BrokerError,
    BrokerUnavailable,
    DuplicateClientOrderId,
    InsufficientBuyingPower,
    InsufficientQuantity,
    MarketClosed,
    NotFound,
    OrderRejected,
    RateLimited,
    TrimtabError,
)

# Alpaca shares code 40310000 between several refusals (buying power, quantity,
# wash trade...), so its message decides which one it is.
_BY_MESSAGE: tuple[tuple[str, type[BrokerError]], ...] = (
    ("buying power", InsufficientBuyingPower),
    ("insufficient qty", InsufficientQuantity),
    ("qty available", InsufficientQuantity),
    ("not tradable", AssetNotTradable),
    ("client_order_id must be unique", DuplicateClientOrderId),
    ("market is closed", MarketClosed),
    ("market hours", MarketClosed),
)
_AUTH_MESSAGES = ("forbidden", "not authorized", "unauthorized", "access key")


def error_from_api(error: APIError) -> TrimtabError:
    """The trimtab error for an HTTP error answer from Alpaca."""
    status = error.status_code
    code, message = _code_and_message(str(error))
    lowered = message.lower()
    for fragment, kind in _BY_MESSAGE:
        if fragment in lowered and status is not None and 400 <= status < 500:
            return kind(message, broker_code=code, status=status)
    if status == 401 or (status == 403 and any(a in lowered for a in _AUTH_MESSAGES)):
        return BrokerAuthFailed(
            f"Alpaca refused the API keys: {message}", broker_code=code, status=status
        )
    if status == 404:
        return NotFound(message)
    if status == 429:
        return RateLimited(message, broker_code=code, status=status)
    if status is None or status >= 500:
        return BrokerUnavailable(
            f"Alpaca answered {status}: {message}", broker_code=code, status=status
        )
    return OrderRejected(message, broker_code=code, status=status)


def error_from_transport(error: requests.RequestException, *, timeout: float) -> BrokerUnavailable:
    """A timeout or lost connection: the broker may or may not have acted."""
    if isinstance(error, requests.Timeout):
        return BrokerUnavailable(f"Alpaca did not answer within {timeout:g} s")
    return BrokerUnavailable(f"could not reach Alpaca: {type(error).__name__}")


def _code_and_message(body: str) -> tuple[int | None, str]:
    """Alpaca's ``{"code", "message"}`` body; a gateway's HTML page gives no code."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return None, body[:200] or "no message"
    if not isinstance(parsed, dict):
        return None, body[:200]
    code = parsed.get("code")
    return (code if isinstance(code, int) else None), str(parsed.get("message", body[:200]))
