from decimal import Decimal

import pytest

from trimtab.domain.targets import Target, validate_targets
from trimtab.errors import InvalidTargets

from .builders import SEED_TARGETS, targets


def test_seed_targets_are_valid() -> None:
    assert [t.symbol for t in validate_targets(SEED_TARGETS)] == ["SPY", "QQQ", "TLT", "GLD"]


@pytest.mark.parametrize(
    ("target_set", "message"),
    [
        (
            targets(SPY=40, QQQ=30, TLT=20),
            "targets sum to 90.00 %, expected 100 % (10.00 pp missing)",
        ),
        (
            targets(SPY=50, QQQ=30, TLT=30),
            "targets sum to 110.00 %, expected 100 % (10.00 pp over)",
        ),
        (
            [Target("SPY", Decimal(50)), Target("SPY", Decimal(50))],
            "symbol SPY appears more than once",
        ),
        (
            targets(SPY=-10, QQQ=110),
            "SPY: target_percent must be from 0 to 100, got -10",
        ),
        (targets(SPY="100.5", QQQ=0), "SPY: target_percent must be from 0 to 100, got 100.5"),
        ([Target("spy", Decimal(100))], "symbol 'spy' is not a valid ticker (use upper case)"),
        ([Target("", Decimal(100))], "symbol must not be blank"),
        ([Target("   ", Decimal(100))], "symbol must not be blank"),
        ([Target("S&P", Decimal(100))], "symbol 'S&P' is not a valid ticker"),
    ],
)
def test_bad_target_sets_are_refused_with_a_named_reason(
    target_set: list[Target], message: str
) -> None:
    with pytest.raises(InvalidTargets) as caught:
        validate_targets(target_set)
    assert str(caught.value) == message


def test_sum_within_tolerance_passes_and_just_outside_fails() -> None:
    validate_targets(targets(SPY="60.005", QQQ=40))
    with pytest.raises(InvalidTargets, match=r"100\.02"):
        validate_targets(targets(SPY="60.02", QQQ=40))


def test_disabled_targets_do_not_count_toward_the_sum() -> None:
    target_set = [*SEED_TARGETS, Target("BND", Decimal(25), enabled=False)]
    assert len(validate_targets(target_set)) == 4


def test_dotted_class_share_symbols_are_accepted() -> None:
    validate_targets([Target("BRK.B", Decimal(100))])


def test_a_zero_target_is_an_exit_and_is_accepted() -> None:
    assert validate_targets(targets(SPY=0, QQQ=100)) == targets(SPY=0, QQQ=100)
