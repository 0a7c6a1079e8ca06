"""Signed webhooks: a JSON POST whose ``Trimtab-Signature`` header is an HMAC-SHA256 over
the timestamp and the body, in the manner of Stripe's (docs/notifications.md).

Header: ``Trimtab-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``.
A receiver recomputes the HMAC over the raw body, compares in constant time, and
refuses a timestamp older than its tolerance (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

import httpx

SIGNATURE_HEADER = "Trimtab-Signature"
EVENT_HEADER = "Trimtab-Event"
DELIVERY_HEADER = "Trimtab-Delivery"
SECRET_PREFIX = "whsec_"
#: How old a signed timestamp ``verify_signature`` accepts by default, in seconds.
DEFAULT_TOLERANCE = 300


def new_webhook_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>.<body>"`` keyed with ``secret``."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify_signature(
    secret: str, header: str, body: bytes, *, now: int, tolerance: int = DEFAULT_TOLERANCE
) -> bool:
    """Whether ``header`` signs ``body`` with ``secret``, timestamped within ``tolerance``
    seconds of ``now`` (unix seconds)."""
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        fields.setdefault(key, []).append(value)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, given) for given in fields.get("v1", []))


@dataclass(frozen=True, slots=True)
class WebhookAnswer:
    status_code: int

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300


def post_webhook(
    url: str,
    body: bytes,
    *,
    secret: str,
    event: str,
    delivery_id: int,
    timestamp: int,
    timeout: float,
) -> WebhookAnswer:
    """POST ``body`` signed; redirects are not followed. Raises ``httpx.HTTPError`` when no
    answer came."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "trimtab-webhooks",
        SIGNATURE_HEADER: signature_header(secret, timestamp, body),
        EVENT_HEADER: event,
        DELIVERY_HEADER: str(delivery_id),
    }
    response = httpx.post(url, content=body, headers=headers, timeout=timeout)
    return WebhookAnswer(response.status_code)
