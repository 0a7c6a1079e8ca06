"""Each user's rebalancing knobs: drift threshold, minimum trade, cash buffer, what to do
with holdings that have no target, and the oldest price a plan trades on."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from trimtab.domain.money import MONEY_RANGE, PERCENT_RANGE, ZERO, NumberRange
from trimtab.domain.policy import Policy, UntargetedHoldings
from trimtab.errors import InvalidInput
from trimtab.services.context import AppContext
from trimtab.store.models import PolicyRow
from trimtab.store.repositories import Policies, record_audit

SECONDS_PER_HOUR = Decimal(3600)


def _policy(row: PolicyRow | None) -> Policy:
    if row is None:
        return Policy()
    return Policy(
        threshold_percent=row.threshold_percent,
        min_trade=row.min_trade,
        cash_buffer_percent=row.cash_buffer_percent,
        untargeted=UntargetedHoldings(row.untargeted),
        max_price_age=timedelta(hours=float(row.max_price_age_hours)),
    )


def price_age_hours(policy: Policy) -> Decimal:
    """The policy's price age limit in hours, as the settings show it."""
    return Decimal(int(policy.max_price_age.total_seconds())) / SECONDS_PER_HOUR


def read_policy(session: Session, user_id: int) -> Policy:
    """The user's policy, the seed's defaults where none was saved."""
    return _policy(Policies(session).get(user_id))


def get_policy(ctx: AppContext, user_id: int) -> Policy:
    with ctx.session_factory() as session:
        return read_policy(session, user_id)


#: What each knob may be (the API's schema states the same ranges).
THRESHOLD_RANGE = PERCENT_RANGE.narrowed(above=True)
MIN_TRADE_RANGE = MONEY_RANGE.narrowed(maximum=Decimal(10**9))
CASH_BUFFER_RANGE = PERCENT_RANGE.narrowed(maximum=Decimal(50))
#: Hours; a month at most: past that a price says nothing about today's market.
PRICE_AGE_RANGE = NumberRange(ZERO, Decimal(720), 2, above=True)


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
) -> Policy:
    """Change the given knobs (``None`` keeps one as it is) and return the whole policy.

    ``untargeted`` is ``leave`` or ``sell``; ``max_price_age_hours`` is above 0 and at
    most 720. Raises ``InvalidInput`` naming the field.
    """
    changes: dict[str, object] = {}
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
    now = ctx.clock()
    with ctx.session_factory.begin() as session:
        repo = Policies(session)
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
        row.updated_at = now
        record_audit(
            session,
            "policy_updated",
            user_id=user_id,
            actor=None,
            data={k: str(v) for k, v in changes.items()},
            now=now,
        )
        return _policy(row)
