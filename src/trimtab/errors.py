"""The exception hierarchy: every error a user can meet has a code and a message."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar


class TrimtabError(Exception):
    """Base of every error trimtab raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class InvalidInput(TrimtabError):
    """A value given by the user is malformed or out of range."""

    code = "invalid_input"


_Choice = TypeVar("_Choice", bound=StrEnum)


def enum_choice(kind: type[_Choice], value: str, field: str) -> _Choice:
    """``value`` as a member of ``kind``; ``InvalidInput`` naming ``field`` and the choices."""
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise InvalidInput(
            f"{field} must be one of {allowed}, got {value!r}", field=field
        ) from None


class InvalidTargets(InvalidInput):
    """A target allocation set cannot be used (bad symbol, duplicate, bad sum...)."""

    code = "invalid_targets"


class NotFound(TrimtabError):
    """The thing asked for does not exist (or belongs to someone else)."""

    code = "not_found"


class Forbidden(TrimtabError):
    """The caller may not do this (e.g. a non-admin changing system settings)."""

    code = "forbidden"


class Conflict(TrimtabError):
    """The request clashes with the current state (e.g. a run already in flight)."""

    code = "conflict"


class TradingBlocked(TrimtabError):
    """The risk gate refuses to place orders."""

    code = "trading_blocked"


class BrokerError(TrimtabError):
    """The broker refused a request or could not be reached.

    ``broker_code`` carries the broker's own code (Alpaca's 8-digit codes) when
    there is one; ``status`` the HTTP status of the broker's answer.
    """

    code = "broker_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        broker_code: int | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.broker_code = broker_code
        self.status = status


class InsufficientBuyingPower(BrokerError):
    code = "insufficient_buying_power"


class InsufficientQuantity(BrokerError):
    code = "insufficient_qty"


class AssetNotTradable(BrokerError):
    code = "asset_not_tradable"


class DuplicateClientOrderId(BrokerError):
    code = "duplicate_client_order_id"


class RateLimited(BrokerError):
    code = "rate_limited"


class MarketClosed(BrokerError):
    code = "market_closed"


class BrokerAuthFailed(BrokerError):
    code = "broker_auth_failed"


class BrokerUnavailable(BrokerError):
    """The broker timed out or answered 5xx: the outcome of a write is unknown."""

    code = "broker_unavailable"


class OrderRejected(BrokerError):
    code = "order_rejected"


class AccountMayNotTrade(OrderRejected):
    """The broker account may not place orders: not active, blocked, or suspended by its owner."""

    code = "account_may_not_trade"


class AccountTradingBlocked(AccountMayNotTrade):
    """The account's ``trading_blocked`` flag is set: the broker refuses every order."""

    code = "account_trading_blocked"


class PatternDayTraderProtection(OrderRejected):
    """The broker refused an order that would be a day trade on a flagged account under $25,000."""

    code = "pattern_day_trader_protection"


class BelowMinimumNotional(OrderRejected):
    """The order is worth less than the broker's minimum (Alpaca: $1, docs/brokers.md)."""

    code = "below_minimum_notional"


class BelowMinimumOrderSize(OrderRejected):
    """The quantity is under the asset's ``min_order_size`` or not a multiple of its
    ``min_trade_increment`` (crypto, docs/brokers.md)."""

    code = "below_minimum_order_size"


class InvalidTimeInForce(OrderRejected):
    """The broker does not take this time in force for the asset (crypto: gtc or ioc only)."""

    code = "invalid_time_in_force"


class ConfigError(TrimtabError):
    """A setting is missing or contradicts another (e.g. an Alpaca broker without keys)."""

    code = "config_error"
