"""``check_rebalance_drift``: the classic use case, on a recorded run with a per-user lock."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from trimtab.brokers.base import Broker
from trimtab.domain.planner import Plan, PlanOutcome, plan_rebalance
from trimtab.domain.policy import Policy, policy_from_json, policy_to_json
from trimtab.domain.targets import Target, check_symbol, enabled_targets
from trimtab.errors import BrokerError, Conflict, InvalidInput, InvalidTargets, TrimtabError
from trimtab.monitoring.metrics import record_run, record_run_error
from trimtab.services.allocations import load_targets
from trimtab.services.broker_accounts import account_lock, shares_account
from trimtab.services.broker_view import (
    BrokerView,
    account_block_reason,
    account_flags,
    read_broker,
    snapshot_json,
)
from trimtab.services.context import AppContext
from trimtab.services.contract import (
    CheckResult,
    PlanResult,
    plan_result,
    to_json,
)
from trimtab.services.events import publish_with_change
from trimtab.services.live_run import LiveRun
from trimtab.services.notifications import notify_broker_failing, notify_run_finished
from trimtab.services.order_steps import order_changed
from trimtab.services.policy import read_policy
from trimtab.services.risk import read_risk
from trimtab.services.run_records import (
    UNFINISHED,
    OrderState,
    RunStatus,
    Trigger,
    client_order_id,
    max_drift_percent,
    run_result,
)
from trimtab.services.tax_lots import tax_context
from trimtab.store.locks import ALREADY_RUNNING, RunLock
from trimtab.store.models import OrderRow, RebalanceRunRow


@dataclass(frozen=True, slots=True)
class CheckRequest:
    """One call of ``check_rebalance_drift``, its arguments checked."""

    user_id: int
    dry_run: bool
    #: Trade only these symbols; ``None`` trades any that drifted.
    symbols: frozenset[str] | None
    trigger: Trigger
    queue_if_closed: bool


#: Plans that say the check cannot be done as asked: recorded ``refused``, not
#: ``nothing_to_do``, so the page and the history show them as problems to fix.
REFUSALS = frozenset(
    {PlanOutcome.NO_TARGETS, PlanOutcome.INVALID_TARGETS, PlanOutcome.VALUATION_MISMATCH}
)
MARKET_CLOSED = (
    "Market is closed: no orders sent. Check again when it opens, or queue the orders "
    "for the open (queue_if_closed)"
)


def check_rebalance_drift(
    ctx: AppContext,
    user_id: int,
    dry_run: bool = False,
    symbols: Iterable[str] | None = None,
    trigger: str = "manual",
    queue_if_closed: bool = False,
) -> CheckResult:
    """Measure drift and, unless ``dry_run``, place the orders that correct it, waiting for
    them (bounded by ``RunOptions.fill_timeout``).

    Returns the classic contract plus ``run_id`` and ``status``. A live check first
    takes the user's run lock (``Conflict`` if a run is in flight) and finishes any
    run left unfinished before planning a new one.
    """
    request = _request(user_id, dry_run, symbols, trigger, queue_if_closed)
    with _counted_errors(ctx, request):
        if dry_run:
            return _check(ctx, request, ctx.broker_for(user_id), None)
        with account_lock(ctx, user_id) as lock:
            return check_holding_lock(ctx, request, lock)


def start_live_check(
    ctx: AppContext,
    user_id: int,
    symbols: Iterable[str] | None = None,
    trigger: str = "manual",
    queue_if_closed: bool = False,
) -> CheckResult:
    """Plan and record a live run without sending its orders; ``advance_run`` sends them.

    Returns the recorded run's contract: ``status`` is ``running`` when orders are to be
    placed (then hand the run to a worker or a background thread), else final. An
    unfinished run is returned as it stands (``resumed: true``) rather than planning
    another. ``Conflict`` when a run holds the account.
    """
    request = _request(user_id, False, symbols, trigger, queue_if_closed)
    with _counted_errors(ctx, request), account_lock(ctx, user_id):
        with ctx.store.read() as uow:
            unfinished = uow.runs.unfinished(user_id, list(UNFINISHED))
            if unfinished is not None:
                orders = uow.orders.for_run(unfinished.id)
                return run_result(unfinished, orders, resumed=True)
        _refuse_while_another_user_runs(ctx, user_id)
        return _check(ctx, request, ctx.broker_for(user_id), None, send_orders=False)


@contextmanager
def _counted_errors(ctx: AppContext, request: CheckRequest) -> Iterator[None]:
    """Count a check that raised (outcome: the error's code); tell the user when the
    broker is failing. A check that ends is counted where its run ends."""
    try:
        yield
    except TrimtabError as err:
        record_run_error(
            user_id=request.user_id,
            trigger=str(request.trigger),
            dry_run=request.dry_run,
            code=err.code,
        )
        if isinstance(err, BrokerError):
            notify_broker_failing(ctx, request.user_id, err)
        raise


def advance_run(ctx: AppContext, user_id: int) -> CheckResult | None:
    """Send and follow the orders of the user's unfinished live run, if there is one.

    ``Conflict`` when another process holds the account (it is then moving the run).
    """
    with account_lock(ctx, user_id) as lock:
        return _resume(ctx, user_id, ctx.broker_for(user_id), lock)


def check_holding_lock(
    ctx: AppContext, request: CheckRequest, lock: RunLock, *, market_open: bool | None = None
) -> CheckResult:
    """A live check by a caller that holds the account's lock: resume, or plan and trade.

    ``market_open``: the broker's clock as the caller just read it, so it is not read
    again; ``None`` reads it.
    """
    broker = ctx.broker_for(request.user_id)
    resumed = _resume(ctx, request.user_id, broker, lock)
    if resumed is not None:
        return resumed
    _refuse_while_another_user_runs(ctx, request.user_id)
    return _check(ctx, request, broker, lock, market_open=market_open)


def _refuse_while_another_user_runs(ctx: AppContext, user_id: int) -> None:
    """``Conflict`` when another user connected to the same broker account has a live run
    not finished yet: its orders are planned, or sent and awaiting fills, outside the
    lock, and a second plan on the same positions would trade them twice."""
    with ctx.store.read() as uow:
        others = uow.runs.users_with_unfinished(list(UNFINISHED))
    if shares_account(ctx, user_id, others):
        raise Conflict(ALREADY_RUNNING)


def _request(
    user_id: int,
    dry_run: bool,
    symbols: Iterable[str] | None,
    trigger: str,
    queue_if_closed: bool,
) -> CheckRequest:
    try:
        run_trigger = Trigger(trigger)
    except ValueError:
        raise InvalidInput("trigger must be manual or scheduled", field="trigger") from None
    return CheckRequest(user_id, dry_run, _checked_symbols(symbols), run_trigger, queue_if_closed)


def resume_unfinished_runs(ctx: AppContext) -> list[CheckResult]:
    """For the worker and the schedule sweep: move every run that crashed or awaits fills
    forward; new runs start none.

    An account whose run is in flight elsewhere is left to that run.
    """
    with ctx.store.read() as uow:
        user_ids = uow.runs.users_with_unfinished(list(UNFINISHED))
    results = []
    for user_id in user_ids:
        try:
            resumed = advance_run(ctx, user_id)
        except Conflict:
            continue
        if resumed is not None:
            results.append(resumed)
    return results


def resume_holding_lock(ctx: AppContext, user_id: int, lock: RunLock) -> CheckResult | None:
    """Advance the user's unfinished live run, if any, for a caller that holds the lock."""
    return _resume(ctx, user_id, ctx.broker_for(user_id), lock)


def _resume(ctx: AppContext, user_id: int, broker: Broker, lock: RunLock) -> CheckResult | None:
    """Advance the user's unfinished live run, if there is one (the caller holds the lock)."""
    with ctx.store.read() as uow:
        unfinished = uow.runs.unfinished(user_id, list(UNFINISHED))
    if unfinished is None:
        return None
    policy = _policy_of(unfinished)
    live = LiveRun(ctx, broker, lock, user_id=user_id, run_id=unfinished.id, policy=policy)
    return replace(live.advance(resuming=True), resumed=True)


def _checked_symbols(symbols: Iterable[str] | None) -> frozenset[str] | None:
    if symbols is None:
        return None
    if isinstance(symbols, str):
        raise InvalidInput("symbols must be a list of tickers", field="symbols")
    try:
        return frozenset(check_symbol(s) for s in symbols)
    except InvalidTargets as err:
        raise InvalidInput(err.message, field="symbols") from None


def _refuse_untargeted_symbols(symbols: frozenset[str] | None, targets: Sequence[Target]) -> None:
    """Raises ``InvalidInput`` naming ``symbols`` when one of them has no target: a
    partial rebalance trades targeted symbols only, so such a name is a typo."""
    unknown = sorted((symbols or frozenset()) - {t.symbol for t in targets})
    if unknown:
        raise InvalidInput(
            f"symbols: {', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not "
            "a target (trimtab allocations show lists them)",
            field="symbols",
        )


def _check(
    ctx: AppContext,
    request: CheckRequest,
    broker: Broker,
    lock: RunLock | None,
    *,
    send_orders: bool = True,
    market_open: bool | None = None,
) -> CheckResult:
    """Plan from the broker's account, record the run, and (``send_orders``) place its
    orders if it is live."""
    user_id = request.user_id
    started = time.perf_counter()
    planned = _plan(ctx, request, broker, market_open)
    plan, view, policy, targets = planned.plan, planned.view, planned.policy, planned.targets
    status, message, result = planned.status, planned.message, planned.result
    inputs = {
        **snapshot_json(view),
        "targets": [_target_json(t) for t in targets],
        "policy": policy_to_json(policy),
        "symbols": sorted(request.symbols) if request.symbols is not None else None,
        "queue_if_closed": request.queue_if_closed,
    }
    run_id, recorded = _record(ctx, request, plan, status, message, inputs, result)
    if status is not RunStatus.RUNNING:
        record_run(
            recorded,
            user_id=user_id,
            trigger=str(request.trigger),
            dry_run=request.dry_run,
            seconds=time.perf_counter() - started,
        )
        notify_run_finished(ctx, user_id, recorded)
        return recorded
    ctx.events.publish(user_id, "run_started", {"run_id": run_id})
    if not send_orders:
        return recorded
    assert lock is not None
    live = LiveRun(ctx, broker, lock, user_id=user_id, run_id=run_id, policy=policy)
    return live.advance(resuming=False, market_open=view.market_open)


@dataclass(frozen=True, slots=True)
class _Planned:
    """A check's plan and what it read, before anything is recorded."""

    plan: Plan
    view: BrokerView
    policy: Policy
    targets: Sequence[Target]
    status: RunStatus
    message: str
    result: PlanResult


def _plan(
    ctx: AppContext, request: CheckRequest, broker: Broker, market_open: bool | None = None
) -> _Planned:
    """Read the user's rules, targets and risk, and the broker's account (and its clock,
    for a live check, unless the caller gives ``market_open``), and plan."""
    user_id = request.user_id
    # One snapshot: an allocation edit racing the run is seen whole or not at all.
    with ctx.store.read() as uow:
        policy = read_policy(uow, user_id)
        targets = load_targets(uow, user_id)
        blocked_reason = read_risk(uow, user_id).blocked_reason
    _refuse_untargeted_symbols(request.symbols, targets)
    view = read_broker(
        broker,
        (t.symbol for t in enabled_targets(targets)),
        now=ctx.clock(),
        with_clock=not request.dry_run and market_open is None,
        max_price_age=policy.max_price_age,
    )
    if not request.dry_run and market_open is not None:
        view = replace(view, market_open=market_open)
    tax = tax_context(ctx, user_id, broker, ctx.clock().date()) if policy.tax_aware else None
    plan = plan_rebalance(targets, view.portfolio, policy, request.symbols, tax)
    blocked_reason = blocked_reason or account_block_reason(view.account)
    status, message = _decide(plan, view, blocked_reason, request)
    result = plan_result(
        plan,
        dry_run=request.dry_run,
        message=message,
        trading_blocked=blocked_reason,
        account=account_flags(view.account),
    )
    if status is RunStatus.BLOCKED_BY_RISK:
        result = replace(result, outcome=PlanOutcome.BLOCKED_BY_RISK)
    return _Planned(plan, view, policy, targets, status, message, result)


def preview_plan(ctx: AppContext, user_id: int, symbols: Iterable[str] | None = None) -> PlanResult:
    """What a rebalance would do now, recorded nowhere: no run, no event, no metric.

    For a page that shows the orders before the user confirms them, or the drift as it
    stands after a run; ``outcome`` says when the plan is refused. A dry run that should
    be kept in the history is ``check_rebalance_drift(dry_run=True)``.
    """
    request = _request(user_id, True, symbols, "manual", False)
    return _plan(ctx, request, ctx.broker_for(user_id)).result


def _decide(
    plan: Plan, view: BrokerView, blocked_reason: str | None, request: CheckRequest
) -> tuple[RunStatus, str]:
    """What this check will do, and the message that says so."""
    if plan.outcome in REFUSALS:
        return RunStatus.REFUSED, plan.message
    if request.dry_run:
        status = RunStatus.PLANNED if plan.orders else RunStatus.NOTHING_TO_DO
        suffix = f" (orders would be refused now: {blocked_reason})" if blocked_reason else ""
        return status, f"Dry run: {plan.message}{suffix}"
    if not plan.orders:
        return RunStatus.NOTHING_TO_DO, plan.message
    if blocked_reason is not None:
        return RunStatus.BLOCKED_BY_RISK, f"{blocked_reason}; drift reported, no orders placed"
    if view.market_open is False and not request.queue_if_closed:
        return RunStatus.NOTHING_TO_DO, MARKET_CLOSED
    return RunStatus.RUNNING, plan.message


def _record(
    ctx: AppContext,
    request: CheckRequest,
    plan: Plan,
    status: RunStatus,
    message: str,
    inputs: dict[str, Any],
    result: PlanResult,
) -> tuple[int, CheckResult]:
    """Store the run and, for a live run that will trade, its orders, before any is sent;
    a run that ends here (any but ``running``) publishes ``run_finished`` with it.

    Returns the run's id and its result as recorded.
    """
    user_id = request.user_id
    now = ctx.clock()
    stored = to_json(result)
    with ctx.store.write() as uow:
        run = uow.runs.insert(
            RebalanceRunRow(
                user_id=user_id,
                trigger=str(request.trigger),
                dry_run=request.dry_run,
                queue_if_closed=request.queue_if_closed,
                status=str(status),
                outcome=str(result.outcome),
                needs_rebalance=plan.needs_rebalance,
                portfolio_value=plan.portfolio_value,
                message=message,
                order_key=_order_key(),
                inputs=inputs,
                result=stored,
                max_drift_percent=max_drift_percent(stored),
                created_at=now,
                updated_at=now,
                finished_at=None if status is RunStatus.RUNNING else now,
            )
        )
        planned_rows = []
        if status is RunStatus.RUNNING:
            orders = uow.orders
            # Sells first: they fund the buys.
            for seq, planned in enumerate((*plan.sells, *plan.buys)):
                row = orders.add(
                    OrderRow(
                        user_id=user_id,
                        run_id=run.id,
                        seq=seq,
                        client_order_id=client_order_id(run, seq, planned.side, planned.symbol),
                        symbol=planned.symbol,
                        side=str(planned.side),
                        qty=planned.qty,
                        planned_price=planned.price,
                        status=str(OrderState.PLANNED),
                        filled_qty=Decimal(0),
                        created_at=now,
                        updated_at=now,
                    )
                )
                planned_rows.append(row)
        uow.audit(
            "rebalance_checked",
            user_id=user_id,
            actor=None,
            data={"run_id": run.id, "dry_run": request.dry_run, "status": str(status)},
            now=now,
        )
        if status is not RunStatus.RUNNING:
            publish_with_change(
                ctx.events,
                uow,
                user_id,
                "run_finished",
                {"run_id": run.id, "status": status, "message": message},
            )
        recorded = run.id, run_result(run, [])
    for row in planned_rows:
        order_changed(ctx, row, None, source="run")
    return recorded


def _order_key() -> str:
    return secrets.token_hex(3)


def _target_json(target: Target) -> dict[str, Any]:
    return {
        "symbol": target.symbol,
        "target_percent": str(target.target_percent),
        "enabled": target.enabled,
        "band_percent": str(target.band_percent) if target.band_percent is not None else None,
        "band_relative_percent": (
            str(target.band_relative_percent) if target.band_relative_percent is not None else None
        ),
    }


def _policy_of(run: RebalanceRunRow) -> Policy:
    """The policy a recorded run was planned with, so a resumed run sizes its buys alike."""
    return policy_from_json(run.inputs.get("policy") or {})
