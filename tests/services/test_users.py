"""Accounts and API tokens."""

from __future__ import annotations

import pytest

from trimtab.errors import Conflict, InvalidInput, NotFound
from trimtab.services import users
from trimtab.services.context import AppContext
from trimtab.store.models import ApiTokenRow, UserRow

from .helpers import PASSWORD


def test_email_is_normalised_and_unique(ctx: AppContext) -> None:
    user = users.create_user(ctx, "  Alice@Example.COM ", PASSWORD)
    assert user.email == "alice@example.com"
    with pytest.raises(Conflict):
        users.create_user(ctx, "ALICE@example.com", PASSWORD)


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [("not-an-email", PASSWORD, "email"), ("a@b.c", "short", "password")],
)
def test_bad_account_input_names_the_field(
    ctx: AppContext, email: str, password: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        users.create_user(ctx, email, password)
    assert err.value.field == field


def test_password_is_stored_as_an_argon2_hash(ctx: AppContext) -> None:
    user = users.create_user(ctx, "alice@example.com", PASSWORD)
    with ctx.store.session_factory() as session:
        stored = session.get(UserRow, user.id)
        assert stored is not None
        assert stored.password_hash.startswith("$argon2")
        assert PASSWORD not in stored.password_hash


def test_authenticate(ctx: AppContext) -> None:
    user = users.create_user(ctx, "alice@example.com", PASSWORD)
    assert users.authenticate(ctx, "ALICE@example.com", PASSWORD) == user
    assert users.authenticate(ctx, "alice@example.com", "wrong password") is None
    assert users.authenticate(ctx, "nobody@example.com", PASSWORD) is None
    assert users.authenticate(ctx, "garbage", PASSWORD) is None


def test_new_user_has_a_paper_account_with_new_account_cash(ctx: AppContext) -> None:
    user = users.create_user(ctx, "alice@example.com", PASSWORD)
    account = ctx.broker_for(user.id).get_account()
    assert str(account.cash) == "100000.000000000"
    assert ctx.broker_for(user.id).get_positions() == []


def test_token_is_shown_once_and_stored_hashed(ctx: AppContext, user_id: int) -> None:
    plain, info = users.create_token(ctx, user_id, "laptop")
    assert users.user_for_token(ctx, plain) == users.get_user(ctx, user_id)
    with ctx.store.session_factory() as session:
        stored = session.get(ApiTokenRow, info.id)
        assert stored is not None
        assert stored.token_hash == users.hash_token(plain)
        assert plain not in stored.token_hash
    assert [t.name for t in users.list_tokens(ctx, user_id)] == ["laptop"]
    assert users.list_tokens(ctx, user_id)[0].last_used_at is not None


def test_revoked_or_unknown_token_authenticates_nobody(ctx: AppContext, user_id: int) -> None:
    plain, info = users.create_token(ctx, user_id, "laptop")
    users.revoke_token(ctx, user_id, info.id)
    assert users.user_for_token(ctx, plain) is None
    assert users.user_for_token(ctx, "tt_nonsense") is None
    assert users.user_for_token(ctx, "") is None


def test_another_users_token_cannot_be_revoked(ctx: AppContext, user_id: int) -> None:
    bob = users.create_user(ctx, "bob@example.com", PASSWORD)
    plain, info = users.create_token(ctx, user_id, "laptop")
    with pytest.raises(NotFound):
        users.revoke_token(ctx, bob.id, info.id)
    assert users.user_for_token(ctx, plain) is not None


def test_token_name_is_required(ctx: AppContext, user_id: int) -> None:
    with pytest.raises(InvalidInput) as err:
        users.create_token(ctx, user_id, "  ")
    assert err.value.field == "name"


def test_resolve_user(ctx: AppContext) -> None:
    with pytest.raises(InvalidInput, match="no users yet"):
        users.resolve_user(ctx, None)
    alice = users.create_user(ctx, "alice@example.com", PASSWORD)
    assert users.resolve_user(ctx, None) == alice
    users.create_user(ctx, "bob@example.com", PASSWORD)
    with pytest.raises(InvalidInput, match="--user"):
        users.resolve_user(ctx, None)
    assert users.resolve_user(ctx, "Alice@example.com") == alice
    with pytest.raises(NotFound):
        users.resolve_user(ctx, "carol@example.com")
