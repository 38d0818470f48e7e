"""Exact money and quantity values.

Money is yuan as ``Decimal`` quantised to the fen (0.01) with ROUND_HALF_UP (四舍五入);
quantities carry at most three decimals (grams of a kilogram); unit costs carry four.
A ``float`` never enters: ``Decimal(2.675)`` is 2.67499…, so the constructors refuse it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

ZERO = Decimal("0")
CENT = Decimal("0.01")
QUANTITY_STEP = Decimal("0.001")
UNIT_COST_STEP = Decimal("0.0001")

# Bounds that keep a typo (an extra five zeros) from booking; a small shop never needs more.
MAX_QUANTITY = Decimal("10000000")
MAX_PRICE = Decimal("10000000")

Money = Decimal
Quantity = Decimal


def _exact(value: Decimal | str | int) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"refusing inexact value {value!r}: use str or Decimal")
    try:
        result = value if isinstance(value, Decimal) else Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def to_money(value: Decimal | str | int) -> Money:
    """Make a money amount, quantised half-up to the fen.

    Args:
        value: a Decimal, a decimal string or an int; never a float.

    Returns:
        The amount with exactly two decimal places.
    """
    try:
        return quantize_money(_exact(value))
    except InvalidOperation as exc:  # more digits than the decimal context holds
        raise ValueError(f"amount {value!r} is too large") from exc


def quantize_money(value: Decimal) -> Money:
    """Round to the fen, half up (Python's default would round 2.665 down to 2.66)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def quantize_unit_cost(value: Decimal) -> Decimal:
    """Round a derived unit cost (value ÷ quantity) to four places, half up."""
    return value.quantize(UNIT_COST_STEP, rounding=ROUND_HALF_UP)


def to_quantity(value: Decimal | str | int) -> Quantity:
    """Make a quantity with at most three decimals, refusing anything finer.

    Raises:
        ValueError: the value has more than three decimals.
    """
    exact = _exact(value)
    try:
        quantised = exact.quantize(QUANTITY_STEP)
    except InvalidOperation as exc:  # more digits than the decimal context holds
        raise ValueError(f"quantity {value!r} is too large") from exc
    if quantised != exact:
        raise ValueError(f"quantity {value!r} has more than three decimals")
    # Keep the written precision readable: 50 stays 50, 2.500 becomes 2.5 (never 5E+1).
    if quantised == quantised.to_integral_value():
        return quantised.quantize(Decimal(1))
    return quantised.normalize()


def is_whole(quantity: Decimal) -> bool:
    """True when the quantity has no fractional part."""
    return quantity == quantity.to_integral_value()


# Scaled integers are how storage keeps these exactly (SQLite NUMERIC is a float).
def to_scaled(value: Decimal, places: int) -> int:
    """Turn a Decimal into an integer of 10^-places units, refusing any loss."""
    with localcontext() as exact:
        # Enough digits that scaling never rounds; the loss check below is then meaningful.
        exact.prec = max(28, len(value.as_tuple().digits) + places + 2)
        scaled = value.scaleb(places)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} does not fit {places} decimal places")
    return int(scaled)


def from_scaled(value: int, places: int) -> Decimal:
    """Inverse of :func:`to_scaled`."""
    return Decimal(value).scaleb(-places)
