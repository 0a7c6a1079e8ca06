"""Accounts and personal API tokens: argon2 password hashes, tokens kept only as SHA-256."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import asdict
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from trimtab.brokers.demo import NEW_ACCOUNT_CASH
from trimtab.errors import Conflict, InvalidInput, NotFound
from trimtab.services.context import AppContext
from trimtab.services.contract import result
from trimtab.store.models import ApiTokenRow, UserRow
from trimtab.store.unit_of_work import ConstraintViolation

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+$")
MIN_PASSWORD_LENGTH = 8
TOKEN_PREFIX = "tt_"
#: ``last_used_at`` is a hint, not a log: writing it on every request would make
#: each authenticated read a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verifying against this when the email is unknown keeps the time a failed sign-in
    takes from telling which emails have accounts. Made on first use: hashing costs
    a fifth of a second that every CLI command would otherwise pay at import."""
    return _hasher.hash("not a password anyone has")


@result
class User:
    """An account (never its password hash)."""

    id: int
    email: str
    is_admin: bool
    created_at: datetime


@result
class UserList:
    """Every account, oldest first (``GET /api/users``, admins only)."""

    users: tuple[User, ...]


@result
class TokenInfo:
    """A personal API token, without the token itself (only its hash is kept)."""

    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    """Within a minute (``LAST_USED_RESOLUTION``); null when never used."""
    revoked_at: datetime | None


@result
class TokenList:
    """A user's API tokens, oldest first, revoked ones included."""

    tokens: tuple[TokenInfo, ...]


@result
class CreatedToken(TokenInfo):
    """A new token and, this once, the token itself."""

    token: str
    """The token itself: shown this once, stored only as a hash."""


def shown_once(plain: str, info: TokenInfo) -> CreatedToken:
    """What ``create_token`` made, as answered to whoever asked for it."""
    return CreatedToken(**asdict(info), token=plain)


def _user(row: UserRow) -> User:
    return User(id=row.id, email=row.email, is_admin=row.is_admin, created_at=row.created_at)


def _token(row: ApiTokenRow) -> TokenInfo:
    return TokenInfo(
        id=row.id,
        name=row.name,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


def normalize_email(email: str) -> str:
    """Trimmed and lower-cased; raises ``InvalidInput`` unless it looks like an address."""
    normalized = email.strip().lower() if isinstance(email, str) else ""
    if not EMAIL_PATTERN.match(normalized) or len(normalized) > 320:
        raise InvalidInput(f"email {email!r} is not a valid address", field="email")
    return normalized


def hash_token(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def create_user(ctx: AppContext, email: str, password: str, is_admin: bool = False) -> User:
    """Create an account with a paper broker account holding the new-account cash."""
    email = normalize_email(email)
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"password must be at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )
    now = ctx.clock()
    try:
        with ctx.store.write() as uow:
            if uow.users.by_email(email) is not None:
                raise Conflict(f"a user with email {email} already exists")
            row = uow.users.add(
                UserRow(
                    email=email,
                    password_hash=_hasher.hash(password),
                    is_admin=is_admin,
                    created_at=now,
                )
            )
            uow.paper_accounts.open(row.id, NEW_ACCOUNT_CASH, now=now)
            uow.audit(
                "user_created",
                user_id=row.id,
                actor=email,
                data={"is_admin": is_admin},
                now=now,
            )
            return _user(row)
    except ConstraintViolation:
        # Another request created the same email between our check and insert.
        raise Conflict(f"a user with email {email} already exists") from None


def authenticate(ctx: AppContext, email: str, password: str) -> User | None:
    """The user whose email and password these are, else ``None``."""
    try:
        email = normalize_email(email)
    except InvalidInput:
        return None
    with ctx.store.write() as uow:
        row = uow.users.by_email(email)
        try:
            _hasher.verify(row.password_hash if row else _dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if _hasher.check_needs_rehash(row.password_hash):
            row.password_hash = _hasher.hash(password)
        return _user(row)


def get_user(ctx: AppContext, user_id: int) -> User:
    with ctx.store.read() as uow:
        row = uow.users.get(user_id)
        if row is None:
            raise NotFound(f"no user {user_id}")
        return _user(row)


def list_users(ctx: AppContext, limit: int = 500) -> list[User]:
    """Every account, oldest first (for admins)."""
    with ctx.store.read() as uow:
        return [_user(row) for row in uow.users.first(limit)]


def get_user_by_email(ctx: AppContext, email: str) -> User:
    with ctx.store.read() as uow:
        row = uow.users.by_email(normalize_email(email))
        if row is None:
            raise NotFound(f"no user with email {email.strip().lower()}", field="user")
        return _user(row)


def resolve_user(ctx: AppContext, email: str | None) -> User:
    """The user a command acts for: by email, else the only user there is."""
    if email:
        return get_user_by_email(ctx, email)
    with ctx.store.read() as uow:
        rows = uow.users.first(2)
    if len(rows) == 1:
        return _user(rows[0])
    if not rows:
        what = "no users yet; create one with `trimtab users create EMAIL`"
    else:
        what = "several users; say which with --user EMAIL or TRIMTAB_USER"
    raise InvalidInput(f"cannot tell which user: {what}", field="user")


def create_token(ctx: AppContext, user_id: int, name: str) -> tuple[str, TokenInfo]:
    """A new API token: the plain token is returned once and only its hash is kept."""
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > 100:
        raise InvalidInput("token name must be 1 to 100 characters", field="name")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = ctx.clock()
    with ctx.store.write() as uow:
        if uow.users.get(user_id) is None:
            raise NotFound(f"no user {user_id}")
        row = uow.tokens.add(
            ApiTokenRow(user_id=user_id, name=name, token_hash=hash_token(plain), created_at=now)
        )
        uow.audit("token_created", user_id=user_id, actor=None, data={"id": row.id}, now=now)
        return plain, _token(row)


def list_tokens(ctx: AppContext, user_id: int) -> list[TokenInfo]:
    with ctx.store.read() as uow:
        return [_token(row) for row in uow.tokens.for_user(user_id)]


def revoke_token(ctx: AppContext, user_id: int, token_id: int) -> TokenInfo:
    """Revoke one of the user's tokens; another user's token is ``NotFound``."""
    now = ctx.clock()
    with ctx.store.write() as uow:
        row = uow.tokens.get_for_user(user_id, token_id)
        if row is None:
            raise NotFound(f"no token {token_id}")
        if row.revoked_at is None:
            row.revoked_at = now
            uow.audit("token_revoked", user_id=user_id, actor=None, data={"id": row.id}, now=now)
        return _token(row)


def user_for_token(ctx: AppContext, plain: str) -> User | None:
    """The owner of a live token, else ``None`` (unknown or revoked)."""
    if not isinstance(plain, str) or not plain.startswith(TOKEN_PREFIX):
        return None
    now = ctx.clock()
    with ctx.store.read() as uow:
        found = uow.tokens.live_owner(hash_token(plain))
    if found is None:
        return None
    user = User(
        id=found.user_id, email=found.email, is_admin=found.is_admin, created_at=found.created_at
    )
    if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
        # Only then a write (a short transaction of its own): most requests just read.
        with ctx.store.write() as uow:
            uow.tokens.mark_used(found.token_id, now)
    return user
