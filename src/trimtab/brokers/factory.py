"""Choose the broker the settings name: Alpaca, or the embedded paper broker."""

from __future__ import annotations

from trimtab.brokers.alpaca import AlpacaBroker
from trimtab.brokers.base import Broker
from trimtab.brokers.demo import DEMO_ACCOUNT_ID, demo_exchange
from trimtab.brokers.exchange import Exchange
from trimtab.brokers.paper import PaperBroker
from trimtab.config import Settings


def broker_from_settings(
    settings: Settings, *, exchange: Exchange | None = None, account_id: str = DEMO_ACCOUNT_ID
) -> Broker:
    """``AlpacaBroker`` when TRIMTAB_BROKER=alpaca, else a ``PaperBroker`` on ``exchange``
    (a fresh demo exchange when none is given) for ``account_id``."""
    if settings.broker == "alpaca":
        return AlpacaBroker.from_settings(settings)
    return PaperBroker(exchange or demo_exchange(), account_id)
