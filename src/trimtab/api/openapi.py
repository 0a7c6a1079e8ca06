"""The OpenAPI document: what FastAPI derives from the routes, plus the types no route
names but clients read (event data, the error body, the life cycle's final statuses).

``python -m trimtab.api.openapi [FILE]`` writes it (for the page's types: ``make api-types``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from trimtab.api.schemas import ErrorBody
from trimtab.domain.lifecycle import FINAL_ORDER_STATUSES, UNFINISHED
from trimtab.services.contract import EventKind, OrderRecord, RunEvent


def _subset(values: Any, description: str) -> dict[str, Any]:
    return {"type": "string", "enum": sorted(str(v) for v in values), "description": description}


#: Published beside the routes' own schemas, under these names: a type, or a schema as is.
EXTRA_SCHEMAS: dict[str, Any] = {
    "ErrorBody": ErrorBody,
    "EventKind": EventKind,
    "RunEvent": RunEvent,
    "OrderRecord": OrderRecord,
    "UnfinishedRunStatus": _subset(
        UNFINISHED, "Run statuses still moving: the next check or the worker takes them on."
    ),
    "FinalOrderStatus": _subset(
        FINAL_ORDER_STATUSES, "Order statuses after which no fill comes (domain/lifecycle.py)."
    ),
}


def with_extra_schemas(openapi: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    """Wrap FastAPI's ``app.openapi`` so that the document also has ``EXTRA_SCHEMAS``."""
    done: list[dict[str, Any]] = []

    def document() -> dict[str, Any]:
        if done:
            return done[0]
        doc = openapi()
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        for name, kind in EXTRA_SCHEMAS.items():
            if isinstance(kind, dict):
                schemas[name] = kind
                continue
            schema = TypeAdapter(kind).json_schema(
                mode="serialization", ref_template="#/components/schemas/{model}"
            )
            schemas.update(schema.pop("$defs", {}))
            schemas[name] = schema
        done.append(doc)
        return doc

    return document


def main(argv: list[str]) -> None:
    from trimtab.api.app import build_api

    document = json.dumps(build_api().openapi(), indent=2, sort_keys=True) + "\n"
    if argv:
        Path(argv[0]).write_text(document)
    else:
        sys.stdout.write(document)


if __name__ == "__main__":
    main(sys.argv[1:])
