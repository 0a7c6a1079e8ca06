"""Alpaca's refusals and transport failures as trimtab errors, with the broker's code,
HTTP status and message kept on them, and a fix to try in the message.

The classes and the answers that map to them are listed in docs/brokers.md.
"""

from __future__ import annotations

import json

import requests
from alpaca.common.exceptions import APIError

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

#: Alpaca's code for pattern-day-trader protection; its other refusals share 40310000.
PDT_CODE = 40310100

# Alpaca shares code 40310000 between several refusals (buying power, quantity,
# account state, wash trade...), so its message decides which one it is.
_BY_MESSAGE: tuple[tuple[str, type[BrokerError]], ...] = (
    ("pattern day trading", PatternDayTraderProtection),
    ("not authorized to trade", AccountMayNotTrade),
    ("buying power", InsufficientBuyingPower),
    ("insufficient qty", InsufficientQuantity),
    ("qty available", InsufficientQuantity),
    ("cost basis must be", BelowMinimumNotional),
    ("crypto time_in_force", InvalidTimeInForce),
    ("qty must be >=", BelowMinimumOrderSize),
    ("qty must be a multiple", BelowMinimumOrderSize),
    ("not tradable", AssetNotTradable),
    ("client_order_id must be unique", DuplicateClientOrderId),
    ("market is closed", MarketClosed),
    ("market hours", MarketClosed),
)
#: What a refused key pair gets: 401, or a bare 403 "forbidden" from Alpaca's gateway.
_AUTH_MESSAGES = ("forbidden", "forbidden.", "unauthorized", "access key verification failed")

#: (what happened, a fix to try) per error class; the broker's own words go between.
EXPLANATIONS: dict[type[BrokerError], tuple[str, str]] = {
    BrokerAuthFailed: (
        "Alpaca refused the API keys",
        "Check the key id and secret, and that paper keys are used for a paper account "
        "and live keys for a live one.",
    ),
    AccountMayNotTrade: (
        "This Alpaca account may not place orders",
        "Check the account on Alpaca's dashboard: it must be ACTIVE, not blocked and not "
        "suspended.",
    ),
    PatternDayTraderProtection: (
        "Alpaca refused a day trade under pattern-day-trader protection",
        "Run again on the next trading day, or keep the account's equity at $25,000 or more.",
    ),
    InsufficientBuyingPower: (
        "Not enough buying power for this order",
        "Add cash or lower the targets' buys; trimtab never borrows.",
    ),
    BelowMinimumNotional: (
        "Alpaca refuses orders worth less than $1.00",
        "Set the minimum trade to $1.00 or more.",
    ),
    BelowMinimumOrderSize: (
        "The quantity is under the coin's minimum order size or off its increment",
        "Trade at least the asset's min_order_size, in whole min_trade_increment steps.",
    ),
    InvalidTimeInForce: (
        "Alpaca takes crypto orders only as gtc or ioc",
        "Send crypto orders with time_in_force gtc.",
    ),
}


def explained(kind: type[BrokerError], message: str) -> str:
    """``message`` (the broker's words) with what it means and a fix to try, if we know one."""
    for known, (what, fix) in EXPLANATIONS.items():
        if issubclass(kind, known):
            return f"{what} (Alpaca: {message}). {fix}"
    return message


def error_from_api(error: APIError) -> TrimtabError:
    """The trimtab error for an HTTP error answer from Alpaca."""
    status = error.status_code
    code, message = _code_and_message(str(error))
    lowered = message.lower()
    if status is not None and 400 <= status < 500:
        if code == PDT_CODE:
            return _refusal(PatternDayTraderProtection, message, code, status)
        for fragment, kind in _BY_MESSAGE:
            if fragment in lowered:
                return _refusal(kind, message, code, status)
    if status == 401 or (status == 403 and lowered.strip() in _AUTH_MESSAGES):
        return _refusal(BrokerAuthFailed, message, code, status)
    if status == 404:
        return NotFound(message)
    if status == 429:
        return RateLimited(message, broker_code=code, status=status)
    if status is None or status >= 500:
        return BrokerUnavailable(
            f"Alpaca answered {status}: {message}", broker_code=code, status=status
        )
    return OrderRejected(message, broker_code=code, status=status)


def _refusal(kind: type[BrokerError], message: str, code: int | None, status: int) -> BrokerError:
    return kind(explained(kind, message), broker_code=code, status=status)


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
