"""Sessions and planned sessions as calendar (.ics) events, in the programme's time zone."""

from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from mentoring.models import PlannedSession, Session

PRODUCT_ID = "-//Alongside//Mentoring sessions//EN"


def session_uid(session: Session) -> str:
    # The same for every download of a session, so calendars update the event, not add one.
    return f"session-{session.pk}@alongside"


def plan_uid(plan: PlannedSession) -> str:
    return f"planned-session-{plan.pk}@alongside"


def _calendar_file(item: Session | PlannedSession, *, uid: str, description: str) -> bytes:
    match = item.match
    zone = ZoneInfo(match.programme.time_zone)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", item.created_at)
    event.add("dtstart", item.starts_at.astimezone(zone))
    event.add("dtend", item.ends_at.astimezone(zone))
    event.add("summary", f"Mentoring session: {match.mentor} and {match.mentee}")
    event.add("description", description)
    calendar.add_component(event)
    # Adds the VTIMEZONE the TZID points at, so every calendar app reads the time the same.
    calendar.add_missing_timezones()
    return calendar.to_ical()


def session_calendar_file(session: Session) -> bytes:
    return _calendar_file(
        session,
        uid=session_uid(session),
        description=f"A {session.get_meeting_mode_display().lower()} session in "
        f"{session.match.programme.name}.",
    )


def plan_calendar_file(plan: PlannedSession) -> bytes:
    description = (
        f"A {plan.get_meeting_mode_display().lower()} session in {plan.match.programme.name}."
    )
    if plan.note:
        description += f"\n\n{plan.note}"
    return _calendar_file(plan, uid=plan_uid(plan), description=description)
