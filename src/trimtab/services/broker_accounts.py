"""Which broker each user trades through, with credentials encrypted at rest.

A user without a ``broker_accounts`` row uses the server's default broker
(``TRIMTAB_BROKER``: the paper broker, or Alpaca with the ``ALPACA_*`` keys).
Secrets are Fernet-encrypted with a key derived from the server secret.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from trimtab.brokers.base import Broker
from trimtab.brokers.demo import demo_prices
from trimtab.brokers.models import Asset
from trimtab.config import Settings
from trimtab.errors import InvalidInput, TrimtabError
from trimtab.keys import server_secret
from trimtab.store.models import BrokerAccountRow
from trimtab.store.paper import StoredPaperBroker

if TYPE_CHECKING:  # the context builds its brokers with this module
    from trimtab.services.context import AppContext

BROKER_KINDS = ("paper", "alpaca")


def credentials_cipher(secret: str) -> Fernet:
    """The Fernet cipher for broker secrets, derived from the server secret."""
    digest = hashlib.sha256(b"trimtab broker credentials\0" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


@lru_cache(maxsize=1)
def paper_market() -> tuple[dict[str, Decimal], dict[str, Asset]]:
    """Prices and assets the paper broker trades at (the packaged demo prices)."""
    return demo_prices()


def set_broker_account(
    ctx: AppContext,
    user_id: int,
    kind: str,
    *,
    key_id: str | None = None,
    secret: str | None = None,
    paper: bool = True,
) -> None:
    """Choose ``user_id``'s broker; an Alpaca account needs its key id and secret."""
    if kind not in BROKER_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(BROKER_KINDS)}", field="kind")
    if kind == "alpaca" and not (key_id and secret):
        raise InvalidInput("an Alpaca account needs key_id and secret", field="key_id")
    cipher = credentials_cipher(server_secret(ctx.settings))
    now = ctx.clock()
    with ctx.session_factory.begin() as session:
        row = session.scalars(
            select(BrokerAccountRow).where(BrokerAccountRow.user_id == user_id)
        ).one_or_none()
        if row is None:
            row = BrokerAccountRow(user_id=user_id, created_at=now)
            session.add(row)
        row.kind = kind
        row.key_id = key_id
        row.secret_encrypted = cipher.encrypt(secret.encode()).decode() if secret else None
        row.paper = paper
        row.updated_at = now


def broker_account(session_factory: sessionmaker[Session], user_id: int) -> BrokerAccountRow | None:
    """The user's own broker choice, or ``None`` when the server's default applies."""
    with session_factory() as session:
        return session.scalars(
            select(BrokerAccountRow).where(BrokerAccountRow.user_id == user_id)
        ).one_or_none()


def broker_status(ctx: AppContext, user_id: int) -> dict[str, Any]:
    """Which broker the user trades through and whether it answers right now."""
    row = broker_account(ctx.session_factory, user_id)
    kind = row.kind if row is not None else ctx.settings.broker
    paper = kind == "paper" or (row.paper if row is not None else ctx.settings.alpaca_paper)
    try:
        ctx.broker_for(user_id).get_account()
    except TrimtabError as err:
        return {"name": kind, "paper": paper, "connected": False, "message": err.message}
    return {"name": kind, "paper": paper, "connected": True, "message": None}


def make_broker_for(
    settings: Settings,
    session_factory: sessionmaker[Session],
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Callable[[int], Broker]:
    """A function giving each user's broker, as configured for that user or by default."""
    cipher = credentials_cipher(server_secret(settings))
    prices, assets = paper_market()

    def broker_for(user_id: int) -> Broker:
        row = broker_account(session_factory, user_id)
        kind = row.kind if row is not None else settings.broker
        if kind == "paper":
            return StoredPaperBroker(session_factory, user_id, prices, assets, clock)
        # Imported here: alpaca-py pulls in pandas, seconds of start-up that paper users
        # and every CLI command would otherwise pay.
        from trimtab.brokers.alpaca import AlpacaBroker

        return AlpacaBroker.from_settings(_user_settings(settings, row, cipher))

    return broker_for


def _user_settings(settings: Settings, row: BrokerAccountRow | None, cipher: Fernet) -> Settings:
    """The server settings with the user's own Alpaca keys in place of the default ones."""
    if row is None or not row.key_id or not row.secret_encrypted:
        return settings
    try:
        secret = cipher.decrypt(row.secret_encrypted.encode()).decode()
    except InvalidToken:
        raise TrimtabError(
            "stored broker credentials cannot be decrypted; was TRIMTAB_SECRET_KEY changed?",
            code="broker_credentials_unreadable",
        ) from None
    return settings.model_copy(
        update={
            "alpaca_key_id": row.key_id,
            "alpaca_secret_key": SecretStr(secret),
            "alpaca_paper": row.paper,
        }
    )
