"""Guard rails: input that is probably a typo is booked only after the issuer confirms."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

# A quantity this many times the product's usual movement is asked about.
QUANTITY_FACTOR = Decimal(10)
# A price this far from the last one (as a fraction of it) is asked about.
PRICE_DEVIATION = Decimal("0.5")


class RiskKind(StrEnum):
    LARGE_QUANTITY = "large_quantity"
    PRICE_JUMP = "price_jump"
    OVER_DELIVERY = "over_delivery"  # more than the order's remaining quantity
    CREDIT_LIMIT = "credit_limit"  # given: open receivables with the order; usual: the limit


@dataclass(frozen=True, slots=True)
class Risk:
    """Why we ask: the value given and what it was compared with."""

    kind: RiskKind
    given: Decimal
    usual: Decimal


def assess(quantity: Decimal, typical: Decimal | None, price: Decimal | None, last_price: Decimal | None) -> list[Risk]:
    """The risks in a stock change: an outsized quantity, a price far from the last one."""
    risks: list[Risk] = []
    if typical is not None and typical > 0 and quantity > typical * QUANTITY_FACTOR:
        risks.append(Risk(RiskKind.LARGE_QUANTITY, quantity, typical))
    if price is not None and last_price is not None and last_price > 0:
        if abs(price - last_price) > last_price * PRICE_DEVIATION:
            risks.append(Risk(RiskKind.PRICE_JUMP, price, last_price))
    return risks
