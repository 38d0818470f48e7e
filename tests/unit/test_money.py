"""Exact money and quantities: no float ever enters, fen rounding is half up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.money import (
    from_scaled,
    is_whole,
    quantize_money,
    quantize_unit_cost,
    to_money,
    to_quantity,
    to_scaled,
)


@pytest.mark.parametrize("value", [2.5, 0.1, 1.0])
def test_to_money_refuses_a_float(value: float) -> None:
    with pytest.raises(TypeError):
        to_money(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [True, False])
def test_to_money_refuses_a_bool_although_bool_is_an_int(value: bool) -> None:
    with pytest.raises(TypeError):
        to_money(value)


@pytest.mark.parametrize("value", [2.5, True])
def test_to_quantity_refuses_floats_and_bools_too(value: object) -> None:
    with pytest.raises(TypeError):
        to_quantity(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2.665", "2.67"),  # Python's default (half-even) would give 2.66
        ("2.675", "2.68"),
        ("2.664", "2.66"),
        ("-2.665", "-2.67"),  # half away from zero, symmetric for refunds
        ("0.005", "0.01"),
        ("0.004", "0.00"),
    ],
)
def test_to_money_rounds_half_up_to_the_fen(text: str, expected: str) -> None:
    result = to_money(text)
    assert result == Decimal(expected)
    assert result.as_tuple().exponent == -2


def test_to_money_accepts_decimal_and_int_and_always_shows_two_places() -> None:
    assert str(to_money(Decimal("3"))) == "3.00"
    assert str(to_money(7)) == "7.00"
    assert str(to_money("12.5")) == "12.50"


@pytest.mark.parametrize("text", ["abc", "", "1,5", "NaN", "Infinity", "-Infinity"])
def test_to_money_refuses_text_that_is_not_a_finite_number(text: str) -> None:
    with pytest.raises(ValueError):
        to_money(text)


def test_quantize_money_rounds_a_computed_decimal_half_up() -> None:
    # 3 × 51.00 / 20 = 7.65 exactly; 1 × 6.67 / 2 = 3.335 → 3.34
    assert quantize_money(Decimal("6.67") / 2) == Decimal("3.34")


def test_quantize_unit_cost_keeps_four_places_half_up() -> None:
    assert quantize_unit_cost(Decimal(10) / Decimal(3)) == Decimal("3.3333")
    assert quantize_unit_cost(Decimal("2.00005")) == Decimal("2.0001")


def test_to_quantity_refuses_more_than_three_decimals() -> None:
    with pytest.raises(ValueError):
        to_quantity("1.0001")


def test_to_quantity_accepts_exactly_three_decimals() -> None:
    assert to_quantity("1.234") == Decimal("1.234")


@pytest.mark.parametrize("value", ["50", 50, Decimal("50"), Decimal("50.000"), Decimal("5E+1")])
def test_to_quantity_keeps_fifty_as_50_never_5e_plus_1(value: object) -> None:
    assert str(to_quantity(value)) == "50"  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "shown"), [("2.500", "2.5"), ("0.250", "0.25"), ("100", "100"), ("0.001", "0.001")])
def test_to_quantity_drops_trailing_zeros_of_the_fraction_only(text: str, shown: str) -> None:
    assert str(to_quantity(text)) == shown


@pytest.mark.parametrize(("quantity", "whole"), [("3", True), ("3.000", True), ("2.5", False), ("0.001", False)])
def test_is_whole_tells_whole_quantities_from_fractions(quantity: str, whole: bool) -> None:
    assert is_whole(Decimal(quantity)) is whole


@pytest.mark.parametrize(("value", "places", "scaled"), [("12.34", 2, 1234), ("-0.01", 2, -1), ("2.5", 3, 2500), ("7", 4, 70000)])
def test_to_scaled_turns_decimals_into_integers_of_the_smallest_unit(value: str, places: int, scaled: int) -> None:
    assert to_scaled(Decimal(value), places) == scaled


def test_to_scaled_refuses_to_lose_a_digit() -> None:
    with pytest.raises(ValueError):
        to_scaled(Decimal("1.005"), 2)


def test_from_scaled_gives_back_the_decimal_with_its_places() -> None:
    assert from_scaled(1234, 2) == Decimal("12.34")
    assert str(from_scaled(1230, 2)) == "12.30"


@given(
    places=st.integers(min_value=0, max_value=4),
    value=st.decimals(min_value=-10_000_000, max_value=10_000_000, places=4, allow_nan=False, allow_infinity=False),
)
def test_to_scaled_and_from_scaled_round_trip_whenever_the_value_fits(places: int, value: Decimal) -> None:
    fitting = value.quantize(Decimal(1).scaleb(-places))
    scaled = to_scaled(fitting, places)
    assert isinstance(scaled, int)
    assert from_scaled(scaled, places) == fitting


def test_to_scaled_refuses_a_value_whose_digits_exceed_the_decimal_precision() -> None:
    # 29 significant digits once scaled: Decimal.scaleb rounds to the 28-digit context precision,
    # giving ...3456790 – a silent loss the function promises to refuse.
    with pytest.raises(ValueError):
        to_scaled(Decimal("12345678901234567890123456.789"), 2)
