"""Ending a role closes the door: the person's live matches in that programme end through the
match-ending service (the pair excluded, an audit row, the other person told), their open
proposals there are withdrawn, and every match page and service asks for a current role in
the match's programme. What stays theirs: their own pay, statements and claims, and the
concerns they raised. A shared journal entry is for the mentor it was shared with, never a
later one."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from core.choices import Role
from journal import services as journal
from journal.models import Goal, JournalEntry
from matching import services as matching
from matching.models import Match, PairExclusion, Proposal
from mentoring import services as mentoring
from mentoring.models import Concern, Session
from notifications.models import Kind, Notification
from portal.services import account_delete
from programmes import services as programmes_services
from programmes.models import Membership
from tests.factories import UserFactory, live_match, sign_in
from tests.test_permissions import (
    _approved_proposal_id,
    _expense_id,
    _match,
    _proposal_id,
    _run,
)


def role_of(person, role=Role.MENTOR) -> Membership:
    return Membership.objects.current().get(person=person, role=role)


def a_session(match, by, **fields) -> Session:
    values = {
        "starts_at": timezone.now() - timedelta(days=1),
        "duration_minutes": 60,
        "meeting_mode": "online",
    } | fields
    return mentoring.session_log(match=match, by=by, **values)


def session_form(**overrides) -> dict:
    yesterday = timezone.localdate() - timedelta(days=1)
    return {
        "date": yesterday.isoformat(),
        "time": "10:00",
        "duration_minutes": "480",
        "meeting_mode": "online",
        "preparation_minutes": "0",
        "note": "",
    } | overrides


# The reproduction from the issue


def test_it_closes_the_match_to_a_mentor_whose_role_ended(
    world, client, django_capture_on_commit_callbacks
):
    w = world
    match = _match(w)
    session = a_session(match, w.mentor)
    plan = mentoring.session_plan(
        match=match,
        by=w.mentee,
        starts_at=timezone.now() + timedelta(days=3),
        duration_minutes=60,
        meeting_mode="online",
    )
    Goal.objects.create(mentee=w.mentee, title="Write notes a child can read")

    sign_in(client, w.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("programmes:coordinator_membership_end", args=["north", role_of(w.mentor).pk])
        )

    sign_in(client, w.mentor)
    for name, args in [
        ("mentoring:match_detail", [match.pk]),
        ("mentoring:session_new", [match.pk]),
        ("mentoring:session_plan", [match.pk]),
        ("journal:match_goals", [match.pk]),
        ("mentoring:concern_new", [match.pk]),
        ("mentoring:match_end", [match.pk]),
        ("mentoring:match_ended", [match.pk]),
        ("mentoring:coproduction_check", [match.pk]),
        ("mentoring:session_detail", [session.pk]),
        ("mentoring:session_edit", [session.pk]),
        ("mentoring:session_feedback", [session.pk]),
        ("mentoring:session_calendar", [session.pk]),
        ("mentoring:plan_calendar", [plan.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    response = client.post(reverse("mentoring:session_new", args=[match.pk]), session_form())
    assert response.status_code == 404
    assert Session.objects.count() == 1
    with pytest.raises(PermissionDenied):
        a_session(match, w.mentor, duration_minutes=480)

    # Ended through the match-ending service: excluded, audited, Priya told, Sam not asked.
    match.refresh_from_db()
    assert match.status == Match.Status.CLOSED
    assert PairExclusion.objects.filter(mentor=w.mentor, mentee=w.mentee).exists()
    closed = AuditEvent.objects.get(action=AuditEvent.Action.MATCH_CLOSED)
    assert (closed.actor, closed.new_values["reason"]) == (w.coordinator, "role_ended")
    assert Notification.objects.filter(person=w.mentee, kind=Kind.MATCH_ENDED).exists()
    assert not Notification.objects.filter(person=w.mentor, kind=Kind.MATCH_ENDED).exists()
    # Priya can still open her side of the match and give her closing survey.
    sign_in(client, w.mentee)
    assert client.get(reverse("mentoring:match_ended", args=[match.pk])).status_code == 200


def test_it_withdraws_open_proposals_when_a_role_ends(world, client):
    w = world
    proposal = Proposal.objects.get(pk=_approved_proposal_id(w))
    matching.proposal_answer(proposal=proposal, person=w.mentee, accept=True)
    programmes_services.membership_end(membership=role_of(w.mentor), by=w.coordinator)

    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DECLINED
    assert proposal.decline_reason == "The expert by experience (mentor) no longer has this role."
    withdrawn = AuditEvent.objects.get(action=AuditEvent.Action.PROPOSAL_WITHDRAWN)
    assert withdrawn.actor == w.coordinator
    sign_in(client, w.mentor)
    assert client.get(reverse("matching:proposal_answer", args=[proposal.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        matching.proposal_answer(proposal=proposal, person=w.mentor, accept=True)
    assert not Match.objects.exists()


def test_it_withdraws_proposals_waiting_for_review_when_a_role_ends(world):
    w = world
    proposal = Proposal.objects.get(pk=_proposal_id(w))
    programmes_services.membership_end(membership=role_of(w.mentee, Role.MENTEE), by=w.coordinator)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DECLINED
    assert not matching.proposal_approve(proposal=proposal, by=w.coordinator)


def test_it_refuses_an_answer_from_someone_whose_role_has_ended(world):
    """However the role ended (even by a path that forgot the proposals), the service asks."""
    w = world
    proposal = Proposal.objects.get(pk=_approved_proposal_id(w))
    Membership.objects.filter(person=w.mentor).update(ended_at=timezone.now())
    matching.proposal_answer(proposal=proposal, person=w.mentee, accept=True)
    with pytest.raises(PermissionDenied):
        matching.proposal_answer(proposal=proposal, person=w.mentor, accept=True)
    assert not Match.objects.exists()


def test_it_refuses_every_match_service_once_the_role_has_ended(world):
    w = world
    match = _match(w)
    session = a_session(match, w.mentee)
    Membership.objects.filter(person=w.mentor).update(ended_at=timezone.now())
    match.refresh_from_db()
    assert match.is_live  # a role ended behind the services' back: the services still ask
    refusals = [
        lambda: a_session(match, w.mentor),
        lambda: mentoring.session_confirm(session=session, by=w.mentor),
        lambda: mentoring.session_dispute(session=session, by=w.mentor, reason="Wrong day"),
        lambda: mentoring.session_plan(
            match=match,
            by=w.mentor,
            starts_at=timezone.now() + timedelta(days=1),
            duration_minutes=60,
            meeting_mode="online",
        ),
        lambda: mentoring.concern_raise(
            match=match, by=w.mentor, kind="wellbeing", what_happened="Worried"
        ),
        lambda: matching.match_pause(match=match, by=w.mentor),
        lambda: matching.match_close(
            match=match, by=w.mentor, rating=3, recommend="yes", reason="personal"
        ),
    ]
    for refusal in refusals:
        with pytest.raises(PermissionDenied):
            refusal()
    goal = Goal.objects.create(mentee=w.mentee, title="Listen first")
    with pytest.raises(ValidationError):
        journal.goal_note_add(goal=goal, author=w.mentor, text="Good progress")
    assert not goal.notes.exists()


def test_it_ends_the_match_when_a_mentees_role_ends_and_tells_the_mentor(world):
    w = world
    match = _match(w)
    programmes_services.membership_end(
        membership=role_of(w.mentee, Role.MENTEE), by=w.administrator
    )
    match.refresh_from_db()
    assert match.status == Match.Status.CLOSED
    assert Notification.objects.filter(person=w.mentor, kind=Kind.MATCH_ENDED).exists()
    assert not Notification.objects.filter(person=w.mentee, kind=Kind.MATCH_ENDED).exists()


def test_it_leaves_matches_in_other_roles_and_programmes_alone(world):
    w = world
    match = _match(w)
    programmes_services.membership_add(
        programme=w.other_programme, person=w.mentor, role=Role.MENTOR, by=w.other_coordinator
    )
    mo = UserFactory(display_name="Mo")
    programmes_services.membership_add(
        programme=w.other_programme, person=mo, role=Role.MENTEE, by=w.other_coordinator
    )
    elsewhere = live_match(w.other_programme, w.mentor, mo)
    programmes_services.membership_end(
        membership=Membership.objects.current().get(person=w.mentor, programme=w.other_programme),
        by=w.other_coordinator,
    )
    match.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (match.status, elsewhere.status) == (Match.Status.ACTIVE, Match.Status.CLOSED)


def test_it_keeps_pay_pages_for_a_mentor_whose_role_ended(world, client):
    w = world
    run = _run(w)
    expense_id = _expense_id(w)
    programmes_services.membership_end(membership=role_of(w.mentor), by=w.coordinator)
    sign_in(client, w.mentor)
    assert client.get(reverse("payments:pay")).status_code == 200
    assert client.get(reverse("payments:pay_run_statement", args=[run.pk])).status_code == 200
    assert client.get(reverse("payments:expense_detail", args=[expense_id])).status_code == 200
    assert client.get(reverse("payments:expense_receipt", args=[expense_id])).status_code == 200
    # New claims need a current role.
    response = client.get(reverse("payments:expense_new"), follow=True)
    assert "You can claim expenses while you are an expert by experience in a programme." in (
        response.content.decode()
    )


def test_it_takes_concerns_about_an_ended_match_only_from_people_who_hold_their_role(world, client):
    w = world
    match = _match(w)
    earlier = mentoring.concern_raise(
        match=match, by=w.mentor, kind="wellbeing", what_happened="Priya seemed low."
    )
    programmes_services.membership_end(membership=role_of(w.mentor), by=w.coordinator)

    # Priya still holds her role: a worry about the match does not wait, even once it ended.
    sign_in(client, w.mentee)
    assert client.get(reverse("mentoring:concern_new", args=[match.pk])).status_code == 200
    client.post(
        reverse("mentoring:concern_new", args=[match.pk]),
        {"kind": "wellbeing", "what_happened": "I am worried about how it ended."},
    )
    assert Concern.objects.filter(raised_by=w.mentee).exists()

    # Sam's role ended: the match is closed to him, but the concern he raised stays his.
    sign_in(client, w.mentor)
    assert client.get(reverse("mentoring:concern_new", args=[match.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        mentoring.concern_raise(
            match=match, by=w.mentor, kind="wellbeing", what_happened="Another worry"
        )
    assert (
        client.get(reverse("mentoring:concern_detail", args=[match.pk, earlier.pk])).status_code
        == 200
    )


def test_it_ends_a_deleted_persons_matches_through_the_match_ending_service(world):
    w = world
    match = _match(w)
    account_delete(user=w.mentor)
    match.refresh_from_db()
    assert match.status == Match.Status.CLOSED
    closed = AuditEvent.objects.get(action=AuditEvent.Action.MATCH_CLOSED)
    assert closed.new_values["reason"] == "account_deleted"
    assert PairExclusion.objects.filter(mentor=w.mentor, mentee=w.mentee).exists()
    assert Notification.objects.filter(person=w.mentee, kind=Kind.MATCH_ENDED).exists()


def test_it_withdraws_a_deleted_persons_proposals_with_an_audit_row(world):
    w = world
    proposal = Proposal.objects.get(pk=_approved_proposal_id(w))
    account_delete(user=w.mentee)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DECLINED
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PROPOSAL_WITHDRAWN).count() == 1


def test_it_asks_for_the_closing_survey_except_when_a_role_ended(world):
    w = world
    match = _match(w)
    with pytest.raises(ValidationError):
        matching.match_close(match=match, by=w.mentor)
    match.refresh_from_db()
    assert match.is_live
    with pytest.raises(PermissionDenied):
        # Sam still holds his role, so his match cannot be ended as if it had gone.
        matching.match_close(match=match, by=w.coordinator, leaving=w.mentor, why="role_ended")


# A shared journal entry (finding 12)


def _shared_entry(w, **fields) -> JournalEntry:
    entry = journal.journal_entry_create(
        mentee=w.mentee,
        activity_date=timezone.localdate(),
        answers={"description": "Thinking about power in a family meeting."},
        **fields,
    )
    assert journal.journal_entry_share(entry=entry, by=w.mentee)
    return entry


def test_it_never_shows_a_shared_entry_to_a_later_mentor(world, client):
    w = world
    sams = _match(w)
    entry = _shared_entry(w)
    matching.match_close(match=sams, by=w.mentee, rating=4, recommend="yes", reason="goals_reached")
    kai = w.other_mentor
    programmes_services.membership_add(programme=w.programme, person=kai, role=Role.MENTOR, by=None)
    live_match(w.programme, kai, w.mentee)

    sign_in(client, kai)
    assert client.get(reverse("journal:journal_shared_detail", args=[entry.pk])).status_code == 404
    listing = client.get(reverse("journal:journal_shared_with_me")).content.decode()
    assert reverse("journal:journal_shared_detail", args=[entry.pk]) not in listing
    assert not JournalEntry.objects.shared_with(kai).exists()
    sign_in(client, w.mentee)
    page = client.get(reverse("journal:journal_detail", args=[entry.pk])).content.decode()
    assert "Kai can read it" not in page

    # Shared again now, it is Kai's to read.
    journal.journal_entry_unshare(entry=entry, by=w.mentee)
    journal.journal_entry_share(entry=entry, by=w.mentee)
    assert list(JournalEntry.objects.shared_with(kai)) == [entry]
    assert not JournalEntry.objects.shared_with(w.mentor).exists()


def test_it_hides_shared_entries_from_a_mentor_whose_role_ended(world, client):
    w = world
    match = _match(w)
    free = _shared_entry(w)
    about_session = _shared_entry(w, session=a_session(match, w.mentee))
    assert set(JournalEntry.objects.shared_with(w.mentor)) == {free, about_session}
    programmes_services.membership_add(
        programme=w.other_programme, person=w.mentor, role=Role.MENTOR, by=None
    )
    programmes_services.membership_end(
        membership=role_of_in(w.mentor, w.programme), by=w.coordinator
    )
    assert not JournalEntry.objects.shared_with(w.mentor).exists()
    sign_in(client, w.mentor)
    assert client.get(reverse("journal:journal_shared_detail", args=[free.pk])).status_code == 404


def role_of_in(person, programme, role=Role.MENTOR) -> Membership:
    return Membership.objects.current().get(person=person, programme=programme, role=role)
