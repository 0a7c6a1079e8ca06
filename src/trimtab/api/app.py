"""The FastAPI application: routes, error shape, metrics and the page's static files."""

from __future__ import annotations

from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response
from starlette.middleware.gzip import GZipMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from trimtab import __version__
from trimtab.api.deps import assert_callers_checked, settle_callers
from trimtab.api.edges import BodyGuard, SecurityHeaders
from trimtab.api.errors import ApiError, install_error_handlers
from trimtab.api.metrics import install_metrics
from trimtab.api.openapi import with_extra_schemas
from trimtab.api.routes import (
    account,
    allocations,
    auth,
    backtests,
    broker,
    callable,
    events,
    health,
    notifications,
    rebalance,
    schedule,
)
from trimtab.api.sessions import SessionCodec
from trimtab.bootstrap import build_context
from trimtab.config import Settings, get_settings
from trimtab.services.background import RunLauncher, make_launcher
from trimtab.services.context import AppContext

#: The built page (``npm run build`` in web/ writes here).
WEB_DIST = Path(__file__).resolve().parent.parent / "web_dist"
#: Where vite puts the content-hashed files: a new build gives them new names.
FINGERPRINTED = "assets/"
IMMUTABLE = "public, max-age=31536000, immutable"
API_PREFIXES = ("api/", "callable/", "healthz", "metrics", "openapi.json", "docs", "redoc")

DESCRIPTION = """
trimtab keeps a brokerage portfolio on its target allocation.

Authenticate with the session cookie set by `POST /api/auth/login` (state-changing
requests then send the returned `csrf_token` in `X-CSRF-Token`), or with a personal
API token: `Authorization: Bearer <token>`. Errors are
`{"error": {"code": "...", "message": "..."}}`.
"""


def build_api() -> FastAPI:
    """The routes, error shape and metrics, bound to no context (enough for the schema)."""
    app = FastAPI(
        title="trimtab",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        # FastAPI's OpenTelemetry hooks look up the providers on every request; trimtab
        # exports Prometheus metrics (api/metrics.py) and uses none of them.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    install_error_handlers(app, check_callers=settle_callers)
    install_metrics(app)
    for module in (
        health,
        auth,
        allocations,
        account,
        broker,
        rebalance,
        schedule,
        backtests,
        notifications,
        callable,
        events,
    ):
        app.include_router(module.router)
    assert_callers_checked(app)
    app.openapi = with_extra_schemas(app.openapi)  # type: ignore[method-assign]
    return app


def create_app(
    ctx: AppContext | None = None,
    *,
    web_dist: Path = WEB_DIST,
    launcher: RunLauncher | None = None,
) -> FastAPI:
    """The app over ``ctx`` (built from the environment when not given)."""
    if ctx is None:
        ctx = build_context(get_settings())
    app = build_api()
    app.state.ctx = ctx
    app.state.launcher = launcher or make_launcher(ctx)
    app.state.sessions = SessionCodec(ctx)
    _serve_page(app, web_dist)
    install_edges(app, ctx.settings)
    threads = ctx.settings.threads

    def limit_threads() -> None:
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads

    app.router.on_startup.append(limit_threads)
    return app


def install_edges(app: FastAPI, settings: Settings) -> None:
    """Outermost first: the client's real address (only from a configured proxy), the
    security headers on every answer, the body limit and strict JSON, then gzip for
    answers of 500 bytes or more (the event stream is never compressed)."""
    app.add_middleware(GZipMiddleware, minimum_size=500, compresslevel=6)
    app.add_middleware(BodyGuard, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders, hsts=settings.hsts)
    proxies = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    if proxies:
        # X-Forwarded-For/-Proto count only when the connection comes from one of these.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)


def _serve_page(app: FastAPI, web_dist: Path) -> None:
    """Static files of the page, and ``index.html`` for its client-side routes.

    Files under ``assets/`` carry a content hash in their names, so a browser keeps them
    a year; everything else (``index.html`` above all) is revalidated on every load.
    """

    @app.get("/{path:path}", include_in_schema=False)
    def page(path: str, request: Request) -> Response:
        if path.startswith(API_PREFIXES):
            raise ApiError(404, "not_found", f"no route {request.method} /{path}")
        index = web_dist / "index.html"
        if not index.exists():
            raise ApiError(
                404, "page_not_built", "the page is not built; run `make run` (or npm run build)"
            )
        candidate = (web_dist / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(web_dist.resolve()):
            cache = IMMUTABLE if path.startswith(FINGERPRINTED) else "no-cache"
            return FileResponse(candidate, headers={"Cache-Control": cache})
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
