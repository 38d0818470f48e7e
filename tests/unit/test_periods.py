"""Periods are half-open [begin, end) ranges of business days."""

from __future__ import annotations

from datetime import date

import pytest

from domain.periods import (
    InvalidPeriodError,
    Period,
    between,
    last_days,
    last_month,
    this_month,
    this_week,
    today_period,
)


def test_last_7_days_are_today_and_the_six_before() -> None:
    period = last_days(date(2026, 3, 10), 7)
    assert (period.begin, period.end) == (date(2026, 3, 4), date(2026, 3, 11))
    assert period.days == 7
    assert period.end_inclusive == date(2026, 3, 10)
    assert period.label == "近7天"


def test_last_1_day_is_today_only() -> None:
    assert last_days(date(2026, 3, 10), 1) == today_period(date(2026, 3, 10))


def test_last_0_days_is_not_a_period() -> None:
    with pytest.raises(InvalidPeriodError):
        last_days(date(2026, 3, 10), 0)


@pytest.mark.parametrize(
    "today",
    [date(2026, 3, 9), date(2026, 3, 11), date(2026, 3, 15)],  # Monday, Wednesday, Sunday
)
def test_this_week_starts_on_monday_and_lasts_seven_days(today: date) -> None:
    period = this_week(today)
    assert period.begin == date(2026, 3, 9)
    assert period.end == date(2026, 3, 16)
    assert period.contains(today)


def test_this_week_can_span_a_year_boundary() -> None:
    period = this_week(date(2026, 1, 1))  # a Thursday
    assert (period.begin, period.end_inclusive) == (date(2025, 12, 29), date(2026, 1, 4))


@pytest.mark.parametrize(
    ("today", "begin", "end"),
    [
        (date(2026, 3, 10), date(2026, 3, 1), date(2026, 4, 1)),
        (date(2026, 12, 31), date(2026, 12, 1), date(2027, 1, 1)),
        (date(2028, 2, 29), date(2028, 2, 1), date(2028, 3, 1)),
    ],
)
def test_this_month_runs_from_the_first_to_the_first_of_the_next(today: date, begin: date, end: date) -> None:
    assert (this_month(today).begin, this_month(today).end) == (begin, end)


def test_last_month_across_a_year_boundary() -> None:
    period = last_month(date(2026, 1, 15))
    assert (period.begin, period.end) == (date(2025, 12, 1), date(2026, 1, 1))
    assert period.end_inclusive == date(2025, 12, 31)
    assert period.days == 31


def test_last_month_from_the_last_day_of_march_is_february() -> None:
    period = last_month(date(2026, 3, 31))
    assert (period.begin, period.end_inclusive) == (date(2026, 2, 1), date(2026, 2, 28))


def test_between_includes_both_given_days() -> None:
    period = between(date(2026, 11, 1), date(2026, 11, 15))
    assert (period.begin, period.end) == (date(2026, 11, 1), date(2026, 11, 16))
    assert period.end_inclusive == date(2026, 11, 15)
    assert period.days == 15
    assert period.label == "2026-11-01~2026-11-15"


def test_between_one_day_and_itself_is_one_day() -> None:
    assert between(date(2026, 3, 10), date(2026, 3, 10)).days == 1


def test_between_refuses_an_end_before_the_begin() -> None:
    with pytest.raises(InvalidPeriodError):
        between(date(2026, 3, 10), date(2026, 3, 9))


def test_period_refuses_begin_not_before_end() -> None:
    with pytest.raises(InvalidPeriodError):
        Period(date(2026, 3, 10), date(2026, 3, 10))
    assert issubclass(InvalidPeriodError, ValueError)


def test_period_contains_begin_but_not_end() -> None:
    period = Period(date(2026, 3, 1), date(2026, 3, 2))
    assert period.contains(date(2026, 3, 1))
    assert not period.contains(date(2026, 3, 2))
    assert not period.contains(date(2026, 2, 28))


def test_periods_compare_by_dates_not_labels() -> None:
    assert Period(date(2026, 3, 1), date(2026, 4, 1), "本月") == Period(date(2026, 3, 1), date(2026, 4, 1))
