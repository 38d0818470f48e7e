"""Each refusal carries the fields its reply template needs."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from domain import errors as e


def test_unknown_product_carries_the_query_and_suggestions() -> None:
    hint = e.ProductHint("A001", "可乐")
    error = e.UnknownProduct("A00l", [hint])
    assert (error.query, error.suggestions) == ("A00l", [hint])


def test_unknown_product_without_suggestions_has_its_own_empty_list() -> None:
    first, second = e.UnknownProduct("X"), e.UnknownProduct("Y")
    assert first.suggestions == []
    first.suggestions.append(e.ProductHint("A001", "可乐"))
    assert second.suggestions == []


def test_product_already_exists_and_inactive_carry_code_and_name() -> None:
    for cls in (e.ProductAlreadyExists, e.ProductInactive):
        error = cls("A001", "可乐")
        assert (error.code, error.name) == ("A001", "可乐")
        assert "A001" in error.message


def test_insufficient_stock_carries_what_was_asked_and_what_is_there() -> None:
    error = e.InsufficientStock("A001", "可乐", "罐", Decimal(8), Decimal(5))
    assert (error.code, error.name, error.unit, error.requested, error.available) == (
        "A001",
        "可乐",
        "罐",
        Decimal(8),
        Decimal(5),
    )


def test_unit_mismatch_carries_both_units() -> None:
    error = e.UnitMismatch("A001", "可乐", "罐", "箱")
    assert (error.code, error.name, error.unit, error.given) == ("A001", "可乐", "罐", "箱")


def test_fractional_quantity_carries_the_quantity() -> None:
    error = e.FractionalQuantity("A001", "可乐", "罐", Decimal("2.5"))
    assert (error.code, error.name, error.unit, error.quantity) == ("A001", "可乐", "罐", Decimal("2.5"))


def test_invalid_product_carries_field_and_reason() -> None:
    error = e.InvalidProduct("名称", "不能为空")
    assert (error.field, error.reason) == ("名称", "不能为空")
    assert error.message == "名称: 不能为空"


def test_nothing_to_change_carries_the_code() -> None:
    assert e.NothingToChange("A001").code == "A001"


def test_future_date_carries_the_day() -> None:
    assert e.FutureDate(date(2026, 3, 11)).day == date(2026, 3, 11)


ALL_ERRORS = [
    e.UnknownProduct("A001"),
    e.ProductAlreadyExists("A001", "可乐"),
    e.ProductInactive("A001", "可乐"),
    e.InsufficientStock("A001", "可乐", "罐", Decimal(8), Decimal(5)),
    e.UnitMismatch("A001", "可乐", "罐", "箱"),
    e.FractionalQuantity("A001", "可乐", "罐", Decimal("2.5")),
    e.InvalidProduct("名称", "不能为空"),
    e.NothingToChange("A001"),
    e.FutureDate(date(2026, 3, 11)),
    e.ConcurrentChange(),
]


@pytest.mark.parametrize("error", ALL_ERRORS, ids=lambda error: type(error).__name__)
def test_every_refusal_is_a_domain_error_with_its_message_as_text(error: e.DomainError) -> None:
    assert isinstance(error, e.DomainError)
    assert error.message
    assert str(error) == error.message


def test_every_domain_error_class_is_covered_here() -> None:
    classes = {cls for cls in vars(e).values() if isinstance(cls, type) and issubclass(cls, e.DomainError)}
    assert classes - {e.DomainError} == {type(error) for error in ALL_ERRORS}


def test_product_hint_is_a_frozen_value() -> None:
    hint = e.ProductHint("A001", "可乐")
    assert hint == e.ProductHint("A001", "可乐")
    with pytest.raises(dataclasses.FrozenInstanceError):
        hint.code = "A002"  # type: ignore[misc]
