"""Cancelling a paid activity: a coordinator calls it off before it starts, with a reason;
those invited are told, it takes no more answers, its calendar file cancels the event, and
each person who said yes is paid the rate card's cancellation fee when it is short notice."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.models import AuditEvent
from activities import services
from activities.models import Activity, Place
from core.choices import Role
from notifications.models import Notification
from payments.models import LedgerLine
from programmes.services import membership_add
from tests.factories import sign_in
from tests.payments_support import rate_card
from tests.test_activities import activity, another_mentor

pytestmark = pytest.mark.django_db


def panel_with_answers(w, *, hours_ahead: float) -> Activity:
    """A panel `hours_ahead` from now: Sam and Dee said yes, Kit has not answered, Lou said
    no. The card pays £25 for a cancellation with less than 48 hours' notice."""
    rate_card(w, cancellation_fee=Decimal("25.00"), cancellation_notice_hours=48)
    dee, kit, lou = another_mentor(w, "Dee"), another_mentor(w, "Kit"), another_mentor(w, "Lou")
    panel = activity(w, places=3, starts_at=timezone.now() + timedelta(hours=hours_ahead))
    services.activity_invite(activity=panel, people=[w.mentor, dee, kit, lou], by=w.coordinator)
    services.place_answer(activity=panel, person=w.mentor, yes=True)
    services.place_answer(activity=panel, person=dee, yes=True)
    services.place_answer(activity=panel, person=lou, yes=False)
    return panel


def fees() -> dict[str, Decimal]:
    return {
        line.mentor.display_name: line.amount
        for line in LedgerLine.objects.filter(kind="cancellation").select_related("mentor")
    }


def test_it_pays_each_person_who_said_yes_when_cancelled_too_late(world):
    panel = panel_with_answers(world, hours_ahead=30)

    assert services.activity_cancel(activity=panel, by=world.coordinator, reason="Room flooded")

    assert fees() == {world.mentor.display_name: Decimal("25.00"), "Dee": Decimal("25.00")}
    keys = set(LedgerLine.objects.filter(kind="cancellation").values_list("key", flat=True))
    places = panel.places_taken.filter(answer="yes").values_list("pk", flat=True)
    assert keys == {f"activities.place:{pk}" for pk in places}
    panel.refresh_from_db()
    assert panel.cancelled_by == world.coordinator
    assert panel.cancel_reason == "Room flooded"


def test_it_pays_nothing_when_cancelled_in_time(world):
    panel = panel_with_answers(world, hours_ahead=49)

    assert services.activity_cancel(activity=panel, by=world.coordinator, reason="Not needed")

    assert fees() == {}
    assert Activity.objects.get(pk=panel.pk).cancelled_at is not None


def test_it_pays_nothing_when_nobody_said_yes(world):
    rate_card(world, cancellation_fee=Decimal("25.00"), cancellation_notice_hours=48)
    panel = activity(world, starts_at=timezone.now() + timedelta(hours=2))
    services.activity_invite(activity=panel, people=[world.mentor], by=world.coordinator)

    assert services.activity_cancel(activity=panel, by=world.coordinator, reason="Not needed")

    assert fees() == {}
    # Sam had not answered: Sam is told all the same.
    told = Notification.objects.filter(person=world.mentor, title__startswith="Cancelled:")
    assert told.count() == 1


def test_it_cancels_once_and_pays_once_however_often_it_is_asked(world):
    panel = panel_with_answers(world, hours_ahead=30)

    results = [
        services.activity_cancel(
            activity=Activity.objects.get(pk=panel.pk), by=world.coordinator, reason="Room"
        )
        for _ in range(3)
    ]

    assert results == [True, False, False]
    assert len(fees()) == 2
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ACTIVITY_CANCELLED).count() == 1


def test_it_never_lets_a_coordinator_cancel_an_activity_they_take_part_in(world, client):
    panel = panel_with_answers(world, hours_ahead=30)
    membership_add(programme=world.programme, person=world.coordinator, role=Role.MENTOR, by=None)
    Place.objects.create(activity=panel, person=world.coordinator, answer="yes")

    with pytest.raises(PermissionDenied):
        services.activity_cancel(activity=panel, by=world.coordinator, reason="Not needed")

    sign_in(client, world.coordinator)
    url = reverse("activities:coordinator_activity_cancel", args=["north", panel.pk])
    response = client.post(url, {"reason": "Not needed"}, follow=True)
    assert "You take part in this activity" in response.content.decode()
    assert Activity.objects.get(pk=panel.pk).cancelled_at is None
    assert fees() == {}
    # An administrator, who does not take part, can: Jo, who said yes, is paid like the rest.
    assert services.activity_cancel(activity=panel, by=world.administrator, reason="Not needed")
    assert set(fees()) == {world.mentor.display_name, "Dee", world.coordinator.display_name}


def test_it_cancels_only_an_activity_that_has_not_started(world):
    panel = panel_with_answers(world, hours_ahead=30)
    Activity.objects.filter(pk=panel.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    panel.refresh_from_db()

    with pytest.raises(ValidationError):
        services.activity_cancel(activity=panel, by=world.coordinator, reason="Too late")

    assert Activity.objects.get(pk=panel.pk).cancelled_at is None


def test_it_needs_a_reason(world):
    panel = panel_with_answers(world, hours_ahead=30)

    with pytest.raises(ValidationError) as refused:
        services.activity_cancel(activity=panel, by=world.coordinator, reason="   ")

    assert "reason" in refused.value.message_dict


def test_it_tells_those_who_said_yes_or_had_not_answered_with_the_reason(world):
    panel = panel_with_answers(world, hours_ahead=30)

    services.activity_cancel(activity=panel, by=world.coordinator, reason="The room flooded.")

    told = Notification.objects.filter(title=f"Cancelled: {panel.title}")
    names = sorted(told.values_list("person__display_name", flat=True))
    assert names == sorted([world.mentor.display_name, "Dee", "Kit"])  # not Lou, who said no
    assert all("The room flooded." in body for body in told.values_list("body", flat=True))


def test_a_cancelled_activity_takes_no_more_answers_invitations_or_attendance(world, client):
    panel = panel_with_answers(world, hours_ahead=30)
    dee = Place.objects.get(activity=panel, person__display_name="Dee")
    services.activity_cancel(activity=panel, by=world.coordinator, reason="Not needed")
    kit = Place.objects.get(activity=panel, person__display_name="Kit").person

    with pytest.raises(ValidationError):
        services.place_answer(activity=panel, person=kit, yes=True)
    with pytest.raises(ValidationError):
        services.activity_invite(
            activity=panel, people=[another_mentor(world, "Ro")], by=world.coordinator
        )
    Activity.objects.filter(pk=panel.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(ValidationError):
        services.attendance_record(place=dee, by=world.coordinator, attended=True)
    assert not services.can_answer(Activity.objects.get(pk=panel.pk), kit)

    sign_in(client, world.mentor)
    page = client.get(reverse("activities:activity_detail", args=[panel.pk])).content.decode()
    assert "This activity is cancelled. The reason your coordinator gave: Not needed" in page
    assert "Send your answer" not in page
    assert "Cancelled" in client.get(reverse("activities:activities")).content.decode()


def test_it_cancels_from_the_coordinators_page_with_a_reason(world, client):
    panel = panel_with_answers(world, hours_ahead=30)
    sign_in(client, world.coordinator)
    page_url = reverse("activities:coordinator_activity", args=["north", panel.pk])
    cancel_url = reverse("activities:coordinator_activity_cancel", args=["north", panel.pk])
    assert cancel_url in client.get(page_url).content.decode()

    empty = client.post(cancel_url, {"reason": ""})
    assert empty.status_code == 200
    assert "Say why it is cancelled" in empty.content.decode()
    assert Activity.objects.get(pk=panel.pk).cancelled_at is None

    done = client.post(cancel_url, {"reason": "The candidate withdrew."}, follow=True)
    text = done.content.decode()
    assert "is cancelled. Everyone who said yes or had not answered is told" in text
    assert "The reason given: The candidate withdrew." in text
    assert cancel_url not in text  # no second cancel button
    again = client.post(cancel_url, {"reason": "Again"}, follow=True)
    assert "is already cancelled" in again.content.decode()
    assert Activity.objects.get(pk=panel.pk).cancel_reason == "The candidate withdrew."
    listing = client.get(reverse("activities:coordinator_activities", args=["north"]))
    assert "Cancelled" in listing.content.decode()


def test_its_calendar_file_cancels_the_event(world, client):
    panel = panel_with_answers(world, hours_ahead=30)
    sign_in(client, world.mentor)
    url = reverse("activities:activity_calendar", args=[panel.pk])
    before = Calendar.from_ical(client.get(url).content)
    services.activity_cancel(activity=panel, by=world.coordinator, reason="Room flooded")

    after = Calendar.from_ical(client.get(url).content)

    [first] = before.walk("VEVENT")
    [event] = after.walk("VEVENT")
    assert str(after["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == str(first["UID"]) == f"activity-{panel.pk}@alongside"
    assert int(event["SEQUENCE"]) > int(first["SEQUENCE"])
    assert event.decoded("dtstart") == first.decoded("dtstart")
    assert "Room flooded" in str(event["DESCRIPTION"])
