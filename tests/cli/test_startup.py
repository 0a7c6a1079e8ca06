"""The command line starts fast: a command imports only what it needs (bench/cli_startup.py
times it; these tests keep the heavy libraries out of the paths that must stay light)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from trimtab.cli import app
from trimtab.cli.app import COMMANDS

HEAVY = ("sqlalchemy", "fastapi", "uvicorn", "numpy", "pandas", "exchange_calendars", "alembic")


def heavy_modules_after(code: str, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    """The ``heavy`` top-level packages a fresh interpreter holds after running ``code``."""
    report = "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    probe = f"{code}\nimport json, sys\n{report}"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    loaded = set(json.loads(out.strip().splitlines()[-1]))
    return sorted(loaded.intersection(heavy))


def test_importing_the_app_loads_no_heavy_library() -> None:
    assert heavy_modules_after("import trimtab.cli.app") == []


def test_help_and_plan_load_no_heavy_library() -> None:
    run_help = (
        "import sys\nfrom trimtab.cli import app\nsys.argv = ['trimtab', '--help']\n"
        "try:\n    app()\nexcept SystemExit:\n    pass"
    )
    assert heavy_modules_after(run_help) == []
    assert heavy_modules_after("import trimtab.cli.plan") == []


def heavy_modules_after_plan(
    tmp_path: Path, *args: str, heavy: tuple[str, ...] = HEAVY
) -> list[str]:
    """A whole ``trimtab plan ARGS`` of a small snapshot in a fresh process (it must plan a
    buy), then the ``heavy`` packages loaded."""
    portfolio = tmp_path / "p.json"
    targets = tmp_path / "t.json"
    portfolio.write_text('{"cash": 100, "positions": [{"symbol": "SPY", "qty": 1, "price": 90}]}')
    targets.write_text('{"SPY": 100}')
    code = (
        "import sys, contextlib, io\nfrom trimtab.cli import app\n"
        f"sys.argv = ['trimtab', 'plan', '-p', {str(portfolio)!r}, '-t', {str(targets)!r}, "
        f"*{list(args)!r}]\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n        app()\n    except SystemExit as exit:\n        assert not exit.code\n"
        "assert 'buy' in out.getvalue(), out.getvalue()"
    )
    return heavy_modules_after(code, heavy)


def test_plan_runs_without_the_store(tmp_path: Path) -> None:
    assert heavy_modules_after_plan(tmp_path, "--json") == []


def test_plan_in_words_loads_no_pydantic(tmp_path: Path) -> None:
    """Typer's option adapters are pydantic's; trimtab's own coercion (cli/coercion.py) and
    the stdlib dataclasses of services/contract.py keep ``trimtab plan`` free of it."""
    args = ("--threshold", "4", "--untargeted", "sell", "-o", "invest_cash=true")
    heavy = ("pydantic", "pydantic_core", *HEAVY)
    assert heavy_modules_after_plan(tmp_path, *args, heavy=heavy) == []


def _command(name: str) -> Any:
    """The click command of verb ``name``, its module loaded."""
    group = typer.main.get_command(app)
    ctx = group.make_context("trimtab", ["--help"], resilient_parsing=True)
    command = group.get_command(ctx, name)  # type: ignore[attr-defined]
    assert command is not None
    return command


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_command_list_matches_each_command(name: str) -> None:
    """The help lists each verb with ``COMMANDS``' line, which must be the command's own."""
    command = _command(name)
    first_paragraph = (command.help or "").split("\n\n")[0]
    assert " ".join(first_paragraph.split()) == COMMANDS[name].help


def test_help_lists_every_verb() -> None:
    out = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"}).output
    for name, verb in COMMANDS.items():
        assert f"{name} " in out and verb.help in out


def test_a_flag_shows_no_value_in_help() -> None:
    """``--until-idle`` is an on/off flag: its help row shows no ``<bool>`` value."""
    out = CliRunner().invoke(app, ["worker", "--help"], env={"COLUMNS": "200"}).output
    row = next(line for line in out.splitlines() if "--until-idle" in line)
    assert "<bool>" not in row and "Exit once the queue is empty" in row
    assert "--concurrency" in out and "<int range>" in out


def test_version_prints_and_exits_zero() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("trimtab ")


def test_a_mistyped_command_is_answered_with_the_close_ones() -> None:
    """Suggestions come from the command table, not only the modules loaded so far."""
    result = CliRunner().invoke(app, ["plann"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "No such command 'plann'. Did you mean 'plan'?" in result.output


@pytest.mark.parametrize("name", list(COMMANDS))
def test_help_texts_show_no_rest_markup(name: str) -> None:
    """Help is read in a terminal: ``--id`` shows as --id, not with its backticks."""
    command = _command(name)
    pending: list[tuple[Any, list[str]]] = [(command, [name])]
    while pending:
        current, path = pending.pop()
        helps = [current.help or "", current.short_help or ""]
        helps += [getattr(p, "help", None) or "" for p in current.params]
        assert not [text for text in helps if "``" in text], path
        # Typer's groups are its own click's: a group is what has subcommands.
        subcommands = getattr(current, "commands", {})
        pending += [(sub, [*path, n]) for n, sub in subcommands.items()]
