"""Each user's broker account: connecting one (keys tested first, secret encrypted), the
server's ALPACA_* account for its one owner only, and one run per broker account.

Alpaca is the simulator over loopback HTTP, reached through the real alpaca-py SDK."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update

from trimtab.brokers.alpaca import AlpacaBroker
from trimtab.brokers.books import AccountFlags
from trimtab.brokers.paper import StoredPaperBroker
from trimtab.brokers.sim.faults import Fault
from trimtab.brokers.sim.schemas import stable_id
from trimtab.brokers.sim.server import BackgroundServer
from trimtab.brokers.sim.simulator import Simulator
from trimtab.config import Settings
from trimtab.errors import Conflict, InvalidInput
from trimtab.keys import credentials_cipher, server_secret
from trimtab.services import allocations, users
from trimtab.services.broker_accounts import (
    _ACCOUNT_IDS,
    BrokerKind,
    BrokerSource,
    BrokerStatus,
    account_key,
    account_lock,
    broker_connection,
    broker_status,
    connect_alpaca,
    disconnect,
    make_broker_for,
    probe_connection,
    set_broker_account,
    shares_account,
)
from trimtab.services.context import AppContext
from trimtab.services.contract import to_json
from trimtab.services.rebalance import advance_run, check_rebalance_drift, start_live_check
from trimtab.store.db import make_engine
from trimtab.store.models import BrokerAccountRow, OrderRow
from trimtab.store.unit_of_work import Store

from .helpers import PASSWORD, SEED_TARGETS

SHARED_ACCOUNT = "PKSHARED00000001"
SECOND_KEY = "PKSHARED00000002"
SECRET = "shared-secret-one"
SECOND_SECRET = "shared-secret-two"
#: The id Alpaca's account JSON gives the shared account.
ACCOUNT_ID = stable_id("account", SHARED_ACCOUNT)
#: The server's ALPACA_* account is the shared one.
SERVER_ACCOUNT = {
    "TRIMTAB_BROKER": "alpaca",
    "ALPACA_KEY_ID": SHARED_ACCOUNT,
    "ALPACA_SECRET_KEY": SECRET,
}


@pytest.fixture
def simulator(alpaca_sim: BackgroundServer) -> Iterator[Simulator]:
    """The shared account: all in SPY, reached by two key pairs."""
    simulator = alpaca_sim.simulator
    simulator.open_account(SHARED_ACCOUNT, SECRET, cash=Decimal(0), holdings={"SPY": Decimal(100)})
    simulator.add_key(SECOND_KEY, SECOND_SECRET, SHARED_ACCOUNT)
    yield simulator
    simulator.faults.clear()


def on_sim(ctx: AppContext, server: BackgroundServer, **env: Any) -> AppContext:
    """The context with ALPACA_BASE_URL/ALPACA_DATA_URL at the simulator (and ``env``)."""
    ctx.settings = Settings(
        TRIMTAB_DATABASE_URL=str(ctx.store.engine.url),
        TRIMTAB_SECRET_KEY="test-secret",
        ALPACA_BASE_URL=server.base_url,
        ALPACA_DATA_URL=server.base_url,
        **env,
    )
    ctx.broker_for = make_broker_for(ctx.settings, ctx.store, ctx.clock)
    return ctx


def stored_rows(ctx: AppContext) -> list[BrokerAccountRow]:
    with ctx.store.session_factory() as session:
        return list(session.scalars(select(BrokerAccountRow)))


def test_connecting_tests_the_keys_and_stores_the_secret_encrypted(
    ctx: AppContext, user_id: int, alpaca_sim: BackgroundServer, simulator: Simulator
) -> None:
    on_sim(ctx, alpaca_sim)
    assert isinstance(ctx.broker_for(user_id), StoredPaperBroker)
    connected = connect_alpaca(ctx, user_id, f" {SHARED_ACCOUNT} ", SECRET)
    connection, check = connected.connection, connected.account
    account_id = ACCOUNT_ID
    assert (check.account_id, check.status, check.paper) == (account_id, "ACTIVE", True)
    assert (check.trading_blocked, check.account_blocked) == (False, False)
    assert (check.pattern_day_trader, check.shorting_enabled) == (False, False)
    assert connection.source is BrokerSource.OWN
    assert (connection.key_id, connection.secret_set) == ("PK…0001", True)
    assert connection.account_id == account_id
    [row] = stored_rows(ctx)
    assert row.key_id == SHARED_ACCOUNT and row.secret_encrypted
    assert SECRET not in row.secret_encrypted
    cipher = credentials_cipher(server_secret(ctx.settings))
    assert cipher.decrypt(row.secret_encrypted.encode()) == SECRET.encode()
    assert isinstance(ctx.broker_for(user_id), AlpacaBroker)
    assert probe_connection(ctx, user_id) == check
    assert account_key(ctx, user_id) == f"alpaca:paper:{account_id}"


def test_refused_keys_are_not_stored(
    ctx: AppContext, user_id: int, alpaca_sim: BackgroundServer, simulator: Simulator
) -> None:
    on_sim(ctx, alpaca_sim)
    with pytest.raises(InvalidInput) as err:
        connect_alpaca(ctx, user_id, SHARED_ACCOUNT, "not-the-secret")
    assert (err.value.code, err.value.field) == ("broker_keys_refused", "key_id")
    assert "Alpaca refused these keys (paper)" in err.value.message
    assert "not-the-secret" not in err.value.message
    assert stored_rows(ctx) == []
    assert broker_connection(ctx, user_id).source is BrokerSource.PAPER


def test_a_live_account_needs_confirmation(
    ctx: AppContext, user_id: int, alpaca_sim: BackgroundServer, simulator: Simulator
) -> None:
    on_sim(ctx, alpaca_sim)
    with pytest.raises(InvalidInput) as err:
        connect_alpaca(ctx, user_id, SHARED_ACCOUNT, SECRET, paper=False)
    assert (err.value.code, err.value.field) == ("live_not_confirmed", "confirm_live")
    assert stored_rows(ctx) == []
    connection = connect_alpaca(
        ctx, user_id, SHARED_ACCOUNT, SECRET, paper=False, confirm_live=True
    ).connection
    assert connection.paper is False
    assert account_key(ctx, user_id) == f"alpaca:live:{ACCOUNT_ID}"


@pytest.mark.parametrize(
    ("key_id", "secret", "field"),
    [
        ("", SECRET, "key_id"),
        ("PK12", SECRET, "key_id"),
        ("PK" + "X" * 63, SECRET, "key_id"),
        ("PK-SHARED-001", SECRET, "key_id"),
        (None, SECRET, "key_id"),
        (SHARED_ACCOUNT, "short", "secret"),
        (SHARED_ACCOUNT, "has a space in it", "secret"),
        (SHARED_ACCOUNT, "x" * 129, "secret"),
        (SHARED_ACCOUNT, "naïve-secret-é", "secret"),
    ],
)
def test_malformed_keys_name_the_field_and_never_reach_the_broker(
    ctx: AppContext, user_id: int, key_id: Any, secret: str, field: str
) -> None:
    # No simulator here: a call to the broker would fail differently.
    with pytest.raises(InvalidInput) as err:
        connect_alpaca(ctx, user_id, key_id, secret)
    assert err.value.field == field
    assert secret not in err.value.message
    assert stored_rows(ctx) == []


def test_set_broker_account_checks_its_arguments(ctx: AppContext, user_id: int) -> None:
    with pytest.raises(InvalidInput) as err:
        set_broker_account(ctx, user_id, "alpaca")
    assert err.value.field == "key_id"
    with pytest.raises(InvalidInput) as err:
        set_broker_account(ctx, user_id, "ib")
    assert err.value.field == "kind"


def test_disconnecting_forgets_the_keys(
    ctx: AppContext, user_id: int, alpaca_sim: BackgroundServer, simulator: Simulator
) -> None:
    on_sim(ctx, alpaca_sim)
    connect_alpaca(ctx, user_id, SHARED_ACCOUNT, SECRET)
    connection = disconnect(ctx, user_id)
    assert connection.source is BrokerSource.PAPER and connection.kind == "paper"
    assert stored_rows(ctx) == []
    assert isinstance(ctx.broker_for(user_id), StoredPaperBroker)
    assert account_key(ctx, user_id) == f"paper:{user_id}"
    assert disconnect(ctx, user_id) == connection  # nothing left to forget: same answer


def test_the_server_account_belongs_to_the_only_user(
    ctx: AppContext, user_id: int, alpaca_sim: BackgroundServer, simulator: Simulator
) -> None:
    on_sim(ctx, alpaca_sim, **SERVER_ACCOUNT)
    assert isinstance(ctx.broker_for(user_id), AlpacaBroker)
    status = broker_status(ctx, user_id)
    account_id = ACCOUNT_ID
    assert status == BrokerStatus(
        name=BrokerKind.ALPACA,
        paper=True,
        source=BrokerSource.SERVER,
        account_id=account_id,
        connected=True,
        message=None,
    )
    # A second user makes it a shared install: without TRIMTAB_USER nobody owns it.
    bob = users.create_user(ctx, "bob@example.com", PASSWORD).id
    for someone in (user_id, bob):
        assert isinstance(ctx.broker_for(someone), StoredPaperBroker)
        assert broker_status(ctx, someone).source is BrokerSource.PAPER
        assert account_key(ctx, someone) == f"paper:{someone}"


def test_trimtab_user_names_the_owner_and_everyone_else_trades_paper(
    ctx: AppContext, user_id: int, alpaca_sim: BackgroundServer, simulator: Simulator
) -> None:
    bob = users.create_user(ctx, "bob@example.com", PASSWORD).id
    on_sim(ctx, alpaca_sim, **SERVER_ACCOUNT, TRIMTAB_USER="Bob@Example.com")
    assert broker_connection(ctx, bob).source is BrokerSource.SERVER
    assert broker_connection(ctx, bob).key_id == "PK…0001"
    assert isinstance(ctx.broker_for(bob), AlpacaBroker)
    alice = broker_connection(ctx, user_id)
    assert (alice.source, alice.kind, alice.key_id) == (BrokerSource.PAPER, "paper", None)
    assert isinstance(ctx.broker_for(user_id), StoredPaperBroker)
    # Alice's paper account is her own: $100,000 of new-account cash, not Bob's SPY.
    assert ctx.broker_for(user_id).get_account().cash == Decimal("100000")
    assert ctx.broker_for(user_id).get_positions() == []


def test_users_sharing_an_account_share_its_lock(
    ctx: AppContext, user_id: int, alpaca_sim: BackgroundServer, simulator: Simulator
) -> None:
    on_sim(ctx, alpaca_sim)
    bob = users.create_user(ctx, "bob@example.com", PASSWORD).id
    connect_alpaca(ctx, user_id, SHARED_ACCOUNT, SECRET)
    connect_alpaca(ctx, bob, SECOND_KEY, SECOND_SECRET)  # another key pair, same account
    assert account_key(ctx, user_id) == account_key(ctx, bob)
    with account_lock(ctx, user_id), pytest.raises(Conflict), account_lock(ctx, bob):
        pass
    carol = users.create_user(ctx, "carol@example.com", PASSWORD).id
    with account_lock(ctx, user_id), account_lock(ctx, carol):
        pass  # a paper account of her own: its own lock


def test_ten_checks_each_from_two_users_on_one_account_place_one_runs_orders(
    ctx: AppContext, user_id: int, alpaca_sim: BackgroundServer, simulator: Simulator
) -> None:
    on_sim(ctx, alpaca_sim)
    bob = users.create_user(ctx, "bob@example.com", PASSWORD).id
    for someone, key, secret in (
        (user_id, SHARED_ACCOUNT, SECRET),
        (bob, SECOND_KEY, SECOND_SECRET),
    ):
        connect_alpaca(ctx, someone, key, secret)
        allocations.replace_allocations(ctx, someone, SEED_TARGETS)
    # Slow order answers keep the first run in flight while the others ask.
    simulator.faults.add(Fault(route="POST /v2/orders", delay=0.2, times=None))
    start = threading.Barrier(20)
    outcomes: list[dict[str, Any] | Exception] = []

    def check(someone: int) -> None:
        start.wait(timeout=30)
        try:
            outcomes.append(to_json(check_rebalance_drift(ctx, someone)))
        except Exception as err:
            outcomes.append(err)

    threads = [threading.Thread(target=check, args=(u,)) for u in [user_id, bob] * 10]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == 20
    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, Conflict)]
    assert unexpected == []
    orders = simulator.exchange.account_state(SHARED_ACCOUNT).orders
    sells = [o for o in orders.values() if o.side == "sell"]
    # All in SPY (100 shares) against 40/30/20/10: one run sells 60 SPY and buys the rest.
    assert [(o.symbol, o.qty) for o in sells] == [("SPY", Decimal(60))]
    assert sorted(o.symbol for o in orders.values()) == ["GLD", "QQQ", "SPY", "TLT"]
    with ctx.store.session_factory() as session:
        runs_with_orders = set(session.scalars(select(OrderRow.run_id)))
    assert len(runs_with_orders) == 1


def test_a_run_planned_by_one_user_blocks_the_other_users_of_the_account(
    ctx: AppContext, user_id: int, alpaca_sim: BackgroundServer, simulator: Simulator
) -> None:
    """A background run is planned under the lock and sent later: between the two, a
    second user on the same account must not plan on the same positions."""
    on_sim(ctx, alpaca_sim)
    bob = users.create_user(ctx, "bob@example.com", PASSWORD).id
    pairs = ((user_id, SHARED_ACCOUNT, SECRET), (bob, SECOND_KEY, SECOND_SECRET))
    for someone, key, secret in pairs:
        connect_alpaca(ctx, someone, key, secret)
        allocations.replace_allocations(ctx, someone, SEED_TARGETS)
    planned = to_json(start_live_check(ctx, user_id))
    assert planned["status"] == "running"
    for attempt in (start_live_check, check_rebalance_drift):
        with pytest.raises(Conflict, match="a rebalance is already running"):
            attempt(ctx, bob)
    to_json(advance_run(ctx, user_id))
    orders = simulator.exchange.account_state(SHARED_ACCOUNT).orders.values()
    assert [(o.symbol, o.qty) for o in orders if o.side == "sell"] == [("SPY", Decimal(60))]
    # Alice's run done, Bob may check again: the account is on target, nothing to place.
    assert to_json(check_rebalance_drift(ctx, bob))["trades_executed"] == []
    assert len(simulator.exchange.account_state(SHARED_ACCOUNT).orders) == 4


@pytest.mark.parametrize(
    ("flags", "state"),
    [
        (AccountFlags(status="SUBMITTED"), "status SUBMITTED"),
        (AccountFlags(status="ACCOUNT_CLOSED"), "status ACCOUNT_CLOSED"),
        (AccountFlags(account_blocked=True), "blocked"),
    ],
)
def test_an_account_that_is_not_active_is_refused(
    ctx: AppContext,
    user_id: int,
    alpaca_sim: BackgroundServer,
    simulator: Simulator,
    flags: AccountFlags,
    state: str,
) -> None:
    on_sim(ctx, alpaca_sim)
    simulator.exchange.set_flags(SHARED_ACCOUNT, flags)
    with pytest.raises(InvalidInput) as err:
        connect_alpaca(ctx, user_id, SHARED_ACCOUNT, SECRET)
    assert (err.value.code, err.value.field) == ("broker_account_inactive", "key_id")
    assert err.value.message.startswith(f"the account {ACCOUNT_ID} is not active ({state})")
    assert stored_rows(ctx) == []


def test_the_accounts_flags_are_read_and_shown(
    ctx: AppContext, user_id: int, alpaca_sim: BackgroundServer, simulator: Simulator
) -> None:
    on_sim(ctx, alpaca_sim)
    simulator.exchange.set_flags(
        SHARED_ACCOUNT,
        AccountFlags(trading_blocked=True, pattern_day_trader=True, shorting_enabled=True),
    )
    # Trading blocked is not a reason to refuse the connection: drift is still shown.
    check = connect_alpaca(ctx, user_id, SHARED_ACCOUNT, SECRET).account
    assert (check.status, check.account_blocked) == ("ACTIVE", False)
    assert (check.trading_blocked, check.pattern_day_trader, check.shorting_enabled) == (
        True,
        True,
        True,
    )
    assert probe_connection(ctx, user_id) == check


def test_a_connection_stored_without_its_account_id_learns_it_once_for_every_process(
    ctx: AppContext, user_id: int, alpaca_sim: BackgroundServer, simulator: Simulator
) -> None:
    on_sim(ctx, alpaca_sim)
    connect_alpaca(ctx, user_id, SECOND_KEY, SECOND_SECRET)
    with ctx.store.session_factory.begin() as session:  # as connected before ids were stored
        session.execute(update(BrokerAccountRow).values(account_id=None))
    _ACCOUNT_IDS.clear()
    simulator.reset_counts()
    assert account_key(ctx, user_id) == f"alpaca:paper:{ACCOUNT_ID}"
    assert simulator.request_counts() == {"GET /v2/account": 1}
    [row] = stored_rows(ctx)
    assert row.account_id == ACCOUNT_ID
    _ACCOUNT_IDS.clear()  # another process: the stored id, no broker call
    assert account_key(ctx, user_id) == f"alpaca:paper:{ACCOUNT_ID}"
    assert simulator.request_counts() == {"GET /v2/account": 1}


def test_each_users_client_is_built_once_and_again_after_new_keys(
    ctx: AppContext, user_id: int, alpaca_sim: BackgroundServer, simulator: Simulator
) -> None:
    on_sim(ctx, alpaca_sim)
    bob = users.create_user(ctx, "bob@example.com", PASSWORD).id
    connect_alpaca(ctx, user_id, SHARED_ACCOUNT, SECRET)
    connect_alpaca(ctx, bob, SECOND_KEY, SECOND_SECRET)
    first = ctx.broker_for(user_id)
    assert ctx.broker_for(user_id) is first
    assert ctx.broker_for(bob) is not first
    connect_alpaca(ctx, user_id, SECOND_KEY, SECOND_SECRET)
    assert ctx.broker_for(user_id) is not first
    assert ctx.broker_for(user_id).get_account().id == ACCOUNT_ID
    assert shares_account(ctx, user_id, [bob, user_id])
    carol = users.create_user(ctx, "carol@example.com", PASSWORD).id
    assert not shares_account(ctx, carol, [user_id, bob])
    assert not shares_account(ctx, user_id, [carol])


def test_another_process_changing_or_removing_the_connection_is_seen_at_once(
    ctx: AppContext, user_id: int, alpaca_sim: BackgroundServer, simulator: Simulator
) -> None:
    """Each request reads the stored connection (the built client is reused only while
    its keys are the stored ones): new keys or a removal made by another process apply
    to this one's next request, and a removed connection's client is never handed out."""
    on_sim(ctx, alpaca_sim)
    other_engine = make_engine(str(ctx.store.engine.url.render_as_string(False)))
    other = replace(ctx, store=Store(other_engine))
    try:
        connect_alpaca(other, user_id, SHARED_ACCOUNT, SECRET)
        first = ctx.broker_for(user_id)
        assert isinstance(first, AlpacaBroker) and ctx.broker_for(user_id) is first
        connect_alpaca(other, user_id, SECOND_KEY, SECOND_SECRET)
        second = ctx.broker_for(user_id)
        assert isinstance(second, AlpacaBroker) and second is not first
        assert second.get_account().id == ACCOUNT_ID
        disconnect(other, user_id)
        assert isinstance(ctx.broker_for(user_id), StoredPaperBroker)
        # Connected again: a new secret's ciphertext (Fernet is randomised), a new client.
        connect_alpaca(other, user_id, SHARED_ACCOUNT, SECRET)
        again = ctx.broker_for(user_id)
        assert isinstance(again, AlpacaBroker) and again is not first
    finally:
        other_engine.dispose()
