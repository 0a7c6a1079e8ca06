"""The failed sign-in counts (``services.login_throttle``): one row per account and
client address, counted up atomically with the dialect's upsert."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from trimtab.store.models import LoginThrottleRow
from trimtab.store.repositories import Repository


class LoginThrottles(Repository):
    def get(self, key: str) -> LoginThrottleRow | None:
        return self.session.get(LoginThrottleRow, key)

    def forget_before(self, cutoff: datetime) -> None:
        """Delete the counts last changed before ``cutoff``."""
        self.session.execute(delete(LoginThrottleRow).where(LoginThrottleRow.updated_at < cutoff))

    def count_failure(self, key: str, now: datetime) -> LoginThrottleRow:
        """Add one failure to ``key`` (a new row holds 1) in one statement, whichever
        process counts at the same time; the row as it is now."""
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        self.session.execute(
            insert(LoginThrottleRow)
            .values(key=key, failures=1, locked_until=None, updated_at=now)
            .on_conflict_do_update(
                index_elements=["key"],
                set_={"failures": LoginThrottleRow.failures + 1, "updated_at": now},
            )
        )
        row = self.session.get(LoginThrottleRow, key, populate_existing=True)
        assert row is not None
        return row

    def delete(self, key: str) -> None:
        self.session.execute(delete(LoginThrottleRow).where(LoginThrottleRow.key == key))
