"""Periods of business days, half-open [begin, end) like fava's DateRange."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta


class InvalidPeriodError(ValueError):
    """begin is not before end."""


@dataclass(frozen=True, slots=True)
class Period:
    """Days from ``begin`` (inclusive) to ``end`` (exclusive)."""

    begin: date
    end: date
    label: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.begin >= self.end:
            raise InvalidPeriodError(f"{self.begin} is not before {self.end}")

    @property
    def end_inclusive(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.begin).days

    def contains(self, day: date) -> bool:
        return self.begin <= day < self.end


def last_days(today: date, days: int) -> Period:
    """The last ``days`` days including today (7天 = today and the six before)."""
    return Period(today - timedelta(days=days - 1), today + timedelta(days=1), f"近{days}天")


def today_period(today: date) -> Period:
    return Period(today, today + timedelta(days=1), "今日")


def this_week(today: date) -> Period:
    monday = today - timedelta(days=today.weekday())
    return Period(monday, monday + timedelta(days=7), "本周")


def this_month(today: date) -> Period:
    first = today.replace(day=1)
    return Period(first, _next_month(first), "本月")


def last_month(today: date) -> Period:
    first_this = today.replace(day=1)
    first_last = (first_this - timedelta(days=1)).replace(day=1)
    return Period(first_last, first_this, "上月")


def between(begin: date, end_inclusive: date) -> Period:
    return Period(begin, end_inclusive + timedelta(days=1), f"{begin:%Y-%m-%d}~{end_inclusive:%Y-%m-%d}")


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)
