"""Counts in messages read as English."""

from __future__ import annotations

from trimtab.wording import counted


def test_one_is_singular_and_every_other_count_plural() -> None:
    assert [counted(n, "order") for n in (0, 1, 2)] == ["0 orders", "1 order", "2 orders"]
    assert counted(1, "buy") == "1 buy"
    assert counted(3, "child", "children") == "3 children"
