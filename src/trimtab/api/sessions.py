"""Session cookies for the page, backed by the ``web_sessions`` table, with a CSRF token
bound to each session (services.web_sessions; docs/security.md, "Sessions").

The cookie holds only a random id. Signing out revokes its row, so a copied cookie
stops working at once; "sign out everywhere" revokes every row of the user.
"""

from __future__ import annotations

import contextlib
import hmac

from starlette.requests import Request
from starlette.responses import Response

from trimtab.errors import NotFound
from trimtab.services import web_sessions
from trimtab.services.context import AppContext
from trimtab.services.web_sessions import SESSION_LIFETIME, WebSession

COOKIE_NAME = "trimtab_session"
CSRF_HEADER = "X-CSRF-Token"
MAX_AGE_SECONDS = int(SESSION_LIFETIME.total_seconds())

__all__ = ["COOKIE_NAME", "CSRF_HEADER", "SessionCodec", "WebSession", "csrf_ok"]


class SessionCodec:
    """Issues, reads and ends session cookies."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def issue(self, response: Response, request: Request, user_id: int) -> WebSession:
        agent = request.headers.get("User-Agent", "")
        plain, session = web_sessions.create_session(self.ctx, user_id, agent)
        response.set_cookie(
            COOKIE_NAME,
            plain,
            max_age=MAX_AGE_SECONDS,
            httponly=True,
            samesite="strict",
            # Secure whenever the page is served over HTTPS (directly or behind a trusted
            # proxy that says so); plain http://127.0.0.1 for a single user still works.
            secure=request.url.scheme == "https",
            path="/",
        )
        return session

    def read(self, request: Request) -> WebSession | None:
        """The request's live session (looked up once per request), or ``None``."""
        if "web_session" in request.scope:
            found: WebSession | None = request.scope["web_session"]
            return found
        value = request.cookies.get(COOKIE_NAME, "")
        found = web_sessions.session_for(self.ctx, value) if value else None
        request.scope["web_session"] = found
        return found

    def end(self, request: Request, response: Response) -> None:
        """Revoke the request's session (if live) and delete the cookie."""
        session = self.read(request)
        if session is not None:
            # Already revoked by a racing sign-out is as good as revoked now.
            with contextlib.suppress(NotFound):
                web_sessions.revoke_session(self.ctx, session.user_id, session.id)
        self.clear(response)

    @staticmethod
    def clear(response: Response) -> None:
        response.delete_cookie(COOKIE_NAME, path="/")


def csrf_ok(session: WebSession, request: Request) -> bool:
    """The request carries the session's CSRF token in ``X-CSRF-Token``."""
    sent = request.headers.get(CSRF_HEADER, "")
    return bool(sent) and hmac.compare_digest(sent, session.csrf_token)
