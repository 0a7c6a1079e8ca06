"""The HTTP edge, as pure ASGI middleware: body limits, strict JSON and security headers.

These run before routing, authentication or FastAPI's own body parsing, so a hostile
request is refused before the app spends memory or a database query on it
(docs/security.md).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from trimtab.api.errors import error_body
from trimtab.json_keys import DuplicateKey, unique_keys

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Methods whose bodies the API reads; a body on any other is never looked at.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def send_error(send: Send, status: int, code: str, message: str) -> None:
    """Answer with the API's error shape, before the app has seen the request."""
    body = json.dumps(error_body(code, message)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                # The client may still be sending: tell it this connection is done.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class LongNumber(ValueError):
    pass


#: Python refuses to read an integer of more digits than this (``sys.int_info``); no
#: money, quantity or id field takes a number anywhere near as long.
INT_DIGITS = sys.get_int_max_str_digits()


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > INT_DIGITS:
        raise LongNumber(len(text.lstrip("-")))
    return int(text)


def json_problem(body: bytes) -> str | None:
    """Why a JSON body is refused before parsing proper, or None.

    Duplicate keys are refused (``{"dry_run": true, "dry_run": false}`` must not mean
    whichever came last), and so are nesting too deep to parse and an integer too long
    for Python to read. Malformed JSON is left
    to the route, which answers it with its usual 422.
    """
    try:
        json.loads(body, object_pairs_hook=unique_keys, parse_int=_bounded_int)
    except DuplicateKey as err:
        return f"body: duplicate key {err.key!r}"
    except LongNumber as err:
        return f"body: a number of {int(str(err)):,} digits is longer than any field takes"
    except RecursionError:
        return "body: JSON nested too deep"
    except ValueError:
        return None
    return None


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return b"json" in value.lower()
    # FastAPI reads a body without a content type as JSON too.
    return True


class BodyGuard:
    """Refuse bodies over ``max_bytes`` with 413 and JSON with duplicate keys with 422.

    A declared ``Content-Length`` over the limit is refused before a byte is read; a
    chunked body is counted as it arrives and refused as soon as it passes the limit,
    so no request holds more than ``max_bytes`` of memory.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> str:
        return f"the request body is over the limit of {self.max_bytes} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await send_error(send, 400, "bad_request", "Content-Length is not a number")
                    return
                if declared > self.max_bytes:
                    await send_error(send, 413, "payload_too_large", self._too_large())
                    return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await send_error(send, 413, "payload_too_large", self._too_large())
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body and _is_json(scope):
            problem = json_problem(body)
            if problem is not None:
                await send_error(send, 422, "invalid_input", problem)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


#: The built page loads only its own scripts, styles, images and API.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
#: FastAPI's /docs and /redoc pages load their viewers from a CDN with an inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https:; "
    "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
HSTS = b"max-age=31536000; includeSubDomains"


class SecurityHeaders:
    """CSP, no framing, nosniff, a strict Referrer-Policy, and HSTS when served over TLS.

    ``hsts`` is ``"auto"`` (when the request came over https, directly or through a
    trusted proxy), ``"on"`` or ``"off"``.
    """

    def __init__(self, app: ASGIApp, hsts: str = "auto") -> None:
        self.app = app
        self.hsts = hsts

    def _headers(self, scope: Scope) -> list[tuple[bytes, bytes]]:
        docs = scope.get("path", "").startswith(("/docs", "/redoc"))
        headers = [
            (b"content-security-policy", (DOCS_CSP if docs else PAGE_CSP).encode()),
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        if self.hsts == "on" or (self.hsts == "auto" and scope.get("scheme") == "https"):
            headers.append((b"strict-transport-security", HSTS))
        return headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self._headers(scope)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", ())}
                message["headers"] = list(message.get("headers", ())) + [
                    (name, value) for name, value in extra if name not in present
                ]
            await send(message)

        await self.app(scope, receive, with_headers)
