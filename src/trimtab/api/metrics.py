"""Prometheus metrics over HTTP: request counts and latency here, the rest from
``trimtab.monitoring.metrics`` (runs, orders, drift, broker errors, notifications)."""

from __future__ import annotations

import hmac
import ipaddress
import time

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trimtab.api.errors import ApiError
from trimtab.config import Settings
from trimtab.monitoring.metrics import scrape

HTTP_REQUESTS = Counter(
    "trimtab_http_requests_total",
    "HTTP requests by route, method and status",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "trimtab_http_request_seconds", "HTTP request latency by route", ["route", "method"]
)


class RequestMetrics:
    """Counts and times each HTTP request by route, method and status.

    A plain ASGI middleware: Starlette's ``BaseHTTPMiddleware`` (``@app.middleware``)
    would hide a client's disconnect from the endpoint, and the backtest route stops
    its work on one (docs/backtest.md)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            route, method = http_labels(Request(scope))
            HTTP_LATENCY.labels(route, method).observe(time.perf_counter() - started)
            HTTP_REQUESTS.labels(route, method, str(status)).inc()


def install_metrics(app: FastAPI) -> None:
    app.add_middleware(RequestMetrics)

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        """Prometheus text; with ``TRIMTAB_METRICS_TOKEN`` set it needs that Bearer token,
        without it only a client on this machine may read it (docs/security.md)."""
        check_metrics_access(request)
        return Response(scrape(request.app.state.ctx.store.engine), media_type=CONTENT_TYPE_LATEST)


#: Methods counted under their own name; any other (made up) one is counted as "other".
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def http_labels(request: Request) -> tuple[str, str]:
    """The route template (or "unmatched") and the method (or "other"): a fixed set of
    labels whatever paths and methods clients send, so ``/metrics`` cannot be grown."""
    route = getattr(request.scope.get("route"), "path", None)
    method = request.method if request.method in KNOWN_METHODS else "other"
    return (route if isinstance(route, str) else "unmatched"), method


def check_metrics_access(request: Request) -> None:
    """Raise 401 without the configured token, or 403 for a remote client when none is."""
    token = get_settings_of(request).metrics_token
    if token is not None and token.get_secret_value():
        sent = request.headers.get("Authorization", "").partition(" ")[2].strip()
        if not hmac.compare_digest(sent.encode(), token.get_secret_value().encode()):
            raise ApiError(
                401,
                "unauthenticated",
                "/metrics needs 'Authorization: Bearer <TRIMTAB_METRICS_TOKEN>'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return
    if not is_loopback(request.client.host if request.client else ""):
        raise ApiError(
            403,
            "forbidden",
            "/metrics is served only to this machine unless TRIMTAB_METRICS_TOKEN is set",
        )


def get_settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.ctx.settings
    return settings


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
