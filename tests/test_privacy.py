"""Download my data, delete my account."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import AuditEvent, MentorProfile, User
from tests.factories import PASSWORD


def test_it_downloads_everything_held_about_me(world, client):
    client.force_login(world.mentor)
    response = client.get(reverse("my_data_download"))
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["email"] == world.mentor.email
    assert data["roles"][0]["programme"] == "North Star"
    assert data["mentor_profile"]["topics_offered"]
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.DATA_EXPORTED, actor=world.mentor
    ).exists()


def test_it_holds_nothing_about_another_person_in_my_download(world, client):
    client.force_login(world.mentee)
    text = client.get(reverse("my_data_download")).content.decode()
    assert world.mentor.email not in text
    assert "mentor_profile" not in json.loads(text)


def test_it_asks_for_the_password_before_deleting(world, client):
    client.force_login(world.mentor)
    response = client.post(reverse("account_delete"), {"password": "not-my-password"})
    assert response.status_code == 200
    assert "That password is not right" in response.content.decode()
    assert User.objects.get(pk=world.mentor.pk).is_active


def test_it_erases_personal_data_and_keeps_an_anonymous_record(world, client):
    client.force_login(world.mentor)
    email = world.mentor.email
    response = client.post(reverse("account_delete"), {"password": PASSWORD})
    assert response.status_code == 302
    person = User.objects.get(pk=world.mentor.pk)
    assert person.display_name == "Deleted person"
    assert email not in person.email
    assert not person.is_active and not person.has_usable_password()
    assert not MentorProfile.objects.filter(user=person).exists()
    assert not EmailAddress.objects.filter(email=email).exists()
    assert not person.memberships.filter(ended_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ACCOUNT_DELETED).exists()
    # Signed out, and the old details no longer sign in.
    assert client.get(reverse("dashboard")).status_code == 302
    login = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert login.status_code == 200


@pytest.mark.django_db
def test_it_never_writes_secrets_into_the_audit_log():
    from accounts.audit import audit_record

    event = audit_record(action="sign_in", new={"password": "hunter2-hunter2", "ok": True})
    assert event.new_values == {"password": "[hidden]", "ok": True}


def test_it_ends_proposals_and_matches_when_someone_deletes_their_account(world, client):
    from matching import services as matching
    from matching.models import Match, Proposal

    matching_round = matching.round_start(programme=world.programme, by=world.coordinator)
    matching.round_run(round_id=matching_round.pk)
    proposal = matching_round.proposals.get()
    matching.proposal_approve(proposal=proposal, by=world.coordinator)
    client.force_login(world.mentee)
    client.post(reverse("account_delete"), {"password": PASSWORD})
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DECLINED
    assert not Match.objects.exclude(status="closed").exists()
