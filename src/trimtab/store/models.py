"""The schema: one mapped class per table. Migrations in ``store/migrations`` create it."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from trimtab.store.types import ExactDecimal, Money, Percent, Price, Qty, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _user_fk(ondelete: str = "CASCADE") -> ForeignKey:
    return ForeignKey("users.id", ondelete=ondelete)


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiTokenRow(Base):
    """A personal API token; only the SHA-256 of the token is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(_user_fk(), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WebSessionRow(Base):
    """A signed-in page: the cookie holds a random id, only its SHA-256 is kept here.

    Signing out sets ``revoked_at``; a copied cookie then names a revoked row."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(_user_fk(), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class LoginThrottleRow(Base):
    """Failed sign-ins of one account from one address, and when it may try again.

    In the database so every API process sees the same counts and a restart keeps them.
    ``key`` is a SHA-256 of the normalised email and the client address."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class AllocationRow(Base):
    __tablename__ = "allocations"
    __table_args__ = (UniqueConstraint("user_id", "symbol"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(_user_fk())
    symbol: Mapped[str] = mapped_column(String(16))
    target_percent: Mapped[Decimal] = mapped_column(Percent())
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    band_percent: Mapped[Decimal | None] = mapped_column(Percent(), nullable=True)
    #: A band as a percent of the target (docs/policies.md, "Bands").
    band_relative_percent: Mapped[Decimal | None] = mapped_column(Percent(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PolicyRow(Base):
    """A user's rebalancing knobs; a user without a row uses the domain defaults."""

    __tablename__ = "rebalance_policies"

    user_id: Mapped[int] = mapped_column(_user_fk(), primary_key=True)
    threshold_percent: Mapped[Decimal] = mapped_column(Percent())
    min_trade: Mapped[Decimal] = mapped_column(Money())
    cash_buffer_percent: Mapped[Decimal] = mapped_column(Percent())
    #: ``leave`` or ``sell`` (domain.policy.UntargetedHoldings).
    untargeted: Mapped[str] = mapped_column(String(8), server_default="leave")
    max_price_age_hours: Mapped[Decimal] = mapped_column(ExactDecimal(20, 4), server_default="96")
    #: The rebalancing policy options (docs/policies.md) that differ from their defaults,
    #: as ``domain.policy.policy_to_json`` writes them; NULL: all defaults.
    options: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RiskStatusRow(Base):
    """The system-wide risk row (scope ``system``) or one user's (scope ``user:<id>``)."""

    __tablename__ = "risk_status"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int | None] = mapped_column(_user_fk(), nullable=True)
    trading_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    drawdown_recovery: Mapped[bool] = mapped_column(Boolean, default=False)
    kill_switch: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BrokerAccountRow(Base):
    """Which broker a user trades through; the secret is Fernet-encrypted."""

    __tablename__ = "broker_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(_user_fk(), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    key_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    secret_encrypted: Mapped[str | None] = mapped_column(Text, nullable=True)
    paper: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The broker's id of the account the keys reached when they were connected.
    account_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PaperAccountRow(Base):
    __tablename__ = "paper_accounts"

    user_id: Mapped[int] = mapped_column(_user_fk(), primary_key=True)
    # Fills at 9-decimal quantities leave cash with more than cent precision.
    cash: Mapped[Decimal] = mapped_column(ExactDecimal(24, 9))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PaperHoldingRow(Base):
    __tablename__ = "paper_holdings"

    user_id: Mapped[int] = mapped_column(_user_fk(), primary_key=True)
    symbol: Mapped[str] = mapped_column(String(16), primary_key=True)
    qty: Mapped[Decimal] = mapped_column(Qty())
    avg_entry_price: Mapped[Decimal] = mapped_column(Price())


class PaperOrderRow(Base):
    __tablename__ = "paper_orders"
    __table_args__ = (
        UniqueConstraint("user_id", "client_order_id"),
        Index("ix_paper_orders_user_open", "user_id", "is_open"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(_user_fk())
    client_order_id: Mapped[str] = mapped_column(String(48))
    symbol: Mapped[str] = mapped_column(String(16))
    side: Mapped[str] = mapped_column(String(4))
    qty: Mapped[Decimal | None] = mapped_column(Qty(), nullable=True)
    notional: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    filled_qty: Mapped[Decimal] = mapped_column(Qty())
    filled_avg_price: Mapped[Decimal | None] = mapped_column(Price(), nullable=True)
    status: Mapped[str] = mapped_column(String(24))
    is_open: Mapped[bool] = mapped_column(Boolean)
    type: Mapped[str] = mapped_column(String(16))
    time_in_force: Mapped[str] = mapped_column(String(8))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AccountLockRow(Base):
    """SQLite's per-account run lock: a lease, since SQLite has no advisory locks.

    Keyed by the broker account (``paper:<user_id>``, ``alpaca:paper:<account id>``),
    not by trimtab user: two users connected to one account share its lock.
    """

    __tablename__ = "account_locks"

    account_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(64), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RebalanceRunRow(Base):
    """One check: its inputs, its result (the contract JSON) and where it stands."""

    __tablename__ = "rebalance_runs"
    __table_args__ = (
        Index("ix_rebalance_runs_user_created", "user_id", "created_at"),
        Index("ix_rebalance_runs_user_status", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(_user_fk())
    trigger: Mapped[str] = mapped_column(String(16))
    dry_run: Mapped[bool] = mapped_column(Boolean)
    queue_if_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(32))
    needs_rebalance: Mapped[bool] = mapped_column(Boolean)
    portfolio_value: Mapped[Decimal] = mapped_column(Money())
    message: Mapped[str] = mapped_column(Text)
    #: Random per run, part of each client_order_id: run ids restart when a
    #: database is recreated, but the broker remembers every id ever used.
    order_key: Mapped[str] = mapped_column(String(8))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The largest |drift_percent| of ``result``'s drift_analysis (pp, as shown there),
    #: or None when it has none: the history list reads this, not the whole result.
    max_drift_percent: Mapped[Decimal | None] = mapped_column(Percent(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class OrderRow(Base):
    """An order trimtab planned or placed: recorded before it is sent, updated as it fills."""

    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_run", "run_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(_user_fk(), index=True)
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("rebalance_runs.id", ondelete="CASCADE"), nullable=True
    )
    seq: Mapped[int] = mapped_column(Integer, default=0)
    client_order_id: Mapped[str] = mapped_column(String(48), unique=True)
    symbol: Mapped[str] = mapped_column(String(16))
    side: Mapped[str] = mapped_column(String(4))
    qty: Mapped[Decimal] = mapped_column(Qty())
    planned_price: Mapped[Decimal | None] = mapped_column(Price(), nullable=True)
    status: Mapped[str] = mapped_column(String(24))
    broker_order_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    filled_qty: Mapped[Decimal] = mapped_column(Qty())
    filled_avg_price: Mapped[Decimal | None] = mapped_column(Price(), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEventRow(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(_user_fk("SET NULL"), nullable=True)
    actor: Mapped[str | None] = mapped_column(String(320), nullable=True)
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EventRow(Base):
    """A change notification on its way to live pages in other processes (SQLite's channel;
    PostgreSQL uses LISTEN/NOTIFY). Rows are pruned minutes after they are written."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ScheduleRow(Base):
    """A user's scheduled check; ``next_run_at`` is when the sweep next finds it due."""

    __tablename__ = "schedules"

    user_id: Mapped[int] = mapped_column(_user_fk(), primary_key=True)
    frequency: Mapped[str] = mapped_column(String(8))
    #: Wall-clock time in the exchange's time zone (America/New_York).
    time_of_day: Mapped[time] = mapped_column(Time())
    weekday: Mapped[int | None] = mapped_column(Integer, nullable=True)
    day_of_month: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cron: Mapped[str | None] = mapped_column(String(120), nullable=True)
    cooldown_minutes: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(16))
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    #: The due time last handled, and how: a run's id, or why there was none.
    last_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("rebalance_runs.id", ondelete="SET NULL"), nullable=True
    )
    last_outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NotificationSettingsRow(Base):
    """Which events a user is told about, and where; the webhook secret is Fernet-encrypted."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(_user_fk(), primary_key=True)
    events: Mapped[list[str]] = mapped_column(JSON)
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    webhook_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    webhook_secret_encrypted: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NotificationDeliveryRow(Base):
    """One notification to one channel: what was sent, how often, and how it went."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        Index("ix_notification_deliveries_user_created", "user_id", "created_at"),
        Index("ix_notification_deliveries_due", "status", "next_retry_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(_user_fk())
    event: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
