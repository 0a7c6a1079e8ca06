"""``trimtab notify`` and metrics counted by CLI processes (prometheus-client multiprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from trimtab.cli import app

from ..services.notify_receivers import webhook_receiver
from .test_check import cli  # noqa: F401  (the fixture)


def test_notify_set_show_test_and_deliveries(cli: CliRunner) -> None:  # noqa: F811
    with webhook_receiver([200]) as (url, hook):
        made = cli.invoke(app, ["notify", "set", "--webhook-url", url, "--events", "run_executed"])
        assert made.exit_code == 0, made.output
        assert "Webhook signing secret (shown once): whsec_" in made.output
        shown = json.loads(cli.invoke(app, ["notify", "show", "--json"]).output)
        assert (shown["events"], shown["webhook_url"], shown["webhook_secret"]) == (
            ["run_executed"],
            url,
            None,
        )
        sent = cli.invoke(app, ["notify", "test", "--json"])
        assert sent.exit_code == 0, sent.output
    (delivery,) = json.loads(sent.output)["deliveries"]
    assert (delivery["status"], delivery["status_code"], delivery["attempts"]) == (
        "delivered",
        200,
        1,
    )
    assert len(hook.received) == 1
    listed = cli.invoke(app, ["notify", "deliveries"])
    assert f"#{delivery['id']}" in listed.output
    assert "test → webhook" in listed.output
    assert "delivered after 1 attempt HTTP 200" in listed.output


def test_notify_set_refuses_a_bad_email_with_exit_2(cli: CliRunner) -> None:  # noqa: F811
    result = cli.invoke(app, ["notify", "set", "--email", "nobody"])
    assert result.exit_code == 2
    assert "email is not an email address" in result.output


@pytest.mark.usefixtures("cli")
def test_runs_of_separate_cli_processes_add_up_in_multiprocess_mode(tmp_path: Path) -> None:
    metrics_dir = tmp_path / "prom"
    metrics_dir.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    command = [sys.executable, "-m", "trimtab.cli", "check", "--dry-run", "--json"]
    for _ in range(2):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(metrics_dir))  # type: ignore[no-untyped-call]
    found = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(generate_latest(registry).decode())
        for s in family.samples
    }
    runs = (
        "trimtab_rebalance_runs_total",
        (("dry_run", "true"), ("outcome", "planned"), ("trigger", "manual"), ("user_id", "1")),
    )
    assert found[runs] == 2
    assert found[("trimtab_drift_percent_count", ())] == 8
