"""Server-side sessions of the page: created at sign-in, revocable one at a time or all
at once ("sign out everywhere"), ended at sign-out (docs/security.md, "Sessions").

The cookie carries a random 256-bit id; only its SHA-256 is stored, so a copy of the
database cannot be replayed as a cookie.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from trimtab.errors import NotFound
from trimtab.services.context import AppContext
from trimtab.services.users import hash_token
from trimtab.store.models import WebSessionRow

#: A signed-in page stays signed in for a working week.
SESSION_LIFETIME = timedelta(days=5)


@dataclass(frozen=True, slots=True)
class WebSession:
    id: int
    user_id: int
    csrf_token: str
    created_at: datetime
    expires_at: datetime
    user_agent: str


def _session(row: WebSessionRow) -> WebSession:
    return WebSession(
        row.id, row.user_id, row.csrf_token, row.created_at, row.expires_at, row.user_agent
    )


def create_session(ctx: AppContext, user_id: int, user_agent: str = "") -> tuple[str, WebSession]:
    """A new session for ``user_id``: the cookie value (shown only now) and the session."""
    plain = secrets.token_urlsafe(32)
    now = ctx.clock()
    with ctx.store.write() as uow:
        row = WebSessionRow(
            user_id=user_id,
            token_hash=hash_token(plain),
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
            user_agent=user_agent[:200],
        )
        uow.web_sessions.add(row)
        return plain, _session(row)


def session_for(ctx: AppContext, plain: str) -> WebSession | None:
    """The live session a cookie names, else ``None`` (unknown, revoked or expired)."""
    if not plain or len(plain) > 100:
        return None
    with ctx.store.read() as uow:
        row = uow.web_sessions.by_hash(hash_token(plain))
        if row is None or row.revoked_at is not None or row.expires_at <= ctx.clock():
            return None
        return _session(row)


def list_sessions(ctx: AppContext, user_id: int) -> list[WebSession]:
    """The user's live sessions, newest first."""
    with ctx.store.read() as uow:
        rows = uow.web_sessions.live_for_user(user_id, ctx.clock())
        return [_session(row) for row in rows]


def revoke_session(ctx: AppContext, user_id: int, session_id: int) -> None:
    """End one of the user's sessions; another user's (or none) is ``NotFound``."""
    with ctx.store.write() as uow:
        row = uow.web_sessions.get(session_id)
        if row is None or row.user_id != user_id or row.revoked_at is not None:
            raise NotFound(f"no session {session_id}", field="session_id")
        row.revoked_at = ctx.clock()


def revoke_all_sessions(ctx: AppContext, user_id: int) -> int:
    """Sign the user out everywhere: end every live session; returns how many."""
    with ctx.store.write() as uow:
        return uow.web_sessions.revoke_all(user_id, ctx.clock())
