"""Dates as people say them, in the programme's own time zone: "Tuesday 3 March, 6pm"."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone

register = template.Library()


def local_time(value: datetime, time_zone: str) -> datetime:
    return value.astimezone(ZoneInfo(time_zone))


def plain_datetime(value: datetime, time_zone: str, *, now: datetime | None = None) -> str:
    local = local_time(value, time_zone)
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    suffix = "am" if local.hour < 12 else "pm"
    # The year only when it is not this one, as people write it.
    year = (
        "" if local.year == local_time(now or timezone.now(), time_zone).year else f" {local.year}"
    )
    return f"{local:%A} {local.day} {local:%B}{year}, {hour}{minutes}{suffix}"


@register.filter
def plain_when(value: datetime | None, time_zone: str = "Europe/London") -> str:
    if value is None:
        return ""
    return plain_datetime(value, time_zone)


@register.filter
def minutes_in_words(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " and ".join(parts)
