"""Firebase-callable compatibility: the classic two functions at ``/callable/<name>``.

A client written for the classic callables sends ``{"data": {...}}`` and reads
``{"result": {...}}`` or ``{"error": {"status", "message"}}``; switching it to
trimtab is a change of base URL (plus a Bearer token for auth).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from trimtab.api.deps import CallerRoute, Ctx, CurrentUser, Launcher
from trimtab.api.errors import status_for
from trimtab.api.routes.rebalance import run_check, run_trade
from trimtab.api.schemas import CallableBody, CheckBody, TradeBody
from trimtab.errors import TrimtabError
from trimtab.services.contract import to_json

router = APIRouter(tags=["callable"], route_class=CallerRoute)

#: Our HTTP status -> Firebase's callable error status and the HTTP status Firebase uses for it.
CALLABLE_STATUS = {
    403: ("PERMISSION_DENIED", 403),
    404: ("NOT_FOUND", 404),
    409: ("ALREADY_EXISTS", 409),
    422: ("INVALID_ARGUMENT", 400),
    423: ("FAILED_PRECONDITION", 400),
    502: ("UNAVAILABLE", 503),
    503: ("UNAVAILABLE", 503),
}


def _callable_error(http_status: int, message: str) -> JSONResponse:
    status, code = CALLABLE_STATUS.get(http_status, ("INVALID_ARGUMENT", 400))
    return JSONResponse({"error": {"status": status, "message": message}}, status_code=code)


def _first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "data"
    return f"{field}: {first['msg']}"


def _answer(call: Callable[[], object]) -> Any:
    """``{"result": ...}``, or the error in Firebase's shape and status."""
    try:
        return {"result": to_json(call())}
    except ValidationError as err:
        return _callable_error(422, _first_error(err))
    except TrimtabError as err:
        return _callable_error(status_for(err), err.message)


@router.post("/callable/check_rebalance_drift")
def check_rebalance_drift(
    body: CallableBody, user: CurrentUser, ctx: Ctx, launcher: Launcher
) -> Any:
    """The classic answer, ``trades_executed`` included: a live check waits (bounded) for
    its run to finish."""
    return _answer(lambda: run_check(ctx, launcher, user.id, CheckBody.model_validate(body.data)))


@router.post("/callable/execute_trade")
def execute_trade(body: CallableBody, user: CurrentUser, ctx: Ctx) -> Any:
    return _answer(lambda: run_trade(ctx, user.id, TradeBody.model_validate(body.data)))
