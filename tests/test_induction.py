"""Induction: a mentor is matched only once a coordinator of the programme records their
induction (programmes.models.INDUCTED); rounds leave the others out and say why."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from core.choices import Role
from matching import services as matching_services
from matching.selectors import mentee_choice_pool, round_instance
from notifications.models import Kind, Notification
from programmes import services
from programmes.models import Membership, Programme
from tests.factories import MembershipFactory, UserFactory, sign_in


def sams_role(world) -> Membership:
    return Membership.objects.get(programme=world.programme, person=world.mentor, role="mentor")


def waiting(world) -> Membership:
    """Sam, as if he had just joined: nobody has recorded his induction."""
    Membership.objects.filter(pk=sams_role(world).pk).update(inducted_on=None)
    return sams_role(world)


def run_round(world):
    matching_round = matching_services.round_start(programme=world.programme, by=world.coordinator)
    matching_services.round_run(round_id=matching_round.pk)
    matching_round.refresh_from_db()
    return matching_round


def test_it_says_the_same_in_python_and_sql_who_is_inducted(world):
    MembershipFactory(programme=world.programme, role=Role.MENTOR, inducted_on=None)
    MembershipFactory(programme=world.programme, role=Role.MENTEE)
    every = list(Membership.objects.all())
    in_sql = set(Membership.objects.inducted().values_list("pk", flat=True))
    waiting_in_sql = set(Membership.objects.waiting_for_induction().values_list("pk", flat=True))
    assert {m.pk for m in every if m.is_inducted} == in_sql
    assert {m.pk for m in every if not m.is_inducted} == waiting_in_sql
    # Only mentors wait: mentees and coordinators have no induction.
    assert {m.role for m in every if not m.is_inducted} == {Role.MENTOR}


def test_it_leaves_a_mentor_without_induction_out_of_the_round_and_says_why(world, client):
    waiting(world)
    assert round_instance(world.programme)["mentors"] == []
    matching_round = run_round(world)
    assert matching_round.proposals.count() == 0
    assert matching_round.stats["waiting_for_induction"] == 1
    sign_in(client, world.coordinator)
    page = client.get(
        reverse("matching:coordinator_round_detail", args=["north", matching_round.pk])
    ).content.decode()
    assert "1 mentor waiting for induction: nobody has recorded their induction yet" in page


def test_it_includes_the_mentor_in_the_next_round_once_their_induction_is_recorded(world, client):
    membership = waiting(world)
    sign_in(client, world.coordinator)
    url = reverse("programmes:coordinator_induction_record", args=["north", membership.pk])
    response = client.post(url, {"inducted_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.inducted_on == timezone.localdate()
    assert membership.induction_recorded_by == world.coordinator
    assert AuditEvent.objects.filter(action=AuditEvent.Action.INDUCTION_RECORDED).count() == 1
    told = Notification.objects.get(kind=Kind.INDUCTION)
    assert told.person == world.mentor
    matching_round = run_round(world)
    assert matching_round.proposals.get().mentor == world.mentor
    assert "waiting_for_induction" not in matching_round.stats or (
        matching_round.stats["waiting_for_induction"] == 0
    )


def test_it_records_an_induction_once(world):
    membership = waiting(world)
    today = timezone.localdate()
    assert services.induction_record(membership=membership, by=world.coordinator, inducted_on=today)
    assert not services.induction_record(
        membership=membership, by=world.administrator, inducted_on=today - timedelta(days=1)
    )
    membership.refresh_from_db()
    assert (membership.inducted_on, membership.induction_recorded_by) == (
        today,
        world.coordinator,
    )
    assert Notification.objects.filter(kind=Kind.INDUCTION).count() == 1


def test_it_refuses_an_induction_in_the_future_or_by_someone_who_does_not_run_it(world):
    membership = waiting(world)
    with pytest.raises(ValidationError):
        services.induction_record(
            membership=membership,
            by=world.coordinator,
            inducted_on=timezone.localdate() + timedelta(days=1),
        )
    with pytest.raises(PermissionDenied):
        services.induction_record(
            membership=membership, by=world.other_coordinator, inducted_on=timezone.localdate()
        )
    with pytest.raises(PermissionDenied):
        # Nobody records their own induction (programmes.duties).
        services.induction_record(
            membership=membership, by=world.mentor, inducted_on=timezone.localdate()
        )
    membership.refresh_from_db()
    assert membership.inducted_on is None


def test_it_explains_a_date_in_the_future_next_to_the_field(world, client):
    membership = waiting(world)
    sign_in(client, world.coordinator)
    url = reverse("programmes:coordinator_induction_record", args=["north", membership.pk])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    page = client.post(url, {"inducted_on": tomorrow}).content.decode()
    assert "Record an induction once it has happened." in page
    assert f'value="{tomorrow}"' in page


def test_it_leaves_a_mentor_without_induction_out_of_a_mentees_suggestions(world):
    world.programme.matching_mode = Programme.MatchingMode.MENTEE_CHOICE
    world.programme.save()
    pool = mentee_choice_pool(world.programme, world.mentee)
    assert pool["groups"]
    waiting(world)
    assert mentee_choice_pool(world.programme, world.mentee)["groups"] == []


def test_it_tells_the_mentor_they_are_waiting_for_induction(world, client):
    waiting(world)
    sign_in(client, world.mentor)
    for name in ("portal:dashboard", "portal:profile"):
        page = client.get(reverse(name)).content.decode()
        assert "Waiting for your induction in North Star." in page, name
        assert "Once they record it, you can be matched." in page
    Membership.objects.filter(pk=sams_role(world).pk).update(inducted_on=timezone.localdate())
    assert (
        "Waiting for your induction" not in client.get(reverse("portal:dashboard")).content.decode()
    )


def test_it_shows_coordinators_who_is_waiting_for_induction(world, client):
    membership = waiting(world)
    sign_in(client, world.coordinator)
    members = client.get(reverse("programmes:coordinator_members", args=["north"]))
    assert "Waiting for induction" in members.content.decode()
    page = client.get(
        reverse("programmes:coordinator_member_detail", args=["north", world.mentor.pk])
    ).content.decode()
    assert reverse("programmes:coordinator_induction_record", args=["north", membership.pk]) in page


def test_it_counts_the_mentors_already_here_as_inducted_when_it_upgrades(world):
    newcomer = UserFactory()
    left = UserFactory()
    MembershipFactory(programme=world.programme, person=newcomer, role="mentor", inducted_on=None)
    MembershipFactory(
        programme=world.programme,
        person=left,
        role="mentor",
        inducted_on=None,
        ended_at=timezone.now(),
    )
    waiting(world)
    migration = importlib.import_module("programmes.migrations.0005_current_mentors_inducted")
    migration.mark_current_mentors_inducted(apps, None)
    assert sams_role(world).inducted_on == timezone.localtime(sams_role(world).joined_at).date()
    assert sams_role(world).induction_recorded_by is None
    assert Membership.objects.get(person=newcomer).is_inducted
    assert Membership.objects.get(person=left).inducted_on is None
    assert not Membership.objects.filter(role=Role.MENTEE, inducted_on__isnull=False).exists()


def test_it_puts_the_day_of_the_induction_in_my_data(world):
    from portal.privacy import export

    (role,) = export(world.mentor)["roles"]
    assert role["induction"] == timezone.localdate().isoformat()
    assert "induction" not in export(world.mentee)["roles"][0]
