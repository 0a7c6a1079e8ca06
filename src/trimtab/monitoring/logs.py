"""Structured JSON logs (structlog): one line per order step, never a secret.

``configure_logging`` is called once by each entry point (``trimtab serve``, the
CLI, the worker). Lines go to stderr, so ``--json`` output on stdout stays clean.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from decimal import Decimal
from enum import StrEnum
from typing import Any, TextIO

import structlog

#: Keys whose values are never written, whatever logs them.
SECRET_KEYS = re.compile(r"secret|password|token|authorization|api_key|smtp_url", re.IGNORECASE)
REDACTED = "[redacted]"


class OrderStep(StrEnum):
    """The steps of an order's life that each get one log line."""

    PLANNED = "planned"
    SUBMITTED = "submitted"
    ANSWERED = "answered"
    FILLED = "filled"
    REJECTED = "rejected"
    #: Any other end: canceled, expired, skipped, blocked, done partly filled.
    SETTLED = "settled"


def redact_secrets(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Replace the value of any secret-looking key (structlog processor)."""
    for key in list(event):
        if SECRET_KEYS.search(key):
            event[key] = REDACTED
    return event


def _plain(value: object) -> object:
    return str(value) if isinstance(value, Decimal) else value


def configure_logging(level: str = "info", stream: TextIO | None = None) -> None:
    """JSON lines with ISO timestamps and the level, at ``level`` and above, to ``stream``
    (stderr by default)."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_secrets,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(default=str),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
        ),
        # sys.stderr looked up at each line: test runners swap it per test.
        logger_factory=lambda *_: structlog.PrintLogger(stream or sys.stderr),
        cache_logger_on_first_use=False,
    )


order_log = structlog.get_logger("trimtab.orders")


def log_order_step(
    step: OrderStep,
    *,
    run_id: int | None,
    user_id: int,
    client_order_id: str,
    symbol: str,
    side: str,
    qty: Decimal,
    status: str,
    **extra: object,
) -> None:
    """One line for one step of one order (event ``order_<step>``)."""
    order_log.info(
        f"order_{step}",
        run_id=run_id,
        user_id=user_id,
        client_order_id=client_order_id,
        symbol=symbol,
        side=side,
        qty=_plain(qty),
        status=status,
        **{k: _plain(v) for k, v in extra.items()},
    )
