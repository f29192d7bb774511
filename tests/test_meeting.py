"""Meeting: a planned session has a place or a checked https meeting link; either person
changes or cancels it and the other is told, with the when and where; both are reminded
the day before, once; its calendar file updates and cancels the event in calendars."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from core.choices import Role
from mentoring import services
from mentoring.meeting import check_link
from mentoring.models import PlannedSession
from mentoring.reminders import plans_tomorrow
from notifications.models import EmailOptOut, Kind, Notification
from notifications.services import reminders_scan
from programmes.services import membership_end
from tests.factories import MembershipFactory, UserFactory, live_match, sign_in
from tests.test_matching_app import at_once, postgres_only
from tests.test_permissions import _match

LONDON = ZoneInfo("Europe/London")
LINK = "https://meet.example.org/sam-priya"


@pytest.fixture
def match(world):
    return _match(world)


def in_days(days: int, hour: int = 18, minute: int = 0) -> datetime:
    day = (timezone.now().astimezone(LONDON) + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def plan_online(match, by, *, starts_at=None, link=LINK) -> PlannedSession:
    return services.session_plan(
        match=match,
        by=by,
        starts_at=starts_at or in_days(5),
        duration_minutes=60,
        meeting_mode="online",
        meeting_link=link,
    )


def told(person, kind=Kind.PLAN) -> list[Notification]:
    return list(Notification.objects.filter(person=person, kind=kind).order_by("created_at", "id"))


def form_data(**overrides) -> dict:
    day = in_days(10)
    return {
        "date": day.date().isoformat(),
        "time": "18:30",
        "duration_minutes": "60",
        "meeting_mode": "online",
        "place": "",
        "meeting_link": LINK,
        "note": "",
    } | overrides


# The link: https only, said plainly


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        (LINK, LINK),
        (f"  {LINK}  ", LINK),
        ("HTTPS://Meet.Example.org/Abc?pwd=x1#top", "https://Meet.Example.org/Abc?pwd=x1#top"),
        ("https://teams.microsoft.com/l/meetup-join/19%3ameeting_x", None),
    ],
)
def test_it_keeps_an_https_meeting_link(typed, kept):
    assert check_link(typed) == (kept or typed)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("http://meet.example.org/abc", "starts with http://, which is not secure"),
        ("javascript:alert(1)", "not a link to a video call"),
        ("JaVaScRiPt:alert(1)", "not a link to a video call"),
        ("data:text/html,<script>alert(1)</script>", "not a link to a video call"),
        ("ftp://files.example.org/", "not a link to a video call"),
        ("meet.example.org/abc", "Paste the whole link, starting with https://"),
        ("//evil.example/", "Paste the whole link, starting with https://"),
        ("https://zoom.us@evil.example/", "hides where it really goes"),
        ("https://meet.example.org/a b", "no spaces"),
        ("https://meet.example.org/a\nb", "no spaces"),
        ("https://", "not a link we can check"),
        ("https://" + "a" * 600 + ".org/", "too long"),
    ],
)
def test_it_refuses_any_other_link_and_says_why_in_plain_words(typed, says):
    with pytest.raises(ValidationError) as refused:
        check_link(typed)
    assert says in " ".join(refused.value.messages)


def test_the_database_refuses_a_link_that_is_not_https_or_not_online(world, match):
    plan = plan_online(match, world.mentor)
    for values in (
        {"meeting_link": "javascript:alert(1)"},
        {"meeting_link": "http://meet.example.org/"},
        {"meeting_mode": "phone"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            PlannedSession.objects.filter(pk=plan.pk).update(**values)


def test_it_keeps_only_what_suits_the_meeting_mode(world, match):
    in_person = services.session_plan(
        match=match,
        by=world.mentor,
        starts_at=in_days(3),
        duration_minutes=60,
        meeting_mode="in_person",
        place="  The library   café ",
        meeting_link=LINK,
    )
    assert (in_person.place, in_person.meeting_link) == ("The library café", "")
    by_phone = services.session_plan(
        match=match,
        by=world.mentor,
        starts_at=in_days(4),
        duration_minutes=60,
        meeting_mode="phone",
        place="Somewhere",
        meeting_link=LINK,
    )
    assert (by_phone.place, by_phone.meeting_link) == ("", "")
    with pytest.raises(ValidationError) as refused:
        services.session_plan(
            match=match, by=world.mentor, starts_at=in_days(3), duration_minutes=60,
            meeting_mode="in_person",
        )  # fmt: skip
    assert "place" in refused.value.message_dict


# Bad input on the form: a message next to the field, and what was typed is kept


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        ({"meeting_link": "http://meet.example.org/x"}, "meeting_link", "not secure"),
        ({"meeting_link": "javascript:alert(1)"}, "meeting_link", "not a link to a video call"),
        (
            {"meeting_mode": "in_person", "place": "", "meeting_link": ""},
            "place",
            "Say where you will meet",
        ),
        ({"date": "2020-01-01"}, "date", "Plan a session for a time still to come"),
    ],
)
@pytest.mark.parametrize("page", ["new", "change"])
def test_bad_input_gets_a_message_next_to_its_field_and_keeps_what_was_typed(
    page, data, field, says, world, match, client
):
    sign_in(client, world.mentee)
    if page == "new":
        url = reverse("mentoring:session_plan", args=[match.pk])
    else:
        url = reverse("mentoring:plan_change", args=[plan_online(match, world.mentor).pk])
    before = list(PlannedSession.objects.values_list("pk", "sequence", "meeting_link"))
    sent = form_data(note="Bring the notes", **data)
    response = client.post(url, sent)
    assert response.status_code == 200
    assert says in response.context["form"].errors[field][0]
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert "Bring the notes" in html
    if sent["meeting_link"]:
        assert f'value="{sent["meeting_link"]}"' in html.replace("&amp;", "&")
    assert list(PlannedSession.objects.values_list("pk", "sequence", "meeting_link")) == before
    assert not told(world.mentor)


# Planned, changed, cancelled: the other person is told, with when and where


def test_the_other_person_is_told_when_a_session_is_planned(
    world, match, client, django_capture_on_commit_callbacks
):
    sign_in(client, world.mentee)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mentoring:session_plan", args=[match.pk]), form_data())
    assert response.status_code == 302
    plan = PlannedSession.objects.get()
    assert plan.meeting_link == LINK
    assert not told(world.mentee)
    [notification] = told(world.mentor)
    assert notification.title.startswith("Priya planned a session with you: ")
    assert "6:30pm" in notification.title
    assert "for 1 hour" in notification.body and LINK in notification.body
    assert notification.url.endswith(f"#plan-{plan.pk}")
    [email] = mail.outbox
    assert email.to == [world.mentor.email] and LINK in email.body


def test_either_person_changes_a_plan_and_the_other_is_told_each_time(world, match, client):
    plan = plan_online(match, world.mentor, starts_at=in_days(5, 18))
    sign_in(client, world.mentee)
    url = reverse("mentoring:plan_change", args=[plan.pk])
    page = client.get(url)
    assert page.context["form"].initial["meeting_link"] == LINK
    moved = in_days(6, 17, 30)
    response = client.post(
        url,
        form_data(
            date=moved.date().isoformat(),
            time="17:30",
            duration_minutes="90",
            meeting_mode="in_person",
            place="The library café, 12 High Street",
            meeting_link="",
        ),
        follow=True,
    )
    assert "Session changed. We have told Sam" in response.content.decode()
    plan.refresh_from_db()
    assert (plan.starts_at, plan.duration_minutes, plan.meeting_mode) == (moved, 90, "in_person")
    assert (plan.place, plan.meeting_link, plan.sequence) == (
        "The library café, 12 High Street",
        "",
        1,
    )
    [changed] = [n for n in told(world.mentor) if ":changed:" in n.event_key]
    assert changed.title.startswith("Priya changed your planned session: now ")
    assert "In person, at The library café, 12 High Street." in changed.body
    assert "for 1 hour and 30 minutes" in changed.body and "It was " in changed.body

    # Sam adds a note: Priya is told, a second change with its own notification.
    sign_in(client, world.mentor)
    client.post(
        url,
        form_data(
            date=moved.date().isoformat(),
            time="17:30",
            duration_minutes="90",
            meeting_mode="in_person",
            place="The library café, 12 High Street",
            note="I will be by the window",
        ),
    )
    plan.refresh_from_db()
    assert plan.sequence == 2 and plan.note == "I will be by the window"
    assert [n.event_key for n in told(world.mentee)] == [
        f"plan:{plan.pk}:planned",
        f"plan:{plan.pk}:changed:2",
    ]
    # Saving it unchanged changes nothing and tells nobody.
    assert not services.plan_change(
        plan=plan,
        by=world.mentor,
        starts_at=moved,
        duration_minutes=90,
        meeting_mode="in_person",
        place="The library café, 12 High Street",
        note="I will be by the window",
    )
    plan.refresh_from_db()
    assert plan.sequence == 2 and len(told(world.mentee)) == 2


def test_a_cancelled_plan_tells_the_other_person_and_can_no_longer_change(world, match, client):
    plan = plan_online(match, world.mentee)
    sign_in(client, world.mentor)
    response = client.post(reverse("mentoring:plan_cancel", args=[plan.pk]), follow=True)
    assert "We have told Priya" in response.content.decode()
    [cancelled] = [n for n in told(world.mentee) if n.event_key.endswith(":cancelled")]
    assert cancelled.title.startswith("Sam cancelled the session of ")
    plan.refresh_from_db()
    assert plan.sequence == 1
    with pytest.raises(ValidationError):
        services.plan_change(
            plan=plan, by=world.mentee, starts_at=in_days(7), duration_minutes=60,
            meeting_mode="phone",
        )  # fmt: skip
    page = client.get(reverse("mentoring:plan_change", args=[plan.pk]), follow=True)
    assert "can no longer be changed" in page.content.decode()
    plan.refresh_from_db()
    assert plan.cancelled_at and plan.meeting_mode == "online"


def test_email_choices_decide_whether_a_plan_is_emailed(
    world, match, django_capture_on_commit_callbacks
):
    EmailOptOut.objects.create(person=world.mentor, kind=Kind.PLAN)
    with django_capture_on_commit_callbacks(execute=True):
        plan_online(match, world.mentee)
    assert len(told(world.mentor)) == 1
    assert mail.outbox == []


def test_only_the_two_people_change_a_plan(world, match, client):
    plan = plan_online(match, world.mentor)
    # Another match in the same programme: its people cannot open this plan.
    other_mentor = UserFactory(display_name="Lee")
    other_mentee = UserFactory(display_name="Ola")
    for person, role in ((other_mentor, Role.MENTOR), (other_mentee, Role.MENTEE)):
        MembershipFactory(programme=world.programme, person=person, role=role)
    live_match(world.programme, other_mentor, other_mentee)
    for person in (other_mentor, other_mentee, world.coordinator, world.other_mentor):
        sign_in(client, person)
        assert client.get(reverse("mentoring:plan_change", args=[plan.pk])).status_code == 404
        assert (
            client.post(reverse("mentoring:plan_change", args=[plan.pk]), form_data()).status_code
            == 404
        )
        with pytest.raises(PermissionDenied):
            services.plan_change(
                plan=plan, by=person, starts_at=in_days(7), duration_minutes=60,
                meeting_mode="phone",
            )  # fmt: skip
    plan.refresh_from_db()
    assert plan.sequence == 0 and plan.meeting_mode == "online"


def test_a_removed_member_can_no_longer_change_a_plan(world, match, client):
    from programmes.models import Membership

    plan = plan_online(match, world.mentee)
    sign_in(client, world.mentor)
    url = reverse("mentoring:plan_change", args=[plan.pk])
    assert client.get(url).status_code == 200
    membership_end(
        membership=Membership.objects.get(
            programme=world.programme, person=world.mentor, role=Role.MENTOR
        ),
        by=world.coordinator,
    )
    assert client.get(url).status_code == 404
    assert client.post(url, form_data()).status_code == 404
    plan.refresh_from_db()
    assert plan.sequence == 0


# The calendar file


def calendar_of(client, plan) -> tuple[Calendar, object]:
    response = client.get(reverse("mentoring:plan_calendar", args=[plan.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_the_calendar_file_updates_and_cancels_the_event(world, match, client):
    plan = plan_online(match, world.mentor, starts_at=in_days(5, 18))
    sign_in(client, world.mentee)
    calendar, first = calendar_of(client, plan)
    assert str(calendar["method"]) == "REQUEST"
    assert str(first["status"]) == "CONFIRMED"
    assert int(first["sequence"]) == 0
    assert str(first["location"]) == LINK and str(first["url"]) == LINK
    assert str(first["organizer"]) == "mailto:hello@alongside.example.org"
    # The only attendee is the person downloading it: nobody's address reaches the other.
    assert str(first["attendee"]) == f"mailto:{world.mentee.email}"
    assert (
        world.mentor.email
        not in client.get(reverse("mentoring:plan_calendar", args=[plan.pk])).content.decode()
    )
    uid = str(first["uid"])

    services.plan_change(
        plan=plan,
        by=world.mentor,
        starts_at=in_days(6, 19),
        duration_minutes=45,
        meeting_mode="in_person",
        place="The library café",
    )
    calendar, changed = calendar_of(client, plan)
    assert str(changed["uid"]) == uid
    assert int(changed["sequence"]) == 1
    assert str(calendar["method"]) == "REQUEST"
    assert changed.decoded("dtstart") == in_days(6, 19)
    assert changed.decoded("dtend") - changed.decoded("dtstart") == timedelta(minutes=45)
    assert str(changed["location"]) == "The library café"
    assert changed.decoded("dtstamp") >= first.decoded("dtstamp")

    services.plan_cancel(plan=plan, by=world.mentee)
    calendar, cancelled = calendar_of(client, plan)
    assert str(calendar["method"]) == "CANCEL"
    assert str(cancelled["status"]) == "CANCELLED"
    assert str(cancelled["uid"]) == uid
    assert int(cancelled["sequence"]) == 2
    # Both of them can still download it, from the match page, to take it out.
    page = client.get(reverse("mentoring:match_detail", args=[match.pk])).content.decode()
    assert reverse("mentoring:plan_calendar", args=[plan.pk]) in page
    assert "Take it out of your calendar" in page


# The day-before reminder


def morning_before(plan) -> datetime:
    """09:00 in London on the day before the plan."""
    day = plan.starts_at.astimezone(LONDON).date() - timedelta(days=1)
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=LONDON)


def test_both_people_are_reminded_the_day_before_once(
    world, match, django_capture_on_commit_callbacks
):
    plan = plan_online(match, world.mentor, starts_at=in_days(3, 18))
    the_day_before = morning_before(plan)
    assert list(plans_tomorrow(the_day_before - timedelta(hours=2))) == []  # 7am: not yet
    assert list(plans_tomorrow(the_day_before - timedelta(days=1))) == []  # two days before
    with django_capture_on_commit_callbacks(execute=True):
        for later in (0, 1, 5):
            reminders_scan(now=the_day_before + timedelta(hours=later))
    for person, other in ((world.mentor, "Priya"), (world.mentee, "Sam")):
        [reminder] = told(person, Kind.PLAN_REMINDER)
        assert reminder.title == f"Your session with {other} is tomorrow"
        assert "6pm" in reminder.body and LINK in reminder.body
    reminded = sorted(email.to[0] for email in mail.outbox if "is tomorrow" in email.subject)
    assert reminded == sorted([world.mentor.email, world.mentee.email])


def test_a_plan_moved_to_another_day_is_reminded_again_but_not_a_new_time_that_day(world, match):
    plan = plan_online(match, world.mentor, starts_at=in_days(3, 18))
    reminders_scan(now=morning_before(plan))
    # Later that day the time moves within the same day: the change was told; no new reminder.
    services.plan_change(
        plan=plan, by=world.mentee, starts_at=in_days(3, 20), duration_minutes=60,
        meeting_mode="online", meeting_link=LINK,
    )  # fmt: skip
    reminders_scan(now=morning_before(plan) + timedelta(hours=3))
    assert len(told(world.mentor, Kind.PLAN_REMINDER)) == 1
    # Moved to two days later: reminded again the day before the new day.
    services.plan_change(
        plan=plan, by=world.mentee, starts_at=in_days(5, 18), duration_minutes=60,
        meeting_mode="online", meeting_link=LINK,
    )  # fmt: skip
    plan.refresh_from_db()
    reminders_scan(now=morning_before(plan))
    assert len(told(world.mentor, Kind.PLAN_REMINDER)) == 2
    assert len(told(world.mentee, Kind.PLAN_REMINDER)) == 2


def test_nobody_is_reminded_of_a_cancelled_plan_or_one_in_an_ended_match(world, match):
    from matching import services as matching_services

    cancelled = plan_online(match, world.mentor, starts_at=in_days(3, 18))
    services.plan_cancel(plan=cancelled, by=world.mentor)
    kept = plan_online(match, world.mentor, starts_at=in_days(3, 19))
    matching_services.match_close(
        match=match, by=world.mentor, rating=3, recommend="yes", reason="other"
    )
    assert list(plans_tomorrow(morning_before(kept))) == []


def test_only_the_two_of_them_see_the_place_link_and_note(world, match, client):
    """ "Only the two of you see this": a coordinator checking a missed session sees when
    it was, never where, the link or the note."""
    online = plan_online(match, world.mentor)
    in_person = services.session_plan(
        match=match,
        by=world.mentor,
        starts_at=in_days(2),
        duration_minutes=60,
        meeting_mode="in_person",
        place="The library café, 12 High Street",
        note="By the window",
    )
    PlannedSession.objects.filter(pk=in_person.pk).update(
        starts_at=timezone.now() - timedelta(hours=2)
    )
    in_person.refresh_from_db()
    assert services.plan_missed_report(plan=in_person, by=world.mentor)
    for persona in ("coordinator", "administrator"):
        sign_in(client, getattr(world, persona))
        page = client.get(
            reverse("mentoring:coordinator_plan_missed", args=[world.programme.slug, in_person.pk])
        ).content.decode()
        assert "Priya" in page
        for secret in ("The library café", "By the window", LINK):
            assert secret not in page
        assert client.get(reverse("mentoring:plan_calendar", args=[online.pk])).status_code == 404
        assert client.get(reverse("mentoring:match_detail", args=[match.pk])).status_code == 404


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_changes_and_a_cancellation_at_once_each_get_their_own_sequence(world):
    """Four changes and a cancellation at the same moment: the row lock queues them, so
    every change that went through has its own SEQUENCE number and notification, none
    comes after the cancellation, and the cancellation is told once."""
    match = _match(world)
    plan = plan_online(match, world.mentor, starts_at=in_days(5, 18))
    hours = iter([10, 11, 12, 13, None])

    def act():
        hour = next(hours)
        current = PlannedSession.objects.get(pk=plan.pk)
        if hour is None:
            return "cancelled" if services.plan_cancel(plan=current, by=world.mentee) else "no"
        try:
            services.plan_change(
                plan=current, by=world.mentee, starts_at=in_days(5, hour), duration_minutes=60,
                meeting_mode="online", meeting_link=LINK,
            )  # fmt: skip
        except ValidationError:
            return "refused"
        return "changed"

    results = at_once(5, act)
    plan.refresh_from_db()
    changed = results.count("changed")
    assert results.count("cancelled") == 1 and changed + results.count("refused") == 4
    assert plan.cancelled_at is not None and plan.sequence == changed + 1
    keys = sorted(n.event_key for n in told(world.mentor))
    assert keys == sorted(
        [f"plan:{plan.pk}:cancelled"]
        + [f"plan:{plan.pk}:changed:{number}" for number in range(1, changed + 1)]
    )


def test_each_of_the_two_finds_their_plans_in_my_data(world, match):
    from mentoring.privacy import export

    plan_online(match, world.mentor)
    for person, other in ((world.mentor, "Priya"), (world.mentee, "Sam")):
        [planned] = export(person)["planned_sessions"]
        assert planned["with"] == other and planned["meeting_link"] == LINK
    assert export(world.other_mentor)["planned_sessions"] == []
