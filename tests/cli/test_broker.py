"""``trimtab broker connect|show|disconnect`` against the simulator, through the real SDK."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trimtab.brokers.sim.schemas import stable_id
from trimtab.brokers.sim.server import BackgroundServer
from trimtab.cli import app

PASSWORD = "correct horse battery"
KEY_ID = "PKCLITEST0000001"
SECRET = "cli-test-alpaca-secret"
ACCOUNT_ID = stable_id("account", KEY_ID)


@pytest.fixture
def cli(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fast_password_hashing: None,
    alpaca_sim: BackgroundServer,
) -> CliRunner:
    """One user on a fresh SQLite database; Alpaca is the simulator, with one account."""
    alpaca_sim.simulator.open_account(KEY_ID, SECRET, cash=Decimal(1000))
    monkeypatch.setenv("TRIMTAB_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("TRIMTAB_SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("ALPACA_BASE_URL", alpaca_sim.base_url)
    monkeypatch.setenv("ALPACA_DATA_URL", alpaca_sim.base_url)
    for name in ("TRIMTAB_USER", "TRIMTAB_BROKER", "TRIMTAB_BROKER_SECRET", "ALPACA_KEY_ID"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    created = runner.invoke(app, ["users", "create", "alice@example.com", "--password", PASSWORD])
    assert created.exit_code == 0, created.output
    return runner


def shown(cli: CliRunner) -> dict[str, object]:
    result = cli.invoke(app, ["broker", "show", "--json"])
    assert result.exit_code == 0, result.output
    body: dict[str, object] = json.loads(result.output)
    return body


def test_connect_show_and_disconnect(cli: CliRunner) -> None:
    before = shown(cli)
    assert before["connection"] == {
        "source": "paper",
        "kind": "paper",
        "paper": True,
        "key_id": None,
        "secret_set": False,
        "account_id": None,
        "connected_at": None,
    }
    result = cli.invoke(app, ["broker", "connect", "--key-id", KEY_ID, "--secret", SECRET])
    assert result.exit_code == 0, result.output
    assert "Connected." in result.output
    assert "your own Alpaca account (paper)" in result.output
    assert "key id PK…0001, secret stored" in result.output
    assert f"account {ACCOUNT_ID}: ACTIVE" in result.output
    assert (
        "trading_blocked no, account_blocked no, pattern_day_trader no, shorting_enabled no"
        in result.output
    )
    assert SECRET not in result.output
    after = shown(cli)
    assert after["account"] == {
        "kind": "alpaca",
        "paper": True,
        "account_id": ACCOUNT_ID,
        "status": "ACTIVE",
        "trading_blocked": False,
        "account_blocked": False,
        "pattern_day_trader": False,
        "shorting_enabled": False,
    }
    assert after["error"] is None
    gone = cli.invoke(app, ["broker", "disconnect"])
    assert gone.exit_code == 0, gone.output
    assert "trimtab's paper broker" in gone.output
    assert shown(cli)["connection"] == before["connection"]


def test_the_secret_is_prompted_for_when_not_given(cli: CliRunner) -> None:
    result = cli.invoke(app, ["broker", "connect", "--key-id", KEY_ID], input=f"{SECRET}\n")
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output  # hidden input is not echoed
    assert shown(cli)["connection"]["source"] == "own"  # type: ignore[index]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--key-id", "PK12", "--secret", SECRET], "key_id must be 8 to 64 letters and digits"),
        (["--key-id", KEY_ID, "--secret", "a b c d e f"], "secret must be 8 to 128"),
        (["--key-id", KEY_ID, "--secret", "wrong-secret-value"], "Alpaca refused these keys"),
    ],
)
def test_bad_keys_exit_2_naming_the_problem(cli: CliRunner, args: list[str], message: str) -> None:
    result = cli.invoke(app, ["broker", "connect", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert shown(cli)["connection"]["source"] == "paper"  # type: ignore[index]


def test_live_needs_a_confirmation(cli: CliRunner) -> None:
    live = ["broker", "connect", "--key-id", KEY_ID, "--secret", SECRET, "--live"]
    for answer in ("", "n\n"):
        refused = cli.invoke(app, live, input=answer)
        assert refused.exit_code == 2, refused.output
        assert "real money" in refused.output
        assert "--yes-live-money: a live account needs explicit confirmation" in refused.output
        assert shown(cli)["connection"]["source"] == "paper"  # type: ignore[index]
    typed = cli.invoke(app, live, input="y\n")
    assert typed.exit_code == 0, typed.output
    assert "your own Alpaca account (LIVE)" in typed.output
    cli.invoke(app, ["broker", "disconnect"])
    scripted = cli.invoke(app, [*live, "--yes-live-money", "--json"])
    assert scripted.exit_code == 0, scripted.output
    assert json.loads(scripted.output)["connection"]["paper"] is False


def connect(cli: CliRunner) -> None:
    """Connect the simulator's account with the CLI."""
    result = cli.invoke(app, ["broker", "connect", "--key-id", KEY_ID, "--secret", SECRET])
    assert result.exit_code == 0, result.output


def test_show_says_when_the_broker_does_not_answer(
    cli: CliRunner, alpaca_sim: BackgroundServer
) -> None:
    connect(cli)
    alpaca_sim.simulator.add_key(
        KEY_ID, "rotated-secret-value", KEY_ID
    )  # the stored secret is now wrong
    try:
        result = cli.invoke(app, ["broker", "show"])
        assert result.exit_code == 1
        assert "your own Alpaca account (paper)" in result.output
        assert "not answering: Alpaca refused the API keys" in result.output
    finally:
        alpaca_sim.simulator.add_key(KEY_ID, SECRET, KEY_ID)


def test_backtest_on_the_brokers_daily_bars_says_what_to_pass_instead(
    cli: CliRunner, tmp_path: Path
) -> None:
    # Through the real SDK: the simulator pages Alpaca's /v2/stocks/bars over its
    # packaged closes (2016-01-04 to 2018-04-11), which have no GLD.
    connect(cli)
    targets = tmp_path / "targets.json"
    targets.write_text('{"SPY": 60, "AAPL": 40}')
    args = ["backtest", "--prices", "broker", "--targets", str(targets), "--json"]
    result = cli.invoke(app, [*args, "--end", "2018-12-31"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert (body["start"], body["end"], body["days"]) == ("2016-01-04", "2018-04-11", 572)
    targets.write_text('{"SPY": 60, "GLD": 40}')
    result = cli.invoke(app, args)
    assert result.exit_code == 2
    assert " ".join(result.output.split()) == (
        "error: GLD has no daily bars at the broker; give --prices a CSV file of daily "
        "closes with a column for each target instead"
    )
