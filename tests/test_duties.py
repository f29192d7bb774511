"""Separation of duties: nobody approves, pays or handles a concern about anything they take
part in. Staff may also be a mentor or mentee in a programme they run; what they take part in
goes to another coordinator of the programme or an administrator of its organisation, and the
pages say so. Only an administrator ends a coordinator's role."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import AuditEvent
from core.choices import Role
from matching import services as matching
from matching.models import Match, Proposal
from mentoring import services as mentoring
from mentoring.models import Concern, Session
from payments import services as payments
from payments.models import Expense, LedgerLine, PaymentRun, RunPayee
from payments.receipts import receipt_check
from programmes import services as programmes_services
from programmes.models import Application, Invitation, Membership
from tests.factories import (
    MembershipFactory,
    UserFactory,
    complete_mentor_profile,
    give_two_factor,
    live_match,
    receipt_upload,
    sign_in,
)
from tests.payments_support import paid_by_bank
from tests.test_permissions import _match, _rate_card

SESSION_IS_YOURS = "This session is yours, so another coordinator or an administrator approves it."
CLAIM_IS_YOURS = "This claim is yours, so another coordinator or an administrator decides it."
ONLY_ADMINISTRATORS = escape("Only an administrator of Test Council can end a coordinator's role.")
MATCH_IS_YOURS = (
    "This match is yours, so another coordinator or an administrator pauses or ends it."
)


def jo_mentors_priya(w) -> Match:
    """Coordinator Jo is also a mentor in North Star (admitted by the administrator) and
    mentors Priya there."""
    programmes_services.membership_add(
        programme=w.programme, person=w.coordinator, role=Role.MENTOR, by=w.administrator
    )
    complete_mentor_profile(w.coordinator)
    return live_match(w.programme, w.coordinator, w.mentee)


def confirmed(match, by, other) -> Session:
    session = mentoring.session_log(
        match=match,
        by=by,
        starts_at=timezone.now() - timedelta(days=2),
        duration_minutes=60,
        meeting_mode="online",
    )
    assert mentoring.session_confirm(session=session, by=other)
    return session


def big_claim(w, mentor) -> Expense:
    upload = receipt_upload()
    return payments.expense_claim(
        mentor=mentor,
        programme=w.programme,
        kind="other",
        spent_on=timezone.localdate() - timedelta(days=1),
        description="Equipment",
        amount=Decimal("9999.00"),
        receipt=upload,
        receipt_type=receipt_check(upload),
    )


def second_coordinator(w):
    lee = give_two_factor(UserFactory(display_name="Lee", email="lee@example.test"))
    MembershipFactory(programme=w.programme, person=lee, role=Role.COORDINATOR)
    return lee


# The reproductions from the issue


def test_it_stops_a_coordinator_inviting_approving_and_paying_themself(world, client):
    w = world
    _rate_card(w)
    sign_in(client, w.coordinator)
    client.post(
        reverse("programmes:coordinator_invitations", args=["north"]),
        {"role": "mentor", "email": "", "note": "Me"},
    )
    invitation = Invitation.objects.get(created_by=w.coordinator)
    page = client.post(
        reverse("programmes:invitation_accept", args=[invitation.token])
    ).content.decode()
    assert not Membership.objects.current().filter(person=w.coordinator, role="mentor").exists()
    assert "You made this invitation yourself, so you cannot use it." in page

    # Even once someone else admits Jo as a mentor, Jo cannot approve or pay Jo's own claim.
    programmes_services.membership_add(
        programme=w.programme, person=w.coordinator, role=Role.MENTOR, by=w.administrator
    )
    paid_by_bank(w.coordinator)
    expense = big_claim(w, w.coordinator)
    response = client.post(
        reverse("payments:coordinator_expense_approve", args=["north", expense.pk]), follow=True
    )
    expense.refresh_from_db()
    assert expense.status == Expense.Status.CLAIMED
    assert CLAIM_IS_YOURS in response.content.decode()
    assert not LedgerLine.objects.filter(mentor=w.coordinator).exists()

    # The administrator approves it; Jo's run leaves Jo's own pay for someone else's run.
    assert payments.expense_approve(expense=expense, by=w.administrator)
    response = client.post(reverse("payments:coordinator_run_new", args=["north"]), follow=True)
    assert not RunPayee.objects.filter(mentor=w.coordinator).exists()
    assert "Your own pay is never in a run you make" in response.content.decode()

    # The administrator's run pays Jo; Jo cannot mark it paid.
    run = payments.run_create(programme=w.programme, by=w.administrator)
    assert run.payees.filter(mentor=w.coordinator).exists()
    response = client.post(
        reverse("payments:coordinator_run", args=["north", run.pk]),
        {"paid_on": timezone.localdate().isoformat()},
        follow=True,
    )
    run.refresh_from_db()
    assert run.status == PaymentRun.Status.READY
    assert (
        "You are paid in this run, so another coordinator or an administrator records what "
        "was paid." in response.content.decode()
    )


def test_it_refuses_a_coordinator_approving_their_own_session(world, client):
    w = world
    session = confirmed(jo_mentors_priya(w), w.coordinator, w.mentee)
    sign_in(client, w.coordinator)
    approve = reverse("mentoring:coordinator_session_approve", args=["north", session.pk])

    queue = client.get(reverse("mentoring:coordinator_sessions", args=["north"])).content.decode()
    assert SESSION_IS_YOURS in queue
    assert approve not in queue
    assert f'value="{session.pk}"' not in queue

    response = client.post(approve, follow=True)
    assert SESSION_IS_YOURS in response.content.decode()
    client.post(
        reverse("mentoring:coordinator_sessions", args=["north"]), {"session": [session.pk]}
    )
    session.refresh_from_db()
    assert session.status == Session.Status.CONFIRMED

    with pytest.raises(PermissionDenied):
        mentoring.session_approve(session=session, by=w.coordinator)
    with pytest.raises(PermissionDenied):
        mentoring.sessions_approve(sessions=[session], by=w.coordinator)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SESSION_APPROVED).exists()
    # The mentee's side counts too: a coordinator who is the mentee cannot approve either.
    assert mentoring.session_approve(session=session, by=w.administrator)


def test_it_keeps_a_concern_about_a_coordinators_own_match_from_them(
    world, client, django_capture_on_commit_callbacks
):
    w = world
    match = jo_mentors_priya(w)
    with django_capture_on_commit_callbacks(execute=True):
        concern = mentoring.concern_raise(
            match=match, by=w.mentee, kind="safeguarding", what_happened="Jo shouted at me."
        )
    # Jo runs North Star alone, so the organisation's administrator is told instead.
    assert [message.to for message in mail.outbox] == [[w.administrator.email]]

    sign_in(client, w.coordinator)
    queue = client.get(reverse("mentoring:coordinator_concerns", args=["north"])).content.decode()
    detail = reverse("mentoring:coordinator_concern_detail", args=["north", concern.pk])
    assert detail not in queue
    assert client.get(detail).status_code == 404
    assert client.post(detail, {"note": "Nothing", "new_status": "closed"}).status_code == 404
    assert "Concerns to look at: 0" in client.get(reverse("portal:dashboard")).content.decode()
    with pytest.raises(PermissionDenied):
        mentoring.concern_record_action(
            concern=concern, by=w.coordinator, note="Nothing happened", new_status="closed"
        )
    concern.refresh_from_db()
    assert concern.status == Concern.Status.NEW
    assert not AuditEvent.objects.filter(
        action=AuditEvent.Action.CONCERN_VIEWED, actor=w.coordinator
    ).exists()

    sign_in(client, w.administrator)
    assert client.get(detail).status_code == 200


# Each rule on its own


def test_it_tells_people_a_concern_never_reaches_a_coordinator_in_the_match(world, client):
    w = world
    match = jo_mentors_priya(w)
    sign_in(client, w.mentee)
    form = client.get(reverse("mentoring:concern_new", args=[match.pk])).content.decode()
    assert (
        "Jo also runs North Star, so a concern about this match goes to another coordinator "
        "or an administrator, never to Jo." in form
    )
    sign_in(client, w.coordinator)
    form = client.get(reverse("mentoring:concern_new", args=[match.pk])).content.decode()
    assert (
        "You also run North Star, so your concern goes to another coordinator or an "
        "administrator." in form
    )
    sign_in(client, w.mentor)
    sams = client.get(reverse("mentoring:concern_new", args=[_match(w).pk])).content.decode()
    assert "also runs" not in sams and "You also run" not in sams


def test_it_tells_other_coordinators_about_a_concern_and_not_the_one_it_is_about(
    world, django_capture_on_commit_callbacks
):
    w = world
    lee = second_coordinator(w)
    match = jo_mentors_priya(w)
    with django_capture_on_commit_callbacks(execute=True):
        mentoring.concern_raise(
            match=match, by=w.mentee, kind="wellbeing", what_happened="I feel unheard."
        )
    assert [message.to for message in mail.outbox] == [[lee.email]]
    assert Concern.objects.not_involving(w.coordinator).count() == 0
    assert Concern.objects.not_involving(lee).count() == 1


def test_it_lets_a_coordinator_handle_concerns_about_other_matches(world, client):
    w = world
    sams = _match(w)
    jo_mentors_priya(w)
    concern = mentoring.concern_raise(
        match=sams, by=w.mentor, kind="wellbeing", what_happened="Priya seemed low."
    )
    sign_in(client, w.coordinator)
    detail = reverse("mentoring:coordinator_concern_detail", args=["north", concern.pk])
    assert (
        detail
        in client.get(reverse("mentoring:coordinator_concerns", args=["north"])).content.decode()
    )
    assert client.get(detail).status_code == 200
    assert "Concerns to look at: 1" in client.get(reverse("portal:dashboard")).content.decode()


def test_it_approves_everyone_elses_sessions_in_bulk_and_leaves_your_own(world, client):
    w = world
    sams = _match(w)
    own = confirmed(jo_mentors_priya(w), w.coordinator, w.mentee)
    theirs = confirmed(sams, w.mentor, w.mentee)
    sign_in(client, w.coordinator)
    response = client.post(
        reverse("mentoring:coordinator_sessions", args=["north"]),
        {"session": [own.pk, theirs.pk]},
        follow=True,
    )
    assert "You approved 1 session." in response.content.decode()
    own.refresh_from_db()
    theirs.refresh_from_db()
    assert (own.status, theirs.status) == ("confirmed", "approved")


def test_it_never_reminds_a_coordinator_to_approve_their_own_sessions(world):
    from notifications.models import Kind, Notification
    from notifications.services import reminders_scan

    w = world
    sams = _match(w)
    lee = second_coordinator(w)
    confirmed(jo_mentors_priya(w), w.coordinator, w.mentee)
    reminders_scan(email=False)
    approvals = Notification.objects.filter(kind=Kind.APPROVALS)
    assert list(approvals.values_list("person__display_name", flat=True)) == ["Lee"]
    # With Sam's session waiting too, Jo is told of that one only.
    confirmed(sams, w.mentor, w.mentee)
    reminders_scan(now=timezone.now() + timedelta(days=1), email=False)
    jo = approvals.get(person=w.coordinator)
    assert "1 session in North Star has been confirmed" in jo.body
    assert "2 sessions" in approvals.filter(person=lee).latest("created_at").body


def test_it_says_who_must_act_when_nobody_else_runs_the_programme(world, client):
    w = world
    w.administrator.administrator_of.all().delete()
    session = confirmed(jo_mentors_priya(w), w.coordinator, w.mentee)
    sign_in(client, w.coordinator)
    queue = client.get(reverse("mentoring:coordinator_sessions", args=["north"])).content.decode()
    assert "Nobody else runs North Star yet" in queue
    assert "Ask Test Council to make someone else a coordinator of North Star" in queue
    assert reverse("mentoring:coordinator_session_approve", args=["north", session.pk]) not in queue


def test_it_refuses_a_claimant_deciding_their_own_claim(world, client):
    w = world
    _rate_card(w)
    jo_mentors_priya(w)
    expense = big_claim(w, w.coordinator)
    with pytest.raises(PermissionDenied):
        payments.expense_approve(expense=expense, by=w.coordinator)
    with pytest.raises(PermissionDenied):
        payments.expense_reject(expense=expense, by=w.coordinator, reason="Too much")
    expense.refresh_from_db()
    assert expense.status == Expense.Status.CLAIMED

    sign_in(client, w.coordinator)
    pay = client.get(reverse("payments:coordinator_pay", args=["north"])).content.decode()
    assert CLAIM_IS_YOURS in pay
    page = client.get(
        reverse("payments:coordinator_expense", args=["north", expense.pk])
    ).content.decode()
    assert CLAIM_IS_YOURS in page
    assert reverse("payments:coordinator_expense_approve", args=["north", expense.pk]) not in page
    response = client.post(
        reverse("payments:coordinator_expense", args=["north", expense.pk]),
        {"reason": "Too much"},
        follow=True,
    )
    assert CLAIM_IS_YOURS in response.content.decode()
    expense.refresh_from_db()
    assert expense.status == Expense.Status.CLAIMED


def test_it_tells_a_coordinator_who_mentors_who_pays_them(world, client):
    w = world
    jo_mentors_priya(w)
    sign_in(client, w.coordinator)
    page = client.get(reverse("payments:pay")).content.decode()
    assert (
        "You also run North Star, so another coordinator or an administrator approves your "
        "sessions and claims there, and makes the pay day that pays you." in page
    )
    sign_in(client, w.mentor)
    assert "You also run" not in client.get(reverse("payments:pay")).content.decode()


def test_it_never_pays_the_maker_of_a_run(world):
    w = world
    _rate_card(w)
    sams = _match(w)
    jo_mentors_priya(w)
    paid_by_bank(w.coordinator)
    expense = big_claim(w, w.coordinator)
    payments.expense_approve(expense=expense, by=w.administrator)
    # Only Jo's own pay is waiting: Jo's run has nothing to collect.
    with pytest.raises(ValidationError) as refused:
        payments.run_create(programme=w.programme, by=w.coordinator)
    assert "Your own pay is never in a run you make" in " ".join(refused.value.messages)

    # With Sam's pay waiting too, Jo's run pays Sam and leaves Jo's lines waiting.
    assert mentoring.session_approve(session=confirmed(sams, w.mentor, w.mentee), by=w.coordinator)
    paid_by_bank(w.mentor)
    run = payments.run_create(programme=w.programme, by=w.coordinator)
    assert set(run.payees.values_list("mentor", flat=True)) == {w.mentor.pk}
    assert LedgerLine.objects.filter(mentor=w.coordinator).unpaid().count() == 1


def test_it_refuses_a_payee_marking_their_run_paid_or_failed(world, client):
    w = world
    _rate_card(w)
    jo_mentors_priya(w)
    paid_by_bank(w.coordinator)
    payments.expense_approve(expense=big_claim(w, w.coordinator), by=w.administrator)
    run = payments.run_create(programme=w.programme, by=w.administrator)
    payee = run.payees.get(mentor=w.coordinator)
    with pytest.raises(PermissionDenied):
        payments.run_mark_paid(run=run, by=w.coordinator, paid_on=timezone.localdate())
    with pytest.raises(PermissionDenied):
        payments.run_payee_fail(payee=payee, by=w.coordinator, reason="Account closed")

    sign_in(client, w.coordinator)
    page = client.get(reverse("payments:coordinator_run", args=["north", run.pk])).content.decode()
    assert "You are paid in this run" in page
    assert "Mark the run as paid</button>" not in page
    fail = reverse("payments:coordinator_payee_fail", args=["north", payee.pk])
    assert fail not in page
    response = client.post(fail, {"reason": "Account closed"}, follow=True)
    assert "You are paid in this run" in response.content.decode()
    payee.refresh_from_db()
    assert payee.status == RunPayee.Status.READY

    assert payments.run_mark_paid(run=run, by=w.administrator, paid_on=timezone.localdate())


def test_it_lets_a_coordinator_who_mentors_set_the_rates(world):
    """A rate card is for everyone in the programme, not one person's pay: no conflict."""
    w = world
    jo_mentors_priya(w)
    assert _rate_card(w).pk
    from tests.payments_support import rate_card

    assert rate_card(w, effective_from=timezone.localdate() + timedelta(days=1)).pk


def test_it_refuses_a_coordinator_deciding_their_own_application(world, client):
    w = world
    application = Application.objects.create(
        programme=w.programme, person=w.coordinator, role=Role.MENTOR
    )
    with pytest.raises(PermissionDenied):
        programmes_services.application_admit(application=application, by=w.coordinator)
    with pytest.raises(PermissionDenied):
        programmes_services.application_decline(application=application, by=w.coordinator)

    sign_in(client, w.coordinator)
    url = reverse("programmes:coordinator_application_detail", args=["north", application.pk])
    page = client.get(url).content.decode()
    assert (
        "This application is yours, so another coordinator or an administrator decides it." in page
    )
    response = client.post(url, {"decision": "admit"}, follow=True)
    assert "This application is yours" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING
    assert not Membership.objects.filter(person=w.coordinator, role=Role.MENTOR).exists()

    programmes_services.application_admit(application=application, by=w.administrator)
    assert Membership.objects.current().filter(person=w.coordinator, role=Role.MENTOR).exists()


def test_it_refuses_an_invitation_to_the_person_who_made_it(world, client):
    w = world
    invitation = programmes_services.invitation_create(
        programme=w.programme, role=Role.MENTEE, by=w.administrator
    )
    with pytest.raises(PermissionDenied):
        programmes_services.invitation_accept(invitation=invitation, person=w.administrator)
    sign_in(client, w.administrator)
    page = client.get(
        reverse("programmes:invitation_accept", args=[invitation.token])
    ).content.decode()
    assert "You made this invitation yourself, so you cannot use it." in page
    assert "Ask another coordinator or an administrator to invite you." in page
    # Someone else's invitation works as ever.
    programmes_services.invitation_accept(invitation=invitation, person=w.coordinator)
    assert Membership.objects.current().filter(person=w.coordinator, role=Role.MENTEE).exists()


def _proposal_with(w, mentor, mentee) -> Proposal:
    from matching.models import MatchingRound

    matching_round = MatchingRound.objects.create(
        programme=w.programme, status=MatchingRound.Status.FINISHED
    )
    return Proposal.objects.create(round=matching_round, mentor=mentor, mentee=mentee, score=1)


def test_it_leaves_proposals_of_a_coordinators_own_to_someone_else(world, client):
    w = world
    programmes_services.membership_add(
        programme=w.programme, person=w.coordinator, role=Role.MENTOR, by=w.administrator
    )
    proposal = _proposal_with(w, w.coordinator, w.mentee)
    with pytest.raises(PermissionDenied):
        matching.proposal_approve(proposal=proposal, by=w.coordinator)
    with pytest.raises(PermissionDenied):
        matching.proposal_reject(proposal=proposal, by=w.coordinator, reason="No")
    with pytest.raises(PermissionDenied):
        matching.proposal_swap(proposal=proposal, mentor_id=w.mentor.pk, by=w.coordinator)

    sign_in(client, w.coordinator)
    round_page = client.get(
        reverse("matching:coordinator_round_detail", args=["north", proposal.round_id])
    ).content.decode()
    assert (
        "This proposal is yours, so another coordinator or an administrator reviews it."
        in round_page
    )
    assert (
        reverse("matching:coordinator_proposal_approve", args=["north", proposal.pk])
        not in round_page
    )
    client.post(
        reverse("matching:coordinator_round_approve", args=["north", proposal.round_id]),
        {"proposal": [proposal.pk]},
    )
    response = client.post(
        reverse("matching:coordinator_proposal_approve", args=["north", proposal.pk]), follow=True
    )
    assert "This proposal is yours" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PROPOSED
    assert matching.proposal_approve(proposal=proposal, by=w.administrator)


def test_it_refuses_a_coordinator_swapping_themself_in_as_the_mentor(world, monkeypatch):
    w = world
    proposal = _proposal_with(w, w.mentor, w.mentee)
    me = {"mentor_id": w.coordinator.pk, "name": "Jo", "score": 9.0, "reasons": []}
    monkeypatch.setattr(matching, "swap_candidates", lambda **kwargs: [me])
    with pytest.raises(PermissionDenied):
        matching.proposal_swap(proposal=proposal, mentor_id=w.coordinator.pk, by=w.coordinator)
    assert not Proposal.objects.filter(mentor=w.coordinator).exists()


def test_it_leaves_a_coordinators_own_match_to_someone_else(world, client):
    w = world
    match = jo_mentors_priya(w)
    sign_in(client, w.coordinator)
    matches = client.get(reverse("mentoring:coordinator_matches", args=["north"])).content.decode()
    assert MATCH_IS_YOURS in matches
    assert reverse("mentoring:coordinator_match_end", args=["north", match.pk]) not in matches
    for name in ("mentoring:coordinator_match_pause", "mentoring:coordinator_match_end"):
        response = client.get(reverse(name, args=["north", match.pk]), follow=True)
        assert MATCH_IS_YOURS in response.content.decode()
    match.refresh_from_db()
    assert match.status == Match.Status.ACTIVE
    # A coordinator's own powers (a reason only coordinators see) are not for their own match.
    with pytest.raises(PermissionDenied):
        matching.match_pause(match=match, by=w.coordinator, reason="Taking a break")
    # As its mentor, Jo may still pause it the way any mentor can.
    assert matching.match_pause(match=match, by=w.coordinator)


def test_it_hides_what_people_said_about_a_coordinators_own_match(world, client):
    w = world
    match = jo_mentors_priya(w)
    matching.match_pause(match=match, by=w.administrator, reason="Priya asked for a break")
    sign_in(client, w.coordinator)
    paused = client.get(reverse("mentoring:coordinator_matches", args=["north"]) + "?show=paused")
    assert "Priya asked for a break" not in paused.content.decode()
    matching.match_close(
        match=match,
        by=w.mentee,
        rating=1,
        recommend="no",
        reason="not_a_good_fit",
        comments="Jo talked over me",
    )
    ended = client.get(reverse("mentoring:coordinator_matches", args=["north"]) + "?show=closed")
    assert "Jo talked over me" not in ended.content.decode()
    assert "Not shown: this match is yours" in ended.content.decode()
    sign_in(client, w.administrator)
    ended = client.get(reverse("mentoring:coordinator_matches", args=["north"]) + "?show=closed")
    assert "Jo talked over me" in ended.content.decode()


def test_it_refuses_a_coordinator_who_is_the_mentee_restarting_their_match(world):
    w = world
    programmes_services.membership_add(
        programme=w.programme, person=w.coordinator, role=Role.MENTEE, by=w.administrator
    )
    match = live_match(w.programme, w.mentor, w.coordinator)
    assert matching.match_pause(match=match, by=w.mentor)
    with pytest.raises(PermissionDenied):
        matching.match_resume(match=match, by=w.coordinator)
    assert matching.match_resume(match=match, by=w.administrator)


# Ending a coordinator's role (finding 12)


def test_it_lets_only_an_administrator_end_a_coordinators_role(world, client):
    w = world
    lee = second_coordinator(w)
    lee_role = Membership.objects.get(person=lee, role=Role.COORDINATOR)
    jo_role = Membership.objects.get(person=w.coordinator, role=Role.COORDINATOR)
    sign_in(client, w.coordinator)
    page = client.get(
        reverse("programmes:coordinator_member_detail", args=["north", lee.pk])
    ).content.decode()
    assert reverse("programmes:coordinator_membership_end", args=["north", lee_role.pk]) not in page
    assert ONLY_ADMINISTRATORS in page
    for role in (lee_role, jo_role):
        response = client.post(
            reverse("programmes:coordinator_membership_end", args=["north", role.pk]), follow=True
        )
        assert ONLY_ADMINISTRATORS in response.content.decode()
        role.refresh_from_db()
        assert role.ended_at is None
    with pytest.raises(PermissionDenied):
        programmes_services.membership_end(membership=lee_role, by=w.coordinator)

    sign_in(client, w.administrator)
    client.post(reverse("programmes:coordinator_membership_end", args=["north", lee_role.pk]))
    lee_role.refresh_from_db()
    assert lee_role.ended_at is not None


def test_it_lets_a_coordinator_end_mentor_and_mentee_roles(world, client):
    w = world
    sign_in(client, w.coordinator)
    role = Membership.objects.get(person=w.mentee, role=Role.MENTEE)
    client.post(reverse("programmes:coordinator_membership_end", args=["north", role.pk]))
    role.refresh_from_db()
    assert role.ended_at is not None


def test_it_refuses_ending_a_role_in_someone_elses_programme(world):
    w = world
    role = Membership.objects.get(person=w.mentor, role=Role.MENTOR)
    with pytest.raises(PermissionDenied):
        programmes_services.membership_end(membership=role, by=w.other_coordinator)
    role.refresh_from_db()
    assert role.ended_at is None


def test_it_refuses_a_payee_taking_payments_out_of_their_own_run(world, client):
    """Taking a payment out of a run decides who is paid in it: not for anyone paid there."""
    w = world
    _rate_card(w)
    jo_mentors_priya(w)
    paid_by_bank(w.coordinator)
    payments.expense_approve(expense=big_claim(w, w.coordinator), by=w.administrator)
    run = payments.run_create(programme=w.programme, by=w.administrator)
    payee = run.payees.get(mentor=w.coordinator)
    with pytest.raises(PermissionDenied):
        payments.run_payee_remove(payee=payee, by=w.coordinator, reason="Pay me later")

    sign_in(client, w.coordinator)
    remove = reverse("payments:coordinator_payee_remove", args=["north", payee.pk])
    assert (
        remove
        not in client.get(
            reverse("payments:coordinator_run", args=["north", run.pk])
        ).content.decode()
    )
    response = client.post(remove, {"reason": "Pay me later"}, follow=True)
    assert "You are paid in this run" in response.content.decode()
    payee.refresh_from_db()
    assert payee.status == RunPayee.Status.READY


def test_it_never_lets_a_concern_reach_nobody(world, client, django_capture_on_commit_callbacks):
    """Jo is the only coordinator of North Star and mentors Priya; the organisation has no
    administrator. A concern about Jo's match must still reach someone who can act: the
    people who run Alongside are asked to appoint someone, and the form says so first."""
    from programmes.models import Administrator
    from tests.factories import service_operator

    w = world
    match = jo_mentors_priya(w)
    Administrator.objects.all().delete()
    operator = service_operator()
    sign_in(client, w.mentee)
    form = client.get(reverse("mentoring:concern_new", args=[match.pk])).content.decode()
    assert "Nobody else runs North Star yet" in form
    assert "the people who run Alongside" in form

    with django_capture_on_commit_callbacks(execute=True):
        mentoring.concern_raise(
            match=match, by=w.mentee, kind="safeguarding", what_happened="Jo shouted at me."
        )
    assert [message.to for message in mail.outbox] == [[operator.email]]
    body = mail.outbox[0].body
    assert "nobody who runs North Star can read it" in body
    assert "Jo shouted" not in body and "Priya" not in body


def test_it_never_asks_a_coordinator_to_look_into_their_own_quiet_match(world):
    """Jo's match with Priya has had no session for months: Jo hears as its mentor, and the
    coordinators' reminders (and the 'you may end it' one) go to someone else."""
    from notifications.models import Kind, Notification
    from notifications.services import reminders_scan

    w = world
    jo_mentors_priya(w)
    lee = second_coordinator(w)
    reminders_scan(now=timezone.now() + timedelta(weeks=20), email=False)
    quiet = Notification.objects.filter(kind__in=[Kind.QUIET, Kind.QUIET_WARNING])
    jo = list(quiet.filter(person=w.coordinator).values_list("title", flat=True))
    assert jo == ["No session for 20 weeks: how are things?"]
    lees = set(quiet.filter(person=lee).values_list("kind", flat=True))
    assert lees == {Kind.QUIET, Kind.QUIET_WARNING}


def test_it_leaves_ending_the_role_of_the_person_a_coordinator_is_matched_with_to_others(
    world, client
):
    """Jo mentors Priya: ending Priya's role would end Jo's own match, so someone else
    decides it, as with everything else Jo takes part in."""
    w = world
    match = jo_mentors_priya(w)
    membership = Membership.objects.current().get(
        programme=w.programme, person=w.mentee, role=Role.MENTEE
    )
    with pytest.raises(PermissionDenied):
        programmes_services.membership_end(membership=membership, by=w.coordinator)

    sign_in(client, w.coordinator)
    page = client.get(reverse("programmes:coordinator_member_detail", args=["north", w.mentee.pk]))
    assert "Priya is in a match with you" in page.content.decode()
    end = reverse("programmes:coordinator_membership_end", args=["north", membership.pk])
    response = client.post(end, follow=True)
    assert "Priya is in a match with you" in response.content.decode()
    match.refresh_from_db()
    assert match.is_live
    assert Membership.objects.current().filter(pk=membership.pk).exists()

    programmes_services.membership_end(membership=membership, by=w.administrator)
    match.refresh_from_db()
    assert not match.is_live
