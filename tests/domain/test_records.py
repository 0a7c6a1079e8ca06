"""``quick_init``: the same constructor and the same frozen record, built faster."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from trimtab.domain.portfolio import Holding, Portfolio, PricePoint
from trimtab.domain.records import quick_constructor, quick_init


@quick_init
@dataclass(frozen=True, slots=True)
class _Line:
    symbol: str
    qty: Decimal
    note: str = "none"
    tags: list[str] = field(default_factory=list)


def test_the_constructor_takes_the_same_arguments_and_defaults() -> None:
    assert _Line("SPY", Decimal(2)) == _Line(symbol="SPY", qty=Decimal(2), note="none", tags=[])
    line = _Line("SPY", Decimal(2), tags=["a"])
    assert (line.symbol, line.qty, line.note, line.tags) == ("SPY", Decimal(2), "none", ["a"])
    assert _Line("A", Decimal(1)).tags is not _Line("A", Decimal(1)).tags  # a fresh list each
    assert type(line) is _Line
    for copied in (pickle.loads(pickle.dumps(line)), copy.copy(line), copy.deepcopy(line)):
        assert copied == line
        assert type(copied) is _Line
    with pytest.raises(TypeError):
        _Line("SPY")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        _Line("SPY", Decimal(1), "x", [], "extra")  # type: ignore[call-arg]


def test_the_plain_constructor_makes_the_same_record() -> None:
    make = quick_constructor(_Line)
    line = make("SPY", Decimal(2), tags=["a"])
    assert line == _Line("SPY", Decimal(2), "none", ["a"])
    assert type(line) is _Line
    assert make("A", Decimal(1)).tags == []
    assert make("A", Decimal(1)).tags is not make("A", Decimal(1)).tags
    with pytest.raises(dataclasses.FrozenInstanceError):
        line.note = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        make("SPY")  # type: ignore[call-arg]
    with pytest.raises(KeyError):
        quick_constructor(dict)


def test_the_record_stays_frozen_hashable_and_replaceable() -> None:
    point = PricePoint(Decimal("10.5"), None, "close")
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.price = Decimal(1)  # type: ignore[misc]
    assert hash(point) == hash(PricePoint(Decimal("10.5"), None, "close"))
    assert dataclasses.replace(point, source="trade") == PricePoint(Decimal("10.5"), None, "trade")
    assert repr(point) == "PricePoint(price=Decimal('10.5'), as_of=None, source='close')"
    pickles = [pickle.dumps(point, protocol) for protocol in (0, pickle.DEFAULT_PROTOCOL)]
    for copied in [*map(pickle.loads, pickles), copy.copy(point), copy.deepcopy(point)]:
        assert copied == point
        assert type(copied) is PricePoint
    held = Holding("SPY", Decimal(2), Decimal(21), point)
    assert Portfolio(Decimal(5), {"SPY": held}).value == Decimal(26)
    assert Portfolio(Decimal(5)).holdings == {}


def test_only_frozen_slotted_dataclasses_are_accepted() -> None:
    @dataclass(frozen=True)
    class Loose:
        a: int

    @dataclass(slots=True)
    class Mutable:
        a: int

    @dataclass(frozen=True, slots=True)
    class Derived(PricePoint):
        extra: int = 0

    for kind in (Loose, Mutable, int, Derived):
        with pytest.raises(TypeError):
            quick_init(kind)
