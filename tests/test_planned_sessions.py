"""Sessions planned in advance: arranged by either person, added to a calendar, cancelled,
and logged from the plan once they have happened."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from matching import services as matching_services
from matching.models import Match
from mentoring import services
from mentoring.models import PlannedSession, Session
from tests.factories import UserFactory, sign_in
from tests.test_matching_app import at_once, postgres_only
from tests.test_permissions import _match

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def match(world) -> Match:
    return _match(world)


def plan(match, by, *, starts_at=None, **fields) -> PlannedSession:
    values = {
        "starts_at": starts_at or timezone.now() + timedelta(days=3),
        "duration_minutes": 60,
        "meeting_mode": "in_person",
        "place": "The library café",
    } | fields
    return services.session_plan(match=match, by=by, **values)


def next_year_date() -> str:
    return f"{timezone.now().year + 1}-03-03"


def test_either_person_plans_a_session_from_the_match_page(world, match, client):
    sign_in(client, world.mentee)
    page = client.get(reverse("mentoring:match_detail", args=[match.pk])).content.decode()
    assert reverse("mentoring:session_plan", args=[match.pk]) in page

    response = client.post(
        reverse("mentoring:session_plan", args=[match.pk]),
        {
            "date": next_year_date(),
            "time": "18:30",
            "duration_minutes": "75",
            "meeting_mode": "in_person",
            "place": "Café Nero by the station",
        },
        follow=True,
    )

    planned = PlannedSession.objects.get()
    assert planned.planned_by == world.mentee
    local = planned.starts_at.astimezone(LONDON)
    assert (local.month, local.day, local.hour, local.minute) == (3, 3, 18, 30)
    page = response.content.decode()
    assert "Session planned" in page and "Café Nero by the station" in page
    assert reverse("mentoring:plan_calendar", args=[planned.pk]) in page
    # Not a session: nothing to confirm, approve or pay.
    assert not Session.objects.exists()
    sign_in(client, world.mentor)
    assert (
        "Café Nero"
        in client.get(reverse("mentoring:match_detail", args=[match.pk])).content.decode()
    )


def test_a_plan_in_the_past_is_refused_next_to_the_date_keeping_what_was_typed(
    world, match, client
):
    sign_in(client, world.mentor)
    response = client.post(
        reverse("mentoring:session_plan", args=[match.pk]),
        {
            "date": "2020-01-01",
            "time": "09:00",
            "duration_minutes": "60",
            "meeting_mode": "phone",
            "note": "Ring me",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Plan a session for a time still to come" in page
    assert 'id="id_date_error"' in page
    assert "Ring me" in page and 'value="2020-01-01"' in page
    assert not PlannedSession.objects.exists()
    with pytest.raises(ValidationError):
        plan(match, world.mentor, starts_at=timezone.now() - timedelta(minutes=1))


def test_only_the_two_people_of_a_live_match_plan_its_sessions(world, match):
    with pytest.raises(PermissionDenied):
        plan(match, world.coordinator)
    with pytest.raises(PermissionDenied):
        plan(match, UserFactory())
    matching_services.match_close(
        match=match, by=world.mentor, rating=3, recommend="yes", reason="other"
    )
    match.refresh_from_db()
    with pytest.raises(ValidationError):
        plan(match, world.mentor)


def test_a_planned_session_downloads_as_a_calendar_event_in_local_time(world, match, client):
    winter_evening = datetime(timezone.now().year + 1, 1, 20, 18, 0, tzinfo=LONDON)
    planned = plan(match, world.mentor, starts_at=winter_evening, duration_minutes=90)
    summer = plan(
        match,
        world.mentor,
        starts_at=datetime(timezone.now().year + 1, 7, 14, 18, 0, tzinfo=LONDON),
        meeting_mode="online",
        meeting_link="https://meet.example.org/sam-priya",
    )
    sign_in(client, world.mentee)

    response = client.get(reverse("mentoring:plan_calendar", args=[planned.pk]))

    assert response["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    start = event.decoded("dtstart")
    assert start == winter_evening
    assert start.utcoffset() == timedelta(0)  # GMT in January
    assert event["dtstart"].params["TZID"] == "Europe/London"
    assert event.decoded("dtend") - start == timedelta(minutes=90)
    summer_event = Calendar.from_ical(
        client.get(reverse("mentoring:plan_calendar", args=[summer.pk])).content
    ).walk("VEVENT")[0]
    assert summer_event.decoded("dtstart").astimezone(ZoneInfo("UTC")).hour == 17  # BST
    assert "https://meet.example.org/sam-priya" in str(summer_event["description"])
    assert str(summer_event["uid"]) != str(event["uid"])


def test_either_person_cancels_a_plan_once(world, match, client):
    planned = plan(match, world.mentor)
    sign_in(client, world.mentee)
    response = client.post(reverse("mentoring:plan_cancel", args=[planned.pk]), follow=True)
    assert "The planned session is cancelled" in response.content.decode()
    planned.refresh_from_db()
    assert planned.cancelled_by == world.mentee and planned.cancelled_at
    again = client.post(reverse("mentoring:plan_cancel", args=[planned.pk]), follow=True)
    assert "already logged or cancelled" in again.content.decode()
    # Off the list of planned sessions; its calendar file now takes it out of calendars.
    page = again.content.decode()
    assert "Add to your calendar" not in page and "Take it out of your calendar" in page


def test_a_plan_that_has_happened_is_logged_from_the_plan(world, match, client):
    planned = plan(match, world.mentor, duration_minutes=75, meeting_mode="phone", place="")
    PlannedSession.objects.filter(pk=planned.pk).update(
        starts_at=timezone.now() - timedelta(hours=3)
    )
    planned.refresh_from_db()
    sign_in(client, world.mentee)
    page = client.get(reverse("mentoring:match_detail", args=[match.pk])).content.decode()
    log_url = f"{reverse('mentoring:session_new', args=[match.pk])}?plan={planned.pk}"
    assert log_url in page

    form = client.get(log_url).context["form"]
    assert form.initial["duration_minutes"] == 75 and form.initial["meeting_mode"] == "phone"
    local = planned.starts_at.astimezone(LONDON)
    response = client.post(
        log_url,
        {
            "date": local.date().isoformat(),
            "time": local.strftime("%H:%M"),
            "duration_minutes": "80",
            "meeting_mode": "phone",
        },
    )
    assert response.status_code == 302
    planned.refresh_from_db()
    session = Session.objects.get()
    assert planned.session == session and session.duration_minutes == 80
    assert session.logged_by == world.mentee
    # Logged once: the plan leaves the list and cannot be logged again.
    page = client.get(reverse("mentoring:match_detail", args=[match.pk])).content.decode()
    assert log_url not in page
    with pytest.raises(ValidationError):
        services.session_log_from_plan(
            plan=planned,
            by=world.mentor,
            starts_at=planned.starts_at,
            duration_minutes=60,
            meeting_mode="phone",
        )
    # Another match's or a used plan id in the address is ignored, never an error.
    assert (
        client.get(f"{reverse('mentoring:session_new', args=[match.pk])}?plan=999999").status_code
        == 200
    )


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_both_people_logging_one_plan_at_once_make_one_session(world):
    match = _match(world)
    planned = plan(match, world.mentor)
    PlannedSession.objects.filter(pk=planned.pk).update(
        starts_at=timezone.now() - timedelta(hours=2)
    )
    people = iter([world.mentor, world.mentee] * 4)

    def log():
        try:
            services.session_log_from_plan(
                plan=PlannedSession.objects.get(pk=planned.pk),
                by=next(people),
                starts_at=timezone.now() - timedelta(hours=2),
                duration_minutes=60,
                meeting_mode="in_person",
            )
            return True
        except ValidationError:
            return False

    assert sorted(at_once(8, log)) == [False] * 7 + [True]
    assert Session.objects.count() == 1
