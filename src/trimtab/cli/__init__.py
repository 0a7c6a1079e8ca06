"""The ``trimtab`` command line: one sub-command per verb, over the same services as the API."""

from trimtab.cli.app import app

# Importing a command module registers its commands on ``app``.
from trimtab.cli import (  # noqa: F401  # isort: skip
    allocations,
    backtest,
    broker,
    check,
    db,
    notify,
    plan,
    risk,
    runs,
    schedule,
    serve,
    settings,
    sim,
    trade,
    users,
    worker,
)

__all__ = ["app"]
