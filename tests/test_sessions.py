"""Sessions of a match: logged by one person, confirmed by the other, approved by a
coordinator; and the calendar file a session downloads as."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.models import AuditEvent
from core.models import Topic
from matching.models import Match
from mentoring import services
from mentoring.models import Session
from mentoring.templatetags.session_tags import plain_datetime
from tests.factories import MembershipFactory, UserFactory, sign_in
from tests.test_matching_app import at_once, postgres_only
from tests.test_permissions import _match

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def match(world) -> Match:
    return _match(world)


def log(match, by, *, starts_at=None, **fields) -> Session:
    values = {
        "starts_at": starts_at or timezone.now() - timedelta(days=1),
        "duration_minutes": 60,
        "meeting_mode": "online",
    } | fields
    return services.session_log(match=match, by=by, **values)


def audits(action):
    return AuditEvent.objects.filter(action=action)


def form_data(**overrides) -> dict:
    return {
        "date": "2026-07-14",
        "time": "18:00",
        "duration_minutes": "75",
        "meeting_mode": "in_person",
        "preparation_minutes": "30",
        "note": "We talked about contact with brothers and sisters.",
    } | overrides


def test_it_logs_confirms_and_approves_a_session(world, match, client):
    topic = Topic.objects.first()
    sign_in(client, world.mentor)
    response = client.post(
        reverse("mentoring:session_new", args=[match.pk]), form_data(topics=[topic.pk]), follow=True
    )
    assert "We have asked Priya to confirm it" in response.content.decode()
    session = Session.objects.get()
    assert session.starts_at == datetime(2026, 7, 14, 17, 0, tzinfo=ZoneInfo("UTC"))
    assert (session.duration_minutes, session.preparation_minutes) == (75, 30)
    assert list(session.topics.all()) == [topic]
    assert session.status == Session.Status.LOGGED
    assert session.logged_by == world.mentor

    sign_in(client, world.mentee)
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert "Sessions waiting for you to confirm" in dashboard
    assert "Tuesday 14 July" in dashboard and "6pm, with Sam" in dashboard
    assert reverse("mentoring:match_detail", args=[match.pk]) in dashboard
    client.post(
        reverse("mentoring:session_detail", args=[session.pk]),
        {"action": "confirm", "version": "1"},
    )
    session.refresh_from_db()
    assert session.status == Session.Status.CONFIRMED
    assert session.confirmed_by == world.mentee
    assert (
        "Sessions waiting for you to confirm"
        not in client.get(reverse("portal:dashboard")).content.decode()
    )

    sign_in(client, world.coordinator)
    queue = reverse("mentoring:coordinator_sessions", args=["north"])
    page = client.get(queue).content.decode()
    assert "Tuesday 14 July" in page and "6pm" in page and "Sam" in page
    client.post(queue, {"session": [str(session.pk)]})
    session.refresh_from_db()
    assert session.status == Session.Status.APPROVED
    assert session.approved_by == world.coordinator
    assert "No sessions are waiting for approval" in client.get(queue).content.decode()
    for action in ("SESSION_LOGGED", "SESSION_CONFIRMED", "SESSION_APPROVED"):
        assert audits(getattr(AuditEvent.Action, action)).count() == 1, action


def test_it_keeps_preparation_time_for_the_mentor_only(world, match, client):
    sign_in(client, world.mentee)
    page = client.get(reverse("mentoring:session_new", args=[match.pk])).content.decode()
    assert "preparation_minutes" not in page
    client.post(
        reverse("mentoring:session_new", args=[match.pk]), form_data(preparation_minutes="200")
    )
    assert Session.objects.get().preparation_minutes == 0


def test_it_records_a_dispute_with_its_reason(world, match, client):
    session = log(match, world.mentor)
    url = reverse("mentoring:session_detail", args=[session.pk])
    sign_in(client, world.mentee)

    response = client.post(url, {"action": "dispute", "reason": ""})
    assert "Say what is wrong" in response.content.decode()
    session.refresh_from_db()
    assert session.status == Session.Status.LOGGED

    client.post(url, {"action": "dispute", "reason": "It was 30 minutes, not an hour."})
    session.refresh_from_db()
    assert session.status == Session.Status.DISPUTED
    assert session.dispute_reason == "It was 30 minutes, not an hour."
    assert audits(AuditEvent.Action.SESSION_DISPUTED).count() == 1
    with pytest.raises(ValidationError):
        services.session_dispute(session=session, by=world.mentee, reason=" ")
    assert not services.session_approve(session=session, by=world.coordinator)


def test_it_needs_a_new_confirmation_after_a_change(world, match, client):
    session = log(match, world.mentor)
    assert services.session_confirm(session=session, by=world.mentee)

    sign_in(client, world.mentee)
    response = client.post(
        reverse("mentoring:session_edit", args=[session.pk]), form_data(duration_minutes="45")
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == Session.Status.LOGGED
    assert session.duration_minutes == 45
    assert session.confirmed_at is None and session.confirmed_by is None
    # The mentee changed it, so now the mentor confirms, and the mentor's preparation stays.
    assert session.logged_by == world.mentee
    assert not services.session_approve(session=session, by=world.coordinator)
    with pytest.raises(PermissionDenied):
        services.session_confirm(session=session, by=world.mentee)
    assert services.session_confirm(session=session, by=world.mentor)
    assert services.session_approve(session=session, by=world.coordinator)
    with pytest.raises(ValidationError):
        services.session_update(
            session=session,
            by=world.mentor,
            starts_at=session.starts_at,
            duration_minutes=90,
            meeting_mode="phone",
        )
    assert audits(AuditEvent.Action.SESSION_UPDATED).count() == 1


def test_it_lets_only_the_other_person_confirm(world, match, client):
    session = log(match, world.mentor)
    with pytest.raises(PermissionDenied):
        services.session_confirm(session=session, by=world.mentor)
    with pytest.raises(PermissionDenied):
        services.session_confirm(session=session, by=world.coordinator)
    with pytest.raises(PermissionDenied):
        services.session_approve(session=session, by=world.other_coordinator)

    sign_in(client, world.mentor)
    page = client.get(reverse("mentoring:session_detail", args=[session.pk])).content.decode()
    assert 'value="confirm"' not in page
    assert "Waiting for Priya to confirm" in page
    client.post(
        reverse("mentoring:session_detail", args=[session.pk]),
        {"action": "confirm", "version": "1"},
    )
    session.refresh_from_db()
    assert session.status == Session.Status.LOGGED


def test_an_edit_landing_while_the_confirm_page_is_open_is_not_confirmed(world, match, client):
    session = log(match, world.mentor)
    sign_in(client, world.mentee)
    page = client.get(reverse("mentoring:session_detail", args=[session.pk])).content.decode()
    assert 'name="version" value="1"' in page
    # The mentor changes the length while the mentee reads the old details.
    services.session_update(
        session=session,
        by=world.mentor,
        starts_at=session.starts_at,
        duration_minutes=90,
        meeting_mode=session.meeting_mode,
        preparation_minutes=session.preparation_minutes,
    )
    response = client.post(
        reverse("mentoring:session_detail", args=[session.pk]),
        {"action": "confirm", "version": "1"},
    )
    session.refresh_from_db()
    assert (session.status, session.version) == (Session.Status.LOGGED, 2)
    page = response.content.decode()
    assert "changed while you were reading them" in page
    assert 'name="version" value="2"' in page and "1 hour and 30 minutes" in page
    client.post(
        reverse("mentoring:session_detail", args=[session.pk]),
        {"action": "confirm", "version": "2"},
    )
    session.refresh_from_db()
    assert session.status == Session.Status.CONFIRMED


def test_it_answers_404_for_another_persons_or_programmes_session(world, match, client):
    session = log(match, world.mentor)
    stranger = UserFactory()
    MembershipFactory(programme=world.programme, person=stranger, role="mentee")
    for person in (stranger, world.other_mentor, world.coordinator, world.other_coordinator):
        sign_in(client, person)
        for name, args in (
            ("mentoring:session_detail", [session.pk]),
            ("mentoring:session_edit", [session.pk]),
            ("mentoring:session_calendar", [session.pk]),
            ("mentoring:match_detail", [match.pk]),
            ("mentoring:session_new", [match.pk]),
        ):
            assert client.get(reverse(name, args=args)).status_code == 404, (person, name)
    services.session_confirm(session=session, by=world.mentee)
    sign_in(client, world.other_coordinator)
    url = reverse("mentoring:coordinator_session_approve", args=["south", session.pk])
    assert client.post(url).status_code == 404
    session.refresh_from_db()
    assert session.status == Session.Status.CONFIRMED


def test_it_changes_nothing_when_approved_twice(world, match, client):
    session = log(match, world.mentor)
    services.session_confirm(session=session, by=world.mentee)
    assert not services.session_confirm(session=session, by=world.mentee)
    sign_in(client, world.coordinator)
    url = reverse("mentoring:coordinator_session_approve", args=["north", session.pk])

    client.post(url)
    session.refresh_from_db()
    first = (session.status, session.approved_at, session.approved_by)
    client.post(url)
    assert not services.session_approve(session=session, by=world.administrator)

    session.refresh_from_db()
    assert (session.status, session.approved_at, session.approved_by) == first
    assert first[0] == Session.Status.APPROVED
    assert audits(AuditEvent.Action.SESSION_APPROVED).count() == 1


def test_it_refuses_a_session_in_the_future_or_of_a_closed_match(world, match):
    with pytest.raises(ValidationError):
        log(match, world.mentor, starts_at=timezone.now() + timedelta(days=2))
    Match.objects.filter(pk=match.pk).update(status=Match.Status.CLOSED)
    match.refresh_from_db()
    with pytest.raises(ValidationError):
        log(match, world.mentor)


def test_it_keeps_impossible_durations_out_of_the_database(world, match):
    from django.db import IntegrityError, transaction

    session = log(match, world.mentor)
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(duration_minutes=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(status="approved")


@pytest.mark.parametrize("count", [5, 200])
def test_it_shows_the_approval_queue_in_the_same_few_queries(
    world, match, client, django_assert_max_num_queries, count
):
    topics = list(Topic.objects.all()[:3])
    now = timezone.now()
    sessions = Session.objects.bulk_create(
        Session(
            match=match,
            logged_by=world.mentor,
            starts_at=now - timedelta(days=n + 1),
            duration_minutes=60,
            meeting_mode="online",
            status=Session.Status.CONFIRMED,
            confirmed_by=world.mentee,
            confirmed_at=now,
        )
        for n in range(count)
    )
    for session in sessions:
        session.topics.set(topics)
    sign_in(client, world.coordinator)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("mentoring:coordinator_sessions", args=["north"]))
    assert response.status_code == 200
    assert response.content.decode().count('name="session"') == min(count, 100)
    sign_in(client, world.mentor)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("mentoring:match_detail", args=[match.pk])).status_code == 200


def test_it_downloads_a_session_as_a_calendar_event_in_local_time(world, match, client):
    summer_evening = datetime(2026, 7, 14, 18, 0, tzinfo=LONDON)
    session = log(match, world.mentor, starts_at=summer_evening, duration_minutes=90)
    sign_in(client, world.mentee)

    response = client.get(reverse("mentoring:session_calendar", args=[session.pk]))
    again = client.get(reverse("mentoring:session_calendar", args=[session.pk]))

    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    assert b"DTSTART;TZID=Europe/London:20260714T180000" in response.content
    calendar = Calendar.from_ical(response.content)
    event = calendar.walk("VEVENT")[0]
    start = event.decoded("dtstart")
    assert start == summer_evening
    assert start.astimezone(ZoneInfo("UTC")).hour == 17
    assert event["dtstart"].params["TZID"] == "Europe/London"
    assert event.decoded("dtend") - start == timedelta(minutes=90)
    assert str(event["summary"]) == "Mentoring session: Sam and Priya"
    assert calendar.walk("VTIMEZONE"), "the time zone travels with the event"
    assert str(event["uid"]) == str(Calendar.from_ical(again.content).walk("VEVENT")[0]["uid"])


def test_it_shows_dates_in_plain_words_in_the_programmes_time_zone():
    now = datetime(2026, 11, 26, 9, 0, tzinfo=ZoneInfo("UTC"))
    winter = datetime(2026, 3, 3, 18, 0, tzinfo=ZoneInfo("UTC"))
    summer = datetime(2026, 7, 14, 9, 30, tzinfo=ZoneInfo("UTC"))
    last_year = datetime(2025, 1, 1, 12, tzinfo=LONDON)
    assert plain_datetime(winter, "Europe/London", now=now) == "Tuesday 3 March, 6pm"
    assert plain_datetime(summer, "Europe/London", now=now) == "Tuesday 14 July, 10:30am"
    assert plain_datetime(last_year, "Europe/London", now=now) == "Wednesday 1 January 2025, 12pm"


def test_it_links_each_match_and_the_queue_from_the_pages_people_use(world, match, client):
    sign_in(client, world.mentor)
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert reverse("mentoring:match_detail", args=[match.pk]) in dashboard
    sign_in(client, world.coordinator)
    assert "Sessions to approve" in client.get(reverse("portal:dashboard")).content.decode()


# Races, on PostgreSQL, where row locks are real.


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_approves_exactly_once_when_many_approvals_arrive_at_once(world):
    match = _match(world)
    session = log(match, world.mentor)
    services.session_confirm(session=session, by=world.mentee)

    results = at_once(10, lambda: services.session_approve(session=session, by=world.coordinator))

    assert sorted(results) == [False] * 9 + [True]
    assert audits(AuditEvent.Action.SESSION_APPROVED).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_never_approves_details_changed_at_the_same_moment(world):
    """An edit and an approval at once: either the approval wins and the edit is refused,
    or the edit wins and the session waits for a new confirmation. Never both."""
    match = _match(world)
    session = log(match, world.mentor)
    services.session_confirm(session=session, by=world.mentee)

    def approve():
        return services.session_approve(session=session, by=world.coordinator)

    def edit():
        try:
            services.session_update(
                session=Session.objects.select_related("match__programme").get(pk=session.pk),
                by=world.mentor,
                starts_at=session.starts_at,
                duration_minutes=120,
                meeting_mode="phone",
            )
        except ValidationError:
            return "refused"
        return "edited"

    works = iter([approve, edit])
    lock = threading.Lock()

    def next_work():
        with lock:
            work = next(works)
        return work()

    outcomes = at_once(2, next_work)
    session.refresh_from_db()
    if session.status == Session.Status.APPROVED:
        assert session.duration_minutes == 60
    else:
        assert session.status == Session.Status.LOGGED and session.duration_minutes == 120
    assert len(outcomes) == 2
    assert (True in outcomes) != ("edited" in outcomes)


def test_it_puts_a_persons_sessions_in_their_data_download(world, match, client):
    log(match, world.mentor, note="Talked about life-story work.", preparation_minutes=20)
    sign_in(client, world.mentee)
    data = client.get(reverse("portal:my_data_download")).json()
    assert data["sessions"][0]["note"] == "Talked about life-story work."
    assert data["sessions"][0]["with"] == "Sam"
    assert data["sessions"][0]["preparation_minutes"] is None
    sign_in(client, world.other_mentor)
    assert client.get(reverse("portal:my_data_download")).json()["sessions"] == []


def test_it_sends_people_back_from_pages_that_no_longer_apply(world, match, client):
    session = log(match, world.mentor)
    services.session_confirm(session=session, by=world.mentee)
    services.session_approve(session=session, by=world.coordinator)
    sign_in(client, world.mentor)
    response = client.get(reverse("mentoring:session_edit", args=[session.pk]))
    assert response["Location"] == reverse("mentoring:session_detail", args=[session.pk])
    assert "Change the details" not in client.get(response["Location"]).content.decode()

    Match.objects.filter(pk=match.pk).update(status=Match.Status.CLOSED)
    response = client.get(reverse("mentoring:session_new", args=[match.pk]))
    assert response["Location"] == reverse("mentoring:match_detail", args=[match.pk])
    assert "Log a session" not in client.get(response["Location"]).content.decode()


def test_it_fills_the_date_box_in_the_form_a_browser_reads(world, match, client):
    """A date box's value must be year-month-day: 26/11/2026 shows as an empty box."""
    session = log(match, world.mentor)
    sign_in(client, world.mentor)
    page = client.get(reverse("mentoring:session_edit", args=[session.pk])).content.decode()
    day = timezone.localtime(session.starts_at, ZoneInfo("Europe/London")).date()
    assert f'value="{day.isoformat()}"' in page
