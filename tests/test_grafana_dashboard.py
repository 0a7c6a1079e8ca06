"""deploy/grafana/trimtab.json: valid JSON whose queries name only metrics trimtab exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client import REGISTRY

import trimtab.api.metrics
import trimtab.monitoring.metrics  # noqa: F401

DASHBOARD = Path(__file__).resolve().parent.parent / "deploy" / "grafana" / "trimtab.json"
#: Gauges read from procrastinate's table at scrape time (not in the default registry).
SCRAPE_TIME = {"trimtab_queue_jobs", "trimtab_queue_lag_seconds"}


def exported_names() -> set[str]:
    names = set(SCRAPE_TIME)
    for family in REGISTRY.collect():
        names.update(sample.name for sample in family.samples)
        names.update(f"{family.name}{suffix}" for suffix in ("_total", "_bucket", "_count", "_sum"))
    return names


def test_every_panel_queries_metrics_that_exist() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    used = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"trimtab_[a-z_]+", target["expr"])
    }
    assert used - exported_names() == set()
    for metric in (
        "trimtab_rebalance_runs_total",
        "trimtab_orders_total",
        "trimtab_drift_percent_bucket",
        "trimtab_broker_errors_total",
        "trimtab_rebalance_run_seconds_bucket",
        "trimtab_queue_jobs",
        "trimtab_queue_lag_seconds",
        "trimtab_notification_failures_total",
    ):
        assert metric in used, metric
    assert len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])
