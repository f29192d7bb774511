"""Download my data, delete my account."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import AuditEvent, MentorProfile, User
from tests.factories import PASSWORD, sign_in


def test_it_downloads_everything_held_about_me(world, client):
    sign_in(client, world.mentor)
    response = client.get(reverse("portal:my_data_download"))
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["email"] == world.mentor.email
    assert data["roles"][0]["programme"] == "North Star"
    assert data["mentor_profile"]["topics_offered"]
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.DATA_EXPORTED, actor=world.mentor
    ).exists()


def test_it_holds_nothing_about_another_person_in_my_download(world, client):
    sign_in(client, world.mentee)
    text = client.get(reverse("portal:my_data_download")).content.decode()
    assert world.mentor.email not in text
    assert "mentor_profile" not in json.loads(text)


def test_it_asks_for_the_password_before_deleting(world, client):
    sign_in(client, world.mentor)
    response = client.post(reverse("portal:account_delete"), {"password": "not-my-password"})
    assert response.status_code == 200
    assert "That password is not right" in response.content.decode()
    assert User.objects.get(pk=world.mentor.pk).is_active


def test_it_erases_personal_data_and_keeps_an_anonymous_record(world, client):
    sign_in(client, world.mentor)
    email = world.mentor.email
    response = client.post(reverse("portal:account_delete"), {"password": PASSWORD})
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
    assert client.get(reverse("portal:dashboard")).status_code == 302
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
    sign_in(client, world.mentee)
    client.post(reverse("portal:account_delete"), {"password": PASSWORD})
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DECLINED
    assert not Match.objects.exclude(status="closed").exists()


def test_my_download_holds_my_match_concerns_and_what_i_said(world, client):
    from matching import services as matching_services
    from mentoring import services
    from mentoring.models import SessionFeedback
    from tests.test_permissions import _match

    match = _match(world)
    services.concern_raise(
        match=match, by=world.mentee, kind="wellbeing", what_happened="I am finding it hard."
    )
    session = services.session_log(
        match=match,
        by=world.mentor,
        starts_at=match.started_at,
        duration_minutes=60,
        meeting_mode="online",
    )
    SessionFeedback.objects.create(
        session=session,
        programme=session.match.programme,
        person=world.mentor,
        role="mentor",
        useful=5,
        listened_to=4,
        plain_language=4,
        equal_partner=5,
        expertise_valued=5,
        paid_fairly=2,
        comments="Payment was late.",
    )
    matching_services.match_close(
        match=match, by=world.mentee, rating=4, recommend="yes", reason="goals_reached"
    )

    sign_in(client, world.mentee)
    mine = json.loads(client.get(reverse("portal:my_data_download")).content)
    assert [m["with"] for m in mine["matches"]] == ["Sam"]
    assert mine["matches"][0]["status"] == "Closed"
    assert mine["concerns_raised"][0]["what_happened"] == "I am finding it hard."
    assert mine["closing_surveys"][0]["why_it_ended"] == "We reached our goals"
    # What the mentor said about the session is the mentor's, never in the mentee's file.
    assert mine["session_feedback_given"] == []
    assert "Payment was late" not in json.dumps(mine)

    sign_in(client, world.mentor)
    theirs = json.loads(client.get(reverse("portal:my_data_download")).content)
    assert theirs["concerns_raised"] == []
    assert "I am finding it hard" not in json.dumps(theirs)
    [feedback] = theirs["session_feedback_given"]
    assert feedback["answers"]["I am paid fairly and on time"] == "Disagree"
    assert feedback["comments"] == "Payment was late."


def test_deleting_my_account_keeps_my_scores_in_the_totals_without_me_or_my_words(world, client):
    from matching import services as matching_services
    from matching.models import ClosingSurvey
    from mentoring import services
    from mentoring.models import CoproductionCheck, SessionFeedback
    from tests.test_permissions import _match

    match = _match(world)
    session = services.session_log(
        match=match,
        by=world.mentee,
        starts_at=match.started_at,
        duration_minutes=60,
        meeting_mode="online",
    )
    SessionFeedback.objects.create(
        session=session,
        programme=session.match.programme,
        person=world.mentee,
        role="mentee",
        useful=5,
        listened_to=5,
        plain_language=4,
        comments="Sam helped me see my assessment of the Jones family differently.",
    )
    CoproductionCheck.objects.create(
        match=match,
        programme=match.programme,
        person=world.mentee,
        role="mentee",
        occasion="closing",
        equality=4,
        diversity=4,
        accessibility=5,
        reciprocity=4,
        rung=6,
        comments="Named someone here.",
    )
    matching_services.match_close(
        match=match,
        by=world.mentee,
        rating=5,
        recommend="yes",
        reason="goals_reached",
        comments="Thanks Sam.",
    )
    sign_in(client, world.mentee)
    client.post(reverse("portal:account_delete"), {"password": PASSWORD})

    feedback = SessionFeedback.objects.get()
    assert (feedback.person, feedback.comments, feedback.useful) == (None, "", 5)
    check = CoproductionCheck.objects.get()
    assert (check.person, check.comments, check.rung) == (None, "", 6)
    assert ClosingSurvey.objects.get().comments == ""


def test_my_download_holds_my_journal_goals_and_notifications_and_deleting_removes_them(
    world, client
):
    from datetime import date

    from journal import services as journal_services
    from journal.models import Goal, JournalEntry
    from notifications.models import EmailOptOut, Notification
    from notifications.services import notify
    from tests.test_permissions import _match

    _match(world)
    journal_services.journal_entry_create(
        mentee=world.mentee,
        activity_date=date(2026, 10, 1),
        answers={"description": "A home visit where I noticed my own assumptions."},
    )
    goal = journal_services.goal_add(mentee=world.mentee, title="Write reports families can read")
    journal_services.goal_note_add(goal=goal, author=world.mentor, text="Big progress this month.")
    notify(person=world.mentee, kind="feedback", event_key="x:1", title="Give feedback")
    EmailOptOut.objects.create(person=world.mentee, kind="feedback")

    sign_in(client, world.mentee)
    mine = json.loads(client.get(reverse("portal:my_data_download")).content)
    assert "noticed my own assumptions" in json.dumps(mine["journal"])
    [goal_data] = mine["goals"]
    assert goal_data["goal"] == "Write reports families can read"
    assert goal_data["notes"] == [
        {
            "by": "Sam",
            "note": "Big progress this month.",
            "written": goal_data["notes"][0]["written"],
        }
    ]
    assert [n["what"] for n in mine["notifications"]] == ["Give feedback"]
    assert mine["emails_you_turned_off"]

    sign_in(client, world.mentor)
    theirs = json.loads(client.get(reverse("portal:my_data_download")).content)
    assert theirs["journal"] == [] and "assumptions" not in json.dumps(theirs)
    assert [n["note"] for n in theirs["goal_notes_you_wrote_for_others"]] == [
        "Big progress this month."
    ]

    sign_in(client, world.mentee)
    client.post(reverse("portal:account_delete"), {"password": PASSWORD})
    assert not JournalEntry.objects.exists() and not Goal.objects.exists()
    assert not Notification.objects.filter(person=world.mentee).exists()
    assert not EmailOptOut.objects.exists()
