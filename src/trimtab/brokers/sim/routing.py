"""What every simulated Alpaca route shares: key-pair auth, request counting, injected
faults, and Alpaca's error body for every refusal."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from trimtab.brokers.sim.faults import Fault
from trimtab.brokers.sim.schemas import error_body
from trimtab.brokers.sim.simulator import Simulator
from trimtab.errors import BrokerAuthFailed, BrokerError, InvalidInput, NotFound, TrimtabError

#: Alpaca's trading API allows 200 requests a minute per account.
RATE_LIMIT = 200


def simulator_of(request: Request) -> Simulator:
    sim: Simulator = request.app.state.sim
    return sim


def authenticated_account(request: Request) -> str:
    """The account of the request's key pair; unknown keys get Alpaca's 401."""
    account_id = simulator_of(request).account_for(
        request.headers.get("APCA-API-KEY-ID"), request.headers.get("APCA-API-SECRET-KEY")
    )
    if account_id is None:
        raise BrokerAuthFailed("request is not authorized", status=401, broker_code=40110000)
    return account_id


#: The account of the request's key pair, as a route parameter.
AccountId = Annotated[str, Depends(authenticated_account)]


def alpaca_error(exc: TrimtabError) -> JSONResponse:
    """Render one of our errors as Alpaca would send it: status and 8-digit code."""
    if isinstance(exc, BrokerError) and exc.status is not None:
        status, code = exc.status, exc.broker_code or exc.status * 100_000
    elif isinstance(exc, NotFound):
        status, code = 404, 40410000
    elif isinstance(exc, InvalidInput):
        status, code = 422, 40010001
    else:
        status, code = 422, 42210000
    return JSONResponse(error_body(code, exc.message), status_code=status)


async def trimtab_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TrimtabError)
    return alpaca_error(exc)


async def validation_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"][1:])
    return JSONResponse(error_body(40010001, f"{where}: {first['msg']}"), status_code=422)


def fault_response(fault: Fault) -> Response:
    assert fault.status is not None
    headers = {}
    if fault.status == 429:
        headers = {
            "X-Ratelimit-Limit": str(RATE_LIMIT),
            "X-Ratelimit-Remaining": "0",
            "X-Ratelimit-Reset": str(int(time.time()) + 60),
        }
    return JSONResponse(
        error_body(fault.error_code(), fault.error_message()),
        status_code=fault.status,
        headers=headers,
    )


class SimulatedRoute(APIRoute):
    """A route that counts its requests and plays the faults scripted for it.

    Faults are keyed by method and path template, e.g. ``"GET /v2/orders/{order_id}"``.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        route = f"{','.join(sorted(self.methods or ()))} {self.path_format}"

        async def handle(request: Request) -> Response:
            sim = simulator_of(request)
            sim.count(route)
            fault = sim.faults.take(route)
            if fault is None:
                return await handler(request)
            request.state.fault = fault
            if not fault.after_commit:
                await asyncio.sleep(fault.delay)
                return fault_response(fault) if fault.status else await handler(request)
            response = await handler(request)
            await asyncio.sleep(fault.delay)
            return fault_response(fault) if fault.status else response

        return handle


def injected_fault(request: Request) -> Fault | None:
    fault: Fault | None = getattr(request.state, "fault", None)
    return fault
