"""The period a statistics page covers, and the one before it to compare with.

Every period is a run of whole months, from the first of a month to the last day of one:
this month, this quarter, this year (April to March), or the months someone chooses. Two
periods that differed by a day would give that day's answers away by subtraction (ten
people's average minus nine people's is the tenth person's answer), so no two periods the
statistics answer for can differ by less than a whole month. The UK tax year (from 6 April)
is not offered for the same reason: it differs from the months around it by five days.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

MAX_MONTHS = 12 * 5
# Statistics cover the years Alongside can have data for; far-off dates would only overflow.
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
# April: the start of the year most councils and charities report on (1 April to 31 March).
YEAR_STARTS = 4


@dataclass(frozen=True)
class Period:
    key: str  # month, quarter, year or custom
    start: date  # the first day of a month
    end: date  # inclusive: the last day of a month
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        """Aware datetimes from the start of the first day to the start of the day after."""
        zone = timezone.get_current_timezone()
        first = datetime.combine(self.start, time.min, tzinfo=zone)
        after = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone)
        return first, after

    def months(self) -> list[date]:
        """The first day of each month the period covers."""
        months, day = [], self.start
        while day <= self.end:
            months.append(day)
            day = _add_months(day, 1)
        return months


def _add_months(month: date, count: int) -> date:
    """The first day of the month `count` months after (or before) `month`'s."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _months(first: date, count: int, key: str) -> Period:
    """`count` whole months from the month of `first`."""
    first = first.replace(day=1)
    last = _add_months(first, count) - timedelta(days=1)
    if count == 1:
        label = f"{first:%B %Y}"
    elif first.year == last.year:
        label = f"{first:%B} to {last:%B %Y}"
    else:
        label = f"{first:%B %Y} to {last:%B %Y}"
    return Period(key, first, last, label)


def _count(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def period_for(key: str, today: date, start: date | None = None, end: date | None = None):
    """This month, this quarter, this year (April to March), or the months chosen from
    `start`'s month to `end`'s; with the period of as many months just before it."""
    if key == "custom" and start and end:
        count = _count(start, end)
        return _months(start, count, key), _months(_add_months(start, -count), count, key)
    if key == "month":
        first, count = today.replace(day=1), 1
    elif key == "quarter":
        first, count = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), 3
    else:
        key, count = "year", 12
        year = today.year if today.month >= YEAR_STARTS else today.year - 1
        first = date(year, YEAR_STARTS, 1)
    return _months(first, count, key), _months(_add_months(first, -count), count, key)


_MONTHS = "january february march april may june july august september october november december"
# "April 2026" or "Apr 2026", for browsers that show a plain box instead of a month picker.
MONTH_NAMES = {
    name: number
    for number, full in enumerate(_MONTHS.split(), start=1)
    for name in (full, full[:3])
}


class MonthField(forms.Field):
    """A month, as browsers send it from <input type="month"> ("2026-04"), or typed as
    "April 2026" where a browser shows a plain box. Always the first day of the month."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    default_error_messages = {
        "invalid": "Enter a month and year, like 2026-04.",
        "range": "Enter a month from the year 2000 to 2100.",
    }

    def to_python(self, value):
        text = " ".join(str(value or "").split()).lower()
        if not text:
            return None
        numeric = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
        named = re.fullmatch(r"([a-z]+) (\d{4})", text)
        if numeric:
            year, month = int(numeric[1]), int(numeric[2])
        elif named and named[1] in MONTH_NAMES:
            year, month = int(named[2]), MONTH_NAMES[named[1]]
        else:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if not 1 <= month <= 12:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if not EARLIEST.year <= year <= LATEST.year:
            raise ValidationError(self.error_messages["range"], code="range")
        return date(year, month, 1)


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        label="Period",
        choices=[
            ("month", "This month"),
            ("quarter", "This quarter"),
            ("year", "This year (April to March)"),
            ("custom", "Months I choose"),
        ],
        initial="year",
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a period from the list."},
    )
    start_month = MonthField(
        label="First month",
        required=False,
        help_text="For months you choose. For example, 2026-04 for April 2026.",
    )
    end_month = MonthField(
        label="Last month",
        required=False,
        help_text="For example, 2027-03 for March 2027.",
    )

    def clean(self):
        data = super().clean()
        if self.data.get("start") or self.data.get("end"):
            # Addresses saved before statistics went by whole months.
            raise ValidationError(
                "Statistics now cover whole months, not single days, so that nobody can be "
                "picked out by comparing two periods. Choose a first and a last month."
            )
        if data.get("period") == "custom":
            start, end = data.get("start_month"), data.get("end_month")
            if not start and "start_month" not in self.errors:
                self.add_error("start_month", "Enter the first month.")
            if not end and "end_month" not in self.errors:
                self.add_error("end_month", "Enter the last month.")
            if start and end:
                if end < start:
                    self.add_error(
                        "end_month", "The last month must be the first month or a later one."
                    )
                elif _count(start, end) > MAX_MONTHS:
                    self.add_error("end_month", "Choose a period of five years or less.")
        return data

    def periods(self, today: date) -> tuple[Period, Period]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return period_for(
            data.get("period") or "year", today, data.get("start_month"), data.get("end_month")
        )
