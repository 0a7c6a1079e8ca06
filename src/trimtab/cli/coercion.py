"""Option values typed without pydantic, so a command that never needs pydantic never loads it.

Typer turns each option's text into its annotated type through a pydantic ``TypeAdapter``
that it builds the first time the option is read, even when the option was not given.
Importing pydantic and building those adapters was most of what ``trimtab plan`` spent
before planning. ``quick_coercion`` gives a command's options a coercion for the values
that typer keeps as they are or converts trivially (text, a flag, a plain integer, a path,
a choice of an enum, a list of these), with the same result typer gives, and hands any
other value to typer's own coercion, so odd values and every error message stay typer's.
bench/cli_startup.py measures the start-up; tests/cli/test_coercion.py compares the two.
"""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path
from typing import Any

from typer._click import Context
from typer._coercion import RuntimeParam, build_runtime_param
from typer._param_types import coerce_cli_choice, coerce_cli_path, lenient_issubclass
from typer.core import _TyperParameter
from typer.models import ParameterInfo

#: An integer as text that ``int()`` reads exactly as pydantic's lax mode does.
PLAIN_INT = re.compile(r"-?[0-9]{1,18}")


class _Unhandled(Exception):
    """Not a value the quick path converts: typer's own coercion takes it."""


class QuickParam(RuntimeParam):
    """One option's coercion: ``leaf`` converts one value (each item of a list option) or
    raises ``_Unhandled``, and typer's coercion then converts the value instead."""

    def leaf(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        raise _Unhandled

    def _coerce_value(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        try:
            if not param.type_descriptor.is_list:
                return self.leaf(value, param, ctx)
            if not isinstance(value, (list, tuple)):
                raise _Unhandled
            return [self.leaf(item, param, ctx) for item in value]
        except _Unhandled:
            return build_runtime_param(param.type_descriptor)._coerce_value(value, param, ctx)


class _Text(QuickParam):
    def leaf(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        if type(value) is not str:
            raise _Unhandled
        return value


class _Flag(QuickParam):
    def leaf(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        if type(value) is not bool:
            raise _Unhandled
        return value


class _Integer(QuickParam):
    def leaf(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        if type(value) is int:
            return value
        if type(value) is not str or not PLAIN_INT.fullmatch(value):
            raise _Unhandled
        return int(value)


class _Path(QuickParam):
    def leaf(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        if type(value) is not str or not value:
            raise _Unhandled
        # Typer's own checks (exists, file or folder) on the text as typed; no adapter.
        coerce_cli_path(value, self.parameter_info, path_type=None, param=param, ctx=ctx)
        return Path(value)


class _Choice(QuickParam):
    def leaf(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        choices = param.type_descriptor.choices
        assert choices is not None
        try:
            return coerce_cli_choice(
                value, choices=choices, case_sensitive=self.parameter_info.case_sensitive, ctx=ctx
            )
        except ValueError:
            raise _Unhandled from None  # typer words the refusal


def _kind(annotation: Any, info: ParameterInfo) -> type[QuickParam] | None:
    """The quick coercion for one value of ``annotation``, if there is one."""
    if info.parser is not None:
        return None
    if annotation is str:
        return _Text
    if annotation is bool:
        return _Flag
    if annotation is int and info.min is None and info.max is None:
        return _Integer
    if annotation is Path and info.path_type is None and not (info.resolve_path or info.allow_dash):
        return _Path
    if lenient_issubclass(annotation, Enum):
        return _Choice
    return None


def quick_coercion(command: Any, ctx: Context) -> None:
    """Give ``command``'s options, and its sub-commands', the quick coercion where one fits.

    ``ctx`` is the command's context or its parent's: it names the help option."""
    for param in command.get_params(ctx):
        if not isinstance(param, _TyperParameter) or param._runtime_param is not None:
            continue
        descriptor = param.type_descriptor
        if descriptor.file_annotation is not None:
            continue
        annotation = descriptor.annotation
        if descriptor.is_list:
            annotation = annotation.__args__[0]
        kind = _kind(annotation, descriptor.parameter_info)
        if kind is not None:
            param._runtime_param = kind(
                parameter_info=descriptor.parameter_info, annotation=descriptor.annotation
            )
    for sub in getattr(command, "commands", {}).values():
        quick_coercion(sub, ctx)
