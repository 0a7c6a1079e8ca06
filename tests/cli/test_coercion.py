"""The quick option coercion (``trimtab.cli.coercion``) gives exactly what typer's own gives:
the same values, and for a value it does not take, typer's message and exit code."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
import typer.core
import typer.main
from typer.testing import CliRunner

from trimtab.cli.coercion import QuickParam, quick_coercion

runner = CliRunner()


class Colour(StrEnum):
    RED = "red"
    DARK_BLUE = "dark-blue"


class QuickCommand(typer.core.TyperCommand):
    """A command whose options get the quick coercion, as ``trimtab``'s do."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        quick_coercion(self, ctx)
        return super().parse_args(ctx, args)


def probe(cls: type[typer.core.TyperCommand]) -> typer.Typer:
    app = typer.Typer(add_completion=False)

    @app.command(cls=cls)
    def show(
        text: Annotated[str | None, typer.Option("--text")] = None,
        count: Annotated[int, typer.Option("--count")] = 0,
        file: Annotated[Path | None, typer.Option("--file", exists=True, dir_okay=False)] = None,
        anywhere: Annotated[Path | None, typer.Option("--anywhere")] = None,
        colour: Annotated[Colour, typer.Option("--colour", case_sensitive=False)] = Colour.RED,
        words: Annotated[list[str] | None, typer.Option("--word")] = None,
        numbers: Annotated[list[int] | None, typer.Option("--number")] = None,
        flag: Annotated[bool, typer.Option("--flag")] = False,
        maybe: Annotated[bool | None, typer.Option("--yes/--no")] = None,
    ) -> None:
        typer.echo(repr((text, count, file, anywhere, colour, words, numbers, flag, maybe)))

    return app


def run(cls: type[typer.core.TyperCommand], args: list[str]) -> tuple[int, str]:
    result = runner.invoke(probe(cls), args, env={"COLUMNS": "200"})
    return result.exit_code, result.output


def quick(*args: str) -> str:
    code, out = run(QuickCommand, list(args))
    assert code == 0, out
    return out.strip()


CASES = [
    [],
    ["--text", "héllo wörld", "--flag", "--no"],
    ["--text", ""],
    ["--count", "007"],
    ["--count", "-3"],
    ["--count", " 5"],
    ["--count", "1_000"],
    ["--count", "+4"],
    ["--count", "x"],
    ["--count", "99999999999999999999999"],
    ["--file", "pyproject.toml"],
    ["--file", "no-such-file.json"],
    ["--file", "src"],
    ["--anywhere", "./no/such/folder/"],
    ["--anywhere", ""],
    ["--colour", "DARK-blue"],
    ["--colour", "green"],
    ["--word", "a", "--word", "b c"],
    ["--number", "1", "--number", "02"],
    ["--number", "1", "--number", "x"],
    ["--yes"],
]


@pytest.mark.parametrize("args", CASES, ids=" ".join)
def test_the_quick_coercion_answers_as_typer_does(args: list[str]) -> None:
    assert run(QuickCommand, args) == run(typer.core.TyperCommand, args)


def test_plain_values_are_converted_without_typer_s_adapters() -> None:
    assert quick("--count", "007", "--word", "a", "--number", "2", "--colour", "Dark-Blue") == (
        "(None, 7, None, None, <Colour.DARK_BLUE: 'dark-blue'>, ['a'], [2], False, None)"
    )
    assert quick("--file", "pyproject.toml", "--anywhere", "a/b/") == (
        "(None, 0, PosixPath('pyproject.toml'), PosixPath('a/b'), <Colour.RED: 'red'>, None, None, "
        "False, None)"
    )
    command = typer.main.get_command(probe(QuickCommand))
    quick_coercion(command, typer.core.TyperCommand.context_class(command))
    kinds = {param.name: type(param._runtime_param).__name__ for param in command.params}  # type: ignore[attr-defined]
    assert kinds == {
        "text": "_Text",
        "count": "_Integer",
        "file": "_Path",
        "anywhere": "_Path",
        "colour": "_Choice",
        "words": "_Text",
        "numbers": "_Integer",
        "flag": "_Flag",
        "maybe": "_Flag",
    }
    assert all(isinstance(param._runtime_param, QuickParam) for param in command.params)  # type: ignore[attr-defined]


def test_refusals_are_typer_s() -> None:
    code, out = run(QuickCommand, ["--colour", "green"])
    assert code == 2
    assert "'green' is not one of 'red', 'dark-blue'." in out
    code, out = run(QuickCommand, ["--file", "no-such-file.json"])
    assert code == 2
    assert "file 'no-such-file.json' does not exist." in out
