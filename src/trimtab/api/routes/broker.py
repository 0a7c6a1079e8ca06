"""The caller's broker connection: see it, connect an Alpaca account, test it, disconnect."""

from __future__ import annotations

from fastapi import APIRouter

from trimtab.api.deps import CallerRoute, Ctx, CurrentUser
from trimtab.api.schemas import BrokerConnectBody
from trimtab.services import broker_accounts
from trimtab.services.broker_accounts import AccountCheck, BrokerConnected, BrokerConnection

router = APIRouter(tags=["broker"], route_class=CallerRoute)


@router.get("/api/broker")
def get_broker(user: CurrentUser, ctx: Ctx) -> BrokerConnection:
    """Whose account the caller trades (`own`, `server` or `paper`), paper or live, the
    key id masked and whether a secret is stored. Asks the broker nothing."""
    return broker_accounts.broker_connection(ctx, user.id)


@router.put("/api/broker")
def connect_broker(body: BrokerConnectBody, user: CurrentUser, ctx: Ctx) -> BrokerConnected:
    """Connect the caller's own Alpaca account. The keys are tested first: refused keys
    (`broker_keys_refused`) or an account that is not active (`broker_account_inactive`)
    answer 422 and store nothing; live needs `confirm_live: true`."""
    return broker_accounts.connect_alpaca(
        ctx,
        user.id,
        body.key_id,
        body.secret.get_secret_value(),
        paper=body.paper,
        confirm_live=body.confirm_live,
    )


@router.post("/api/broker/test")
def test_broker(user: CurrentUser, ctx: Ctx) -> AccountCheck:
    """Read the caller's account now: its id, status and the flags that stop trading."""
    return broker_accounts.probe_connection(ctx, user.id)


@router.delete("/api/broker")
def disconnect_broker(user: CurrentUser, ctx: Ctx) -> BrokerConnection:
    """Forget the caller's own connection and its keys; answers with what applies now."""
    return broker_accounts.disconnect(ctx, user.id)
