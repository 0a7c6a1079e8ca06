"""Repositories: the queries the services need, so no service writes SQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple, TypeVar, cast

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from trimtab.store.models import (
    AllocationRow,
    ApiTokenRow,
    Base,
    BrokerAccountRow,
    OrderRow,
    PaperAccountRow,
    PaperHoldingRow,
    PaperOrderRow,
    PolicyRow,
    RebalanceRunRow,
    RiskStatusRow,
    ScheduleRow,
    UserRow,
    WebSessionRow,
)

SYSTEM_SCOPE = "system"
R = TypeVar("R", bound=Base)

# The statements every request runs, built once: building a select costs more than
# running it (their values are bound parameters). The reads of the API's everyday
# requests select columns of the tables, not ORM objects: their rows skip the identity
# map and the objects' instrumentation (half of such a read's CPU), and come back as
# the typed tuples below.


def _table(entity: type[Base]) -> Table:
    return cast(Table, entity.__table__)


_TOKENS, _USERS, _ALLOCATIONS, _POLICIES, _RISK, _RUNS = (
    _table(ApiTokenRow),
    _table(UserRow),
    _table(AllocationRow),
    _table(PolicyRow),
    _table(RiskStatusRow),
    _table(RebalanceRunRow),
)


class TokenOwner(NamedTuple):
    """A live API token and the user it belongs to."""

    token_id: int
    last_used_at: datetime | None
    user_id: int
    email: str
    is_admin: bool
    created_at: datetime


_LIVE_TOKEN_OWNER = (
    select(
        _TOKENS.c.id,
        _TOKENS.c.last_used_at,
        _USERS.c.id,
        _USERS.c.email,
        _USERS.c.is_admin,
        _USERS.c.created_at,
    )
    .join_from(_TOKENS, _USERS, _USERS.c.id == _TOKENS.c.user_id)
    .where(_TOKENS.c.token_hash == bindparam("token_hash"), _TOKENS.c.revoked_at.is_(None))
)


class AllocationValues(NamedTuple):
    """One target as stored (the columns of ``AllocationRow`` a reader needs)."""

    symbol: str
    target_percent: Decimal
    enabled: bool
    band_percent: Decimal | None
    band_relative_percent: Decimal | None
    created_at: datetime
    updated_at: datetime


_ALLOCATIONS_OF = (
    select(AllocationRow)
    .where(AllocationRow.user_id == bindparam("user_id"))
    .order_by(AllocationRow.symbol)
)
_ALLOCATION_VALUES_OF = (
    select(*(_ALLOCATIONS.c[name] for name in AllocationValues._fields))
    .where(_ALLOCATIONS.c.user_id == bindparam("user_id"))
    .order_by(_ALLOCATIONS.c.symbol)
)


class PolicyValues(NamedTuple):
    """A user's saved policy (the columns of ``PolicyRow`` a reader needs)."""

    threshold_percent: Decimal
    min_trade: Decimal
    cash_buffer_percent: Decimal
    untargeted: str
    max_price_age_hours: Decimal
    options: dict[str, Any] | None


_POLICY_VALUES_OF = select(*(_POLICIES.c[name] for name in PolicyValues._fields)).where(
    _POLICIES.c.user_id == bindparam("user_id")
)


class RiskValues(NamedTuple):
    """One row of risk switches (the columns of ``RiskStatusRow`` a reader needs)."""

    scope: str
    trading_enabled: bool
    drawdown_recovery: bool
    kill_switch: bool
    reason: str
    updated_by: str | None
    updated_at: datetime


_RISK_VALUES = select(*(_RISK.c[name] for name in RiskValues._fields)).where(
    _RISK.c.scope.in_(bindparam("scopes", expanding=True))
)


class RunListing(NamedTuple):
    """What the history list shows of a run (never its ``inputs`` or ``result``, the
    largest columns: ``max_drift_percent`` carries what the list shows of the result)."""

    id: int
    created_at: datetime
    finished_at: datetime | None
    trigger: str
    dry_run: bool
    status: str
    needs_rebalance: bool
    max_drift_percent: Decimal | None
    portfolio_value: Decimal
    message: str


_INSERT_RUN = insert(_RUNS)


def _run_filters(filters: tuple[bool, bool, bool]) -> list[ColumnElement[bool]]:
    """The user's runs, narrowed by each filter given (its value a bound parameter)."""
    where = [_RUNS.c.user_id == bindparam("user_id")]
    for given, column in zip(filters, ("dry_run", "trigger", "status"), strict=True):
        if given:
            where.append(_RUNS.c[column] == bindparam(column))
    return where


# ``Runs.for_user``'s and ``Runs.count_for_user``'s statements by the filters they apply
# (dry_run, trigger, status given or not), each built on first use.
@cache
def _run_page(filters: tuple[bool, bool, bool]) -> Select[Any]:
    return (
        select(*(_RUNS.c[name] for name in RunListing._fields))
        .where(*_run_filters(filters))
        # The (user_id, created_at) index gives this order: no sort of every run.
        .order_by(_RUNS.c.created_at.desc(), _RUNS.c.id.desc())
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )


@cache
def _run_count(filters: tuple[bool, bool, bool]) -> Select[Any]:
    return select(func.count()).select_from(_RUNS).where(*_run_filters(filters))


_SENT_COUNTS = (
    select(OrderRow.run_id, func.count())
    .where(
        OrderRow.run_id.in_(bindparam("run_ids", expanding=True)),
        OrderRow.status.not_in(bindparam("excluding", expanding=True)),
    )
    .group_by(OrderRow.run_id)
)


class Repository:
    """The queries of one table (or one use), run in the unit of work's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _pending_written(self) -> None:
        """Flush the unit's pending changes before a read of plain rows: a select of
        table columns does not autoflush as the ORM's queries do."""
        self.session.flush()

    def _inserted(self, row: R) -> R:
        """``row`` inserted now (its id assigned, its constraints checked)."""
        self.session.add(row)
        self.session.flush()
        return row


def user_scope(user_id: int) -> str:
    return f"user:{user_id}"


class Users(Repository):
    def add(self, row: UserRow) -> UserRow:
        return self._inserted(row)

    def get(self, user_id: int) -> UserRow | None:
        return self.session.get(UserRow, user_id)

    def by_email(self, email: str) -> UserRow | None:
        return self.session.scalars(select(UserRow).where(UserRow.email == email)).one_or_none()

    def first(self, limit: int) -> Sequence[UserRow]:
        return self.session.scalars(select(UserRow).order_by(UserRow.id).limit(limit)).all()

    def ids(self) -> list[int]:
        return list(self.session.scalars(select(UserRow.id).order_by(UserRow.id)))


class Tokens(Repository):
    def add(self, row: ApiTokenRow) -> ApiTokenRow:
        return self._inserted(row)

    def live_owner(self, token_hash: str) -> TokenOwner | None:
        """The unrevoked token of this hash and its owner, in one query."""
        self._pending_written()
        found = self.session.execute(_LIVE_TOKEN_OWNER, {"token_hash": token_hash}).one_or_none()
        return TokenOwner(*found) if found is not None else None

    def for_user(self, user_id: int) -> Sequence[ApiTokenRow]:
        return self.session.scalars(
            select(ApiTokenRow).where(ApiTokenRow.user_id == user_id).order_by(ApiTokenRow.id)
        ).all()

    def get_for_user(self, user_id: int, token_id: int) -> ApiTokenRow | None:
        row = self.session.get(ApiTokenRow, token_id)
        return row if row is not None and row.user_id == user_id else None

    def mark_used(self, token_id: int, now: datetime) -> None:
        """Set ``last_used_at`` without loading the row."""
        self.session.execute(
            update(ApiTokenRow).where(ApiTokenRow.id == token_id).values(last_used_at=now)
        )


class Allocations(Repository):
    def for_user(self, user_id: int) -> Sequence[AllocationRow]:
        """The user's targets as objects to change, by symbol."""
        return self.session.scalars(_ALLOCATIONS_OF, {"user_id": user_id}).all()

    def values_for_user(self, user_id: int) -> list[AllocationValues]:
        """The user's targets as stored, by symbol (to read, not to change)."""
        self._pending_written()
        rows = self.session.execute(_ALLOCATION_VALUES_OF, {"user_id": user_id})
        return [AllocationValues(*row) for row in rows]

    def get(self, user_id: int, symbol: str) -> AllocationRow | None:
        return self.session.scalars(
            select(AllocationRow).where(
                AllocationRow.user_id == user_id, AllocationRow.symbol == symbol
            )
        ).one_or_none()

    def add(self, row: AllocationRow) -> None:
        self.session.add(row)

    def delete(self, row: AllocationRow) -> None:
        self.session.delete(row)


class Policies(Repository):
    def get(self, user_id: int) -> PolicyRow | None:
        return self.session.get(PolicyRow, user_id)

    def values_of(self, user_id: int) -> PolicyValues | None:
        """The user's saved policy (to read, not to change), or ``None``."""
        self._pending_written()
        found = self.session.execute(_POLICY_VALUES_OF, {"user_id": user_id}).one_or_none()
        return PolicyValues(*found) if found is not None else None

    def add(self, row: PolicyRow) -> None:
        self.session.add(row)


class RiskRows(Repository):
    def get(self, scope: str) -> RiskStatusRow | None:
        return self.session.scalars(
            select(RiskStatusRow).where(RiskStatusRow.scope == scope)
        ).one_or_none()

    def values_of(self, scopes: Sequence[str]) -> dict[str, RiskValues]:
        """The rows of ``scopes`` that exist (to read, not to change), by scope."""
        self._pending_written()
        rows = self.session.execute(_RISK_VALUES, {"scopes": list(scopes)})
        return {row.scope: RiskValues(*row) for row in rows}

    def add(self, row: RiskStatusRow) -> None:
        self._inserted(row)


class Runs(Repository):
    def add(self, row: RebalanceRunRow) -> RebalanceRunRow:
        return self._inserted(row)

    def insert(self, row: RebalanceRunRow) -> RebalanceRunRow:
        """Insert ``row`` now in one statement and set its id. The row stays out of the
        unit (half the CPU of ``add``: no unit-of-work bookkeeping), so a later change to
        it is not saved: for a run written once in this unit. Columns ``row`` leaves
        unset take their defaults."""
        values = {key: value for key, value in vars(row).items() if key in _RUNS.c}
        key = self.session.connection().execute(_INSERT_RUN, values).inserted_primary_key
        assert key is not None
        row.id = key[0]
        return row

    def get(self, run_id: int) -> RebalanceRunRow | None:
        return self.session.get(RebalanceRunRow, run_id)

    def get_for_user(self, user_id: int, run_id: int) -> RebalanceRunRow | None:
        row = self.session.get(RebalanceRunRow, run_id)
        return row if row is not None and row.user_id == user_id else None

    def for_user(
        self,
        user_id: int,
        limit: int,
        offset: int,
        *,
        dry_run: bool | None = None,
        trigger: str | None = None,
        status: str | None = None,
    ) -> list[RunListing]:
        """A page of the user's runs, newest first, narrowed by each filter given
        (``None``: any), as the history list shows them."""
        filters = (dry_run is not None, trigger is not None, status is not None)
        params = {
            "user_id": user_id,
            "dry_run": dry_run,
            "trigger": trigger,
            "status": status,
            "limit": limit,
            "offset": offset,
        }
        self._pending_written()
        return [RunListing(*row) for row in self.session.execute(_run_page(filters), params)]

    def count_for_user(
        self,
        user_id: int,
        *,
        dry_run: bool | None = None,
        trigger: str | None = None,
        status: str | None = None,
    ) -> int:
        """How many runs ``for_user`` pages through with the same filters."""
        filters = (dry_run is not None, trigger is not None, status is not None)
        params = {"user_id": user_id, "dry_run": dry_run, "trigger": trigger, "status": status}
        self._pending_written()
        return int(self.session.scalar(_run_count(filters), params) or 0)

    def users_with_unfinished(self, statuses: Sequence[str]) -> list[int]:
        """Users with a live run still in one of ``statuses``."""
        return list(
            self.session.scalars(
                select(RebalanceRunRow.user_id)
                .where(
                    RebalanceRunRow.dry_run.is_(False),
                    RebalanceRunRow.status.in_(list(statuses)),
                )
                .distinct()
                .order_by(RebalanceRunRow.user_id)
            ).all()
        )

    def unfinished(self, user_id: int, statuses: Sequence[str]) -> RebalanceRunRow | None:
        """The user's oldest live run still in one of ``statuses``."""
        return self.session.scalars(
            select(RebalanceRunRow)
            .where(
                RebalanceRunRow.user_id == user_id,
                RebalanceRunRow.dry_run.is_(False),
                RebalanceRunRow.status.in_(list(statuses)),
            )
            .order_by(RebalanceRunRow.id)
            .limit(1)
        ).one_or_none()


class Orders(Repository):
    def add(self, row: OrderRow) -> OrderRow:
        return self._inserted(row)

    def get(self, order_id: int) -> OrderRow | None:
        return self.session.get(OrderRow, order_id)

    def attach(self, row: OrderRow) -> None:
        """Take a row read in an earlier unit into this one: its changes are written here."""
        self.session.add(row)

    def by_client_order_id(self, client_order_id: str) -> OrderRow | None:
        return self.session.scalars(
            select(OrderRow).where(OrderRow.client_order_id == client_order_id)
        ).one_or_none()

    def filled_for_user(self, user_id: int) -> Sequence[OrderRow]:
        """The user's orders that filled at all and have an average price."""
        return self.session.scalars(
            select(OrderRow).where(
                OrderRow.user_id == user_id,
                OrderRow.filled_qty > Decimal(0),
                OrderRow.filled_avg_price.is_not(None),
            )
        ).all()

    def for_run(self, run_id: int) -> Sequence[OrderRow]:
        return self.session.scalars(
            select(OrderRow).where(OrderRow.run_id == run_id).order_by(OrderRow.seq)
        ).all()

    def counts_by_run(self, run_ids: Sequence[int], excluding: Sequence[str]) -> dict[int, int]:
        """How many orders each run has whose status is not in ``excluding``, in one query."""
        if not run_ids:
            return {}
        rows = self.session.execute(
            _SENT_COUNTS, {"run_ids": list(run_ids), "excluding": list(excluding)}
        ).all()
        return {run_id: int(count) for run_id, count in rows if run_id is not None}


_WEB_SESSION_BY_HASH = select(WebSessionRow).where(
    WebSessionRow.token_hash == bindparam("token_hash")
)


class WebSessions(Repository):
    def add(self, row: WebSessionRow) -> WebSessionRow:
        return self._inserted(row)

    def get(self, session_id: int) -> WebSessionRow | None:
        return self.session.get(WebSessionRow, session_id)

    def by_hash(self, token_hash: str) -> WebSessionRow | None:
        return self.session.scalars(_WEB_SESSION_BY_HASH, {"token_hash": token_hash}).one_or_none()

    def live_for_user(self, user_id: int, now: datetime) -> Sequence[WebSessionRow]:
        """The user's unrevoked, unexpired sessions, newest first."""
        return self.session.scalars(
            select(WebSessionRow)
            .where(
                WebSessionRow.user_id == user_id,
                WebSessionRow.revoked_at.is_(None),
                WebSessionRow.expires_at > now,
            )
            .order_by(WebSessionRow.id.desc())
        ).all()

    def revoke_all(self, user_id: int, now: datetime) -> int:
        """Revoke every unrevoked session of the user; returns how many."""
        result = self.session.execute(
            update(WebSessionRow)
            .where(WebSessionRow.user_id == user_id, WebSessionRow.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0)


_BROKER_ACCOUNT_OF = select(BrokerAccountRow).where(
    BrokerAccountRow.user_id == bindparam("user_id")
)


class BrokerAccountValues(NamedTuple):
    """A user's broker connection as stored (to read, not to change); the secret is
    still encrypted."""

    user_id: int
    kind: str
    key_id: str | None
    secret_encrypted: str | None
    paper: bool
    account_id: str | None
    updated_at: datetime


_BROKER_ACCOUNTS = _table(BrokerAccountRow)
_BROKER_ACCOUNT_VALUES_OF = select(
    *(_BROKER_ACCOUNTS.c[name] for name in BrokerAccountValues._fields)
).where(_BROKER_ACCOUNTS.c.user_id.in_(bindparam("user_ids", expanding=True)))


class BrokerAccounts(Repository):
    def add(self, row: BrokerAccountRow) -> None:
        self.session.add(row)

    def of_user(self, user_id: int) -> BrokerAccountRow | None:
        return self.session.scalars(_BROKER_ACCOUNT_OF, {"user_id": user_id}).one_or_none()

    def of_users(self, user_ids: Sequence[int]) -> dict[int, BrokerAccountValues]:
        """The connections of ``user_ids`` that exist (to read, not to change), by user,
        in one query."""
        self._pending_written()
        rows = self.session.execute(_BROKER_ACCOUNT_VALUES_OF, {"user_ids": list(user_ids)})
        return {row.user_id: BrokerAccountValues(*row) for row in rows}

    def delete_of_user(self, user_id: int) -> None:
        self.session.execute(delete(BrokerAccountRow).where(BrokerAccountRow.user_id == user_id))

    def fill_account_id(self, row: BrokerAccountRow | BrokerAccountValues, account_id: str) -> None:
        """Store the account id of ``row``'s connection, unless its keys changed since
        ``row`` was read or an id is stored already."""
        self.session.execute(
            update(BrokerAccountRow)
            .where(
                BrokerAccountRow.user_id == row.user_id,
                BrokerAccountRow.key_id == row.key_id,
                BrokerAccountRow.paper == row.paper,
                BrokerAccountRow.account_id.is_(None),
            )
            .values(account_id=account_id)
        )


class PaperAccounts(Repository):
    """The books of trimtab's paper broker (``brokers.paper.StoredPaperBroker`` trades them)."""

    def open(
        self,
        user_id: int,
        cash: Decimal,
        holdings: Mapping[str, Decimal] | None = None,
        prices: Mapping[str, Decimal] | None = None,
        *,
        now: datetime,
    ) -> None:
        """Give ``user_id`` a paper account with ``cash`` (USD) and ``holdings`` (shares)
        bought at ``prices`` (USD a share; 0 for a symbol without one)."""
        self.session.add(PaperAccountRow(user_id=user_id, cash=cash, updated_at=now))
        for symbol, qty in (holdings or {}).items():
            price = (prices or {}).get(symbol, Decimal(0))
            self.session.add(
                PaperHoldingRow(user_id=user_id, symbol=symbol, qty=qty, avg_entry_price=price)
            )

    def close(self, user_id: int) -> None:
        """Delete the user's paper orders, holdings and account."""
        for table in (PaperOrderRow, PaperHoldingRow, PaperAccountRow):
            self.session.execute(delete(table).where(table.user_id == user_id))


class Screening(Repository):
    """What the sweep screens due accounts from, a chunk of users at a time
    (``services.screening``)."""

    def latest_run_inputs(self, user_ids: Sequence[int]) -> list[tuple[int, int, dict[str, Any]]]:
        """``(run id, user id, inputs)`` of each user's latest run."""
        latest = (
            select(func.max(RebalanceRunRow.id))
            .where(RebalanceRunRow.user_id.in_(list(user_ids)))
            .group_by(RebalanceRunRow.user_id)
        )
        rows = self.session.execute(
            select(RebalanceRunRow.id, RebalanceRunRow.user_id, RebalanceRunRow.inputs).where(
                RebalanceRunRow.id.in_(latest)
            )
        )
        return [(run_id, user_id, inputs) for run_id, user_id, inputs in rows]

    def fills_of_runs(
        self, run_ids: Sequence[int]
    ) -> list[tuple[int, str, str, Decimal, Decimal | None]]:
        """``(run id, symbol, side, filled qty, average price)`` of each order of the runs
        that filled at all."""
        rows = self.session.execute(
            select(
                OrderRow.run_id,
                OrderRow.symbol,
                OrderRow.side,
                OrderRow.filled_qty,
                OrderRow.filled_avg_price,
            ).where(OrderRow.run_id.in_(list(run_ids)), OrderRow.filled_qty > Decimal(0))
        )
        return [
            (run_id, symbol, side, qty, price)
            for run_id, symbol, side, qty, price in rows
            if run_id is not None
        ]

    def thresholds(self, user_ids: Sequence[int]) -> dict[int, Decimal]:
        """The saved band (``threshold_percent``, pp) of each user that saved a policy."""
        rows = self.session.execute(
            select(PolicyRow.user_id, PolicyRow.threshold_percent).where(
                PolicyRow.user_id.in_(list(user_ids))
            )
        )
        return {user_id: threshold for user_id, threshold in rows}

    def enabled_targets(
        self, user_ids: Sequence[int]
    ) -> list[tuple[int, str, Decimal, Decimal | None]]:
        """``(user id, symbol, target percent, band percent)`` of each enabled target."""
        rows = self.session.execute(
            select(
                AllocationRow.user_id,
                AllocationRow.symbol,
                AllocationRow.target_percent,
                AllocationRow.band_percent,
            ).where(AllocationRow.user_id.in_(list(user_ids)), AllocationRow.enabled.is_(True))
        )
        return [(user_id, symbol, target, band) for user_id, symbol, target, band in rows]


class Schedules(Repository):
    def get(self, user_id: int) -> ScheduleRow | None:
        return self.session.get(ScheduleRow, user_id)

    def add(self, row: ScheduleRow) -> None:
        self.session.add(row)

    def of_users(self, user_ids: Sequence[int]) -> Sequence[ScheduleRow]:
        return self.session.scalars(
            select(ScheduleRow).where(ScheduleRow.user_id.in_(list(user_ids)))
        ).all()

    def due(self, now: datetime, off: str, limit: int | None) -> list[tuple[int, datetime]]:
        """``(user id, next_run_at)`` of the schedules not ``off`` due by ``now``, oldest
        due first."""
        rows = self.session.execute(
            select(ScheduleRow.user_id, ScheduleRow.next_run_at)
            .where(ScheduleRow.frequency != off, ScheduleRow.next_run_at <= now)
            .order_by(ScheduleRow.next_run_at, ScheduleRow.user_id)
            .limit(limit)
        )
        return [(user_id, due_at) for user_id, due_at in rows if due_at is not None]

    def move_due(self, user_id: int, due_at: datetime, **values: Any) -> bool:
        """Set ``values`` on the user's schedule if it is still due at ``due_at``
        (compare-and-set); whether it was."""
        moved = self.session.execute(
            update(ScheduleRow)
            .where(ScheduleRow.user_id == user_id, ScheduleRow.next_run_at == due_at)
            .values(**values)
        )
        return int(getattr(moved, "rowcount", 0) or 0) == 1

    def last_live_run_at(self, user_id: int, excluding: Sequence[str]) -> datetime | None:
        """When the user's latest live run whose status is not in ``excluding`` last moved."""
        return self.session.scalar(
            select(func.max(RebalanceRunRow.updated_at)).where(
                RebalanceRunRow.user_id == user_id,
                RebalanceRunRow.dry_run.is_(False),
                RebalanceRunRow.status.not_in(list(excluding)),
            )
        )

    def run_since(self, user_id: int, trigger: str, since: datetime) -> RebalanceRunRow | None:
        """The user's latest run of ``trigger`` recorded at or after ``since``."""
        return self.session.scalars(
            select(RebalanceRunRow)
            .where(
                RebalanceRunRow.user_id == user_id,
                RebalanceRunRow.trigger == trigger,
                RebalanceRunRow.created_at >= since,
            )
            .order_by(RebalanceRunRow.id.desc())
            .limit(1)
        ).one_or_none()
