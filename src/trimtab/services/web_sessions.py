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
from trimtab.services.broker_accounts import BrokerStatus, broker_status
from trimtab.services.context import AppContext
from trimtab.services.contract import result
from trimtab.services.users import User, hash_token
from trimtab.store.models import WebSessionRow

#: A signed-in page stays signed in for a working week.
SESSION_LIFETIME = timedelta(days=5)


@dataclass(frozen=True, slots=True)
class WebSession:
    """A live session as the server keeps it (its CSRF token is only for its own page)."""

    id: int
    user_id: int
    csrf_token: str
    created_at: datetime
    expires_at: datetime
    user_agent: str


@result
class SignedIn:
    """The answer to a sign-in: who, and the CSRF token the page sends back on writes."""

    user: User
    csrf_token: str


@result
class Me:
    """The caller, the page session's CSRF token (null with an API token) and the broker."""

    user: User
    csrf_token: str | None
    broker: BrokerStatus


@result
class SessionInfo:
    """One of the user's signed-in pages."""

    id: int
    created_at: datetime
    expires_at: datetime
    user_agent: str
    current: bool
    """This request's own session."""


@result
class SessionList:
    """The user's live sessions, newest first."""

    sessions: tuple[SessionInfo, ...]


@result
class SessionsRevoked:
    """What "sign out everywhere" did."""

    revoked: int
    """How many sessions were signed out."""


def me(ctx: AppContext, user: User, session: WebSession | None) -> Me:
    """The caller as ``GET /api/me`` answers: ``session`` is the request's page session."""
    return Me(
        user=user,
        csrf_token=session.csrf_token if session else None,
        broker=broker_status(ctx, user.id),
    )


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


def list_sessions(ctx: AppContext, user_id: int, current_id: int | None = None) -> SessionList:
    """The user's live sessions, newest first; ``current_id`` is the asking page's own."""
    with ctx.store.read() as uow:
        rows = uow.web_sessions.live_for_user(user_id, ctx.clock())
        return SessionList(
            sessions=tuple(
                SessionInfo(
                    id=row.id,
                    created_at=row.created_at,
                    expires_at=row.expires_at,
                    user_agent=row.user_agent,
                    current=row.id == current_id,
                )
                for row in rows
            )
        )


def revoke_session(ctx: AppContext, user_id: int, session_id: int) -> None:
    """End one of the user's sessions; another user's (or none) is ``NotFound``."""
    with ctx.store.write() as uow:
        row = uow.web_sessions.get(session_id)
        if row is None or row.user_id != user_id or row.revoked_at is not None:
            raise NotFound(f"no session {session_id}", field="session_id")
        row.revoked_at = ctx.clock()


def revoke_all_sessions(ctx: AppContext, user_id: int) -> SessionsRevoked:
    """Sign the user out everywhere: end every live session; says how many."""
    with ctx.store.write() as uow:
        return SessionsRevoked(revoked=uow.web_sessions.revoke_all(user_id, ctx.clock()))
