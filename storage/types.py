"""Column types that keep money, quantities and times exact on SQLite and PostgreSQL alike.

SQLite's NUMERIC is a float in disguise, so amounts are stored as scaled BIGINTs:
fen for money, thousandths for quantities, ten-thousandths for unit prices.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.types import TypeDecorator

from domain.money import from_scaled, to_scaled


class _Scaled(TypeDecorator[Decimal]):
    impl = BigInteger
    cache_ok = True
    places = 0

    def process_bind_param(self, value: Decimal | None, dialect: object) -> int | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("floats never reach the books")
        return to_scaled(Decimal(value), self.places)

    def process_result_value(self, value: int | None, dialect: object) -> Decimal | None:
        if value is None:
            return None
        return from_scaled(int(value), self.places)


class Fen(_Scaled):
    """Money in yuan, stored as integer fen."""

    cache_ok = True
    places = 2


class Milli(_Scaled):
    """A quantity, stored as integer thousandths of its unit."""

    cache_ok = True
    places = 3


class PriceE4(_Scaled):
    """A unit price or cost, stored as integer ten-thousandths of a yuan."""

    cache_ok = True
    places = 4


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC; SQLite would otherwise drop the offset."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware one")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)
