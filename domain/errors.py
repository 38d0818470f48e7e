"""Typed refusals of the business rules.

Each error carries the fields a reply template needs; the chat edge maps the type to a
template (``bot/errors.py``), so no domain code formats user-facing text beyond a log line.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


class DomainError(Exception):
    """A rule refused the request; nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class ProductHint:
    """A product offered as "did you mean"."""

    code: str
    name: str


class UnknownProduct(DomainError):
    def __init__(self, query: str, suggestions: list[ProductHint] | None = None) -> None:
        super().__init__(f"unknown product {query!r}")
        self.query = query
        self.suggestions = suggestions or []


class ProductAlreadyExists(DomainError):
    def __init__(self, code: str, name: str) -> None:
        super().__init__(f"product {code} already exists")
        self.code = code
        self.name = name


class ProductInactive(DomainError):
    def __init__(self, code: str, name: str) -> None:
        super().__init__(f"product {code} is deactivated")
        self.code = code
        self.name = name


class InsufficientStock(DomainError):
    def __init__(self, code: str, name: str, unit: str, requested: Decimal, available: Decimal) -> None:
        super().__init__(f"{code}: requested {requested}, available {available}")
        self.code = code
        self.name = name
        self.unit = unit
        self.requested = requested
        self.available = available


class UnitMismatch(DomainError):
    def __init__(self, code: str, name: str, unit: str, given: str) -> None:
        super().__init__(f"{code} counts in {unit}, not {given}")
        self.code = code
        self.name = name
        self.unit = unit
        self.given = given


class FractionalQuantity(DomainError):
    def __init__(self, code: str, name: str, unit: str, quantity: Decimal) -> None:
        super().__init__(f"{code} counts whole {unit}, got {quantity}")
        self.code = code
        self.name = name
        self.unit = unit
        self.quantity = quantity


class InvalidProduct(DomainError):
    """A product field breaks a rule (empty name, negative price …)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class NothingToChange(DomainError):
    def __init__(self, code: str) -> None:
        super().__init__(f"{code}: no change")
        self.code = code


class FutureDate(DomainError):
    def __init__(self, day: object) -> None:
        super().__init__(f"date {day} is in the future")
        self.day = day


class ConcurrentChange(DomainError):
    """Someone changed the same stock between our read and our write; retry."""

    def __init__(self) -> None:
        super().__init__("stock changed concurrently")
