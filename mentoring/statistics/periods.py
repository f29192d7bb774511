"""The period a statistics page covers, and the one before it to compare with."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone

from payments.money import tax_year_bounds, tax_year_of

MAX_DAYS = 366 * 5
# Statistics cover the years Alongside can have data for; far-off dates would only overflow.
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


@dataclass(frozen=True)
class Period:
    key: str  # month, quarter, tax_year or custom
    start: date
    end: date  # inclusive
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
        """The first day of each month the period touches."""
        months, day = [], self.start.replace(day=1)
        while day <= self.end:
            months.append(day)
            day = (day + timedelta(days=32)).replace(day=1)
        return months


def _month(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


def _quarter(day: date) -> tuple[date, date]:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    last = _month(date(first.year, first.month + 2, 1))[1]
    return first, last


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def period_for(key: str, today: date, start: date | None = None, end: date | None = None):
    """This month, this quarter, this tax year, or custom dates; with the period before it."""
    if key == "month":
        first, last = _month(today)
        before = _month(first - timedelta(days=1))
        return (
            Period("month", first, last, f"{first:%B %Y}"),
            Period("month", *before, f"{before[0]:%B %Y}"),
        )
    if key == "quarter":
        first, last = _quarter(today)
        before = _quarter(first - timedelta(days=1))
        return (
            Period("quarter", first, last, f"{_long(first)} to {_long(last)}"),
            Period("quarter", *before, f"{_long(before[0])} to {_long(before[1])}"),
        )
    if key == "custom" and start and end:
        length = (end - start).days + 1
        before_end = start - timedelta(days=1)
        before_start = before_end - timedelta(days=length - 1)
        return (
            Period("custom", start, end, f"{_long(start)} to {_long(end)}"),
            Period(
                "custom", before_start, before_end, f"{_long(before_start)} to {_long(before_end)}"
            ),
        )
    year = tax_year_of(today)
    first, last = tax_year_bounds(year)
    before = tax_year_bounds(year - 1)
    return (
        Period("tax_year", first, last, f"the tax year {year} to {year + 1}"),
        Period("tax_year", *before, f"the tax year {year - 1} to {year}"),
    )


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        label="Period",
        choices=[
            ("month", "This month"),
            ("quarter", "This quarter"),
            ("tax_year", "This tax year (from 6 April)"),
            ("custom", "Dates I choose"),
        ],
        initial="tax_year",
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a period from the list."},
    )
    start = forms.DateField(
        label="From",
        required=False,
        help_text="For dates you choose. For example, 2026-04-06.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date, like 2026-04-06."},
    )
    end = forms.DateField(
        label="To",
        required=False,
        help_text="For example, 2027-04-05.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date, like 2027-04-05."},
    )

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start and "start" not in self.errors:
                self.add_error("start", "Enter the first day.")
            if not end and "end" not in self.errors:
                self.add_error("end", "Enter the last day.")
            for name in ("start", "end"):
                day = data.get(name)
                if day and not (EARLIEST <= day <= LATEST):
                    self.add_error(name, "Enter a date from the year 2000 to 2100.")
                    data[name] = None
            start, end = data.get("start"), data.get("end")
            if start and end:
                if end < start:
                    self.add_error("end", "The last day must be on or after the first day.")
                elif (end - start).days > MAX_DAYS:
                    self.add_error("end", "Choose a period of five years or less.")
        return data

    def periods(self, today: date) -> tuple[Period, Period]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return period_for(
            data.get("period") or "tax_year", today, data.get("start"), data.get("end")
        )
