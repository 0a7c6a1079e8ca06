"""Run history: newest first, paged, and private to its user."""

from __future__ import annotations

import pytest

from trimtab.domain.lifecycle import RunStatus, Trigger
from trimtab.errors import InvalidInput, NotFound
from trimtab.services import runs, users
from trimtab.services.context import AppContext
from trimtab.services.contract import to_json
from trimtab.services.events import InProcessEvents
from trimtab.services.rebalance import check_rebalance_drift, preview_plan

from .helpers import PASSWORD


def test_runs_are_listed_newest_first_and_paged(ctx: AppContext, seeded: int) -> None:
    ids = [to_json(check_rebalance_drift(ctx, seeded, dry_run=True))["run_id"] for _ in range(3)]
    page = to_json(runs.list_runs(ctx, seeded, limit=2))
    assert page["total"] == 3
    assert [r["id"] for r in page["runs"]] == ids[::-1][:2]
    assert [
        r["id"] for r in to_json(runs.list_runs(ctx, seeded, limit=2, offset=2))["runs"]
    ] == ids[:1]
    assert page["runs"][0]["dry_run"] is True and page["runs"][0]["trigger"] == "manual"


def test_the_list_shows_the_largest_drift_of_each_run(ctx: AppContext, seeded: int) -> None:
    checked = to_json(check_rebalance_drift(ctx, seeded, dry_run=True))
    largest = max(abs(row["drift_percent"]) for row in checked["drift_analysis"])
    assert largest > 0
    listed = to_json(runs.list_runs(ctx, seeded))["runs"][0]
    assert listed["max_drift_percent"] == largest
    assert to_json(runs.get_run(ctx, seeded, checked["run_id"]))["max_drift_percent"] == largest


def test_a_run_keeps_its_inputs(ctx: AppContext, seeded: int) -> None:
    run_id = to_json(check_rebalance_drift(ctx, seeded, dry_run=True, symbols=["SPY"]))["run_id"]
    detail = to_json(runs.get_run(ctx, seeded, run_id))
    inputs = detail["inputs"]
    assert inputs["account"]["cash"] == "100000.000000000"
    assert [t["symbol"] for t in inputs["targets"]] == ["GLD", "QQQ", "SPY", "TLT"]
    assert inputs["symbols"] == ["SPY"]
    assert inputs["policy"]["threshold_percent"] == "5"


def test_another_users_run_is_not_found(ctx: AppContext, seeded: int) -> None:
    run_id = to_json(check_rebalance_drift(ctx, seeded, dry_run=True))["run_id"]
    bob = users.create_user(ctx, "bob@example.com", PASSWORD)
    with pytest.raises(NotFound):
        to_json(runs.get_run(ctx, bob.id, run_id))
    assert to_json(runs.list_runs(ctx, bob.id))["runs"] == []


def test_bad_paging_names_the_field(ctx: AppContext, seeded: int) -> None:
    with pytest.raises(InvalidInput) as err:
        to_json(runs.list_runs(ctx, seeded, limit=0))
    assert err.value.field == "limit"
    with pytest.raises(InvalidInput) as err:
        to_json(runs.list_runs(ctx, seeded, offset=-1))
    assert err.value.field == "offset"


def test_a_live_run_publishes_its_progress(ctx: AppContext, seeded: int) -> None:
    assert isinstance(ctx.events, InProcessEvents)
    with ctx.events.subscribe(seeded) as subscription:
        to_json(check_rebalance_drift(ctx, seeded))
        kinds = []
        while (event := subscription.get(timeout=0)) is not None:
            kinds.append(event.kind)
    assert kinds[0] == "run_started"
    assert kinds[-1] == "run_finished"
    assert "order_updated" in kinds


def test_runs_filter_by_dry_run_trigger_and_status(ctx: AppContext, seeded: int) -> None:
    preview = to_json(check_rebalance_drift(ctx, seeded, dry_run=True))["run_id"]
    live = to_json(check_rebalance_drift(ctx, seeded))["run_id"]
    scheduled = to_json(check_rebalance_drift(ctx, seeded, dry_run=True, trigger="scheduled"))

    def ids(**filters: object) -> tuple[list[int], int]:
        page = to_json(runs.list_runs(ctx, seeded, **filters))  # type: ignore[arg-type]
        return [r["id"] for r in page["runs"]], page["total"]

    assert ids(dry_run=False) == ([live], 1)
    assert ids(dry_run=True) == ([scheduled["run_id"], preview], 2)
    assert ids(trigger=Trigger.SCHEDULED) == ([scheduled["run_id"]], 1)
    assert ids(status=RunStatus.PLANNED) == ([preview], 1)
    assert ids(status=RunStatus(scheduled["status"]), trigger=Trigger.MANUAL) == ([], 0)
    assert ids(limit=1, dry_run=True) == ([scheduled["run_id"]], 2)


def test_a_plan_preview_records_no_run_and_publishes_nothing(ctx: AppContext, seeded: int) -> None:
    assert isinstance(ctx.events, InProcessEvents)
    with ctx.events.subscribe(seeded) as subscription:
        plan = to_json(preview_plan(ctx, seeded))
        assert subscription.get(timeout=0) is None
    assert plan["trades_planned"] and plan["outcome"] == "planned"
    assert to_json(runs.list_runs(ctx, seeded))["total"] == 0
