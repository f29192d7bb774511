"""Money arithmetic, in one place. Decimal only, never float; every amount a person is
owed is rounded to the penny here, half up, as people expect (2.345 becomes 2.35)."""

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")
# The trading allowance: above this much a year from work like this, HMRC may need a Self
# Assessment tax return.
TRADING_ALLOWANCE = Decimal("1000.00")
# From here the pay page warns that the allowance is near, before it is reached.
TRADING_ALLOWANCE_WARN_FROM = Decimal("800.00")


def self_assessment_register_by(year: int) -> date:
    """HMRC's deadline to register for Self Assessment, for someone who started trading in
    the tax year that starts in `year`: 5 October after that tax year ends."""
    return date(year + 1, 10, 5)


def pence(amount: Decimal) -> Decimal:
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def fee_for(*, minutes: int, hourly_rate: Decimal) -> Decimal:
    """Pay for `minutes` at `hourly_rate`: 50 minutes at £20.00 an hour is £16.67."""
    return pence(Decimal(minutes) * hourly_rate / Decimal(60))


# A half day, for activities paid by the half day: each started half day counts as one.
HALF_DAY_MINUTES = 240


def half_days_in(minutes: int) -> int:
    """How many half days an activity of `minutes` is paid as: 240 minutes is one, 241 two."""
    return max(1, -(-minutes // HALF_DAY_MINUTES))


def half_day_fee_for(*, minutes: int, half_day_rate: Decimal) -> Decimal:
    """Pay for an activity of `minutes` at `half_day_rate` for each started half day."""
    return pence(Decimal(half_days_in(minutes)) * half_day_rate)


def share_of(amount: Decimal, percent: int) -> Decimal:
    """A reduced fee: `percent` of `amount`."""
    return pence(amount * Decimal(percent) / Decimal(100))


def mileage_for(*, miles: Decimal, rate: Decimal) -> Decimal:
    return pence(miles * rate)


def settlement_difference(*, advanced: Decimal, spent: Decimal) -> Decimal:
    """What settling an advance adds to the ledger: the rest when more was spent than was
    advanced, a negative amount (owed back, taken off the next payment) when less, and
    nothing when the two match. The advance and the difference always add up to what was
    spent."""
    return pence(spent) - pence(advanced)


def short_notice(*, starts_at: datetime, cancelled_at: datetime, notice_hours: int) -> bool:
    """Whether a cancellation came too late: less than `notice_hours` before the start (or
    after it). Cancelling exactly `notice_hours` before is in time."""
    return cancelled_at > starts_at - timedelta(hours=notice_hours)


def tax_year_of(day: date) -> int:
    """The UK tax year `day` falls in, named by the year it starts: it runs from 6 April
    to 5 April, so 5 April 2026 is in 2025 and 6 April 2026 in 2026."""
    return day.year if (day.month, day.day) >= (4, 6) else day.year - 1


def tax_year_bounds(year: int) -> tuple[date, date]:
    """First and last day of the tax year that starts in `year`."""
    return date(year, 4, 6), date(year + 1, 4, 5)


def tax_year_label(year: int) -> str:
    return f"6 April {year} to 5 April {year + 1}"


def money(amount: Decimal, symbol: str = "£") -> str:
    """£1,234.50, or -£12.50 for a correction."""
    rounded = pence(amount)
    sign = "-" if rounded < 0 else ""
    return f"{sign}{symbol}{abs(rounded):,.2f}"


def over_cap(fees, *, room: Decimal) -> list:
    """Which fees to hold back so that what is paid stays within `room` (the mentor's cap,
    less what they were already paid in the period). `fees` are (key, amount) pairs, oldest
    first. Corrections (negative amounts) are always paid: they only lower the total. Then
    fees are paid oldest first while the total stays within the room; the first that would
    pass it is held, and so is every later one, so pay is never taken out of order (an
    older session waits while a newer one is paid). Returns the held keys, in order."""
    total = sum((amount for _, amount in fees if amount < 0), Decimal("0.00"))
    held = []
    for key, amount in fees:
        if amount < 0:
            continue
        if held or total + amount > room:
            held.append(key)
        else:
            total += amount
    return held
