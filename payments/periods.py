"""Periods that benefits count pay in: Universal Credit assessment periods, calendar months
and weeks. Pure date arithmetic, no Django, so it can be checked on every day of the
calendar (tests/test_payments_paid_date.py).

Universal Credit counts earnings in the monthly assessment period in which they are *paid*.
A claimant's periods start on the same day of every month, the day their claim started; in
a month too short for that day (a period starting on the 31st, in February), the period
starts on the last day of the month instead. Each period ends the day before the next one
starts, so the periods cover every day once.
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal


class Cap:
    """What a mentor's limit is counted over. (payments.models.CapPeriod holds the labels.)"""

    ASSESSMENT_PERIOD = "assessment_period"
    MONTH = "month"
    WEEK = "week"


def _start_in(year: int, month: int, start_day: int) -> date:
    """The day a period starting on `start_day` starts in this month."""
    return date(year, month, min(start_day, calendar.monthrange(year, month)[1]))


def _month_after(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _month_before(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def assessment_period(day: date, start_day: int) -> tuple[date, date]:
    """First and last day of the assessment period `day` falls in, for periods that start on
    `start_day` (1 to 31) of each month. Starting on the 31st: 31 January to 27 February,
    then 28 February to 30 March (in 2026, not a leap year)."""
    if not 1 <= start_day <= 31:
        raise ValueError(f"An assessment period starts on a day from 1 to 31, not {start_day}.")
    this_month = _start_in(day.year, day.month, start_day)
    if day >= this_month:
        start = this_month
        end = _start_in(*_month_after(day.year, day.month), start_day) - timedelta(days=1)
    else:
        start = _start_in(*_month_before(day.year, day.month), start_day)
        end = this_month - timedelta(days=1)
    return start, end


def month_of(day: date) -> tuple[date, date]:
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def week_of(day: date) -> tuple[date, date]:
    """Monday to Sunday."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def period_of(day: date, kind: str, start_day: int | None = None) -> tuple[date, date]:
    """The period of `kind` (see Cap) that `day` falls in."""
    if kind == Cap.ASSESSMENT_PERIOD:
        if start_day is None:
            raise ValueError("An assessment period needs the day of the month it starts.")
        return assessment_period(day, start_day)
    if kind == Cap.MONTH:
        return month_of(day)
    if kind == Cap.WEEK:
        return week_of(day)
    raise ValueError(f"Unknown kind of period: {kind!r}")


@dataclass
class PeriodTotal:
    """Fees and expenses paid in one period."""

    start: date
    end: date
    fees: Decimal = Decimal("0.00")
    expenses: Decimal = Decimal("0.00")
    days: list[date] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return self.fees + self.expenses


def group_by_period(payments: Iterable[tuple[date, str, Decimal]], period) -> list[PeriodTotal]:
    """Amounts by the period their day falls in, oldest period first. `payments` are
    (day paid, "fee" or "expense", amount); `period(day)` gives a day's (first, last) day.
    Each amount lands in exactly one period, so the totals add up to what was paid."""
    found: dict[tuple[date, date], PeriodTotal] = {}
    for day, category, amount in payments:
        bounds = period(day)
        row = found.setdefault(bounds, PeriodTotal(*bounds))
        if category == "fee":
            row.fees += amount
        elif category == "expense":
            row.expenses += amount
        else:
            # Guessing would risk counting an expense as earnings, or the other way round.
            raise ValueError(f"Unknown category {category!r}: use 'fee' or 'expense'.")
        if day not in row.days:
            row.days.append(day)
    for row in found.values():
        row.days.sort()
    return [found[key] for key in sorted(found)]
