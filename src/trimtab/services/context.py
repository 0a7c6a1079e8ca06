"""What every use case runs with: the store, each user's broker, events, settings and clock.

The API, the CLI and the worker each build one ``AppContext`` with
``trimtab.bootstrap.build_context`` and pass it to the services; tests build one around
their own broker and clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from trimtab.brokers.base import Broker
from trimtab.config import Settings
from trimtab.services.events import EventPublisher
from trimtab.services.notify_delivery import Notifier
from trimtab.store.unit_of_work import Store


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How long a live run follows its orders before leaving them to the next check."""

    fill_timeout: float = 30.0
    poll_interval: float = 0.5
    #: Once sends that failed have taken this many seconds, a run stops placing orders
    #: and records the rest as not sent (a rate limit or outage must not hold it for
    #: minutes: alpaca-py alone waits 9 s on a 429).
    give_up_after: float = 5.0
    #: SQLite's run lock is a lease: how long a crashed holder blocks the account.
    lock_lease: timedelta = timedelta(minutes=10)


@dataclass
class AppContext:
    #: The only way a service reaches the database: ``store.write()`` / ``store.read()``
    #: open a unit of work (``trimtab.store.unit_of_work``).
    store: Store
    broker_for: Callable[[int], Broker]
    events: EventPublisher
    settings: Settings
    clock: Callable[[], datetime] = utc_now
    sleep: Callable[[float], None] = time.sleep
    run_options: RunOptions = field(default_factory=RunOptions)
    #: Sends notifications off the run's path (docs/notifications.md).
    notifier: Notifier = field(default_factory=Notifier)
