"""Prometheus metrics: HTTP traffic, rebalance runs and the orders they place."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

HTTP_REQUESTS = Counter(
    "trimtab_http_requests_total",
    "HTTP requests by route, method and status",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "trimtab_http_request_seconds", "HTTP request latency by route", ["route", "method"]
)
REBALANCE_RUNS = Counter(
    "trimtab_rebalance_runs_total", "Rebalance checks by dry run and status", ["dry_run", "status"]
)
ORDERS = Counter(
    "trimtab_orders_total", "Orders placed by rebalances and trades", ["side", "status"]
)


def record_rebalance(result: dict[str, Any]) -> None:
    """Count one check and the orders it placed."""
    REBALANCE_RUNS.labels(
        dry_run=str(bool(result.get("dry_run"))).lower(),
        status=str(result.get("status", "unknown")),
    ).inc()
    for trade in result.get("trades_executed", []):
        ORDERS.labels(side=trade["side"], status=trade["status"]).inc()


def install_metrics(app: FastAPI) -> None:
    @app.middleware("http")
    async def _measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        # The route template, not the raw path: ids in paths would explode the label set.
        route = getattr(request.scope.get("route"), "path", "unmatched")
        HTTP_LATENCY.labels(route, request.method).observe(time.perf_counter() - started)
        HTTP_REQUESTS.labels(route, request.method, str(response.status_code)).inc()
        return response

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
