"""Who is calling: a session cookie (page) or a Bearer token (scripts), checked on every route.

The caller is checked in the worker thread that runs the route, just before the route's
own code: one thread hop per request, not one for the check and another for the route.
``current_user`` (an ``async`` dependency, no I/O) only reads the credentials the
request carries and refuses a request that carries none; it hands the route a
``PendingCaller``, and every route of the app is a ``CallerRoute``, whose endpoint
swaps each ``PendingCaller`` for the checked ``User`` (a database lookup: sessions
stay revocable at once) before it runs. A request that fails validation is still
answered 401 or 403 first when its caller fails the check (``settle_callers``).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute

from trimtab.api.errors import ApiError
from trimtab.api.sessions import COOKIE_NAME, SessionCodec, csrf_ok
from trimtab.errors import NotFound
from trimtab.services import users
from trimtab.services.background import RunLauncher
from trimtab.services.context import AppContext
from trimtab.services.users import User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Where a request keeps its pending callers and, once checked, its ``Caller``.
PENDING_KEY = "trimtab.pending_callers"
CALLER_KEY = "trimtab.caller"


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


def _bearer_token(request: Request) -> str | None:
    """The Bearer token of the ``Authorization`` header, ``None`` without the header;
    raises 401 for any other form."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthenticated("Authorization must be 'Bearer <token>'")
    return token.strip()


def current_caller(request: Request, ctx: AppContext) -> Caller:
    """The signed-in user; state-changing cookie requests must carry the CSRF token.

    Blocking (database lookups); checked once per request, later calls answer the same.
    Raises ``ApiError`` 401 (no live token or session, or its account is gone) or 403
    (``csrf_failed``).
    """
    known: Caller | None = request.scope.get(CALLER_KEY)
    if known is not None:
        return known
    token = _bearer_token(request)
    if token is not None:
        user = users.user_for_token(ctx, token)
        if user is None:
            raise _unauthenticated("the API token is unknown or revoked")
        caller = Caller(user, by_token=True)
    else:
        session = get_codec(request).read(request)
        if session is None:
            raise _unauthenticated("sign in first (or send an API token)")
        try:
            user = users.get_user(ctx, session.user_id)
        except NotFound:
            raise _unauthenticated("the account of this session no longer exists") from None
        if request.method not in SAFE_METHODS and not csrf_ok(session, request):
            raise ApiError(403, "csrf_failed", "missing or wrong X-CSRF-Token header")
        caller = Caller(user, by_token=False)
    request.scope[CALLER_KEY] = caller
    return caller


@dataclass(frozen=True, slots=True)
class PendingCaller:
    """The credentials a request carries, not yet checked: what ``CurrentUser`` and
    ``AdminUser`` hand a ``CallerRoute``, which checks them in the route's thread.
    It has none of ``User``'s attributes, so a route that skipped the check would fail
    (500), never act for an unchecked caller."""

    request: Request
    ctx: AppContext
    admin: bool

    def user(self) -> User:
        """The checked user (blocking); raises ``ApiError`` 401/403 as ``current_caller``
        does, and 403 ``forbidden`` when an admin is needed and the caller is not one."""
        user = current_caller(self.request, self.ctx).user
        if self.admin and not user.is_admin:
            raise ApiError(403, "forbidden", "only an admin may do this")
        return user


def _pending(request: Request, *, admin: bool) -> PendingCaller:
    # The context straight from the app: one dependency fewer for FastAPI to solve.
    pending = PendingCaller(request, request.app.state.ctx, admin)
    request.scope.setdefault(PENDING_KEY, []).append(pending)
    return pending


async def current_user(request: Request) -> PendingCaller:
    """Refuse at once a request with no credentials at all (or a malformed
    ``Authorization``); the database check of the rest is the ``CallerRoute``'s."""
    if _bearer_token(request) is None and not request.cookies.get(COOKIE_NAME):
        raise _unauthenticated("sign in first (or send an API token)")
    return _pending(request, admin=False)


async def admin_user(
    request: Request, _signed_in: Annotated[PendingCaller, Depends(current_user)]
) -> PendingCaller:
    """``current_user``'s early refusal, and an admin needed at the check."""
    return _pending(request, admin=True)


#: The signed-in user, in a route of a ``CallerRoute`` (every route of the app).
CurrentUser = Annotated[User, Depends(current_user)]
#: The signed-in user, who must be an admin (403 ``forbidden`` otherwise).
AdminUser = Annotated[User, Depends(admin_user)]


def _check_callers(arguments: dict[str, Any]) -> None:
    for name, value in arguments.items():
        if isinstance(value, PendingCaller):
            arguments[name] = value.user()


def with_callers_checked(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """``endpoint`` with its ``PendingCaller`` arguments checked and swapped for the
    ``User`` first: in the worker thread that runs a sync endpoint, or in one thread hop
    before an ``async`` one. FastAPI reads the parameters through ``__wrapped__``."""
    if getattr(endpoint, "checks_callers", False):
        return endpoint
    if inspect.iscoroutinefunction(endpoint):

        @functools.wraps(endpoint)
        async def checked_async(**arguments: Any) -> Any:
            if any(isinstance(value, PendingCaller) for value in arguments.values()):
                await run_in_threadpool(_check_callers, arguments)
            return await endpoint(**arguments)

        checked: Callable[..., Any] = checked_async
    else:

        @functools.wraps(endpoint)
        def checked_sync(**arguments: Any) -> Any:
            _check_callers(arguments)
            return endpoint(**arguments)

        checked = checked_sync
    checked.checks_callers = True  # type: ignore[attr-defined]
    return checked


class CallerRoute(APIRoute):
    """A route whose endpoint checks its caller in its own thread (``with_callers_checked``)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, with_callers_checked(endpoint), **kwargs)


def routes_of(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    """Every ``APIRoute`` under ``routes``, in included routers too."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from routes_of(included.routes)


def _needs_caller(dependant: Dependant) -> bool:
    return any(
        sub.call in (current_user, admin_user) or _needs_caller(sub)
        for sub in dependant.dependencies
    )


def assert_callers_checked(app: FastAPI) -> None:
    """Raise ``RuntimeError`` at start-up for a route that takes ``CurrentUser`` or
    ``AdminUser`` but is not a ``CallerRoute`` (it would get an unchecked caller)."""
    for route in routes_of(app.routes):
        if _needs_caller(route.dependant) and not getattr(route.endpoint, "checks_callers", False):
            raise RuntimeError(
                f"{sorted(route.methods or ())} {route.path} takes the caller but its router "
                "is not APIRouter(route_class=CallerRoute)"
            )


async def settle_callers(scope: MutableMapping[str, Any]) -> None:
    """Check the callers a request left pending (one thread hop), raising their 401 or
    403: a request that fails validation answers those first, as when the check ran
    before validation."""
    pending: list[PendingCaller] = scope.get(PENDING_KEY, [])
    if pending:
        await run_in_threadpool(lambda: [caller.user() for caller in pending])
