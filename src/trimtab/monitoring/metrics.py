"""Prometheus metrics of runs, orders, drift, broker errors and notifications.

Counted where the work happens (the services), so the API, the CLI and the worker
all count. With ``PROMETHEUS_MULTIPROC_DIR`` set (to the same directory for every
process on a machine), prometheus-client's multiprocess mode writes each process's
values there and ``/metrics`` adds them up; see docs/monitoring.md.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import structlog
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

if TYPE_CHECKING:
    from trimtab.services.contract import CheckResult

log = structlog.get_logger("trimtab.metrics")

REBALANCE_RUNS = Counter(
    "trimtab_rebalance_runs_total",
    "Rebalance checks by user, trigger (manual, scheduled), dry run and outcome (run status)",
    ["user_id", "trigger", "dry_run", "outcome"],
)
RUN_SECONDS = Histogram(
    "trimtab_rebalance_run_seconds",
    "Wall time of one check, from reading the broker to the recorded result",
    ["trigger", "dry_run"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
ORDERS = Counter(
    "trimtab_orders_total",
    "Orders by side, final status (filled, rejected, canceled, skipped...) and source "
    "(run or trade), counted once each when it becomes final",
    ["side", "status", "source"],
)
DRIFT = Histogram(
    "trimtab_drift_percent",
    "|drift_percent| of each enabled target at each check, in percentage points",
    buckets=(0.25, 0.5, 1, 2, 3, 4, 5, 7.5, 10, 15, 20, 30, 50, 100),
)
BROKER_ERRORS = Counter(
    "trimtab_broker_errors_total",
    "Broker requests that failed, by endpoint (Broker method) and trimtab error code",
    ["endpoint", "code"],
)
NOTIFICATIONS = Counter(
    "trimtab_notifications_total",
    "Notification delivery attempts by channel, event and outcome (delivered, retrying, failed)",
    ["channel", "event", "outcome"],
)
NOTIFICATION_FAILURES = Counter(
    "trimtab_notification_failures_total",
    "Notifications that failed an attempt or could not be queued, by channel and event",
    ["channel", "event"],
)


def record_run(
    result: CheckResult, *, user_id: int, trigger: str, dry_run: bool, seconds: float
) -> None:
    """Count one finished check: its outcome, duration and each target's |drift_percent|."""
    REBALANCE_RUNS.labels(
        user_id=str(user_id),
        trigger=trigger,
        dry_run=str(dry_run).lower(),
        outcome=str(result.status),
    ).inc()
    RUN_SECONDS.labels(trigger=trigger, dry_run=str(dry_run).lower()).observe(seconds)
    for row in result.drift_analysis:
        DRIFT.observe(float(abs(row.drift_percent)))


def record_run_error(*, user_id: int, trigger: str, dry_run: bool, code: str) -> None:
    """Count a check that ended in an error before it recorded a result."""
    REBALANCE_RUNS.labels(
        user_id=str(user_id), trigger=trigger, dry_run=str(dry_run).lower(), outcome=code
    ).inc()


def record_order(side: str, status: str, source: str) -> None:
    ORDERS.labels(side=side, status=status, source=source).inc()


def record_broker_error(endpoint: str, code: str) -> None:
    BROKER_ERRORS.labels(endpoint=endpoint, code=code).inc()


class QueueCollector(Collector):
    """Depth and lag of procrastinate's job queue, read from its table at scrape time.

    ``trimtab_queue_jobs{queue,status}`` counts jobs; ``trimtab_queue_lag_seconds{queue}``
    is how long the oldest due ``todo`` job has waited (0 when none waits). Nothing is
    reported where the table does not exist (SQLite, or before the worker's schema).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily(
            "trimtab_queue_jobs",
            "Jobs in procrastinate's queue by status",
            labels=["queue", "status"],
        )
        lag = GaugeMetricFamily(
            "trimtab_queue_lag_seconds",
            "Age of the oldest due job still waiting in the queue",
            labels=["queue"],
        )
        for queue, status, count, waited in self._rows():
            depth.add_metric([queue, status], count)
            if status == "todo":
                lag.add_metric([queue], waited)
        yield depth
        yield lag

    def _rows(self) -> Iterable[tuple[str, str, int, float]]:
        if self.engine.dialect.name != "postgresql":
            return []
        try:
            with self.engine.connect() as connection:
                if connection.scalar(text("SELECT to_regclass('procrastinate_jobs')")) is None:
                    return []
                # A job's wait starts when it is due: its schedule, or else when it was deferred.
                rows = connection.execute(
                    text(
                        "SELECT j.queue_name, j.status::text, count(*),"
                        " coalesce(extract(epoch FROM now() - min(coalesce(j.scheduled_at, d.at))"
                        " FILTER (WHERE j.status = 'todo' AND coalesce(j.scheduled_at, d.at)"
                        " <= now())), 0)"
                        " FROM procrastinate_jobs j"
                        " LEFT JOIN procrastinate_events d"
                        " ON d.job_id = j.id AND d.type = 'deferred'"
                        " WHERE j.status IN ('todo', 'doing')"
                        " GROUP BY j.queue_name, j.status"
                    )
                ).all()
        except SQLAlchemyError:
            # A scrape must answer even when the database does not.
            log.warning("queue_metrics_unavailable", exc_info=True)
            return []
        return [(str(q), str(s), int(c), max(float(w), 0.0)) for q, s, c, w in rows]


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def scrape(engine: Engine | None) -> bytes:
    """The exposition text: this process's metrics, or every process's in multiprocess mode,
    plus the queue gauges read now from ``engine``'s database."""
    directory = multiprocess_dir()
    if directory is None and engine is None:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    if directory is not None:
        MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Forward(REGISTRY))
    if engine is not None:
        registry.register(QueueCollector(engine))
    return generate_latest(registry)


class _Forward(Collector):
    """The default registry's metrics inside another registry."""

    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self) -> Iterable[Any]:
        return self.source.collect()
