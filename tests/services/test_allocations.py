"""Allocation CRUD: checked per target, unique symbols, any sum allowed until a run plans."""

from __future__ import annotations

from decimal import Decimal

import pytest

from trimtab.domain.targets import Target
from trimtab.errors import InvalidTargets, NotFound
from trimtab.services import allocations
from trimtab.services.context import AppContext
from trimtab.services.contract import to_json
from trimtab.services.events import InProcessEvents

from .helpers import SEED_TARGETS


def test_replace_all_then_list(ctx: AppContext, user_id: int) -> None:
    result = allocations.replace_allocations(ctx, user_id, SEED_TARGETS)
    assert [i.symbol for i in result.allocations] == ["GLD", "QQQ", "SPY", "TLT"]
    assert result.total_percent == Decimal(100)
    listed = allocations.list_allocations(ctx, user_id)
    assert listed.allocations == result.allocations
    assert listed.allocations[0].target_percent == Decimal("10.0000")


def test_replace_keeps_created_at_of_kept_symbols_and_drops_the_rest(
    ctx: AppContext, user_id: int
) -> None:
    first = allocations.replace_allocations(ctx, user_id, SEED_TARGETS)
    created = {i.symbol: i.created_at for i in first.allocations}
    ctx.clock.advance(60)  # type: ignore[attr-defined]
    second = allocations.replace_allocations(
        ctx, user_id, [Target("SPY", Decimal(60)), Target("BND", Decimal(40))]
    )
    assert {i.symbol for i in second.allocations} == {"SPY", "BND"}
    spy = next(i for i in second.allocations if i.symbol == "SPY")
    assert spy.created_at == created["SPY"]
    assert spy.updated_at > spy.created_at


def test_a_bad_replacement_changes_nothing(ctx: AppContext, user_id: int) -> None:
    allocations.replace_allocations(ctx, user_id, SEED_TARGETS)
    with pytest.raises(InvalidTargets) as err:
        allocations.replace_allocations(
            ctx, user_id, [Target("SPY", Decimal(50)), Target("SPY", Decimal(50))]
        )
    assert err.value.field == "symbol"
    assert len(allocations.list_allocations(ctx, user_id).allocations) == 4


@pytest.mark.parametrize(
    ("target", "field"),
    [
        (Target("spy", Decimal(10)), "symbol"),
        (Target("SPY", Decimal(-1)), "target_percent"),
        (Target("SPY", Decimal(101)), "target_percent"),
        (Target("SPY", Decimal(10), band_percent=Decimal(-1)), "band_percent"),
    ],
)
def test_invalid_target_names_the_field(
    ctx: AppContext, user_id: int, target: Target, field: str
) -> None:
    with pytest.raises(InvalidTargets) as err:
        allocations.upsert_allocation(
            ctx, user_id, target.symbol, target.target_percent, True, target.band_percent
        )
    assert err.value.field == field


def test_make_target_parses_loose_input(ctx: AppContext) -> None:
    assert allocations.make_target("SPY", "40.5", True, 3) == Target(
        "SPY", Decimal("40.5"), True, Decimal(3)
    )
    with pytest.raises(InvalidTargets) as err:
        allocations.make_target("SPY", "forty")
    assert err.value.field == "target_percent"
    with pytest.raises(InvalidTargets) as err:
        allocations.make_target("SPY", 40, "yes")
    assert err.value.field == "enabled"


def test_an_incomplete_set_is_saved_and_the_run_refuses_it(ctx: AppContext, user_id: int) -> None:
    from trimtab.services.rebalance import check_rebalance_drift

    allocations.upsert_allocation(ctx, user_id, "SPY", Decimal(40))
    assert allocations.list_allocations(ctx, user_id).total_percent == Decimal(40)
    result = to_json(check_rebalance_drift(ctx, user_id, dry_run=True))
    assert "targets sum to 40.00 %" in result["message"]


def test_upsert_enable_disable_and_delete(ctx: AppContext, user_id: int) -> None:
    allocations.replace_allocations(ctx, user_id, SEED_TARGETS)
    allocations.upsert_allocation(ctx, user_id, "GLD", Decimal(15), band_percent=Decimal(2))
    gld = allocations.set_allocation_enabled(ctx, user_id, "GLD", False)
    assert (gld.target_percent, gld.enabled, gld.band_percent) == (
        Decimal(15),
        False,
        Decimal(2),
    )
    assert allocations.list_allocations(ctx, user_id).total_percent == Decimal(90)
    allocations.delete_allocation(ctx, user_id, "GLD")
    with pytest.raises(NotFound):
        allocations.delete_allocation(ctx, user_id, "GLD")
    with pytest.raises(NotFound):
        allocations.set_allocation_enabled(ctx, user_id, "GLD", True)


def test_allocations_are_per_user(ctx: AppContext, user_id: int) -> None:
    from trimtab.services import users

    bob = users.create_user(ctx, "bob@example.com", "correct horse battery")
    allocations.replace_allocations(ctx, user_id, SEED_TARGETS)
    assert allocations.list_allocations(ctx, bob.id).allocations == ()
    with pytest.raises(NotFound):
        allocations.delete_allocation(ctx, bob.id, "SPY")


def test_changes_publish_allocation_changed(ctx: AppContext, user_id: int) -> None:
    assert isinstance(ctx.events, InProcessEvents)
    with ctx.events.subscribe(user_id) as subscription:
        allocations.upsert_allocation(ctx, user_id, "SPY", Decimal(100))
        event = subscription.get(timeout=1)
    assert event is not None and event.kind == "allocation_changed"
