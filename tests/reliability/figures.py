"""Figures the reliability suite prints at its end (tests/reliability/conftest.py)."""

from __future__ import annotations

FIGURES: dict[str, float] = {}


def record(name: str, value: float) -> None:
    """Add ``value`` to the figure ``name`` (counts add up across tests)."""
    FIGURES[name] = FIGURES.get(name, 0) + value


def measured(name: str, value: float) -> None:
    """Set the figure ``name`` to ``value`` (a measurement, such as requests/s)."""
    FIGURES[name] = value


def report() -> list[str]:
    return [f"{name}: {value:g}" for name, value in sorted(FIGURES.items())]
