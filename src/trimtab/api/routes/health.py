"""``GET /healthz``: the process is up and its database answers."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from trimtab import __version__
from trimtab.api.deps import CallerRoute, Ctx

router = APIRouter(tags=["health"], route_class=CallerRoute)


@router.get("/healthz")
def healthz(ctx: Ctx) -> JSONResponse:
    try:
        with ctx.store.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as err:  # any database failure means "not healthy", with the reason
        return JSONResponse(
            {"status": "unavailable", "database": type(err).__name__, "version": __version__},
            status_code=503,
        )
    return JSONResponse({"status": "ok", "database": "ok", "version": __version__})
