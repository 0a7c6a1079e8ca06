"""The reliability suite reuses the API fixtures (an app on a fresh SQLite database and
signed-in clients); tests that need PostgreSQL too take ``database_url``."""

from __future__ import annotations

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
