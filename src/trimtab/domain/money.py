"""Decimal money and quantity rules shared by the whole core.

Money is never a float: prices and cash come from the broker as decimal strings
and stay ``Decimal`` until they are shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
#: Alpaca accepts fractional quantities with up to 9 decimal places.
QTY_STEP = Decimal("0.000000001")
ONE_SHARE = Decimal(1)
HUNDRED = Decimal(100)
ZERO = Decimal(0)


def to_decimal(value: object, *, field: str = "value") -> Decimal:
    """Read a number given as int, str or Decimal (floats through their str form).

    Raises ``ValueError`` naming ``field`` when the value is not a finite number.
    """
    if isinstance(value, bool):
        raise ValueError(f"{field}: expected a number, got {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | float | str):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"{field}: {value!r} is not a number") from None
    else:
        raise ValueError(f"{field}: expected a number, got {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"{field}: {value!r} is not a finite number")
    return result


def round_qty_down(
    qty: Decimal, *, fractionable: bool, increment: Decimal | None = None
) -> Decimal:
    """Round a quantity toward less trading: to ``increment`` when the asset has one
    (crypto's ``min_trade_increment``), else whole shares, or the broker's 9 decimals."""
    if increment is not None and increment > ZERO:
        return (qty / increment).to_integral_value(rounding=ROUND_DOWN) * increment
    step = QTY_STEP if fractionable else ONE_SHARE
    # The rounding passed by position: a keyword makes the call twice as slow.
    return qty.quantize(step, ROUND_DOWN)


def cents(amount: Decimal) -> Decimal:
    """Round an amount of money to the cent for display and records."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def usd(amount: Decimal) -> str:
    """``$1,234.50`` (``-$6,000.00`` when negative): an amount to the cent, for messages."""
    rounded = cents(amount)
    return f"-${-rounded:,}" if rounded < ZERO else f"${rounded:,}"


def usd_under(amount: Decimal, limit: Decimal) -> str:
    """``amount`` for a message saying it is under ``limit``: to the cent, unless rounding
    would make it look equal to (or over) the limit; then every digit it has."""
    if ZERO <= amount < limit <= cents(amount):
        return f"${amount.normalize():f}"
    return usd(amount)


def percent_of(part: Decimal, whole: Decimal) -> Decimal:
    """``part`` as a percentage of ``whole`` (which must be positive)."""
    return part / whole * HUNDRED


@dataclass(frozen=True, slots=True)
class NumberRange:
    """The values one kind of number may take at trimtab's edges (API bodies, CLI options,
    snapshot files), so nothing outside it reaches ``Decimal`` arithmetic or a column.

    ``places`` is the column's scale: a value with more decimals would be stored as a
    different number (``0.00004`` % as 0), so it is refused rather than rounded.
    ``minimum`` is excluded when ``above`` is true. docs/security.md lists the ranges.
    """

    minimum: Decimal
    maximum: Decimal
    places: int
    above: bool = False

    def check(self, value: object, *, field: str) -> Decimal:
        """``value`` as a ``Decimal`` inside the range; ``ValueError`` naming ``field``."""
        number = to_decimal(value, field=field)
        low_ok = number > self.minimum if self.above else number >= self.minimum
        if not low_ok or number > self.maximum:
            low = "above" if self.above else "at least"
            raise ValueError(
                f"{field}: must be {low} {self.minimum} and at most {self.maximum:,f}, "
                f"got {_short(value)}"
            )
        if not self.fits_places(number):
            raise ValueError(f"{field}: at most {self.places} decimal places, got {_short(value)}")
        return number

    def fits_places(self, number: Decimal) -> bool:
        """``number`` (already within the range) has at most ``places`` decimals."""
        return number == number.quantize(Decimal(1).scaleb(-self.places), rounding=ROUND_DOWN)

    def narrowed(
        self,
        *,
        minimum: Decimal | None = None,
        maximum: Decimal | None = None,
        above: bool | None = None,
    ) -> NumberRange:
        """The same kind of number with tighter bounds (a policy's cash buffer ≤ 50 %)."""
        return NumberRange(
            self.minimum if minimum is None else minimum,
            self.maximum if maximum is None else maximum,
            self.places,
            self.above if above is None else above,
        )


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


#: Money in USD: cash, notional, minimum trade. $10 trillion fits NUMERIC(20, 4).
MONEY_RANGE = NumberRange(ZERO, Decimal("10000000000000"), 4)
#: Share quantities: up to 10 billion shares, at the broker's 9 decimals (NUMERIC(20, 9)).
QTY_RANGE = NumberRange(ZERO, Decimal("10000000000"), 9)
#: A price per share in USD: above 0, up to $10 million.
PRICE_RANGE = NumberRange(ZERO, Decimal("10000000"), 9, above=True)
#: Percentages and percentage points: 0 to 100 at 4 decimals (NUMERIC(20, 4)).
PERCENT_RANGE = NumberRange(ZERO, HUNDRED, 4)
