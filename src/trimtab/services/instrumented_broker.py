"""Every broker request's failure counted by endpoint and code, at the services' boundary.

One wrapper around whatever ``Broker`` a user trades through (Alpaca, paper, the
simulator), so the adapters need no metrics code of their own and the wrapper
follows the ``Broker`` protocol as it grows.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, cast

from trimtab.brokers.base import Broker
from trimtab.errors import BrokerError
from trimtab.monitoring.metrics import record_broker_error


class InstrumentedBroker:
    """``inner`` with each ``BrokerError`` counted in ``trimtab_broker_errors_total``
    (endpoint = the Broker method, code = the error's code) and raised on unchanged."""

    def __init__(self, inner: Broker) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if name.startswith("_") or not callable(attribute):
            return attribute

        @functools.wraps(attribute)
        def counted(*args: Any, **kwargs: Any) -> Any:
            try:
                return attribute(*args, **kwargs)
            except BrokerError as err:
                record_broker_error(name, err.code)
                raise

        return counted


def instrumented(broker_for: Callable[[int], Broker]) -> Callable[[int], Broker]:
    """``broker_for`` whose brokers count their errors."""

    def counted_broker_for(user_id: int) -> Broker:
        return cast(Broker, InstrumentedBroker(broker_for(user_id)))

    return counted_broker_for
