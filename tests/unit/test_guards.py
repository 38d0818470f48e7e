"""Guard rails: when a stock change is asked about before it is booked."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.guards import PRICE_DEVIATION, QUANTITY_FACTOR, Risk, RiskKind, assess

D = Decimal
LARGE = RiskKind.LARGE_QUANTITY
JUMP = RiskKind.PRICE_JUMP


def test_the_thresholds_are_the_issues() -> None:
    assert QUANTITY_FACTOR == 10
    assert PRICE_DEVIATION == D("0.5")


@pytest.mark.parametrize(
    ("quantity", "typical", "risky"),
    [
        ("100", "10", False),  # exactly 10× is not risky
        ("100.001", "10", True),  # just above is
        ("101", "10", True),
        ("99.999", "10", False),
        ("25", "2.5", False),
        ("25.001", "2.5", True),
        ("1000000", None, False),  # no history: no risk
        ("1000", "0", False),  # a zero typical quantity is ignored, not divided by
        ("5", "0.4", True),
    ],
)
def test_large_quantity_boundary(quantity: str, typical: str | None, risky: bool) -> None:
    risks = assess(D(quantity), None if typical is None else D(typical), None, None)
    expected = [Risk(LARGE, D(quantity), D(typical))] if risky else []  # type: ignore[arg-type]
    assert risks == expected


@pytest.mark.parametrize(
    ("price", "last", "risky"),
    [
        ("3.00", "2.00", False),  # exactly 50 % above is not risky
        ("1.00", "2.00", False),  # exactly 50 % below is not risky
        ("3.0001", "2.00", True),  # just above
        ("0.9999", "2.00", True),  # just below
        ("2.00", "2.00", False),
        ("0", "2.00", True),  # a price of zero is 100 % off
        ("999", None, False),  # no last price: no risk
        ("999", "0", False),  # a zero last price is ignored
        ("15.01", "10", True),
        ("15", "10", False),
    ],
)
def test_price_jump_boundary(price: str, last: str | None, risky: bool) -> None:
    risks = assess(D(1), None, D(price), None if last is None else D(last))
    expected = [Risk(JUMP, D(price), D(last))] if risky else []  # type: ignore[arg-type]
    assert risks == expected


def test_without_a_price_there_is_no_price_risk() -> None:
    assert assess(D(1), None, None, D("2.00")) == []


def test_both_risks_are_reported_quantity_first() -> None:
    assert assess(D(1000), D(10), D(9), D(2)) == [Risk(LARGE, D(1000), D(10)), Risk(JUMP, D(9), D(2))]


def test_nothing_unusual_is_no_risk() -> None:
    assert assess(D(12), D(10), D("2.60"), D("2.50")) == []


def test_risks_are_frozen_values() -> None:
    risk = Risk(LARGE, D(1000), D(10))
    assert risk == Risk(LARGE, D(1000), D(10))
    with pytest.raises(AttributeError):
        risk.given = D(1)  # type: ignore[misc]
