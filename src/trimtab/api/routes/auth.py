"""Sign in and out, who am I, and personal API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request, Response

from trimtab.api.deps import AdminUser, CallerRoute, Ctx, CurrentUser, get_codec
from trimtab.api.errors import ApiError
from trimtab.api.schemas import MAX_ID, LoginBody, NewUserBody, TokenBody
from trimtab.services import login_throttle, users, web_sessions
from trimtab.services.users import CreatedToken, TokenInfo, TokenList, User, UserList
from trimtab.services.web_sessions import Me, SessionList, SessionsRevoked, SignedIn

router = APIRouter(tags=["auth"], route_class=CallerRoute)


@router.post("/api/auth/login")
def login(body: LoginBody, request: Request, response: Response, ctx: Ctx) -> SignedIn:
    """Check the password, set the session cookie and return the CSRF token for the page."""
    # Per account and address: a guesser elsewhere cannot lock the right user out
    # (the address is the TCP peer's unless it is a TRIMTAB_TRUSTED_PROXIES proxy).
    key = login_throttle.throttle_key(body.email, request.client.host if request.client else "-")
    wait = login_throttle.retry_after(ctx, key)
    if wait:
        raise ApiError(
            429,
            "too_many_attempts",
            f"too many failed sign-ins; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    user = users.authenticate(ctx, body.email, body.password)
    if user is None:
        login_throttle.record_failure(ctx, key)
        raise ApiError(401, "invalid_credentials", "wrong email or password")
    login_throttle.record_success(ctx, key)
    session = get_codec(request).issue(response, request, user.id)
    return SignedIn(user=user, csrf_token=session.csrf_token)


@router.post("/api/auth/logout", status_code=204)
def logout(request: Request) -> Response:
    """End this session on the server and delete its cookie: a copy of the cookie stops
    working too. Needs no valid session, so it always signs the page out."""
    response = Response(status_code=204)
    get_codec(request).end(request, response)
    return response


@router.get("/api/sessions")
def list_sessions(request: Request, user: CurrentUser, ctx: Ctx) -> SessionList:
    """The caller's signed-in pages, newest first; ``current`` marks this one."""
    current = get_codec(request).read(request)
    return web_sessions.list_sessions(ctx, user.id, current.id if current else None)


@router.delete("/api/sessions/{session_id}", status_code=204)
def revoke_session(
    user: CurrentUser, ctx: Ctx, session_id: int = Path(ge=1, le=MAX_ID)
) -> Response:
    """Sign one of the caller's pages out; another user's session is 404."""
    web_sessions.revoke_session(ctx, user.id, session_id)
    return Response(status_code=204)


@router.delete("/api/sessions")
def revoke_all_sessions(
    request: Request, response: Response, user: CurrentUser, ctx: Ctx
) -> SessionsRevoked:
    """Sign out everywhere: every page session of the caller ends, this one included.
    API tokens are not touched (revoke those under /api/tokens)."""
    revoked = web_sessions.revoke_all_sessions(ctx, user.id)
    get_codec(request).clear(response)
    return revoked


@router.get("/api/me")
def me(request: Request, user: CurrentUser, ctx: Ctx) -> Me:
    """The caller, the page session's CSRF token (to recover it after a reload) and the
    broker connection: which broker, paper or live, and whether it answers now."""
    return web_sessions.me(ctx, user, get_codec(request).read(request))


@router.get("/api/users")
def list_users(admin: AdminUser, ctx: Ctx) -> UserList:
    """Admins only: every account."""
    return UserList(users=tuple(users.list_users(ctx)))


@router.post("/api/users", status_code=201)
def create_user(body: NewUserBody, admin: AdminUser, ctx: Ctx) -> User:
    """Admins only: a new account (with a paper account holding $100,000)."""
    return users.create_user(ctx, body.email, body.password, is_admin=body.is_admin)


@router.get("/api/tokens")
def list_tokens(user: CurrentUser, ctx: Ctx) -> TokenList:
    return TokenList(tokens=tuple(users.list_tokens(ctx, user.id)))


@router.post("/api/tokens", status_code=201)
def create_token(body: TokenBody, user: CurrentUser, ctx: Ctx) -> CreatedToken:
    """A new token, shown this once: only its hash is stored."""
    return users.shown_once(*users.create_token(ctx, user.id, body.name))


@router.delete("/api/tokens/{token_id}")
def revoke_token(user: CurrentUser, ctx: Ctx, token_id: int = Path(ge=1, le=MAX_ID)) -> TokenInfo:
    return users.revoke_token(ctx, user.id, token_id)
