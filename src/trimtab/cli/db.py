"""``trimtab db upgrade``: create or migrate the database."""

from __future__ import annotations

import typer

from trimtab.cli.app import app, console, exit_on_error
from trimtab.config import Settings
from trimtab.store.db import head_revision, upgrade

db_app = typer.Typer(help="Create or migrate the database.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade_command() -> None:
    """Apply every migration (TRIMTAB_DATABASE_URL; default a SQLite file under ./var/)."""
    settings = Settings()
    with exit_on_error():
        upgrade(settings.database_url)
    console.print(f"Database is at revision {head_revision()}")
