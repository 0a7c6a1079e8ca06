"""Words for counts in messages people read: "1 order", "2 orders", never "order(s)"."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and the noun, singular for exactly one: ``counted(2, "buy")`` → "2 buys"."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
