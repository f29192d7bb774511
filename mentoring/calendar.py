"""A session as a calendar (.ics) event, in the programme's own time zone."""

from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from mentoring.models import Session

PRODUCT_ID = "-//Alongside//Mentoring sessions//EN"


def session_uid(session: Session) -> str:
    # The same for every download of a session, so calendars update the event, not add one.
    return f"session-{session.pk}@alongside"


def session_calendar_file(session: Session) -> bytes:
    match = session.match
    zone = ZoneInfo(match.programme.time_zone)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", session.created_at)
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    event.add("summary", f"Mentoring session: {match.mentor} and {match.mentee}")
    event.add(
        "description",
        f"A {session.get_meeting_mode_display().lower()} session in {match.programme.name}.",
    )
    calendar.add_component(event)
    # Adds the VTIMEZONE the TZID points at, so every calendar app reads the time the same.
    calendar.add_missing_timezones()
    return calendar.to_ical()
