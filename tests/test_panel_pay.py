"""Panel work is paid: a lived-experience panel meeting is a kind of activity, priced on the
rate card like the others. Panel members are experts by experience of the programme even
when they hold no other role (Rene): they are invited, answer, attend, are paid once and
see their pay; ending the panel role ends it all, as for a mentor."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import Activity, Place
from core.choices import Role
from payments import services as payments
from payments.models import LedgerLine
from programmes.models import Membership
from programmes.services import membership_end
from tests.factories import MembershipFactory, sign_in
from tests.payments_support import paid_by_bank, rate_card

pytestmark = pytest.mark.django_db

PANEL_RATE = {"panel_meeting": ("hourly", Decimal("25.00"))}


def panel_meeting(w, programme=None, by=None, **details) -> Activity:
    terms = {
        "programme": programme or w.programme,
        "by": by or w.coordinator,
        "kind": "panel_meeting",
        "title": "Panel meeting: this term's feedback questions",
        "starts_at": timezone.now() + timedelta(days=3),
        "duration_minutes": 120,
        "places": 6,
        "who": "invited",
        "online": True,
        **details,
    }
    return services.activity_create(**terms)


def happened(activity: Activity) -> Activity:
    """Answers close when an activity starts: tests answer first, then move it back."""
    Activity.objects.filter(pk=activity.pk).update(starts_at=timezone.now() - timedelta(days=1))
    activity.refresh_from_db()
    return activity


def form(day, **extra) -> dict:
    return {
        "kind": "panel_meeting",
        "title": "Panel meeting in March",
        "date": day.isoformat(),
        "time": "18:00",
        "duration_minutes": "120",
        "preparation_minutes": "0",
        "how": "online",
        "places": "6",
        "who": "invited",
        **extra,
    }


def test_it_pays_a_panel_member_with_no_other_role_once_at_the_panel_rate(world, client):
    rate_card(world, activity_rates=PANEL_RATE)
    paid_by_bank(world.panel)
    sign_in(client, world.coordinator)
    day = timezone.localdate() + timedelta(days=5)
    response = client.post(
        reverse("activities:coordinator_activity_new", args=["north"]),
        form(day, whole_panel="on"),
    )
    assert response.status_code == 302
    meeting = Activity.objects.get(title="Panel meeting in March")
    assert list(meeting.places_taken.values_list("person", flat=True)) == [world.panel.pk]

    sign_in(client, world.panel)
    assert b"Panel meeting in March" in client.get(reverse("activities:activities")).content
    url = reverse("activities:activity_detail", args=[meeting.pk])
    assert client.post(url, {"answer": "yes"}).status_code == 302
    happened(meeting)

    sign_in(client, world.coordinator)
    place = meeting.places_taken.get(person=world.panel)
    attendance = reverse("activities:coordinator_attendance", args=["north", meeting.pk])
    for _ in range(3):
        client.post(attendance, {"place": place.pk, "attended": "yes"})
    assert payments.activity_lines_create(place=place, by=world.coordinator) == 0

    (line,) = LedgerLine.objects.filter(mentor=world.panel)
    assert line.kind == "activity" and line.activity_place == place
    assert line.minutes == 120 and line.rate == Decimal("25.00")
    assert line.amount == Decimal("50.00")
    assert line.description.startswith("Lived-experience panel meeting: Panel meeting in March")

    sign_in(client, world.panel)
    pay = client.get(reverse("payments:pay"))
    assert pay.status_code == 200
    assert "Panel meeting in March" in pay.content.decode()

    run = payments.run_create(programme=world.programme, by=world.administrator)
    assert dict(run.payees.values_list("mentor", "fees")) == {world.panel.pk: Decimal("50.00")}


def test_it_offers_the_panel_on_the_new_activity_form_each_person_once(world, client):
    # Sam mentors and sits on the panel too: listed once.
    MembershipFactory(programme=world.programme, person=world.mentor, role=Role.PANEL)
    sign_in(client, world.coordinator)
    page = client.get(reverse("activities:coordinator_activity_new", args=["north"]))
    text = page.content.decode()
    assert "Lived-experience panel meeting" in text
    assert "Invite everyone on the lived-experience panel" in text
    assert text.count("Sam (on the panel)") == 1 and text.count("Rene (on the panel)") == 1
    assert "Sam</label>" not in text

    day = timezone.localdate() + timedelta(days=5)
    client.post(
        reverse("activities:coordinator_activity_new", args=["north"]),
        form(day, whole_panel="on", people=[world.mentor.pk]),
    )
    meeting = Activity.objects.get(title="Panel meeting in March")
    invited = sorted(meeting.places_taken.values_list("person", flat=True))
    assert invited == sorted([world.mentor.pk, world.panel.pk])


def test_it_shows_pay_and_activities_in_the_navigation_once(world):
    from portal.selectors import navigation_for

    MembershipFactory(programme=world.programme, person=world.mentor, role=Role.PANEL)
    for person in (world.mentor, world.panel):
        labels = [link["label"] for link in navigation_for(person)["main"]]
        assert labels.count("Your pay") == 1 and labels.count("Paid activities") == 1


def test_it_tells_a_programme_without_a_panel_rate_it_pays_the_hourly_rate(world, client):
    rate_card(world)  # £20 an hour, no rate for panel meetings
    sign_in(client, world.coordinator)
    page = client.get(reverse("payments:coordinator_rates", args=["north"])).content.decode()
    row = page.split("Lived-experience panel meeting</th>", 1)[1].split("</tr>", 1)[0]
    assert "20.00" in row and "(the hourly rate)" in row


def test_it_ends_a_panel_members_access_when_their_panel_role_ends(world, client):
    coming = panel_meeting(world)
    services.activity_invite(activity=coming, people=[world.panel], by=world.coordinator)
    services.place_answer(activity=coming, person=world.panel, yes=True)

    membership = Membership.objects.get(programme=world.programme, person=world.panel)
    membership_end(membership=membership, by=world.coordinator)

    assert coming.places_taken.get(person=world.panel).answer == Place.Answer.ROLE_ENDED
    sign_in(client, world.panel)
    for url in (
        reverse("activities:activities"),
        reverse("activities:activity_detail", args=[coming.pk]),
        reverse("activities:activity_calendar", args=[coming.pk]),
        reverse("payments:pay"),  # never paid, so no pay pages either
    ):
        assert client.get(url).status_code == 404


def test_it_keeps_a_mentors_other_places_when_they_leave_the_panel(world):
    panel_role = MembershipFactory(programme=world.programme, person=world.mentor, role=Role.PANEL)
    meeting = panel_meeting(world)
    teaching = panel_meeting(world, kind="teaching", title="Teaching day")
    for activity in (meeting, teaching):
        services.activity_invite(activity=activity, people=[world.mentor], by=world.coordinator)
        services.place_answer(activity=activity, person=world.mentor, yes=True)

    membership_end(membership=panel_role, by=world.coordinator)

    assert meeting.places_taken.get().answer == Place.Answer.ROLE_ENDED
    assert teaching.places_taken.get().answer == Place.Answer.YES


def test_it_answers_404_for_another_programmes_activity_to_a_panel_member(world, client):
    theirs = panel_meeting(world, programme=world.other_programme, by=world.other_coordinator)
    open_call = panel_meeting(
        world, programme=world.other_programme, by=world.other_coordinator, who="open"
    )
    with pytest.raises(ValidationError):
        services.activity_invite(activity=theirs, people=[world.panel], by=world.other_coordinator)
    sign_in(client, world.panel)
    for activity in (theirs, open_call):
        url = reverse("activities:activity_detail", args=[activity.pk])
        assert client.get(url).status_code == 404
    assert open_call.title.encode() not in client.get(reverse("activities:activities")).content
