"""An activity as a calendar (.ics) event, in the programme's time zone, as sessions are
(mentoring/calendar.py). Once the activity is cancelled, the file is a cancellation of the
same event (METHOD:CANCEL, STATUS:CANCELLED, a higher SEQUENCE), so a calendar that has it
takes it out instead of keeping it."""

from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from activities.models import Activity

PRODUCT_ID = "-//Alongside//Paid activities//EN"
# SEQUENCE of the event as first sent, and of its cancellation: calendars apply the higher.
SEQUENCE_ON = 0
SEQUENCE_CANCELLED = 1


def activity_uid(activity: Activity) -> str:
    # The same for every download, so calendars update the event, not add a second one.
    return f"activity-{activity.pk}@alongside"


def activity_calendar_file(activity: Activity) -> bytes:
    zone = ZoneInfo(activity.programme.time_zone)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if activity.is_cancelled else "PUBLISH")
    event = Event()
    event.add("uid", activity_uid(activity))
    event.add("dtstamp", activity.cancelled_at or activity.created_at)
    event.add("dtstart", activity.starts_at.astimezone(zone))
    event.add("dtend", activity.ends_at.astimezone(zone))
    event.add("location", activity.where)
    description = f"A paid activity in {activity.programme.name}."
    if activity.description:
        description += f"\n\n{activity.description}"
    if activity.is_cancelled:
        event.add("summary", f"Cancelled: {activity.title} ({activity.kind_label})")
        event.add("status", "CANCELLED")
        event.add("sequence", SEQUENCE_CANCELLED)
        description = f"Cancelled. The reason given: {activity.cancel_reason}\n\n{description}"
    else:
        event.add("summary", f"{activity.title} ({activity.kind_label})")
        event.add("status", "CONFIRMED")
        event.add("sequence", SEQUENCE_ON)
    event.add("description", description)
    calendar.add_component(event)
    # Adds the VTIMEZONE the TZID points at, so every calendar app reads the time the same.
    calendar.add_missing_timezones()
    return calendar.to_ical()
