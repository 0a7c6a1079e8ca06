"""Decimal money and quantity rules shared by the whole core.

Money is never a float: prices and cash come from the broker as decimal strings
and stay ``Decimal`` until they are shown.
"""

from __future__ import annotations

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
    return qty.quantize(step, rounding=ROUND_DOWN)


def cents(amount: Decimal) -> Decimal:
    """Round an amount of money to the cent for display and records."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def usd(amount: Decimal) -> str:
    """``$1,234.50``: an amount to the cent, for messages."""
    return f"${cents(amount):,}"


def usd_under(amount: Decimal, limit: Decimal) -> str:
    """``amount`` for a message saying it is under ``limit``: to the cent, unless rounding
    would make it look equal to (or over) the limit; then every digit it has."""
    if amount < limit <= cents(amount):
        return f"${amount.normalize():f}"
    return usd(amount)


def percent_of(part: Decimal, whole: Decimal) -> Decimal:
    """``part`` as a percentage of ``whole`` (which must be positive)."""
    return part / whole * HUNDRED
