"""Coordinator pages: members, applications and invitations, scoped to their programme."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from core.choices import Role
from programmes.models import Application, Invitation, Membership
from tests.factories import ApplicationFactory, InvitationFactory, UserFactory, sign_in


@pytest.fixture
def coordinator(world, client):
    sign_in(client, world.coordinator)
    return client


def other_programme_objects(world):
    """One of everything a coordinator manages, all in the other programme."""
    south = world.other_programme
    return {
        "member": reverse(
            "programmes:coordinator_member_detail", args=[south.slug, world.other_mentor.pk]
        ),
        "member via own programme": reverse(
            "programmes:coordinator_member_detail",
            args=[world.programme.slug, world.other_mentor.pk],
        ),
        "application": reverse(
            "programmes:coordinator_application_detail",
            args=[world.programme.slug, ApplicationFactory(programme=south).pk],
        ),
        "invitation": reverse(
            "programmes:coordinator_invitation_revoke",
            args=[world.programme.slug, InvitationFactory(programme=south).pk],
        ),
        "members list": reverse("programmes:coordinator_members", args=[south.slug]),
    }


def test_it_answers_404_for_another_programmes_objects(world, coordinator):
    for label, url in other_programme_objects(world).items():
        method = coordinator.post if "revoke" in url or "cancel" in url else coordinator.get
        assert method(url).status_code == 404, label


def test_it_leaves_another_programmes_invitation_alone(world, coordinator):
    invitation = InvitationFactory(programme=world.other_programme)
    coordinator.post(
        reverse(
            "programmes:coordinator_invitation_revoke", args=[world.programme.slug, invitation.pk]
        )
    )
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_it_lists_members_with_their_profile_state(world, coordinator):
    response = coordinator.get(reverse("programmes:coordinator_members", args=["north"]))
    page = response.content.decode()
    assert "Sam" in page and "Priya" in page
    assert "Kai" not in page  # a member of the other programme
    assert "Complete" in page


def test_it_filters_members_by_role(world, coordinator):
    response = coordinator.get(
        reverse("programmes:coordinator_members", args=["north"]), {"role": "mentee"}
    )
    page = response.content.decode()
    assert "Priya" in page and ">Sam<" not in page


def test_it_records_a_coordinator_viewing_a_profile(world, coordinator):
    coordinator.get(
        reverse("programmes:coordinator_member_detail", args=["north", world.mentor.pk])
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.PROFILE_VIEWED)
    assert event.actor == world.coordinator
    assert event.object_id == str(world.mentor.pk)
    assert event.programme == world.programme


def test_it_admits_an_applicant(world, coordinator):
    applicant = UserFactory(display_name="Rosa")
    application = ApplicationFactory(programme=world.programme, person=applicant, role=Role.MENTEE)
    url = reverse("programmes:coordinator_application_detail", args=["north", application.pk])
    response = coordinator.post(url, {"decision": "admit"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.ADMITTED
    assert Membership.objects.current().filter(person=applicant, role=Role.MENTEE).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.APPLICATION_ADMITTED).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MEMBERSHIP_ADDED).exists()
    # A second click changes nothing.
    coordinator.post(url, {"decision": "admit"})
    assert Membership.objects.filter(person=applicant).count() == 1


def test_it_declines_an_applicant_with_a_reason(world, coordinator):
    application = ApplicationFactory(programme=world.programme)
    coordinator.post(
        reverse("programmes:coordinator_application_detail", args=["north", application.pk]),
        {"decision": "decline", "reason": "The programme is full this year."},
    )
    application.refresh_from_db()
    assert application.status == Application.Status.DECLINED
    assert application.decision_reason == "The programme is full this year."
    assert not Membership.objects.filter(person=application.person).exists()


def test_it_creates_an_invitation_link(world, coordinator):
    response = coordinator.post(
        reverse("programmes:coordinator_invitations", args=["north"]),
        {"role": "mentor", "email": "New.Person@Example.test", "note": "From the open day"},
        follow=True,
    )
    invitation = Invitation.objects.get(programme=world.programme)
    assert invitation.email == "new.person@example.test"
    assert invitation.token in response.content.decode()


def test_it_explains_a_bad_invitation_email_next_to_the_field(world, coordinator):
    response = coordinator.post(
        reverse("programmes:coordinator_invitations", args=["north"]),
        {"role": "mentor", "email": "nope"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_email_error"' in page
    assert "There is a problem" in page
    assert 'value="nope"' in page


def test_it_cancels_an_invitation(world, coordinator):
    invitation = InvitationFactory(programme=world.programme)
    coordinator.post(
        reverse("programmes:coordinator_invitation_revoke", args=["north", invitation.pk])
    )
    invitation.refresh_from_db()
    assert invitation.status == "cancelled"


def test_it_removes_a_role(world, coordinator):
    membership = Membership.objects.get(person=world.mentee, programme=world.programme)
    coordinator.post(
        reverse("programmes:coordinator_membership_end", args=["north", membership.pk])
    )
    membership.refresh_from_db()
    assert membership.ended_at is not None
    response = coordinator.get(
        reverse("programmes:coordinator_member_detail", args=["north", world.mentee.pk])
    )
    assert response.status_code == 404


@pytest.mark.parametrize("rows", [5, 500])
def test_it_keeps_the_members_list_query_count_flat(
    rows, world, coordinator, django_assert_max_num_queries
):
    from tests.factories import MembershipFactory, complete_mentee_profile

    for _ in range(rows):
        person = MembershipFactory(programme=world.programme, role=Role.MENTEE).person
        complete_mentee_profile(person)
    with django_assert_max_num_queries(20):
        response = coordinator.get(reverse("programmes:coordinator_members", args=["north"]))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [5, 500])
def test_it_keeps_the_dashboard_query_count_flat(
    rows, world, client, django_assert_max_num_queries
):
    for _ in range(rows):
        ApplicationFactory(programme=world.programme)
    sign_in(client, world.administrator)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("portal:dashboard")).status_code == 200
    with django_assert_max_num_queries(20):
        assert (
            client.get(reverse("programmes:coordinator_applications", args=["north"])).status_code
            == 200
        )
