"""Joining a programme: invitation links and applications."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.adapter import PENDING_INVITATION_KEY
from core.choices import Role
from programmes.models import Application, Membership
from tests.factories import InvitationFactory, ProgrammeFactory, UserFactory, sign_in


@pytest.fixture
def person(db, client):
    user = UserFactory(display_name="Rosa", email="rosa@example.test")
    sign_in(client, user)
    return user


def test_it_joins_a_programme_through_an_invitation(person, client):
    invitation = InvitationFactory(role=Role.MENTEE)
    url = reverse("programmes:invitation_accept", args=[invitation.token])
    assert "Join" in client.get(url).content.decode()
    response = client.post(url)
    assert response["Location"] == reverse("portal:profile")
    assert Membership.objects.current().filter(person=person, role=Role.MENTEE).exists()
    # The link works once.
    again = client.post(url)
    assert "no longer works" in again.content.decode()


def test_it_keeps_an_emailed_invitation_for_its_owner(person, client):
    invitation = InvitationFactory(email="someone-else@example.test")
    response = client.post(reverse("programmes:invitation_accept", args=[invitation.token]))
    assert "different email address" in response.content.decode()
    assert not Membership.objects.filter(person=person).exists()


def test_it_accepts_an_emailed_invitation_whatever_the_case(person, client):
    invitation = InvitationFactory(email="rosa@example.test")
    client.post(reverse("programmes:invitation_accept", args=[invitation.token]))
    assert Membership.objects.filter(person=person).exists()


@pytest.mark.parametrize("state", ["expired", "revoked"])
def test_it_refuses_an_unusable_invitation(state, person, client):
    invitation = InvitationFactory()
    if state == "expired":
        invitation.expires_at = timezone.now() - timedelta(minutes=1)
    else:
        invitation.revoked_at = timezone.now()
    invitation.save()
    response = client.post(reverse("programmes:invitation_accept", args=[invitation.token]))
    assert "no longer works" in response.content.decode()
    assert not Membership.objects.filter(person=person).exists()


def test_it_answers_404_for_an_unknown_invitation(person, client):
    assert (
        client.get(reverse("programmes:invitation_accept", args=["not-a-token"])).status_code == 404
    )


@pytest.mark.django_db
def test_it_remembers_an_invitation_through_sign_up(client):
    invitation = InvitationFactory()
    client.get(reverse("programmes:invitation_accept", args=[invitation.token]))
    assert client.session[PENDING_INVITATION_KEY] == invitation.token
    user = UserFactory()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "a-long-test-password-2026"}
    )
    assert response["Location"] == reverse("programmes:invitation_accept", args=[invitation.token])


def test_it_applies_once_however_often_the_button_is_pressed(person, client):
    programme = ProgrammeFactory()
    url = reverse("programmes:programme_apply", args=[programme.slug])
    for _ in range(3):
        client.post(url, {"role": "mentor", "message": "I grew up in care."})
    assert Application.objects.filter(person=person, programme=programme).count() == 1


def test_it_explains_when_someone_is_already_a_member(person, client):
    programme = ProgrammeFactory()
    Membership.objects.create(programme=programme, person=person, role=Role.MENTOR)
    response = client.post(
        reverse("programmes:programme_apply", args=[programme.slug]), {"role": "mentor"}
    )
    assert "already a member" in response.content.decode()


def test_it_hides_programmes_that_are_closed_to_applications(person, client):
    programme = ProgrammeFactory(open_for_applications=False)
    assert (
        client.get(reverse("programmes:programme_apply", args=[programme.slug])).status_code == 404
    )
