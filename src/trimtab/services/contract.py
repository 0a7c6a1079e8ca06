"""The results services return, as frozen dataclasses the API serves and ``--json`` prints.

The rebalancing contract (``check_rebalance_drift``'s answer) keeps the original callable's
five keys and their types exactly (``docs/api.md``); everything else is added beside them.
Numbers are JSON numbers; percentages and money are rounded for display only, after every
decision is made. ``to_json`` is the one serialisation: FastAPI's for the HTTP answers
(the same pydantic adapter), and the CLI's ``--json``.

These are stdlib dataclasses so that building one (``trimtab plan``) imports no pydantic;
``__pydantic_config__`` is read only when FastAPI or ``to_json`` needs a schema.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypeVar, cast, dataclass_transform

from trimtab.domain import drift
from trimtab.domain.drift import Action, HoldReason
from trimtab.domain.lifecycle import OrderStatusValue, RunStatus, Trigger
from trimtab.domain.money import CENT, ZERO
from trimtab.domain.planner import (
    BuyBudget,
    Plan,
    PlannedOrder,
    PlanOutcome,
    Reason,
    SkippedTrade,
    SkipReason,
    SymbolDecision,
)
from trimtab.domain.portfolio import AssetClass, Side
from trimtab.domain.tax_lots import Term

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler, TypeAdapter
    from pydantic_core import CoreSchema

PERCENT_PLACES = Decimal("0.01")

#: How pydantic reads these classes: attribute docstrings are the fields' descriptions,
#: and a field with a default is still always present in an answer (so required there).
SCHEMA_CONFIG: dict[str, Any] = {
    "use_attribute_docstrings": True,
    "json_schema_serialization_defaults_required": True,
}

Model = TypeVar("Model")


@dataclass_transform(frozen_default=True, kw_only_default=True)
def result(cls: type[Model]) -> type[Model]:
    """Declare a result: a frozen, keyword-only dataclass that pydantic reads with
    ``SCHEMA_CONFIG`` (unless the class, or a base, gives its own ``__pydantic_config__``)."""
    if not hasattr(cls, "__pydantic_config__"):
        setattr(cls, "__pydantic_config__", SCHEMA_CONFIG)  # noqa: B010 (mypy: no such attribute on type[Model])
    return dataclass(frozen=True, kw_only=True)(cls)


class _NumberInJSON:
    """``Annotated`` metadata for pydantic: the Decimal is written as a JSON number (the
    services keep exact decimals; clients read numbers, as the original contract does)."""

    def __get_pydantic_core_schema__(
        self, source: type[Any], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        from pydantic_core import core_schema

        as_number = core_schema.plain_serializer_function_ser_schema(
            float, return_schema=core_schema.float_schema(), when_used="json"
        )
        return cast("CoreSchema", {**handler(source), "serialization": as_number})


#: A Decimal in the result, a JSON number in the answer.
Number = Annotated[Decimal, _NumberInJSON()]


def rounded(value: Decimal, places: Decimal) -> Decimal:
    """``value`` rounded half-up to ``places`` (for display: every decision is made already)."""
    return value.quantize(places, rounding=ROUND_HALF_UP)


_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}


_ADAPTERS_BUILT = threading.Lock()


def _adapter(kind: type[Any]) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        # One thread builds it: pydantic evaluating the annotations in several threads
        # at once can fail (the API's first requests arrive together on worker threads).
        with _ADAPTERS_BUILT:
            adapter = _ADAPTERS.get(kind)
            if adapter is None:
                from pydantic import TypeAdapter

                adapter = _ADAPTERS[kind] = TypeAdapter(kind)
    return adapter


def to_json(value: Any) -> Any:
    """A result as JSON-ready data (dicts, lists, numbers, strings), exactly as the API sends it."""
    return _adapter(type(value)).dump_python(value, mode="json")


def to_json_bytes(value: Any) -> bytes:
    """``to_json`` written out as UTF-8 JSON in one step: the bytes the API answers with."""
    data: bytes = _adapter(type(value)).dump_json(value)
    return data


def from_json(kind: type[Model], data: Any) -> Model:
    """A result read back from JSON (a stored run): ``pydantic.ValidationError`` if malformed."""
    result: Model = _adapter(kind).validate_python(data)
    return result


# -- the rebalancing contract -------------------------------------------------------------


@result
class DriftRow:
    """One row of ``drift_analysis``: exactly the original callable's six keys."""

    symbol: str
    target_percent: Number
    """Percent of the portfolio value, rounded to 0.01."""
    actual_percent: Number
    drift_percent: Number
    """actual_percent − target_percent, in percentage points."""
    needs_rebalance: bool
    action: Action


@result
class TradeExecuted:
    """One order the run sent: the original callable's five keys, then its fill so far."""

    symbol: str
    side: Side
    qty: Number
    order_id: str | None
    """The broker's id; null when the broker refused the order before giving one."""
    status: OrderStatusValue
    filled_qty: Number = ZERO
    filled_avg_price: Number | None = None
    """USD per share or coin."""
    submitted_at: datetime | None = None
    updated_at: datetime | None = None


@result
class TradePlanned:
    """An order the plan would place (USD; ``qty`` in shares or coins)."""

    symbol: str
    side: Side
    qty: Number
    price: Number
    notional: Number
    price_as_of: datetime | None = None
    price_source: str | None = None
    asset_class: AssetClass = AssetClass.US_EQUITY
    exit: bool = False
    estimated_gain: dict[Term, Number] | None = None
    """A tax-aware sell's estimated realised gain per term (USD)."""


@result
class TradeSkipped:
    """A trade the plan wanted and dropped, and why."""

    symbol: str
    side: Side | None
    reason: SkipReason
    message: str


@result
class DriftDetail:
    """A drift row's facts beyond the six keys (``docs/rebalancing.md``)."""

    symbol: str
    band_percent: Number
    """The band's half-width in percentage points (``docs/policies.md``)."""
    traded: bool
    """Whether the plan trades the symbol."""
    reason: Reason | SkipReason | None
    """Why the plan trades the symbol, or not."""
    reason_message: str | None
    market_value: Number
    asset_class: AssetClass
    targeted: bool
    exit: bool
    hold_reason: HoldReason | None
    """Set when the row is held and never rebalanced."""
    note: str | None


@result
class BuyBudgetOut:
    """The limits buys were sized to (USD): ``spendable`` is the smallest of them."""

    cash: Number
    buying_power: Number | None
    uninvested: Number
    short_proceeds: Number
    open_orders: Number
    buffer: Number
    spendable: Number


@result
class AccountFlags:
    """The broker account's own flags, as read before planning."""

    status: str
    trading_blocked: bool
    account_blocked: bool
    trade_suspended_by_user: bool
    pattern_day_trader: bool
    shorting_enabled: bool


@result
class PlanResult:
    """The rebalancing contract for a plan (``trimtab plan``): the five original keys first."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {
        **SCHEMA_CONFIG,
        "json_schema_extra": {
            "example": {
                "needs_rebalance": True,
                "drift_analysis": [
                    {
                        "symbol": "SPY",
                        "target_percent": 40.0,
                        "actual_percent": 46.5,
                        "drift_percent": 6.5,
                        "needs_rebalance": True,
                        "action": "sell",
                    }
                ],
                "trades_executed": [
                    {
                        "symbol": "SPY",
                        "side": "sell",
                        "qty": 13.978494623,
                        "order_id": "9f2c…",
                        "status": "filled",
                    }
                ],
                "portfolio_value": 100000.0,
                "message": "Rebalancing executed",
            }
        },
    }

    needs_rebalance: bool
    drift_analysis: tuple[DriftRow, ...]
    trades_executed: tuple[TradeExecuted, ...]
    portfolio_value: Number
    """The account's value (USD)."""
    message: str
    dry_run: bool
    outcome: PlanOutcome
    trades_planned: tuple[TradePlanned, ...] = ()
    skipped: tuple[TradeSkipped, ...] = ()
    drift_details: tuple[DriftDetail, ...] = ()
    buy_budget: BuyBudgetOut | None = None
    curing_deposit: Number | None = None
    """The deposit (USD) that reaches every target without selling."""
    realised_gains: dict[Term, Number] = field(default_factory=dict)
    """The planned sells' estimated gains per term (USD; tax-aware plans)."""
    trading_blocked: str | None = None
    """Why orders would be refused now (the risk gate or the account), if they would."""
    account: AccountFlags | None = None


@result
class CheckResult(PlanResult):
    """A recorded run's contract: the plan's, with the run's id and status."""

    run_id: int
    status: RunStatus
    resumed: bool = False
    """True when an unfinished run was picked up instead of planning a new one."""


@result
class RunAccepted:
    """A live run that goes on after the answer: follow it at ``GET /api/runs/{run_id}``
    and on ``GET /api/events``."""

    run_id: int
    status: RunStatus


class EventKind(StrEnum):
    """The kinds of change ``GET /api/events`` sends (``services/events.py``)."""

    ALLOCATION_CHANGED = "allocation_changed"
    RUN_STARTED = "run_started"
    RUN_FINISHED = "run_finished"
    #: Its data is an ``OrderRecord``.
    ORDER_UPDATED = "order_updated"
    #: A user's or the system's risk row changed (data: ``scope``).
    RISK_CHANGED = "risk_changed"
    #: The rebalancing rules changed.
    SETTINGS_CHANGED = "settings_changed"


@result
class RunEvent:
    """The data of ``run_started`` (``run_id`` only) and ``run_finished``."""

    run_id: int
    status: RunStatus | None = None
    message: str | None = None


def drift_row(row: drift.DriftRow) -> DriftRow:
    """Exactly the six keys (the facts of ours are in ``drift_detail``)."""
    return DriftRow(
        symbol=row.symbol,
        target_percent=rounded(row.target_percent, PERCENT_PLACES),
        actual_percent=rounded(row.actual_percent, PERCENT_PLACES),
        drift_percent=rounded(row.drift_percent, PERCENT_PLACES),
        needs_rebalance=row.needs_rebalance,
        action=row.action,
    )


def drift_detail(row: drift.DriftRow, decision: SymbolDecision | None = None) -> DriftDetail:
    """A row's facts and the plan's verdict on it (``reason`` is a ``Reason`` or ``SkipReason``)."""
    return DriftDetail(
        symbol=row.symbol,
        band_percent=rounded(row.threshold_percent, PERCENT_PLACES),
        traded=decision.traded if decision else False,
        reason=_reason(decision.reason) if decision else None,
        reason_message=decision.message if decision else None,
        market_value=rounded(row.market_value, CENT),
        asset_class=row.asset_class,
        targeted=row.targeted,
        exit=row.exit,
        hold_reason=row.hold_reason,
        note=row.note,
    )


def _reason(value: str) -> Reason | SkipReason:
    try:
        return Reason(value)
    except ValueError:
        return SkipReason(value)


def trade_planned(order: PlannedOrder) -> TradePlanned:
    return TradePlanned(
        symbol=order.symbol,
        side=order.side,
        qty=order.qty,
        price=order.price,
        notional=rounded(order.notional, CENT),
        price_as_of=order.price_as_of,
        price_source=order.price_source,
        asset_class=order.asset_class,
        exit=order.exit,
        estimated_gain=(
            {term: rounded(gain, CENT) for term, gain in order.estimated_gain.items()}
            if order.estimated_gain is not None
            else None
        ),
    )


def buy_budget(budget: BuyBudget | None) -> BuyBudgetOut | None:
    if budget is None:
        return None
    return BuyBudgetOut(
        cash=rounded(budget.cash, CENT),
        buying_power=(
            rounded(budget.buying_power, CENT) if budget.buying_power is not None else None
        ),
        uninvested=rounded(budget.uninvested, CENT),
        short_proceeds=rounded(budget.short_proceeds, CENT),
        open_orders=rounded(budget.open_orders, CENT),
        buffer=rounded(budget.buffer, CENT),
        spendable=rounded(budget.spendable, CENT),
    )


def trade_skipped(skip: SkippedTrade) -> TradeSkipped:
    return TradeSkipped(
        symbol=skip.symbol, side=skip.side, reason=skip.reason, message=skip.message
    )


def plan_result(
    plan: Plan,
    *,
    dry_run: bool,
    message: str | None = None,
    extra_skipped: Sequence[SkippedTrade] = (),
    trading_blocked: str | None = None,
    account: AccountFlags | None = None,
) -> PlanResult:
    """The contract for ``plan``, nothing sent yet; ``message`` overrides the plan's own."""
    decisions = {d.symbol: d for d in plan.decisions}
    return PlanResult(
        needs_rebalance=plan.needs_rebalance,
        drift_analysis=tuple(drift_row(row) for row in plan.drift),
        trades_executed=(),
        portfolio_value=rounded(plan.portfolio_value, CENT),
        message=message or plan.message,
        dry_run=dry_run,
        outcome=plan.outcome,
        trades_planned=tuple(trade_planned(o) for o in plan.orders),
        skipped=tuple(trade_skipped(s) for s in (*plan.skipped, *extra_skipped)),
        drift_details=tuple(drift_detail(row, decisions.get(row.symbol)) for row in plan.drift),
        buy_budget=buy_budget(plan.budget),
        curing_deposit=(
            rounded(plan.curing_deposit, CENT) if plan.curing_deposit is not None else None
        ),
        realised_gains={term: rounded(plan.realised_gain(term), CENT) for term in Term},
        trading_blocked=trading_blocked,
        account=account,
    )


# -- runs and their orders ------------------------------------------------------------------


@result
class TradeResult:
    """One order placed by ``execute_trade`` (``POST /api/trades``), as the broker has it."""

    order_id: str | None
    client_order_id: str
    symbol: str
    side: Side
    qty: Number
    status: OrderStatusValue
    submitted_at: datetime | None


@result
class OrderRecord:
    """One order as recorded (run details' ``orders``, ``order_updated`` event data)."""

    id: int
    run_id: int | None
    client_order_id: str
    symbol: str
    side: Side
    qty: Number
    planned_price: Number | None
    status: OrderStatusValue
    broker_order_id: str | None
    filled_qty: Number
    filled_avg_price: Number | None
    error: str | None
    submitted_at: datetime | None
    updated_at: datetime


@result
class RunSummary:
    """One run in the history (``GET /api/runs``)."""

    id: int
    created_at: datetime
    started_at: datetime
    finished_at: datetime | None
    trigger: Trigger
    dry_run: bool
    status: RunStatus
    needs_rebalance: bool
    max_drift_percent: Number | None
    """The largest |drift| in percentage points when the run planned."""
    orders_count: int
    """Orders the broker answered for."""
    portfolio_value: Number
    message: str


@result
class RunList:
    """A page of the history, newest first, and how many runs there are in all."""

    runs: tuple[RunSummary, ...]
    total: int


@result
class RunDetail(CheckResult, RunSummary):
    """One run: its summary beside its contract result, its inputs and its orders."""

    inputs: dict[str, Any]
    """What the run planned from, exact (decimal strings): snapshot, targets, policy."""
    orders: tuple[OrderRecord, ...]
