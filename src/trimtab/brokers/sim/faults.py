"""Faults the simulator injects per route: errors, slow answers, lost answers, partial fills."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from decimal import Decimal

#: Matches every route.
ANY_ROUTE = "*"


@dataclass
class Fault:
    """One scripted misbehaviour of the routes named ``route`` ("POST /v2/orders", or "*").

    - ``status``: answer with this HTTP status and Alpaca's error body (``code``,
      ``message``); 429 also carries Alpaca's rate-limit headers.
    - ``delay``: seconds to wait before answering (a client timeout when long).
    - ``after_commit``: do the work first, then fail or stall — the ambiguous
      failure where the order exists but its caller never hears of it.
    - ``fill_fraction``: an order posted fills only this part at once.
    - ``times``: how many requests it hits; ``None`` means every one.
    """

    route: str = ANY_ROUTE
    status: int | None = None
    code: int | None = None
    message: str | None = None
    delay: float = 0.0
    after_commit: bool = False
    fill_fraction: Decimal | None = None
    times: int | None = 1

    def error_code(self) -> int:
        """Alpaca's 8-digit codes start with the HTTP status."""
        assert self.status is not None
        return self.code if self.code is not None else self.status * 100_000

    def error_message(self) -> str:
        return self.message or _DEFAULT_MESSAGES.get(self.status or 0, "simulated failure")


_DEFAULT_MESSAGES = {
    429: "rate limit exceeded",
    500: "internal server error",
    503: "service unavailable",
    504: "gateway timeout",
}


class FaultPlan:
    """The faults still to inject, taken first-added first; thread-safe."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, route: str) -> Fault | None:
        """The fault that hits this request to ``route``, counting it as used."""
        with self._lock:
            for fault in self._faults:
                if fault.route in (route, ANY_ROUTE):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
            return None
