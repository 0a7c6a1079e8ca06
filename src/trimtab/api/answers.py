"""Answers built from service results without a second pass through FastAPI.

A sync route that returns a result makes FastAPI validate it again against its
``response_model`` on a worker thread and then serialise it. A ``ResultResponse``
serialises the result once, with the same pydantic adapter (``contract.to_json_bytes``),
so the bytes are the ones the ``response_model`` would give; the route keeps
``response_model`` for the OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from trimtab.services.contract import to_json_bytes


class ResultResponse(Response):
    """A service result (a contract dataclass) as the API's JSON answer."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return to_json_bytes(content)
