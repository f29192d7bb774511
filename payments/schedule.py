"""The days of a payment schedule: from a first day, every 7 or 14 days, or on the same day
of every month. Pure date arithmetic, so it is tested on its own (tests/test_payments_schedule.py).

A monthly schedule's day is at most the 28th (the form and the service refuse later days),
so every month has it."""

from datetime import date, timedelta

STEP_DAYS = {"weekly": 7, "fortnightly": 14}
MONTHLY = "monthly"
FREQUENCIES = (*STEP_DAYS, MONTHLY)
LAST_MONTHLY_DAY = 28


def _months_after(first: date, months: int) -> date:
    index = first.month - 1 + months
    return date(first.year + index // 12, index % 12 + 1, first.day)


def run_day_on_or_before(frequency: str, first: date | None, day: date) -> date | None:
    """The latest day of the schedule that is `day` or earlier: the run that is due on
    `day`. None before the first run, or with no schedule."""
    if frequency not in FREQUENCIES or first is None or day < first:
        return None
    if frequency in STEP_DAYS:
        step = STEP_DAYS[frequency]
        return first + timedelta(days=(day - first).days // step * step)
    months = (day.year - first.year) * 12 + day.month - first.month
    if day.day < first.day:
        months -= 1
    return _months_after(first, months)


def run_day_after(frequency: str, first: date | None, day: date) -> date | None:
    """The first day of the schedule later than `day`."""
    if frequency not in FREQUENCIES or first is None:
        return None
    if day < first:
        return first
    latest = run_day_on_or_before(frequency, first, day)
    if frequency in STEP_DAYS:
        return latest + timedelta(days=STEP_DAYS[frequency])
    months = (latest.year - first.year) * 12 + latest.month - first.month
    return _months_after(first, months + 1)


def run_day_on_or_after(frequency: str, first: date | None, day: date) -> date | None:
    """The first day of the schedule that is `day` or later."""
    if run_day_on_or_before(frequency, first, day) == day:
        return day
    return run_day_after(frequency, first, day)
