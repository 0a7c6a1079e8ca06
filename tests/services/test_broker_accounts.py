"""Per-user broker choice, with the Alpaca secret encrypted at rest."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from trimtab.brokers.alpaca import AlpacaBroker
from trimtab.errors import InvalidInput
from trimtab.keys import server_secret
from trimtab.services.broker_accounts import credentials_cipher, set_broker_account
from trimtab.services.context import AppContext
from trimtab.store.models import BrokerAccountRow
from trimtab.store.paper import StoredPaperBroker


def test_alpaca_secret_is_encrypted_and_used(ctx: AppContext, user_id: int) -> None:
    assert isinstance(ctx.broker_for(user_id), StoredPaperBroker)
    set_broker_account(ctx, user_id, "alpaca", key_id="PKTEST", secret="very-secret")
    with ctx.session_factory() as session:
        row = session.scalars(select(BrokerAccountRow)).one()
        assert row.secret_encrypted and "very-secret" not in row.secret_encrypted
        cipher = credentials_cipher(server_secret(ctx.settings))
        assert cipher.decrypt(row.secret_encrypted.encode()) == b"very-secret"
    assert isinstance(ctx.broker_for(user_id), AlpacaBroker)


def test_alpaca_needs_keys(ctx: AppContext, user_id: int) -> None:
    with pytest.raises(InvalidInput) as err:
        set_broker_account(ctx, user_id, "alpaca")
    assert err.value.field == "key_id"
    with pytest.raises(InvalidInput) as err:
        set_broker_account(ctx, user_id, "ib")
    assert err.value.field == "kind"
