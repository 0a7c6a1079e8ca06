"""Each user's rebalancing knobs: drift threshold, minimum trade, cash buffer, what to do
with holdings that have no target, and the oldest price a plan trades on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from trimtab.domain.money import MONEY_RANGE, PERCENT_RANGE, ZERO, NumberRange
from trimtab.domain.policy import (
    Amount,
    CashMode,
    CashReserveKind,
    Policy,
    Scope,
    TradeTo,
    UntargetedHoldings,
    WholeShares,
    policy_from_json,
    policy_to_json,
)
from trimtab.errors import InvalidInput
from trimtab.services.contract import Number, result

# The store is imported where it is used: ``trimtab plan`` checks options with no database.
if TYPE_CHECKING:
    from trimtab.services.context import AppContext
    from trimtab.store.models import PolicyRow
    from trimtab.store.repositories import PolicyValues
    from trimtab.store.unit_of_work import UnitOfWork

SECONDS_PER_HOUR = Decimal(3600)


def _policy(row: PolicyRow | PolicyValues | None) -> Policy:
    if row is None:
        return Policy()
    options = policy_from_json({k: v for k, v in (row.options or {}).items() if k in OPTIONS})
    return replace(
        options,
        threshold_percent=row.threshold_percent,
        min_trade=row.min_trade,
        cash_buffer_percent=row.cash_buffer_percent,
        untargeted=UntargetedHoldings(row.untargeted),
        max_price_age=timedelta(hours=float(row.max_price_age_hours)),
    )


def price_age_hours(policy: Policy) -> Decimal:
    """The policy's price age limit in hours, as the settings show it."""
    return Decimal(int(policy.max_price_age.total_seconds())) / SECONDS_PER_HOUR


@result
class PolicyView:
    """A user's rebalancing rules as ``GET /api/settings`` and ``trimtab settings show``
    give them (``docs/policies.md``): exact decimals, written as JSON numbers."""

    threshold_percent: Number
    min_trade: Number
    cash_buffer_percent: Number
    untargeted: UntargetedHoldings
    max_price_age_hours: Number
    relative_band_percent: Number | None
    scope: Scope
    trade_to: TradeTo
    cash_mode: CashMode
    withdrawal_amount: Number
    invest_cash: bool
    cash_reserve: Number
    cash_reserve_unit: Amount
    cash_reserve_kind: CashReserveKind
    whole_shares: WholeShares
    tax_aware: bool
    avoid_short_term_gains: bool
    holding_period_days: int
    wash_sale_days: int


def policy_view(policy: Policy) -> PolicyView:
    return PolicyView(
        threshold_percent=policy.threshold_percent,
        min_trade=policy.min_trade,
        cash_buffer_percent=policy.cash_buffer_percent,
        untargeted=policy.untargeted,
        max_price_age_hours=price_age_hours(policy),
        **{name: getattr(policy, name) for name in OPTIONS},
    )


def read_policy(uow: UnitOfWork, user_id: int) -> Policy:
    """The user's policy, the classic defaults where none was saved."""
    return _policy(uow.policies.values_of(user_id))


def get_policy(ctx: AppContext, user_id: int) -> Policy:
    with ctx.store.read() as uow:
        return read_policy(uow, user_id)


#: What each knob may be (the API's schema states the same ranges).
THRESHOLD_RANGE = PERCENT_RANGE.narrowed(above=True)
MIN_TRADE_RANGE = MONEY_RANGE.narrowed(maximum=Decimal(10**9))
CASH_BUFFER_RANGE = PERCENT_RANGE.narrowed(maximum=Decimal(50))
#: Hours; a month at most: past that a price says nothing about today's market.
PRICE_AGE_RANGE = NumberRange(ZERO, Decimal(720), 2, above=True)


#: The policy options (docs/policies.md) kept in ``rebalance_policies.options``, and what
#: each may be: a number range, an enum, or a bool.
RELATIVE_BAND_RANGE = PERCENT_RANGE
CASH_RESERVE_RANGE = MONEY_RANGE.narrowed(maximum=Decimal(10**9))
#: A ``cash_reserve`` in percent is a share of the portfolio value: at most all of it.
CASH_RESERVE_PERCENT_MAX = Decimal(100)
WITHDRAWAL_RANGE = MONEY_RANGE.narrowed(maximum=Decimal(10**9))
DAYS_RANGE = NumberRange(ZERO, Decimal(3650), 0)
OPTIONS: dict[str, NumberRange | type[StrEnum] | type[bool]] = {
    "relative_band_percent": RELATIVE_BAND_RANGE,
    "scope": Scope,
    "trade_to": TradeTo,
    "cash_mode": CashMode,
    "withdrawal_amount": WITHDRAWAL_RANGE,
    "invest_cash": bool,
    "cash_reserve": CASH_RESERVE_RANGE,
    "cash_reserve_unit": Amount,
    "cash_reserve_kind": CashReserveKind,
    "whole_shares": WholeShares,
    "tax_aware": bool,
    "avoid_short_term_gains": bool,
    "holding_period_days": DAYS_RANGE,
    "wash_sale_days": DAYS_RANGE,
}
#: The options that may be unset (``None``), and the words that unset one.
OPTIONAL_NUMBERS = frozenset({"relative_band_percent"})
OFF_WORDS = frozenset({"off", "none", ""})


def check_option(name: str, value: object) -> object:
    """One option's value, checked; ``relative_band_percent`` 0, ``off``, ``none`` or an
    empty text turns that band off (``None``: how ``settings show`` prints it).

    Raises ``InvalidInput`` naming the field.
    """
    kind = OPTIONS[name]
    if name in OPTIONAL_NUMBERS and str(value).strip().lower() in OFF_WORDS:
        return None
    if isinstance(kind, NumberRange):
        number = _checked(value, name, kind)
        if name == "relative_band_percent":
            return None if number == ZERO else number
        if name.endswith("_days"):
            return int(number)
        return number
    if kind is bool:
        if not isinstance(value, bool):
            raise InvalidInput(f"{name} must be true or false, got {value!r}", field=name)
        return value
    choices = [str(member) for member in kind]
    if str(value) not in choices:
        raise InvalidInput(f"{name} must be one of {', '.join(choices)}, got {value!r}", field=name)
    return kind(str(value))


def check_reserve(policy: Policy) -> Policy:
    """``policy`` unchanged if its ``cash_reserve`` fits its unit: at most
    ``CASH_RESERVE_PERCENT_MAX`` (100) when ``cash_reserve_unit`` is percent.

    Raises ``InvalidInput`` naming ``cash_reserve``.
    """
    if (
        policy.cash_reserve_unit == Amount.PERCENT
        and policy.cash_reserve > CASH_RESERVE_PERCENT_MAX
    ):
        raise InvalidInput(
            f"cash_reserve in percent must be at most {CASH_RESERVE_PERCENT_MAX}, "
            f"got {policy.cash_reserve.normalize():f}",
            field="cash_reserve",
        )
    return policy


def _checked(value: object, field: str, bounds: NumberRange) -> Decimal:
    try:
        return bounds.check(value, field=field)
    except ValueError as err:
        raise InvalidInput(str(err), field=field) from None


def update_policy(
    ctx: AppContext,
    user_id: int,
    *,
    threshold_percent: object = None,
    min_trade: object = None,
    cash_buffer_percent: object = None,
    untargeted: object = None,
    max_price_age_hours: object = None,
    options: Mapping[str, object] | None = None,
) -> Policy:
    """Change the given knobs (``None`` keeps one as it is) and return the whole policy.

    ``untargeted`` is ``leave`` or ``sell``; ``max_price_age_hours`` is above 0 and at
    most 720; ``options`` holds any of ``OPTIONS`` (docs/policies.md). Raises
    ``InvalidInput`` naming the field. Once saved, ``settings_changed`` goes to the
    user's open pages.
    """
    changes: dict[str, object] = {}
    option_changes: dict[str, Any] = {}
    for name, value in (options or {}).items():
        if name not in OPTIONS:
            raise InvalidInput(f"unknown policy option {name!r}", field=name)
        if value is not None:
            option_changes[name] = check_option(name, value)
    if threshold_percent is not None:
        changes["threshold_percent"] = _checked(
            threshold_percent, "threshold_percent", THRESHOLD_RANGE
        )
    if min_trade is not None:
        changes["min_trade"] = _checked(min_trade, "min_trade", MIN_TRADE_RANGE)
    if cash_buffer_percent is not None:
        changes["cash_buffer_percent"] = _checked(
            cash_buffer_percent, "cash_buffer_percent", CASH_BUFFER_RANGE
        )
    if untargeted is not None:
        try:
            changes["untargeted"] = str(UntargetedHoldings(str(untargeted)))
        except ValueError:
            raise InvalidInput(
                f"untargeted must be leave or sell, got {untargeted!r}", field="untargeted"
            ) from None
    if max_price_age_hours is not None:
        changes["max_price_age_hours"] = _checked(
            max_price_age_hours, "max_price_age_hours", PRICE_AGE_RANGE
        )
    from trimtab.store.models import PolicyRow

    now = ctx.clock()
    with ctx.store.write() as uow:
        repo = uow.policies
        row = repo.get(user_id)
        if row is None:
            default = Policy()
            row = PolicyRow(
                user_id=user_id,
                threshold_percent=default.threshold_percent,
                min_trade=default.min_trade,
                cash_buffer_percent=default.cash_buffer_percent,
                untargeted=str(default.untargeted),
                max_price_age_hours=price_age_hours(default),
            )
            repo.add(row)
        for name, value in changes.items():
            setattr(row, name, value)
        if option_changes:
            saved = policy_to_json(check_reserve(replace(_policy(row), **option_changes)))
            defaults = policy_to_json(Policy())
            row.options = {k: saved[k] for k in OPTIONS if saved[k] != defaults[k]}
            changes.update(option_changes)
        row.updated_at = now
        uow.audit(
            "policy_updated",
            user_id=user_id,
            actor=None,
            data={k: str(v) for k, v in changes.items()},
            now=now,
        )
        policy = _policy(row)
    ctx.events.publish(user_id, "settings_changed", {})
    return policy
