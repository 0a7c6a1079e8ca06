"""Sign in and out, who am I, and personal API tokens."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Request, Response

from trimtab.api.deps import AdminUser, Ctx, CurrentUser, get_codec
from trimtab.api.errors import ApiError
from trimtab.api.schemas import (
    MAX_ID,
    CreatedTokenOut,
    LoginBody,
    LoginOut,
    MeOut,
    NewUserBody,
    RevokedOut,
    SessionsOut,
    TokenBody,
    TokenOut,
    TokensOut,
    UserOut,
    UsersOut,
)
from trimtab.services import login_throttle, users, web_sessions
from trimtab.services.broker_accounts import broker_status

router = APIRouter(tags=["auth"])


def user_out(user: users.User) -> UserOut:
    return UserOut(id=user.id, email=user.email, is_admin=user.is_admin, created_at=user.created_at)


@router.post("/api/auth/login", response_model=LoginOut)
def login(body: LoginBody, request: Request, response: Response, ctx: Ctx) -> LoginOut:
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
    return LoginOut(user=user_out(user), csrf_token=session.csrf_token)


@router.post("/api/auth/logout", status_code=204)
def logout(request: Request) -> Response:
    """End this session on the server and delete its cookie: a copy of the cookie stops
    working too. Needs no valid session, so it always signs the page out."""
    response = Response(status_code=204)
    get_codec(request).end(request, response)
    return response


@router.get("/api/sessions", response_model=SessionsOut)
def list_sessions(request: Request, user: CurrentUser, ctx: Ctx) -> dict[str, Any]:
    """The caller's signed-in pages, newest first; ``current`` marks this one."""
    current = get_codec(request).read(request)
    return {
        "sessions": [
            {
                "id": s.id,
                "created_at": s.created_at,
                "expires_at": s.expires_at,
                "user_agent": s.user_agent,
                "current": current is not None and current.id == s.id,
            }
            for s in web_sessions.list_sessions(ctx, user.id)
        ]
    }


@router.delete("/api/sessions/{session_id}", status_code=204)
def revoke_session(
    user: CurrentUser, ctx: Ctx, session_id: int = Path(ge=1, le=MAX_ID)
) -> Response:
    """Sign one of the caller's pages out; another user's session is 404."""
    web_sessions.revoke_session(ctx, user.id, session_id)
    return Response(status_code=204)


@router.delete("/api/sessions", response_model=RevokedOut)
def revoke_all_sessions(
    request: Request, response: Response, user: CurrentUser, ctx: Ctx
) -> RevokedOut:
    """Sign out everywhere: every page session of the caller ends, this one included.
    API tokens are not touched (revoke those under /api/tokens)."""
    revoked = web_sessions.revoke_all_sessions(ctx, user.id)
    get_codec(request).clear(response)
    return RevokedOut(revoked=revoked)


@router.get("/api/me", response_model=MeOut)
def me(request: Request, user: CurrentUser, ctx: Ctx) -> dict[str, Any]:
    """The caller, the page session's CSRF token (to recover it after a reload) and the
    broker connection: which broker, paper or live, and whether it answers now."""
    session = get_codec(request).read(request)
    return {
        "user": user_out(user).model_dump(mode="json"),
        "csrf_token": session.csrf_token if session else None,
        "broker": broker_status(ctx, user.id),
    }


@router.get("/api/users", response_model=UsersOut)
def list_users(admin: AdminUser, ctx: Ctx) -> dict[str, Any]:
    """Admins only: every account."""
    return {"users": [user_out(u).model_dump(mode="json") for u in users.list_users(ctx)]}


@router.post("/api/users", status_code=201, response_model=UserOut)
def create_user(body: NewUserBody, admin: AdminUser, ctx: Ctx) -> UserOut:
    """Admins only: a new account (with a paper account holding $100,000)."""
    return user_out(users.create_user(ctx, body.email, body.password, is_admin=body.is_admin))


@router.get("/api/tokens", response_model=TokensOut)
def list_tokens(user: CurrentUser, ctx: Ctx) -> dict[str, Any]:
    return {"tokens": [token_json(t) for t in users.list_tokens(ctx, user.id)]}


@router.post("/api/tokens", status_code=201, response_model=CreatedTokenOut)
def create_token(body: TokenBody, user: CurrentUser, ctx: Ctx) -> dict[str, Any]:
    """A new token, shown this once: only its hash is stored."""
    plain, info = users.create_token(ctx, user.id, body.name)
    return {"token": plain, **token_json(info)}


@router.delete("/api/tokens/{token_id}", response_model=TokenOut)
def revoke_token(
    user: CurrentUser, ctx: Ctx, token_id: int = Path(ge=1, le=MAX_ID)
) -> dict[str, Any]:
    return token_json(users.revoke_token(ctx, user.id, token_id))


def token_json(info: users.TokenInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "name": info.name,
        "created_at": info.created_at.isoformat(),
        "last_used_at": info.last_used_at.isoformat() if info.last_used_at else None,
        "revoked_at": info.revoked_at.isoformat() if info.revoked_at else None,
    }
