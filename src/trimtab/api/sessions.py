"""Signed session cookies for the page, with a CSRF token bound to each session.

The cookie holds the user id, a random CSRF token and the sign-in time, signed with
the server secret (itsdangerous): no session table to keep, and a tampered or
expired cookie is simply not a session. Signing out deletes the cookie.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

COOKIE_NAME = "trimtab_session"
CSRF_HEADER = "X-CSRF-Token"
#: A signed-in page stays signed in for a working week.
MAX_AGE_SECONDS = 5 * 24 * 3600


@dataclass(frozen=True, slots=True)
class WebSession:
    user_id: int
    csrf_token: str


class SessionCodec:
    """Issues and reads session cookies."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="trimtab.session")

    def issue(self, response: Response, request: Request, user_id: int) -> WebSession:
        session = WebSession(user_id=user_id, csrf_token=secrets.token_urlsafe(32))
        value = self._serializer.dumps({"uid": user_id, "csrf": session.csrf_token})
        response.set_cookie(
            COOKIE_NAME,
            value,
            max_age=MAX_AGE_SECONDS,
            httponly=True,
            samesite="strict",
            # Secure whenever the page is served over HTTPS (directly or behind a proxy that
            # says so); plain http://127.0.0.1 for a self-hosted single user still works.
            secure=request.url.scheme == "https",
            path="/",
        )
        return session

    def read(self, request: Request) -> WebSession | None:
        value = request.cookies.get(COOKIE_NAME)
        if not value:
            return None
        try:
            data = self._serializer.loads(value, max_age=MAX_AGE_SECONDS)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
            return None
        return WebSession(user_id=data["uid"], csrf_token=str(data.get("csrf", "")))

    @staticmethod
    def clear(response: Response) -> None:
        response.delete_cookie(COOKIE_NAME, path="/")


def csrf_ok(session: WebSession, request: Request) -> bool:
    """The request carries the session's CSRF token in ``X-CSRF-Token``."""
    sent = request.headers.get(CSRF_HEADER, "")
    return bool(sent) and hmac.compare_digest(sent, session.csrf_token)
