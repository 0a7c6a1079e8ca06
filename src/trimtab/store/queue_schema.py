"""procrastinate's tables and functions, created and dropped by our migrations (PostgreSQL).

procrastinate ships its schema as one SQL file; applying it inside an Alembic
migration keeps ``trimtab db upgrade`` the one command that readies a database. Its
objects all start with ``procrastinate_``, which autogenerate comparisons ignore.
"""

from __future__ import annotations

from typing import Any

from procrastinate.schema import SchemaManager
from sqlalchemy import Connection, text

PREFIX = "procrastinate_"


def create_queue_schema(connection: Connection) -> None:
    """Run procrastinate's schema SQL on the migration's own connection and transaction."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        # No parameters: the driver sends the script as it is (its % signs included).
        cursor.execute(SchemaManager.get_schema())
    finally:
        cursor.close()


#: How to find each kind of procrastinate object (in the current schema), and to drop one.
_OBJECTS = (
    (
        "SELECT quote_ident(tablename) FROM pg_tables "
        "WHERE schemaname = current_schema() AND tablename LIKE :pattern",
        "DROP TABLE IF EXISTS {} CASCADE",
    ),
    (
        "SELECT p.oid::regprocedure::text FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = current_schema() AND p.proname LIKE :pattern",
        "DROP FUNCTION IF EXISTS {} CASCADE",
    ),
    (
        "SELECT quote_ident(t.typname) FROM pg_type t "
        "JOIN pg_namespace n ON n.oid = t.typnamespace "
        "WHERE n.nspname = current_schema() AND t.typname LIKE :pattern "
        "AND t.typtype IN ('e', 'c')",
        "DROP TYPE IF EXISTS {} CASCADE",
    ),
)


def drop_queue_schema(connection: Connection) -> None:
    """Drop every object procrastinate's schema created: tables, then functions, then types."""
    for find, drop in _OBJECTS:
        names = connection.execute(text(find), {"pattern": PREFIX + "%"}).scalars().all()
        for name in names:
            connection.execute(text(drop.format(name)))


def include_in_comparison(name: Any, type_: str, _parent: Any) -> bool:
    """Alembic ``include_name`` hook: compare trimtab's objects, not procrastinate's."""
    return not (type_ == "table" and isinstance(name, str) and name.startswith(PREFIX))
