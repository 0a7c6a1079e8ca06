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


class ConfigError(TrimtabError):
    """A setting is missing or contradicts another (e.g. an Alpaca broker without keys)."""

    code = "config_error"
