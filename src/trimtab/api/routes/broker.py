"""The caller's broker connection: see it, connect an Alpaca account, test it, disconnect."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from trimtab.api.deps import Ctx, CurrentUser
from trimtab.api.schemas import (
    BrokerAccountOut,
    BrokerConnectBody,
    BrokerConnectedOut,
    BrokerConnectionOut,
)
from trimtab.services import broker_accounts
from trimtab.services.broker_accounts import account_json, connection_json

router = APIRouter(tags=["broker"])


@router.get("/api/broker", response_model=BrokerConnectionOut)
def get_broker(user: CurrentUser, ctx: Ctx) -> dict[str, Any]:
    """Whose account the caller trades (`own`, `server` or `paper`), paper or live, the
    key id masked and whether a secret is stored. Asks the broker nothing."""
    return connection_json(broker_accounts.broker_connection(ctx, user.id))


@router.put("/api/broker", response_model=BrokerConnectedOut)
def connect_broker(body: BrokerConnectBody, user: CurrentUser, ctx: Ctx) -> dict[str, Any]:
    """Connect the caller's own Alpaca account. The keys are tested first: refused keys
    (`broker_keys_refused`) or an account that is not active (`broker_account_inactive`)
    answer 422 and store nothing; live needs `confirm_live: true`."""
    connection, check = broker_accounts.connect_alpaca(
        ctx,
        user.id,
        body.key_id,
        body.secret.get_secret_value(),
        paper=body.paper,
        confirm_live=body.confirm_live,
    )
    return {"connection": connection_json(connection), "account": account_json(check)}


@router.post("/api/broker/test", response_model=BrokerAccountOut)
def test_broker(user: CurrentUser, ctx: Ctx) -> dict[str, Any]:
    """Read the caller's account now: its id, status and the flags that stop trading."""
    return account_json(broker_accounts.probe_connection(ctx, user.id))


@router.delete("/api/broker", response_model=BrokerConnectionOut)
def disconnect_broker(user: CurrentUser, ctx: Ctx) -> dict[str, Any]:
    """Forget the caller's own connection and its keys; answers with what applies now."""
    return connection_json(broker_accounts.disconnect(ctx, user.id))
