"""The services reach the database only through the unit of work (``store.unit_of_work``):
no module in ``services/`` imports SQLAlchemy, not even for type checking, and none
opens a session of its own."""

from __future__ import annotations

import ast
from pathlib import Path

import trimtab.services

SERVICES = Path(trimtab.services.__file__).parent
#: The one module that hands ``ctx.store.session_factory`` on: the stored paper broker
#: (``brokers.paper.StoredPaperBroker``) takes one.
SESSION_FACTORY_USERS = {"broker_accounts.py"}


def imported_modules(source: str) -> list[str]:
    """Every module ``source`` imports, wherever the import statement stands."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append(node.module)
    return found


def attributes_read(source: str) -> set[str]:
    return {node.attr for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Attribute)}


def services() -> list[Path]:
    found = sorted(SERVICES.glob("*.py"))
    assert len(found) > 30  # the walk sees the package
    return found


def test_the_checker_sees_imports_under_type_checking_and_in_functions() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from sqlalchemy.orm import Session\n"
        "def f() -> None:\n    import sqlalchemy.exc\n"
    )
    assert imported_modules(source) == ["typing", "sqlalchemy.orm", "sqlalchemy.exc"]


def test_no_service_imports_sqlalchemy() -> None:
    offenders = {
        path.name: module
        for path in services()
        for module in imported_modules(path.read_text())
        if module.split(".")[0] == "sqlalchemy"
    }
    assert offenders == {}


def test_no_service_opens_sessions_or_reaches_the_engine() -> None:
    offenders = {
        path.name: sorted(reached)
        for path in services()
        if (reached := attributes_read(path.read_text()) & {"session_factory", "engine"})
        and not (path.name in SESSION_FACTORY_USERS and reached == {"session_factory"})
    }
    assert offenders == {}
