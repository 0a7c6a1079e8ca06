"""Typed request and response bodies, with examples for the OpenAPI document."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StrictBool

from trimtab.brokers.models import TimeInForce
from trimtab.domain.money import PERCENT_RANGE, NumberRange
from trimtab.domain.policy import (
    Amount,
    CashMode,
    CashReserveKind,
    Scope,
    TradeTo,
    UntargetedHoldings,
    WholeShares,
)
from trimtab.domain.portfolio import Side
from trimtab.domain.schedule import Frequency, ScheduleMode
from trimtab.services.backtest import CASH_RANGE, COST_BPS_RANGE, COST_PER_ORDER_RANGE
from trimtab.services.policy import (
    CASH_BUFFER_RANGE,
    CASH_RESERVE_PERCENT_MAX,
    CASH_RESERVE_RANGE,
    MIN_TRADE_RANGE,
    PRICE_AGE_RANGE,
    RELATIVE_BAND_RANGE,
    THRESHOLD_RANGE,
    WITHDRAWAL_RANGE,
)
from trimtab.services.trades import IDEMPOTENCY_KEY, ORDER_QTY
from trimtab.store.types import MAX_ID

__all__ = ["MAX_ID"]

SYMBOL = Field(min_length=1, max_length=16, examples=["SPY"])


def ranged(bounds: NumberRange, **extra: Any) -> Any:
    """A Decimal field inside ``bounds`` (domain.money): out of range or with more decimals
    than are stored is a 422 naming the field, before any arithmetic."""
    low = bounds.minimum
    return Field(
        gt=low if bounds.above else None,
        ge=None if bounds.above else low,
        le=bounds.maximum,
        decimal_places=bounds.places,
        **extra,
    )


#: Targets may be 0 (an exit: the holding is sold whole); bands are above 0.
PERCENT = ranged(PERCENT_RANGE, examples=[40], description="0 sells the holding whole.")
BAND_RANGE = PERCENT_RANGE.narrowed(above=True)


class ErrorDetail(BaseModel):
    code: str = Field(examples=["invalid_input"])
    message: str = Field(description="A sentence naming the field at fault, when one is.")


class ErrorBody(BaseModel):
    """Every non-2xx answer (``api/errors.py``)."""

    error: ErrorDetail


class Body(BaseModel):
    """Request bodies refuse unknown fields, so a typo is an error rather than ignored."""

    model_config = ConfigDict(extra="forbid")


class LoginBody(Body):
    email: str = Field(min_length=3, max_length=320, examples=["demo@trimtab.local"])
    password: str = Field(min_length=1, max_length=1024)


class NewUserBody(Body):
    email: str = Field(min_length=3, max_length=320, examples=["partner@example.com"])
    password: str = Field(min_length=8, max_length=1024)
    is_admin: StrictBool = False


class AllocationIn(Body):
    symbol: str = SYMBOL
    target_percent: Decimal = PERCENT
    enabled: StrictBool = True
    band_percent: Decimal | None = ranged(BAND_RANGE, default=None)
    band_relative_percent: Decimal | None = ranged(
        BAND_RANGE, default=None, description="Band as a percent of the target (25: the 5/25 rule)."
    )


class AllocationUpdate(Body):
    target_percent: Decimal = PERCENT
    enabled: StrictBool = True
    band_percent: Decimal | None = ranged(BAND_RANGE, default=None)
    band_relative_percent: Decimal | None = ranged(
        BAND_RANGE, default=None, description="Band as a percent of the target (25: the 5/25 rule)."
    )


class AllocationsIn(Body):
    allocations: list[AllocationIn] = Field(
        max_length=200,
        examples=[
            [
                {"symbol": "SPY", "target_percent": 40, "enabled": True},
                {"symbol": "QQQ", "target_percent": 30, "enabled": True},
                {"symbol": "TLT", "target_percent": 20, "enabled": True},
                {"symbol": "GLD", "target_percent": 10, "enabled": True},
            ]
        ],
    )


class PlanBody(Body):
    symbols: list[str] | None = Field(
        default=None,
        max_length=200,
        description="Trade only these symbols (drift is reported for all).",
    )


class CheckBody(PlanBody):
    dry_run: StrictBool = Field(default=False, description="Plan and report only; place no orders.")
    queue_if_closed: StrictBool = Field(
        default=False, description="When the market is closed, queue the orders for the open."
    )


class TradeBody(Body):
    symbol: str = SYMBOL
    side: Side
    qty: Decimal = ranged(ORDER_QTY, examples=[10])
    order_type: Literal["market"] = "market"
    time_in_force: TimeInForce = TimeInForce.DAY
    idempotency_key: str | None = Field(
        default=None,
        pattern=IDEMPOTENCY_KEY.pattern,
        description="Repeat the request with the same key and get the first order back, "
        "never a second one.",
        examples=["rebalance-2026-11-25-gld"],
    )


class RiskUpdate(Body):
    scope: Literal["system", "user"] = Field(
        default="system", description="The system-wide row, or one user's row (give user_id)."
    )
    user_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    trading_enabled: StrictBool | None = None
    drawdown_recovery: StrictBool | None = None
    kill_switch: StrictBool | None = None
    reason: str | None = Field(default=None, max_length=500)


class PolicyBody(Body):
    threshold_percent: Decimal = ranged(THRESHOLD_RANGE, examples=[5])
    min_trade: Decimal = ranged(MIN_TRADE_RANGE, examples=[10])
    cash_buffer_percent: Decimal = ranged(CASH_BUFFER_RANGE, default=Decimal("0.25"))
    untargeted: UntargetedHoldings | None = Field(
        default=None,
        description="Holdings with no target: leave them alone (default) or sell them whole. "
        "Omitted keeps the saved choice.",
    )
    max_price_age_hours: Decimal | None = ranged(
        PRICE_AGE_RANGE,
        default=None,
        description="The oldest a price may be to trade on (default 96). Omitted keeps it.",
    )
    relative_band_percent: Decimal | None = ranged(
        RELATIVE_BAND_RANGE,
        default=None,
        description="Default band as a percent of each target (25 with 5 pp: the 5/25 rule); "
        "0 turns it off. Omitted keeps it.",
    )
    scope: Scope | None = Field(
        default=None, description="Trade only the symbols past their band, or the whole book."
    )
    trade_to: TradeTo | None = Field(
        default=None, description="How far a traded symbol moves back."
    )
    cash_mode: CashMode | None = Field(
        default=None,
        description="rebalance; cash_flow never sells (new cash buys underweights); withdrawal "
        "raises withdrawal_amount by selling overweights first.",
    )
    withdrawal_amount: Decimal | None = ranged(WITHDRAWAL_RANGE, default=None)
    invest_cash: StrictBool | None = Field(
        default=None, description="Invest cash above the buffer into the underweights."
    )
    cash_reserve: Decimal | None = ranged(
        CASH_RESERVE_RANGE,
        default=None,
        description="Percent of the value (at most x-percent-maximum) or USD, per "
        "cash_reserve_unit.",
        json_schema_extra={"x-percent-maximum": int(CASH_RESERVE_PERCENT_MAX)},
    )
    cash_reserve_unit: Amount | None = None
    cash_reserve_kind: CashReserveKind | None = None
    whole_shares: WholeShares | None = None
    tax_aware: StrictBool | None = None
    avoid_short_term_gains: StrictBool | None = None
    holding_period_days: int | None = Field(default=None, ge=0, le=3650)
    wash_sale_days: int | None = Field(default=None, ge=0, le=3650)


class ScheduleBody(Body):
    """A schedule change; fields left out keep their value."""

    frequency: Frequency | None = Field(default=None, examples=["daily"])
    time_of_day: str | None = Field(
        default=None, pattern=r"^\d{2}:\d{2}$", examples=["10:00"], description="New York time"
    )
    weekday: Literal["monday", "tuesday", "wednesday", "thursday", "friday"] | None = None
    day_of_month: int | None = Field(default=None, ge=1, le=31)
    cron: str | None = Field(default=None, max_length=120, examples=["30 10 * * 1-5"])
    cooldown_minutes: int | None = Field(default=None, ge=0, le=7 * 24 * 60)
    mode: ScheduleMode | None = None


class TokenBody(Body):
    name: str = Field(default="api", min_length=1, max_length=100, examples=["my script"])


class CallableBody(BaseModel):
    """A Firebase callable request: the arguments under ``data``."""

    data: dict[str, Any] = Field(default_factory=dict)


class BacktestBody(Body):
    """A backtest request; units and rules in ``docs/backtest.md``."""

    prices_csv: str | None = Field(
        default=None,
        min_length=1,
        max_length=1_000_000,
        description=(
            "Daily closes: a date column, then one column per symbol; "
            "when omitted, the caller's broker's daily bars"
        ),
        examples=["date,SPY,TLT\n2024-01-02,472.65,98.50\n2024-01-03,468.79,98.90\n"],
    )
    targets: dict[str, Decimal] | None = Field(
        default=None,
        max_length=100,
        description="Symbol to target percent; the caller's allocations when omitted",
        examples=[{"SPY": 60, "TLT": 40}],
    )
    policies: list[str] = Field(
        default_factory=lambda: ["band:5"],
        min_length=1,
        max_length=8,
        examples=[["band:5", "relative:25", "quarterly"]],
    )
    # The ranges of services.backtest.SETTING_RANGES, which the CLI checks too.
    cash: Decimal = Field(default=Decimal(100_000), gt=0, le=CASH_RANGE.maximum)
    cost_bps: Decimal = Field(default=Decimal(0), ge=0, le=COST_BPS_RANGE.maximum)
    cost_per_order: Decimal = Field(default=Decimal(0), ge=0, le=COST_PER_ORDER_RANGE.maximum)
    min_trade: Decimal = Field(default=Decimal(10), ge=0, le=MIN_TRADE_RANGE.maximum)
    fractional: StrictBool = True
    start: date | None = None
    end: date | None = None


class BrokerConnectBody(Body):
    key_id: str = Field(max_length=200, examples=["PKTRIMTABDEMO0000000"])
    secret: SecretStr = Field(max_length=500, description="Stored encrypted; never returned.")
    paper: StrictBool = Field(default=True, description="A paper account; false for live money.")
    confirm_live: StrictBool = Field(
        default=False, description="Required (true) with paper: false: live trades real money."
    )


NotifyEventName = Literal[
    "run_executed", "risk_blocked", "order_rejected", "drift_past_band", "broker_failing"
]


class NotificationsBody(Body):
    """A change of notification preferences; fields left out keep their value."""

    events: list[NotifyEventName] | None = Field(
        default=None, description="Events to be told about", examples=[["run_executed"]]
    )
    email: str | None = Field(
        default=None, max_length=320, description='Address for email; "" removes it'
    )
    webhook_url: str | None = Field(
        default=None, max_length=2000, description='http(s) URL for webhooks; "" removes it'
    )
    rotate_secret: StrictBool = Field(
        default=False, description="Make a new webhook signing secret (shown once)"
    )
