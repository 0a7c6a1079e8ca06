"""Who is calling: a session cookie (page) or a Bearer token (scripts), checked on every route."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from trimtab.api.errors import ApiError
from trimtab.api.sessions import SessionCodec, csrf_ok
from trimtab.errors import NotFound
from trimtab.services import users
from trimtab.services.background import RunLauncher
from trimtab.services.context import AppContext
from trimtab.services.users import User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# Dependencies that do no I/O are ``async``: FastAPI runs them on the event loop rather
# than handing each to a worker thread (a thread hop per dependency per request).


async def get_ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


def get_codec(request: Request) -> SessionCodec:
    codec: SessionCodec = request.app.state.sessions
    return codec


Ctx = Annotated[AppContext, Depends(get_ctx)]


async def get_launcher(request: Request) -> RunLauncher:
    launcher: RunLauncher = request.app.state.launcher
    return launcher


#: Where live runs go on after their request is answered.
Launcher = Annotated[RunLauncher, Depends(get_launcher)]


@dataclass(frozen=True, slots=True)
class Caller:
    user: User
    by_token: bool


def _unauthenticated(message: str) -> ApiError:
    return ApiError(401, "unauthenticated", message, headers={"WWW-Authenticate": "Bearer"})


def current_caller(request: Request, ctx: Ctx) -> Caller:
    """The signed-in user; state-changing cookie requests must carry the CSRF token."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthenticated("Authorization must be 'Bearer <token>'")
        user = users.user_for_token(ctx, token.strip())
        if user is None:
            raise _unauthenticated("the API token is unknown or revoked")
        return Caller(user, by_token=True)
    session = get_codec(request).read(request)
    if session is None:
        raise _unauthenticated("sign in first (or send an API token)")
    try:
        user = users.get_user(ctx, session.user_id)
    except NotFound:
        raise _unauthenticated("the account of this session no longer exists") from None
    if request.method not in SAFE_METHODS and not csrf_ok(session, request):
        raise ApiError(403, "csrf_failed", "missing or wrong X-CSRF-Token header")
    return Caller(user, by_token=False)


async def current_user(caller: Annotated[Caller, Depends(current_caller)]) -> User:
    return caller.user


async def admin_user(user: Annotated[User, Depends(current_user)]) -> User:
    if not user.is_admin:
        raise ApiError(403, "forbidden", "only an admin may do this")
    return user


CurrentUser = Annotated[User, Depends(current_user)]
AdminUser = Annotated[User, Depends(admin_user)]
