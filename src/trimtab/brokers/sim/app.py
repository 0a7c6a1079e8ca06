"""The simulator's FastAPI app: Alpaca's trading and data routes plus ``/_sim`` scripting."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from trimtab.brokers.sim import admin, data, trading
from trimtab.brokers.sim.routing import trimtab_error_handler, validation_error_handler
from trimtab.brokers.sim.simulator import Simulator
from trimtab.errors import TrimtabError


def create_app(simulator: Simulator) -> FastAPI:
    """An Alpaca-compatible server over ``simulator``; one app serves trading and data."""
    app = FastAPI(title="trimtab Alpaca simulator", docs_url=None, redoc_url=None)
    app.state.sim = simulator
    app.include_router(trading.router)
    app.include_router(data.router)
    app.include_router(data.crypto_router)
    app.include_router(admin.router)
    app.add_exception_handler(TrimtabError, trimtab_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    return app
