"""The CLI over the services: db upgrade, users, tokens, allocations, check, trade, risk, runs."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trimtab.cli import app

PASSWORD = "correct horse battery"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_password_hashing: None) -> CliRunner:
    """A runner on a fresh SQLite database, migrated, with one user holding the seed targets."""
    monkeypatch.setenv("TRIMTAB_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("TRIMTAB_SECRET_KEY", "cli-test-secret")
    monkeypatch.delenv("TRIMTAB_USER", raising=False)
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    created = runner.invoke(app, ["users", "create", "alice@example.com", "--password", PASSWORD])
    assert created.exit_code == 0, created.output
    done = runner.invoke(app, ["allocations", "set", "SPY=40", "QQQ=30", "TLT=20", "GLD=10"])
    assert done.exit_code == 0, done.output
    return runner


def test_an_unmigrated_database_says_which_command_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIMTAB_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    result = CliRunner().invoke(app, ["allocations", "show"])
    assert result.exit_code == 2
    assert "run `trimtab db upgrade`" in result.output
    assert "Traceback" not in result.output


def test_check_json_prints_the_contract(cli: CliRunner) -> None:
    result = cli.invoke(app, ["check", "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert {
        "needs_rebalance",
        "drift_analysis",
        "trades_executed",
        "portfolio_value",
        "message",
    } <= set(body)
    assert body["dry_run"] is True and body["trades_executed"] == []


def test_check_places_orders_and_runs_lists_them(cli: CliRunner) -> None:
    result = cli.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert "Trades executed" in result.output
    history = json.loads(cli.invoke(app, ["runs", "--json"]).output)
    assert history["total"] == 1
    assert history["runs"][0]["status"] == "completed"
    one = cli.invoke(app, ["runs", "--id", str(history["runs"][0]["id"])])
    assert one.exit_code == 0 and "Drift analysis" in one.output


def test_trade_and_its_bad_input(cli: CliRunner) -> None:
    placed = cli.invoke(app, ["trade", "SPY", "buy", "1.5", "--json"])
    assert placed.exit_code == 0, placed.output
    assert json.loads(placed.output)["status"] == "filled"
    bad = cli.invoke(app, ["trade", "SPY", "hold", "1"])
    assert bad.exit_code == 2
    assert "side must be one of buy, sell" in bad.output
    assert "Traceback" not in bad.output


def test_trade_run_twice_with_one_key_places_one_order(cli: CliRunner) -> None:
    args = ["trade", "GLD", "buy", "1", "--key", "gld-once", "--json"]
    first = json.loads(cli.invoke(app, args).output)
    again = cli.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["order_id"] == first["order_id"]


def test_bad_allocations_name_the_problem(cli: CliRunner) -> None:
    for args, words in [
        (["SPY=abc"], "SPY: target_percent"),
        (["spy=40"], "not a valid ticker"),
        (["SPY"], "expected SYMBOL=PERCENT"),
    ]:
        result = cli.invoke(app, ["allocations", "set", *args])
        assert result.exit_code == 2, result.output
        assert words in result.output


def test_allocations_show_and_toggle(cli: CliRunner) -> None:
    assert cli.invoke(app, ["allocations", "disable", "GLD"]).exit_code == 0
    shown = json.loads(cli.invoke(app, ["allocations", "show", "--json"]).output)
    assert shown["total_percent"] == 90.0
    assert cli.invoke(app, ["allocations", "remove", "GLD"]).exit_code == 0
    assert cli.invoke(app, ["allocations", "remove", "GLD"]).exit_code == 2


def test_risk_set_blocks_check(cli: CliRunner) -> None:
    assert cli.invoke(app, ["risk", "set", "--kill-switch", "--reason", "away"]).exit_code == 0
    shown = json.loads(cli.invoke(app, ["risk", "show", "--json"]).output)
    assert shown["blocked_reason"] == "Kill switch is on: away"
    blocked = cli.invoke(app, ["check", "--json"])
    body = json.loads(blocked.output)
    assert body["status"] == "blocked_by_risk" and body["trades_executed"] == []
    assert body["outcome"] == "blocked_by_risk"
    assert [t["symbol"] for t in body["trades_planned"]] == ["GLD", "QQQ", "SPY", "TLT"]
    # It ran but could not act: exit 1 (2 is for bad input).
    assert blocked.exit_code == 1
    refused = cli.invoke(app, ["risk", "set", "--system", "--no-trading"])
    assert refused.exit_code == 2 and "only an admin" in refused.output


def test_several_users_need_user(cli: CliRunner) -> None:
    cli.invoke(app, ["users", "create", "bob@example.com", "--password", PASSWORD])
    result = cli.invoke(app, ["allocations", "show"])
    assert result.exit_code == 2 and "--user" in result.output
    mine = cli.invoke(app, ["allocations", "show", "--user", "bob@example.com", "--json"])
    assert json.loads(mine.output)["allocations"] == []


def test_tokens_create_prints_the_token_once(cli: CliRunner) -> None:
    result = cli.invoke(app, ["tokens", "create", "alice@example.com", "--name", "laptop"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith("tt_")


def test_schedule_set_and_show(cli: CliRunner) -> None:
    done = cli.invoke(app, ["schedule", "set", "weekly", "--weekday", "friday", "--at", "15:45"])
    assert done.exit_code == 0, done.output
    assert "every friday at 15:45" in done.output
    shown = json.loads(cli.invoke(app, ["schedule", "show", "--json"]).output)
    assert (shown["frequency"], shown["weekday"], shown["time_of_day"]) == (
        "weekly",
        "friday",
        "15:45",
    )
    assert shown["next_run_at"] is not None


def test_schedule_set_refuses_a_bad_time_naming_the_field(cli: CliRunner) -> None:
    result = cli.invoke(app, ["schedule", "set", "daily", "--at", "25:00"])
    assert result.exit_code == 2
    assert "time_of_day" in result.output
    late = cli.invoke(app, ["schedule", "set", "weekly", "--weekday", "tuesday", "--at", "16:30"])
    assert late.exit_code == 2, late.output
    assert "time_of_day must be before 16:00 New York time" in late.output
    assert json.loads(cli.invoke(app, ["schedule", "show", "--json"]).output)["frequency"] == "off"


def test_a_live_check_waits_and_shows_each_orders_status(cli: CliRunner) -> None:
    result = cli.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    # A new paper account holds only cash: four buys, each followed to its fill.
    for symbol in ("SPY", "QQQ", "TLT", "GLD"):
        assert re.search(rf"buy {symbol} [\d.]+: filled", result.output), result.output


def test_settings_set_and_show_and_bands_in_allocations(cli: CliRunner) -> None:
    done = cli.invoke(
        app, ["settings", "set", "scope=whole_book", "invest_cash=true", "threshold_percent=3"]
    )
    assert done.exit_code == 0, done.output
    shown = json.loads(cli.invoke(app, ["settings", "show", "--json"]).output)
    # The same answer as GET /api/settings (services/policy.PolicyView).
    assert (shown["scope"], shown["invest_cash"], shown["threshold_percent"]) == (
        "whole_book",
        True,
        3.0,
    )
    bad = cli.invoke(app, ["settings", "set", "trade_to=moon"])
    assert bad.exit_code == 2
    assert "trade_to must be one of target, band_edge, halfway" in bad.output
    assert cli.invoke(app, ["allocations", "set", "SPY=40:5:25", "QQQ=60::10"]).exit_code == 0
    rows = json.loads(cli.invoke(app, ["allocations", "show", "--json"]).output)["allocations"]
    assert {(r["symbol"], r["band_percent"], r["band_relative_percent"]) for r in rows} == {
        ("SPY", 5.0, 25.0),
        ("QQQ", None, 10.0),
    }


def test_check_no_wait_prints_the_run_and_the_run_goes_on_without_the_command(
    cli: CliRunner,
) -> None:
    result = cli.invoke(app, ["check", "--no-wait"])
    assert result.exit_code == 0, result.output
    found = re.search(r"Run (\d+) goes on in the background \(running\)", result.output)
    assert found, result.output
    run_id = found.group(1)
    # A process of its own sends and follows the four buys after the command returned.
    deadline = time.monotonic() + 120
    while True:
        shown = json.loads(cli.invoke(app, ["runs", "--id", run_id, "--json"]).output)
        if shown["status"] != "running" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert shown["status"] == "completed", shown["message"]
    assert sorted(t["symbol"] for t in shown["trades_executed"]) == ["GLD", "QQQ", "SPY", "TLT"]
    assert {t["status"] for t in shown["trades_executed"]} == {"filled"}


def test_check_no_wait_is_for_a_live_run(cli: CliRunner) -> None:
    result = cli.invoke(app, ["check", "--no-wait", "--dry-run"])
    assert result.exit_code == 2
    assert "--no-wait" in result.output
    assert json.loads(cli.invoke(app, ["runs", "--json"]).output)["total"] == 0


def test_settings_refuse_a_percent_reserve_over_100_and_take_off_as_shown(
    cli: CliRunner,
) -> None:
    bad = cli.invoke(app, ["settings", "set", "cash_reserve=150"])
    assert bad.exit_code == 2, bad.output
    assert "cash_reserve in percent must be at most 100, got 150" in bad.output
    # In dollars 150 is fine; switching the unit back to percent is then refused.
    assert (
        cli.invoke(app, ["settings", "set", "cash_reserve=150", "cash_reserve_unit=usd"]).exit_code
        == 0
    )
    back = cli.invoke(app, ["settings", "set", "cash_reserve_unit=percent"])
    assert back.exit_code == 2, back.output
    assert "cash_reserve" in back.output
    assert (
        cli.invoke(
            app, ["settings", "set", "cash_reserve=100", "cash_reserve_unit=percent"]
        ).exit_code
        == 0
    )
    for word in ("off", "none", "OFF", ""):
        assert cli.invoke(app, ["settings", "set", "relative_band_percent=25"]).exit_code == 0
        done = cli.invoke(app, ["settings", "set", f"relative_band_percent={word}"])
        assert done.exit_code == 0, (word, done.output)
        shown = json.loads(cli.invoke(app, ["settings", "show", "--json"]).output)
        assert shown["relative_band_percent"] is None, word
    cli.invoke(app, ["settings", "set", "threshold_percent=5", "cash_buffer_percent=0.25"])
    text = cli.invoke(app, ["settings", "show"]).output
    assert "threshold_percent: 5\n" in text
    assert "cash_buffer_percent: 0.25\n" in text
    assert "relative_band_percent: off\n" in text
    assert ".0000" not in text


def test_a_refused_check_exits_1_and_an_untargeted_symbol_exits_2(cli: CliRunner) -> None:
    assert cli.invoke(app, ["allocations", "disable", "GLD"]).exit_code == 0
    refused = cli.invoke(app, ["check", "--dry-run"])
    assert refused.exit_code == 1, refused.output
    assert "targets sum to 90.00" in refused.output
    assert cli.invoke(app, ["allocations", "enable", "GLD"]).exit_code == 0
    bad = cli.invoke(app, ["check", "--dry-run", "--symbols", "NOPE,SPY"])
    assert bad.exit_code == 2, bad.output
    assert "symbols: NOPE is not a target" in bad.output
    assert cli.invoke(app, ["check", "--dry-run", "--symbols", "SPY"]).exit_code == 0


def test_runs_table_keeps_the_status_whole_and_wraps_the_message_on_80_columns(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trimtab.cli.app import console

    monkeypatch.setattr(console, "_width", 80)
    reason = "away on holiday until the second week of January, back on the twelfth"
    assert cli.invoke(app, ["risk", "set", "--kill-switch", "--reason", reason]).exit_code == 0
    assert cli.invoke(app, ["check"]).exit_code == 1
    table = cli.invoke(app, ["runs"]).output
    assert "blocked_by_risk" in table and "$100,000.00" in table, table
    assert re.search(r"\d{4}-\d{2}-\d{2} ", table), table
    assert "…" not in table, table


def test_a_bad_email_is_refused_before_the_password_prompt(cli: CliRunner) -> None:
    """No stdin is given: a prompt would abort with exit 1 and 'Password:' in the output."""
    result = cli.invoke(app, ["users", "create", "not-an-email"], input="")
    assert result.exit_code == 2, result.output
    assert "email 'not-an-email' is not a valid address" in result.output
    assert "Password" not in result.output
