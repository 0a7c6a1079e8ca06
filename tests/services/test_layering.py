"""The services reach the database only through the unit of work (``store.unit_of_work``):
no module in ``services/`` imports SQLAlchemy, not even for type checking."""

from __future__ import annotations

import ast
from pathlib import Path

import trimtab.services

SERVICES = Path(trimtab.services.__file__).parent
#: Modules not moved onto the unit of work yet (issue 13); this set only shrinks.
NOT_YET = {
    "events.py",
    "events_postgres.py",
    "events_table.py",
    "queue.py",
}


def imported_modules(source: str) -> list[str]:
    """Every module ``source`` imports, wherever the import statement stands."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append(node.module)
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
        for path in sorted(SERVICES.glob("*.py"))
        if path.name not in NOT_YET
        for module in imported_modules(path.read_text())
        if module.split(".")[0] == "sqlalchemy"
    }
    assert offenders == {}


def test_every_module_still_waiting_exists() -> None:
    assert {name for name in NOT_YET if not (SERVICES / name).exists()} == set()
