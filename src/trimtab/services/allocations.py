"""Target allocations per user: list, upsert one, delete one, replace the set, enable/disable.

Each target is checked on its own (symbol, percent, band) and symbols must be
unique; a set that does not sum to 100 % may be saved, since the page edits it
one row at a time. The sum is enforced when a run plans.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from trimtab.domain.money import to_decimal
from trimtab.domain.targets import Target, check_target, check_unique, enabled_total
from trimtab.errors import InvalidTargets, NotFound
from trimtab.services.context import AppContext
from trimtab.services.contract import Number, result
from trimtab.store.models import AllocationRow
from trimtab.store.repositories import AllocationValues
from trimtab.store.unit_of_work import UnitOfWork


@result
class Allocation:
    """One symbol's target (percent of the portfolio value) and its own bands."""

    symbol: str
    target_percent: Number
    """0 sells the holding whole (an exit)."""
    enabled: bool
    band_percent: Number | None
    """The symbol's own band in percentage points; null: the policy's."""
    created_at: datetime
    updated_at: datetime
    band_relative_percent: Number | None = None
    """The symbol's band as a percent of its target (25: the 5/25 rule); null: none."""

    @property
    def target(self) -> Target:
        return Target(
            self.symbol,
            self.target_percent,
            self.enabled,
            self.band_percent,
            self.band_relative_percent,
        )


@result
class AllocationList:
    """A user's targets and the sum of the enabled ones."""

    allocations: tuple[Allocation, ...]
    total_percent: Number
    """Sum of the enabled targets, in percent."""

    @property
    def targets(self) -> list[Target]:
        return [item.target for item in self.allocations]


def make_target(
    symbol: object,
    target_percent: object,
    enabled: object = True,
    band_percent: object = None,
    band_relative_percent: object = None,
) -> Target:
    """A checked ``Target`` from loosely typed input; ``InvalidTargets`` names the bad field."""
    if not isinstance(symbol, str):
        raise InvalidTargets("symbol must be a string", field="symbol")
    if not isinstance(enabled, bool):
        raise InvalidTargets(f"{symbol}: enabled must be true or false", field="enabled")
    percent = _percent(symbol, target_percent, "target_percent")
    band = None if band_percent is None else _percent(symbol, band_percent, "band_percent")
    relative = (
        None
        if band_relative_percent is None
        else _percent(symbol, band_relative_percent, "band_relative_percent")
    )
    return check_target(Target(symbol, percent, enabled, band, relative))


def _percent(symbol: str, value: object, field: str) -> Decimal:
    try:
        return to_decimal(value, field=f"{symbol}: {field}")
    except ValueError as err:
        raise InvalidTargets(str(err), field=field) from None


def _item(row: AllocationRow | AllocationValues) -> Allocation:
    return Allocation(
        symbol=row.symbol,
        target_percent=row.target_percent,
        enabled=row.enabled,
        band_percent=row.band_percent,
        created_at=row.created_at,
        updated_at=row.updated_at,
        band_relative_percent=row.band_relative_percent,
    )


def _set(rows: Sequence[AllocationRow | AllocationValues]) -> AllocationList:
    items = tuple(_item(row) for row in rows)
    return AllocationList(allocations=items, total_percent=enabled_total(i.target for i in items))


def list_allocations(ctx: AppContext, user_id: int) -> AllocationList:
    with ctx.store.read() as uow:
        return _set(uow.allocations.values_for_user(user_id))


def load_targets(uow: UnitOfWork, user_id: int) -> list[Target]:
    """The user's targets as the domain takes them (for a run, in its own transaction)."""
    return [_item(row).target for row in uow.allocations.values_for_user(user_id)]


def _write(uow: UnitOfWork, user_id: int, target: Target, now: datetime) -> AllocationRow:
    repo = uow.allocations
    row = repo.get(user_id, target.symbol)
    if row is None:
        row = AllocationRow(user_id=user_id, symbol=target.symbol, created_at=now)
        repo.add(row)
    row.target_percent = target.target_percent
    row.enabled = target.enabled
    row.band_percent = target.band_percent
    row.band_relative_percent = target.band_relative_percent
    row.updated_at = now
    return row


def _changed(ctx: AppContext, user_id: int) -> None:
    ctx.events.publish(user_id, "allocation_changed", {})


def replace_allocations(ctx: AppContext, user_id: int, targets: Sequence[Target]) -> AllocationList:
    """Make ``targets`` the user's whole set at once (kept symbols keep ``created_at``)."""
    for target in targets:
        check_target(target)
    check_unique(targets)
    now = ctx.clock()
    with ctx.store.write() as uow:
        uow.lock_user_edits(user_id)
        repo = uow.allocations
        wanted = {t.symbol for t in targets}
        for row in repo.for_user(user_id):
            if row.symbol not in wanted:
                repo.delete(row)
        uow.flush()
        for target in targets:
            _write(uow, user_id, target, now)
        uow.audit(
            "allocations_replaced",
            user_id=user_id,
            actor=None,
            data={t.symbol: str(t.target_percent) for t in targets},
            now=now,
        )
        uow.flush()
        result = _set(repo.for_user(user_id))
    _changed(ctx, user_id)
    return result


def upsert_allocation(
    ctx: AppContext,
    user_id: int,
    symbol: str,
    target_percent: Decimal,
    enabled: bool = True,
    band_percent: Decimal | None = None,
    band_relative_percent: Decimal | None = None,
) -> Allocation:
    """Create or update one symbol's target; its bands are replaced (``None``: the default)."""
    target = check_target(
        Target(symbol, target_percent, enabled, band_percent, band_relative_percent)
    )
    now = ctx.clock()
    with ctx.store.write() as uow:
        uow.lock_user_edits(user_id)
        row = _write(uow, user_id, target, now)
        uow.audit(
            "allocation_set",
            user_id=user_id,
            actor=None,
            data={"symbol": symbol, "target_percent": str(target_percent), "enabled": enabled},
            now=now,
        )
        item = _item(row)
    _changed(ctx, user_id)
    return item


def _existing(uow: UnitOfWork, user_id: int, symbol: str) -> AllocationRow:
    """The user's target for ``symbol``, their edits locked; ``NotFound`` when there is none."""
    uow.lock_user_edits(user_id)
    row = uow.allocations.get(user_id, symbol)
    if row is None:
        raise NotFound(f"no allocation for {symbol}", field="symbol")
    return row


def set_allocation_enabled(ctx: AppContext, user_id: int, symbol: str, enabled: bool) -> Allocation:
    """Turn one existing target on or off, keeping its percent."""
    now = ctx.clock()
    with ctx.store.write() as uow:
        row = _existing(uow, user_id, symbol)
        row.enabled = enabled
        row.updated_at = now
        item = _item(row)
    _changed(ctx, user_id)
    return item


def delete_allocation(ctx: AppContext, user_id: int, symbol: str) -> None:
    """Remove one symbol's target; a symbol with none is ``NotFound``."""
    now = ctx.clock()
    with ctx.store.write() as uow:
        uow.allocations.delete(_existing(uow, user_id, symbol))
        uow.audit(
            "allocation_deleted",
            user_id=user_id,
            actor=None,
            data={"symbol": symbol},
            now=now,
        )
    _changed(ctx, user_id)
