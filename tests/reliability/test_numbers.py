"""One numeric range for money, quantities and percents at every edge: 422 or exit 2
naming the field, never a 500 or a traceback (domain.money's ranges)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tests.cli.test_check import cli  # noqa: F401  (fixture)
from trimtab.cli import app
from trimtab.services.context import AppContext
from trimtab.services.demo import seed_demo_user
from trimtab.services.users import create_token

from . import figures
from .conftest import Client

HUGE_QTYS = [1e20, 1e308, "12345678901234567890", "1e400", "-1e308"]


@pytest.mark.parametrize("qty", HUGE_QTYS)
def test_a_trade_past_the_quantity_range_is_a_422_naming_qty(
    app_client_with_broker: Client, qty: object
) -> None:
    response = app_client_with_broker.http.post(
        "/api/trades", json={"symbol": "SPY", "side": "buy", "qty": qty}
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["message"].startswith("qty:")


def test_the_callable_trade_refuses_it_too(app_client_with_broker: Client) -> None:
    response = app_client_with_broker.http.post(
        "/callable/execute_trade",
        json={"data": {"symbol": "SPY", "side": "buy", "qty": "12345678901234567890"}},
    )
    assert 400 <= response.status_code < 500, response.text
    assert "qty" in response.text


@pytest.fixture
def app_client_with_broker(app: object, ctx: AppContext) -> Client:
    from fastapi.testclient import TestClient

    seed = seed_demo_user(ctx)
    token, _ = create_token(ctx, seed.user.id, "numbers")
    http = TestClient(app)  # type: ignore[arg-type]
    http.headers["Authorization"] = f"Bearer {token}"
    return Client(http, seed.user, "")


def test_below_storage_precision_is_refused_not_stored_as_zero(alice: Client) -> None:
    response = alice.http.put("/api/allocations/SPY", json={"target_percent": 0.00004})
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("target_percent:")
    whole = alice.http.put(
        "/api/allocations",
        json={"allocations": [{"symbol": "SPY", "target_percent": "40.00001"}]},
    )
    assert whole.status_code == 422
    assert whole.json()["error"]["message"].startswith("allocations.0.target_percent:")
    # Four decimals are what is stored, so they are kept exactly.
    kept = alice.http.put("/api/allocations/SPY", json={"target_percent": "0.0001"})
    assert kept.status_code == 200 and kept.json()["target_percent"] == 0.0001
    settings = alice.http.put("/api/settings", json={"threshold_percent": 5, "min_trade": 1e308})
    assert settings.status_code == 422
    assert settings.json()["error"]["message"].startswith("min_trade:")


def cli_refuses(result: Result, *words: str) -> None:
    """Exit 2 with a message, and no Python exception escaped (no traceback)."""
    escaped = result.exception is not None and not isinstance(result.exception, SystemExit)
    figures.record("cli_hostile_inputs", 1)
    figures.record("tracebacks", int(escaped))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    for word in words:
        assert word in text, text


def write_plan_files(tmp_path: Path, portfolio: object) -> tuple[Path, Path]:
    path = tmp_path / "portfolio.json"
    path.write_text(json.dumps(portfolio))
    targets = tmp_path / "targets.json"
    targets.write_text('{"SPY": 60, "GLD": 40}')
    return path, targets


@pytest.mark.parametrize(
    ("portfolio", "field"),
    [
        ({"cash": "1e30", "positions": [], "prices": {"SPY": "400", "GLD": "180"}}, "cash"),
        (
            {
                "cash": "0",
                "positions": [{"symbol": "SPY", "qty": "1e17", "price": "0.0001"}],
                "prices": {"GLD": "180"},
            },
            "positions[0].qty",
        ),
        (
            {
                "cash": "0",
                "positions": [{"symbol": "SPY", "qty": "9000000000", "price": "9000000"}],
                "prices": {"GLD": "180"},
            },
            "positions",
        ),
        (
            {"cash": "10", "positions": [], "prices": {"SPY": "1e-30", "GLD": "180"}},
            "prices.SPY",
        ),
    ],
)
def test_plan_refuses_snapshots_past_the_range(
    tmp_path: Path, portfolio: object, field: str
) -> None:
    path, targets = write_plan_files(tmp_path, portfolio)
    result = CliRunner().invoke(app, ["plan", "-p", str(path), "-t", str(targets)])
    cli_refuses(result, f"portfolio.json: {field}:")


@pytest.mark.parametrize(
    ("option", "value"),
    [("--min-trade", "1e308"), ("--threshold", "1e30"), ("--cash-buffer", "0.00001")],
)
def test_plan_refuses_options_past_the_range(tmp_path: Path, option: str, value: str) -> None:
    path, targets = write_plan_files(
        tmp_path, {"cash": "1000", "positions": [], "prices": {"SPY": "400", "GLD": "180"}}
    )
    result = CliRunner().invoke(app, ["plan", "-p", str(path), "-t", str(targets), option, value])
    cli_refuses(result, option)


def test_plan_refuses_binary_and_deeply_nested_files(tmp_path: Path) -> None:
    _, targets = write_plan_files(tmp_path, {})
    binary = tmp_path / "binary.json"
    binary.write_bytes(bytes(range(256)) * 8)
    cli_refuses(
        CliRunner().invoke(app, ["plan", "-p", str(binary), "-t", str(targets)]),
        "binary.json: file: not UTF-8",
    )
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    cli_refuses(
        CliRunner().invoke(app, ["plan", "-p", str(deep), "-t", str(targets)]),
        "deep.json: file: JSON nested too deep",
    )
    cli_refuses(
        CliRunner().invoke(app, ["plan", "-p", str(targets), "-t", str(deep)]),
        "deep.json: file: JSON nested too deep",
    )


def test_cli_trade_and_runs_refuse_huge_numbers(cli: CliRunner) -> None:  # noqa: F811
    cli_refuses(cli.invoke(app, ["trade", "SPY", "buy", "1e20"]), "qty: must be above 0")
    cli_refuses(cli.invoke(app, ["runs", "--id", "99999999999999999999"]), "--id")
    cli_refuses(cli.invoke(app, ["runs", "--limit", "0"]), "--limit")
    cli_refuses(cli.invoke(app, ["allocations", "set", "SPY=0.00004"]), "decimal places")
