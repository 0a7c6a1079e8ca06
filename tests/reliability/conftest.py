"""The reliability suite reuses the API fixtures (an app on a fresh SQLite database and
signed-in clients); tests that need PostgreSQL too take ``database_url``."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import (  # noqa: F401  (fixtures)
    Client,
    admin,
    alice,
    anonymous,
    app,
    bob,
    ctx,
    sign_in,
)

from .sim_runs import live_ctx, pg_ctx, sim_server  # noqa: F401  (fixtures: runs on the simulator)


def pytest_terminal_summary(terminalreporter: object) -> None:
    """Print the suite's figures: server errors, tracebacks, IDOR leaks, ..."""
    from .figures import report

    lines = report()
    if lines:
        reporter: Any = terminalreporter
        reporter.section("reliability figures")
        for line in lines:
            reporter.write_line(line)
