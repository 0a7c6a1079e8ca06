"""JSON objects whose keys are each given once.

``json`` keeps the last of a repeated key silently: ``{"dry_run": true, "dry_run":
false}`` would mean whichever came last. The API's edge and the CLI's files refuse it.
"""

from __future__ import annotations

from typing import Any


class DuplicateKey(ValueError):
    """A key given twice in one JSON object; ``key`` is that key."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads``'s ``object_pairs_hook``: the object as a dict; raises
    ``DuplicateKey`` naming the first key given twice."""
    found = dict(pairs)
    if len(found) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return found
