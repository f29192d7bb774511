"""An activity as a calendar (.ics) event, in the programme's time zone, as sessions are
(mentoring/calendar.py)."""

from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from activities.models import Activity

PRODUCT_ID = "-//Alongside//Paid activities//EN"


def activity_uid(activity: Activity) -> str:
    # The same for every download, so calendars update the event, not add a second one.
    return f"activity-{activity.pk}@alongside"


def activity_calendar_file(activity: Activity) -> bytes:
    zone = ZoneInfo(activity.programme.time_zone)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", activity_uid(activity))
    event.add("dtstamp", activity.created_at)
    event.add("dtstart", activity.starts_at.astimezone(zone))
    event.add("dtend", activity.ends_at.astimezone(zone))
    event.add("summary", f"{activity.title} ({activity.kind_label})")
    event.add("location", activity.where)
    description = f"A paid activity in {activity.programme.name}."
    if activity.description:
        description += f"\n\n{activity.description}"
    event.add("description", description)
    calendar.add_component(event)
    # Adds the VTIMEZONE the TZID points at, so every calendar app reads the time the same.
    calendar.add_missing_timezones()
    return calendar.to_ical()
