"""Which broker account each user trades through, with credentials encrypted at rest.

Where a user's orders go, in order of precedence:

1. ``own``: an Alpaca account the user connected (``connect_alpaca``: the keys are
   tested against the broker first; the secret is Fernet-encrypted with a key
   derived from the server secret, and never returned or logged);
2. ``server``: the server's ``ALPACA_*`` account (``TRIMTAB_BROKER=alpaca``), which
   belongs to one user only: the one ``TRIMTAB_USER`` names, or the only user of a
   one-user install;
3. ``paper``: the user's own account on trimtab's paper broker. Every other user
   lands here, so nobody ever trades someone else's account.

Runs and trades lock the broker account (``account_key``), not the trimtab user:
two users connected to one Alpaca account never run on it at once.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from pydantic import SecretStr

from trimtab.brokers.base import Broker
from trimtab.brokers.demo import demo_prices
from trimtab.brokers.models import Account, Asset
from trimtab.brokers.paper import StoredPaperBroker
from trimtab.config import Settings
from trimtab.errors import BrokerAuthFailed, ConfigError, InvalidInput, TrimtabError
from trimtab.keys import credentials_cipher, server_secret
from trimtab.services.context import AppContext
from trimtab.services.contract import result
from trimtab.store.locks import RunLock
from trimtab.store.models import BrokerAccountRow
from trimtab.store.repositories import BrokerAccountValues
from trimtab.store.unit_of_work import Store

#: Alpaca key ids are 20 capital letters and digits (``PK…`` paper, ``AK…`` live);
#: the range leaves room for other venues speaking Alpaca's API (the simulator).
KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9]{8,64}")
#: Printable ASCII without spaces: Alpaca secrets are 40 such characters.
SECRET_PATTERN = re.compile(r"[!-~]{8,128}")
#: Account statuses that may trade, from Alpaca's account model (docs/).
ACTIVE_STATUSES = frozenset({"ACTIVE"})


class BrokerSource(StrEnum):
    """Whose account a user trades: their own connection, the server's, or paper."""

    OWN = "own"
    SERVER = "server"
    PAPER = "paper"


class BrokerKind(StrEnum):
    """Which broker: trimtab's paper broker, or Alpaca (or a venue speaking its API)."""

    PAPER = "paper"
    ALPACA = "alpaca"


BROKER_KINDS = tuple(BrokerKind)


@result
class BrokerConnection:
    """What a user's broker is, without any secret (``GET /api/broker``)."""

    source: BrokerSource
    """Whose account: ``own`` (the user connected it), ``server`` (the server's
    ``ALPACA_*`` account, which belongs to this user) or ``paper`` (trimtab's paper broker)."""
    kind: BrokerKind
    paper: bool
    key_id: str | None
    """Masked: the first two and last four characters."""
    secret_set: bool
    account_id: str | None
    connected_at: datetime | None


@result
class AccountCheck:
    """A broker account as read just now: its id, status and the flags that stop trading."""

    kind: BrokerKind
    paper: bool
    account_id: str
    status: str
    trading_blocked: bool
    account_blocked: bool
    pattern_day_trader: bool
    shorting_enabled: bool

    @classmethod
    def of(cls, account: Account, kind: BrokerKind, paper: bool) -> AccountCheck:
        return cls(
            kind=kind,
            paper=paper,
            account_id=account.id,
            status=account.status,
            trading_blocked=account.trading_blocked,
            account_blocked=account.account_blocked,
            pattern_day_trader=account.pattern_day_trader,
            shorting_enabled=account.shorting_enabled,
        )


@result
class BrokerConnected:
    """A connection just made (``connect_alpaca``) and the account its keys reach."""

    connection: BrokerConnection
    account: AccountCheck


@result
class BrokerStatus:
    """Which broker a user trades through, whose account, and whether it answers now."""

    name: BrokerKind
    paper: bool
    source: BrokerSource
    account_id: str | None
    connected: bool
    message: str | None
    """Why the broker did not answer, when it did not."""


@lru_cache(maxsize=1)
def paper_market() -> tuple[dict[str, Decimal], dict[str, Asset]]:
    """Prices and assets the paper broker trades at (the packaged demo prices)."""
    return demo_prices()


def mask_key_id(key_id: str) -> str:
    """``PKTRIMTABDEMO0000000`` → ``PK…0000``: enough to recognise, not to reuse."""
    return f"{key_id[:2]}…{key_id[-4:]}" if len(key_id) >= 8 else "…"


def validated_keys(key_id: Any, secret: Any) -> tuple[str, str]:
    """The key id and secret, trimmed; ``InvalidInput`` naming ``key_id`` or ``secret``.

    The messages never repeat the secret."""
    if not isinstance(key_id, str) or not KEY_ID_PATTERN.fullmatch(key_id.strip()):
        raise InvalidInput(
            "key_id must be 8 to 64 letters and digits (an Alpaca key id looks like "
            "PK followed by 18 capitals and digits)",
            field="key_id",
        )
    if not isinstance(secret, str) or not SECRET_PATTERN.fullmatch(secret.strip()):
        raise InvalidInput(
            "secret must be 8 to 128 printable characters without spaces", field="secret"
        )
    return key_id.strip(), secret.strip()


def set_broker_account(
    ctx: AppContext,
    user_id: int,
    kind: str,
    *,
    key_id: str | None = None,
    secret: str | None = None,
    paper: bool = True,
    account_id: str | None = None,
) -> None:
    """Store ``user_id``'s broker; an Alpaca account needs its key id and secret.

    Stores without asking the broker: ``connect_alpaca`` tests the keys first."""
    if kind not in BROKER_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(BROKER_KINDS)}", field="kind")
    if kind == "alpaca":
        key_id, secret = validated_keys(key_id, secret)
    cipher = credentials_cipher(server_secret(ctx.settings))
    now = ctx.clock()
    with ctx.store.write() as uow:
        row = uow.broker_accounts.of_user(user_id)
        if row is None:
            row = BrokerAccountRow(user_id=user_id, created_at=now)
            uow.broker_accounts.add(row)
        row.kind = kind
        row.key_id = key_id if kind == "alpaca" else None
        row.secret_encrypted = (
            cipher.encrypt(secret.encode()).decode() if kind == "alpaca" and secret else None
        )
        row.paper = paper if kind == "alpaca" else True
        row.account_id = account_id if kind == "alpaca" else None
        row.updated_at = now


def probe_alpaca_keys(
    ctx: AppContext, key_id: Any, secret: Any, *, paper: bool, confirm_live: bool
) -> AccountCheck:
    """Read the account these keys reach, without storing anything.

    Raises ``InvalidInput`` with code ``broker_keys_refused`` (field ``key_id``) when
    Alpaca refuses the keys, ``broker_account_inactive`` when the account is not
    active or is blocked, ``live_not_confirmed`` (field ``confirm_live``) for live
    keys without ``confirm_live``; ``BrokerUnavailable`` when the broker cannot be
    reached (nothing is decided then)."""
    key_id, secret = validated_keys(key_id, secret)
    if not paper and not confirm_live:
        raise InvalidInput(
            "a live account trades real money: confirm it (confirm_live: true, or "
            "--live --yes-live-money)",
            code="live_not_confirmed",
            field="confirm_live",
        )
    settings = _with_keys(ctx.settings, key_id, secret, paper)
    try:
        account = _alpaca_broker(settings).get_account()
    except BrokerAuthFailed:
        raise InvalidInput(
            f"Alpaca refused these keys ({'paper' if paper else 'live'}): check the key id "
            "and secret, and that they belong to a "
            f"{'paper' if paper else 'live'} account",
            code="broker_keys_refused",
            field="key_id",
        ) from None
    check = AccountCheck.of(account, BrokerKind.ALPACA, paper)
    if check.status not in ACTIVE_STATUSES or check.account_blocked:
        state = "blocked" if check.account_blocked else f"status {check.status}"
        raise InvalidInput(
            f"the account {check.account_id} is not active ({state}): it cannot trade. "
            "Finish opening or unblocking it at Alpaca, then connect again",
            code="broker_account_inactive",
            field="key_id",
        )
    return check


def connect_alpaca(
    ctx: AppContext,
    user_id: int,
    key_id: Any,
    secret: Any,
    *,
    paper: bool = True,
    confirm_live: bool = False,
) -> BrokerConnected:
    """Test the keys (as ``probe_alpaca_keys``, same errors) and, if the account
    answers and is active, make it ``user_id``'s broker. Bad keys are never stored."""
    key_id, secret = validated_keys(key_id, secret)
    check = probe_alpaca_keys(ctx, key_id, secret, paper=paper, confirm_live=confirm_live)
    set_broker_account(
        ctx,
        user_id,
        "alpaca",
        key_id=key_id,
        secret=secret,
        paper=paper,
        account_id=check.account_id,
    )
    _remember_account_id(_cache_key(ctx.settings, key_id, paper), check.account_id)
    return BrokerConnected(connection=broker_connection(ctx, user_id), account=check)


def disconnect(ctx: AppContext, user_id: int) -> BrokerConnection:
    """Forget the user's own connection (its keys included); returns what applies now."""
    with ctx.store.write() as uow:
        uow.broker_accounts.delete_of_user(user_id)
    return broker_connection(ctx, user_id)


def broker_account(store: Store, user_id: int) -> BrokerAccountRow | None:
    """The user's own broker choice, or ``None`` when the server's default applies."""
    with store.read() as uow:
        return uow.broker_accounts.of_user(user_id)


def server_account_owner(store: Store, settings: Settings) -> int | None:
    """The one user the server's ``ALPACA_*`` account belongs to, or ``None``.

    ``TRIMTAB_USER`` names them; without it, the only user of a one-user install."""
    with store.read() as uow:
        users = uow.users
        if settings.user:
            row = users.by_email(settings.user.strip().lower())
            return row.id if row is not None else None
        rows = users.first(2)
    return rows[0].id if len(rows) == 1 else None


@dataclass(frozen=True, slots=True)
class _Choice:
    source: BrokerSource
    row: BrokerAccountValues | None


def _choice(store: Store, settings: Settings, user_id: int) -> _Choice:
    return _choices(store, settings, [user_id])[user_id]


def _choices(store: Store, settings: Settings, user_ids: Sequence[int]) -> dict[int, _Choice]:
    """Each user's broker choice, read in one query (and one more for the server's owner)."""
    with store.read() as uow:
        rows = uow.broker_accounts.of_users(user_ids)
    owner = None
    if settings.broker == "alpaca" and any(u not in rows for u in user_ids):
        owner = server_account_owner(store, settings)
    choices = {}
    for user_id in user_ids:
        row = rows.get(user_id)
        if row is not None:
            source = BrokerSource.OWN if row.kind == "alpaca" else BrokerSource.PAPER
            choices[user_id] = _Choice(source, row)
        elif owner == user_id:
            choices[user_id] = _Choice(BrokerSource.SERVER, None)
        else:
            choices[user_id] = _Choice(BrokerSource.PAPER, None)
    return choices


def broker_connection(ctx: AppContext, user_id: int) -> BrokerConnection:
    """The user's broker as stored or configured (no broker call)."""
    choice = _choice(ctx.store, ctx.settings, user_id)
    row = choice.row
    if choice.source is BrokerSource.OWN and row is not None and row.key_id:
        return BrokerConnection(
            source=BrokerSource.OWN,
            kind=BrokerKind.ALPACA,
            paper=row.paper,
            key_id=mask_key_id(row.key_id),
            secret_set=bool(row.secret_encrypted),
            account_id=row.account_id,
            connected_at=row.updated_at,
        )
    if choice.source is BrokerSource.SERVER:
        key_id = ctx.settings.alpaca_key_id
        return BrokerConnection(
            source=BrokerSource.SERVER,
            kind=BrokerKind.ALPACA,
            paper=ctx.settings.alpaca_paper,
            key_id=mask_key_id(key_id) if key_id else None,
            secret_set=ctx.settings.alpaca_secret_key is not None,
            account_id=_ACCOUNT_IDS.get(_server_cache_key(ctx.settings)),
            connected_at=None,
        )
    return BrokerConnection(
        source=BrokerSource.PAPER,
        kind=BrokerKind.PAPER,
        paper=True,
        key_id=None,
        secret_set=False,
        account_id=None,
        connected_at=None,
    )


def probe_connection(ctx: AppContext, user_id: int) -> AccountCheck:
    """Read the user's account now: its id, status and flags (the broker's errors raise)."""
    connection = broker_connection(ctx, user_id)
    account = ctx.broker_for(user_id).get_account()
    return AccountCheck.of(account, connection.kind, connection.paper)


def broker_status(ctx: AppContext, user_id: int) -> BrokerStatus:
    """Which broker the user trades through, whose account it is (``source``) and
    whether it answers right now."""
    connection = broker_connection(ctx, user_id)
    account_id = connection.account_id
    message = None
    try:
        account = ctx.broker_for(user_id).get_account()
    except TrimtabError as err:
        message = err.message
    else:
        if connection.kind is BrokerKind.ALPACA:
            account_id = account.id
    return BrokerStatus(
        name=connection.kind,
        paper=connection.paper,
        source=connection.source,
        account_id=account_id,
        connected=message is None,
        message=message,
    )


# -- the account a run locks --------------------------------------------------------

#: Broker account ids by (venue, paper, key id): a key pair belongs to one account for
#: good, so each process asks the broker at most once per key pair.
_ACCOUNT_IDS: dict[tuple[str, bool, str], str] = {}
_ACCOUNT_IDS_LOCK = threading.Lock()


def _cache_key(settings: Settings, key_id: str, paper: bool) -> tuple[str, bool, str]:
    return (settings.alpaca_base_url or "alpaca", paper, key_id)


def _server_cache_key(settings: Settings) -> tuple[str, bool, str]:
    return _cache_key(settings, settings.alpaca_key_id or "", settings.alpaca_paper)


def _remember_account_id(key: tuple[str, bool, str], account_id: str) -> None:
    with _ACCOUNT_IDS_LOCK:
        _ACCOUNT_IDS[key] = account_id


def account_key(ctx: AppContext, user_id: int) -> str:
    """The stable name of the broker account ``user_id`` trades, for its run lock.

    ``paper:<user_id>`` for a paper account; ``alpaca:<paper|live>:<account id>`` for
    an Alpaca one, whoever connected it and with whichever key pair. The account id
    is the one stored at connection, else asked of the broker once and stored."""
    return account_keys(ctx, [user_id])[user_id]


def account_keys(ctx: AppContext, user_ids: Sequence[int]) -> dict[int, str]:
    """``account_key`` of each of ``user_ids``, their connections read in one query."""
    return {
        user_id: _key_of(ctx, user_id, choice)
        for user_id, choice in _choices(ctx.store, ctx.settings, user_ids).items()
    }


def shares_account(ctx: AppContext, user_id: int, others: Sequence[int]) -> bool:
    """Whether any of ``others`` trades the broker account ``user_id`` trades.

    A paper account is its one user's own, so only Alpaca connections are compared."""
    others = [u for u in others if u != user_id]
    if not others:
        return False
    mine = account_key(ctx, user_id)
    if mine == f"paper:{user_id}":
        return False
    return mine in account_keys(ctx, others).values()


def _key_of(ctx: AppContext, user_id: int, choice: _Choice) -> str:
    if choice.source is BrokerSource.PAPER:
        return f"paper:{user_id}"
    row = choice.row
    if row is not None and row.key_id:
        paper, cache = row.paper, _cache_key(ctx.settings, row.key_id, row.paper)
        known = row.account_id or _ACCOUNT_IDS.get(cache)
    else:
        paper, cache = ctx.settings.alpaca_paper, _server_cache_key(ctx.settings)
        known = _ACCOUNT_IDS.get(cache)
    if known is None:
        known = ctx.broker_for(user_id).get_account().id
        _remember_account_id(cache, known)
        if row is not None and row.key_id:
            _store_account_id(ctx.store, row, known)
    return f"alpaca:{'paper' if paper else 'live'}:{known}"


def _store_account_id(store: Store, row: BrokerAccountValues, account_id: str) -> None:
    """Keep the account id a connection made before ids were stored reached, so other
    processes need not ask the broker for it (unless the keys changed meanwhile)."""
    with store.write() as uow:
        uow.broker_accounts.fill_account_id(row, account_id)


# -- building each user's broker ----------------------------------------------------


def make_broker_for(
    settings: Settings,
    store: Store,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Callable[[int], Broker]:
    """A function giving each user's broker: their own connection, the server's
    account for its one owner, else their paper account."""
    cipher = credentials_cipher(server_secret(settings))
    prices, assets = paper_market()
    built = _Brokers()

    def broker_for(user_id: int) -> Broker:
        choice = _choice(store, settings, user_id)
        if choice.source is BrokerSource.PAPER:
            return StoredPaperBroker(store.session_factory, user_id, prices, assets, clock)
        row = choice.row
        if row is None:
            return built.get(("server",), lambda: _alpaca_broker(settings))
        # Keyed by what the client is made of: new keys make a new client.
        key = (row.key_id, row.secret_encrypted, row.paper)
        return built.get(key, lambda: _alpaca_broker(_user_settings(settings, row, cipher)))

    return broker_for


class _Brokers:
    """Alpaca clients already built, by their connection, so each request of a run (and
    of the next run) skips decrypting the keys and setting up a client. Bounded: the
    least recently used client goes first."""

    SIZE = 2048

    def __init__(self) -> None:
        self._built: OrderedDict[tuple[object, ...], Broker] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...], build: Callable[[], Broker]) -> Broker:
        with self._lock:
            broker = self._built.get(key)
            if broker is not None:
                self._built.move_to_end(key)
                return broker
        broker = build()
        with self._lock:
            self._built[key] = broker
            while len(self._built) > self.SIZE:
                self._built.popitem(last=False)
        return broker


def _alpaca_broker(settings: Settings) -> Broker:
    # Imported here: alpaca-py pulls in pandas, seconds of start-up that paper users
    # and every CLI command would otherwise pay.
    from trimtab.brokers.alpaca import AlpacaBroker

    return AlpacaBroker.from_settings(settings)


def _with_keys(settings: Settings, key_id: str, secret: str, paper: bool) -> Settings:
    """The server settings (URL overrides included) with another key pair."""
    return settings.model_copy(
        update={
            "alpaca_key_id": key_id,
            "alpaca_secret_key": SecretStr(secret),
            "alpaca_paper": paper,
        }
    )


def _user_settings(settings: Settings, row: BrokerAccountValues, cipher: Fernet) -> Settings:
    """The server settings with the user's own Alpaca keys in place of the server's."""
    if not row.key_id or not row.secret_encrypted:
        # Never fall back to the server's keys: they may be someone else's account.
        raise ConfigError(
            "your Alpaca connection has no keys stored; connect it again",
            code="broker_not_connected",
        )
    try:
        secret = cipher.decrypt(row.secret_encrypted.encode()).decode()
    except InvalidToken:
        raise TrimtabError(
            "stored broker credentials cannot be decrypted; was TRIMTAB_SECRET_KEY changed?",
            code="broker_credentials_unreadable",
        ) from None
    return _with_keys(settings, row.key_id, secret, row.paper)


def account_lock(ctx: AppContext, user_id: int) -> AbstractContextManager[RunLock]:
    """Hold the run lock of the broker account ``user_id`` trades (``Conflict`` when a
    run or trade already does, whichever trimtab user started it)."""
    return ctx.store.run_lock(
        account_key(ctx, user_id),
        lease=ctx.run_options.lock_lease,
        clock=ctx.clock,
    )
