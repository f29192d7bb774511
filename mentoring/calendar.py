"""Sessions and planned sessions as calendar (.ics) events, in the programme's time zone."""

from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

from core.choices import MeetingMode
from mentoring.meeting import where_in_words
from mentoring.models import PlannedSession, Session

PRODUCT_ID = "-//Alongside//Mentoring sessions//EN"


def session_uid(session: Session) -> str:
    # The same for every download of a session, so calendars update the event, not add one.
    return f"session-{session.pk}@alongside"


def plan_uid(plan: PlannedSession) -> str:
    return f"planned-session-{plan.pk}@alongside"


def _calendar(method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    return calendar


def _event(item: Session | PlannedSession, *, uid: str, description: str, stamp) -> Event:
    match = item.match
    zone = ZoneInfo(match.programme.time_zone)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", item.starts_at.astimezone(zone))
    event.add("dtend", item.ends_at.astimezone(zone))
    event.add("summary", f"Mentoring session: {match.mentor} and {match.mentee}")
    event.add("description", description)
    return event


def _to_ical(calendar: Calendar, event: Event) -> bytes:
    calendar.add_component(event)
    # Adds the VTIMEZONE the TZID points at, so every calendar app reads the time the same.
    calendar.add_missing_timezones()
    return calendar.to_ical()


def session_calendar_file(session: Session) -> bytes:
    event = _event(
        session,
        uid=session_uid(session),
        description=f"A {session.get_meeting_mode_display().lower()} session in "
        f"{session.match.programme.name}.",
        stamp=session.created_at,
    )
    return _to_ical(_calendar(), event)


def plan_calendar_file(plan: PlannedSession, *, for_person) -> bytes:
    """The plan as an invitation the person's calendar keeps up to date. Each download has
    the plan's one UID and its SEQUENCE, which goes up with every change: a calendar that
    already has the event replaces it with a newer one (METHOD:REQUEST), and takes it out
    when the plan is cancelled (METHOD:CANCEL, STATUS:CANCELLED), as RFC 5546 says.

    RFC 5546 asks for an ORGANIZER and an ATTENDEE in both. The organiser is Alongside
    itself, at its sending address, and the only attendee is the person downloading the
    file: neither person's email address is ever handed to the other."""
    cancelled = plan.cancelled_at is not None
    description = f"{where_in_words(plan)}\n\nA session in {plan.match.programme.name}."
    if plan.note:
        description += f"\n\n{plan.note}"
    event = _event(plan, uid=plan_uid(plan), description=description, stamp=plan.changed_at)
    event.add("sequence", plan.sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("created", plan.created_at)
    event.add("last-modified", plan.changed_at)
    if plan.meeting_mode == MeetingMode.IN_PERSON and plan.place:
        event.add("location", plan.place)
    elif plan.meeting_link:
        event.add("location", plan.meeting_link)
        event.add("url", plan.meeting_link)
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(name or "Alongside")
    event.add("organizer", organizer)
    if for_person.email:
        attendee = vCalAddress(f"mailto:{for_person.email}")
        attendee.params["cn"] = vText(for_person.display_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        # Already agreed between the two of them: no calendar should ask to reply.
        attendee.params["partstat"] = vText("ACCEPTED")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee)
    return _to_ical(_calendar("CANCEL" if cancelled else "REQUEST"), event)
