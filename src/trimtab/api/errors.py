"""Every error the API sends has one shape: ``{"error": {"code", "message"}}`` and a fitting 4xx."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from trimtab.errors import (
    AssetNotTradable,
    BrokerAuthFailed,
    BrokerError,
    BrokerUnavailable,
    Conflict,
    DuplicateClientOrderId,
    Forbidden,
    InsufficientBuyingPower,
    InsufficientQuantity,
    InvalidInput,
    MarketClosed,
    NotFound,
    OrderRejected,
    RateLimited,
    TradingBlocked,
    TrimtabError,
)

log = logging.getLogger(__name__)

#: PostgreSQL's serialization failure, deadlock and unique violation.
CONFLICT_SQLSTATES = frozenset({"40001", "40P01", "23505"})


def is_write_conflict(err: BaseException) -> bool:
    """A concurrent writer's conflict (retryable by the client), not a bug."""
    if isinstance(err, StaleDataError):
        return True
    return isinstance(err, DBAPIError) and (
        getattr(err.orig, "sqlstate", None) in CONFLICT_SQLSTATES
    )


#: Most specific first: the first class an error is an instance of decides its status.
STATUS_BY_ERROR: tuple[tuple[type[TrimtabError], int], ...] = (
    (InvalidInput, 422),
    (NotFound, 404),
    (Forbidden, 403),
    (Conflict, 409),
    (TradingBlocked, 423),
    # The broker refused the order itself: the request cannot be carried out as asked.
    (InsufficientBuyingPower, 422),
    (InsufficientQuantity, 422),
    (AssetNotTradable, 422),
    (MarketClosed, 422),
    (OrderRejected, 422),
    (DuplicateClientOrderId, 409),
    (RateLimited, 503),
    (BrokerAuthFailed, 502),
    (BrokerUnavailable, 503),
    (BrokerError, 502),
)


class ApiError(Exception):
    """An error raised by the API layer itself (authentication, CSRF, throttling)."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def status_for(err: TrimtabError) -> int:
    for kind, status in STATUS_BY_ERROR:
        if isinstance(err, kind):
            return status
    return 400


def _location(loc: tuple[Any, ...]) -> str:
    # FastAPI prefixes "body"/"query"/"path"; users think in field names.
    parts = [str(p) for p in loc[1:]] if loc and loc[0] in {"body", "query", "path"} else loc
    return ".".join(str(p) for p in parts) or "body"


def _json_fault(body: Any, error: Mapping[str, Any]) -> str:
    """``request body: line L, column C: not valid JSON (why)`` for a body that does not parse.

    FastAPI reports the character offset as the error's location and the text as the body.
    """
    loc = tuple(error.get("loc", ()))
    why = (error.get("ctx") or {}).get("error", "JSON decode error")
    offset = loc[-1] if loc and isinstance(loc[-1], int) else None
    if not isinstance(body, str) or offset is None:
        return f"request body: not valid JSON ({why})"
    line = body.count("\n", 0, offset) + 1
    column = offset - (body.rfind("\n", 0, offset) + 1) + 1
    return f"request body: line {line}, column {column}: not valid JSON ({why})"


def install_error_handlers(
    app: FastAPI,
    *,
    check_callers: Callable[[MutableMapping[str, Any]], Awaitable[None]] | None = None,
) -> None:
    """The handlers that give every error its shape and status. ``check_callers`` (the
    request's scope; raises ``ApiError``) runs before a validation error is answered, so
    a caller that fails authentication gets its 401 or 403 rather than the 422."""

    @app.exception_handler(TrimtabError)
    async def _trimtab(_: Request, err: TrimtabError) -> JSONResponse:
        return JSONResponse(error_body(err.code, err.message), status_code=status_for(err))

    @app.exception_handler(ApiError)
    async def _api(_: Request, err: ApiError) -> JSONResponse:
        return JSONResponse(
            error_body(err.code, err.message), status_code=err.status, headers=err.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, err: RequestValidationError) -> JSONResponse:
        if check_callers is not None:
            try:
                await check_callers(request.scope)
            except ApiError as refused:
                return await _api(request, refused)
        first = err.errors()[0] if err.errors() else {"loc": (), "msg": "invalid request"}
        if first.get("type") == "json_invalid":
            message = _json_fault(err.body, first)
        else:
            field = _location(tuple(first.get("loc", ())))
            message = f"{field}: {first.get('msg', 'invalid value')}"
        return JSONResponse(error_body("invalid_input", message), status_code=422)

    @app.exception_handler(DBAPIError)
    @app.exception_handler(StaleDataError)
    async def _database(request: Request, err: Exception) -> JSONResponse:
        if is_write_conflict(err):
            # Two writers met on the same rows; the losing one may simply try again.
            log.warning("write conflict on %s %s: %s", request.method, request.url.path, err)
            return JSONResponse(
                error_body("conflict", "another change to the same data came first; try again"),
                status_code=409,
            )
        return await _unexpected(request, err)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, err: Exception) -> JSONResponse:
        # A bug, not bad input: log it whole, tell the caller only that it happened.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(
            error_body("internal_error", "something went wrong on the server; it has been logged"),
            status_code=500,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, err: StarletteHTTPException) -> JSONResponse:
        code = {
            401: "unauthenticated",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
        }
        return JSONResponse(
            error_body(code.get(err.status_code, "http_error"), str(err.detail)),
            status_code=err.status_code,
            headers=getattr(err, "headers", None),
        )
