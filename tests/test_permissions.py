"""The permission matrix: every URL, every persona, the answer each must get.

Rows name a URL pattern; a meta-test walks the URL resolver and fails when any pattern of
ours has no row, so a new page cannot skip this table. Another programme's objects answer
404, as if they did not exist. 'login' means a redirect to the sign-in page.
"""

import copy
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.choices import Role
from programmes.models import Membership
from tests.conftest import PERSONAS
from tests.factories import ApplicationFactory, InvitationFactory, UserFactory

LOGIN = "login"
# Patterns that belong to allauth or the Django admin, which test their own permissions.
FOREIGN_NAMESPACES = {"admin"}
FOREIGN_MODULE_PREFIXES = ("allauth.", "django.contrib.admin")


@dataclass
class Row:
    expect: dict[str, int | str]
    kwargs: object = None  # callable(world) -> dict of URL kwargs
    method: str = "get"
    form: bool = False  # the page holds a form that the bad-input harness must cover
    data: dict = field(default_factory=dict)


@pytest.fixture
def world(world_kept_for_module, db):
    """The same world for every test here, made once for the module (tests/conftest.py);
    each test gets its own copy of the objects, and its changes to the rows are rolled back."""
    return copy.deepcopy(world_kept_for_module)


def everyone(code):
    return dict.fromkeys(PERSONAS, code)


def signed_in(code, **overrides):
    return {"anonymous": LOGIN, **dict.fromkeys(PERSONAS[1:], code), **overrides}


def staff(code_for_staff, **overrides):
    """Coordinator pages of programme 'north': its coordinator and the administrator only."""
    return {
        "anonymous": LOGIN,
        "mentor": 404,
        "mentee": 404,
        "coordinator": code_for_staff,
        "other_coordinator": 404,
        "administrator": code_for_staff,
        "panel": 404,
        **overrides,
    }


def north(**extra):
    return lambda w: {"slug": w.programme.slug, **{k: v(w) for k, v in extra.items()}}


def _pending_application(w):
    return ApplicationFactory(programme=w.programme, person=UserFactory()).pk


def _format_request_id(w):
    """Priya's request for large print, sent to North Star's coordinators."""
    from programmes.services import format_request_make

    (made,) = format_request_make(
        person=w.mentee, need="large_print", need_details="", about="My journal", contact=""
    )
    return made.pk


def _open_invitation(w):
    return InvitationFactory(programme=w.programme).pk


def _organisation_term(w):
    from programmes.models import OrganisationTerm

    return OrganisationTerm.objects.create(
        organisation=w.organisation, word="key worker", alternative="your worker", why="Plainer."
    ).pk


def _panel_proposal_id(w):
    """An open proposal of North Star's panel, made by Rene on first use."""
    from panel.models import Proposal
    from panel.services import proposal_make

    existing = Proposal.objects.filter(programme=w.programme).first()
    if existing:
        return existing.pk
    return proposal_make(
        programme=w.programme,
        by=w.panel,
        about="other",
        change="Meet in the evening as well as the day.",
        why="Some mentors work in the day.",
    ).pk


def _finished_round(w):
    """The programme's latest finished round, made on first use: rows may be built more
    than once in a test (the bad-input harness opens pages afresh)."""
    from matching import services
    from matching.models import MatchingRound

    existing = MatchingRound.objects.filter(programme=w.programme, status="finished").first()
    if existing:
        return existing
    matching_round = services.round_start(programme=w.programme, by=w.coordinator)
    services.round_run(round_id=matching_round.pk)
    return matching_round


def _round_id(w):
    return _finished_round(w).pk


def _proposal_id(w):
    return _finished_round(w).proposals.get().pk


def _approval_batch_id(w):
    """An approval of the round's waiting pairs, started by its coordinator, on first use."""
    from matching import services

    matching_round = _finished_round(w)
    existing = matching_round.approval_batches.first()
    if existing:
        return existing.pk
    batch = services.approval_batch_start(
        matching_round=matching_round,
        by=w.coordinator,
        scope="page",
        proposal_ids=list(matching_round.proposals.values_list("pk", flat=True)),
    )
    return batch.pk


def _approved_proposal_id(w):
    from matching import services

    proposal = _finished_round(w).proposals.get()
    services.proposal_approve(proposal=proposal, by=w.coordinator)
    return proposal.pk


def _match(w):
    """Sam and Priya's match, made through the matching services on first use."""
    from matching import services
    from matching.models import Match

    existing = Match.objects.filter(programme=w.programme).first()
    if existing:
        return existing
    proposal = _finished_round(w).proposals.get()
    services.proposal_approve(proposal=proposal, by=w.coordinator)
    for person in (w.mentor, w.mentee):
        services.proposal_answer(proposal=proposal, person=person, accept=True)
    return Match.objects.get(proposal=proposal)


def _session(w, *, by, confirm=False):
    from datetime import timedelta

    from django.utils import timezone

    from mentoring import services

    match = _match(w)
    session = services.session_log(
        match=match,
        by=getattr(w, by),
        starts_at=timezone.now() - timedelta(days=2),
        duration_minutes=60,
        meeting_mode="online",
    )
    if confirm:
        other = w.mentee if by == "mentor" else w.mentor
        services.session_confirm(session=session, by=other)
    return session.pk


def _match_id(w):
    return _match(w).pk


def _kind_words_id(w):
    """Priya's few words about Sam, for his record of contribution."""
    from mentoring.services import kind_words_write

    return kind_words_write(match=_match(w), by=w.mentee, words="Sam listened.").pk


def _plan_id(w):
    """A session Sam and Priya planned for next week."""
    from datetime import timedelta

    from django.utils import timezone

    from mentoring import services

    plan = services.session_plan(
        match=_match(w),
        by=w.mentee,
        starts_at=timezone.now() + timedelta(days=7),
        duration_minutes=60,
        meeting_mode="online",
    )
    return plan.pk


def _past_plan_id(w):
    """A session Sam and Priya planned for this morning, not logged yet."""
    from datetime import timedelta

    from django.utils import timezone

    from mentoring.models import PlannedSession

    plan = PlannedSession.objects.create(
        match=_match(w),
        planned_by=w.mentor,
        starts_at=timezone.now() - timedelta(hours=3),
        duration_minutes=60,
        meeting_mode="online",
    )
    return plan.pk


def _missed_plan_id(w):
    """A planned session Sam said Priya did not come to, waiting for a coordinator."""
    from mentoring import services
    from mentoring.models import PlannedSession

    existing = PlannedSession.objects.missed_to_confirm().filter(match__programme=w.programme)
    if existing.exists():
        return existing.first().pk
    plan = PlannedSession.objects.get(pk=_past_plan_id(w))
    services.plan_missed_report(plan=plan, by=w.mentor)
    return plan.pk


def _paused_match_id(w):
    from matching import services

    match = _match(w)
    services.match_pause(match=match, by=w.mentor)
    return match.pk


def _closed_match_id(w):
    """An earlier match of Sam and Priya, ended by Sam with his survey; Priya has not given
    hers yet. Kept apart from the live match, which other rows share in one world."""
    from datetime import timedelta

    from django.utils import timezone

    from matching.models import ClosingSurvey, Match, MatchingRound, Proposal

    existing = Match.objects.filter(programme=w.programme, status=Match.Status.CLOSED).first()
    if existing:
        return existing.pk
    _match(w)  # the live match first, so it stays the newest that _match() finds
    earlier = MatchingRound.objects.create(
        programme=w.programme, status=MatchingRound.Status.FINISHED
    )
    proposal = Proposal.objects.create(
        round=earlier, mentor=w.mentor, mentee=w.mentee, score=1, status="accepted"
    )
    match = Match.objects.create(
        programme=w.programme,
        proposal=proposal,
        mentor=w.mentor,
        mentee=w.mentee,
        status=Match.Status.CLOSED,
        ended_at=timezone.now() - timedelta(days=30),
    )
    Match.objects.filter(pk=match.pk).update(started_at=timezone.now() - timedelta(days=90))
    ClosingSurvey.objects.create(
        match=match, person=w.mentor, rating=4, recommend="yes", reason="goals_reached"
    )
    return match.pk


def _session_logged_by_mentee(w):
    # Logged by the mentee, so the mentor (the first persona to see it) has the form.
    return _session(w, by="mentee")


def _confirmed_session(w):
    return _session(w, by="mentor", confirm=True)


def _session_logged_by_mentor(w):
    # Logged by the mentor, who may then say how it was for them (a check-in).
    return _session(w, by="mentor")


def _talk_request(w):
    """Priya says she is finding her match with Sam hard: a request to talk."""
    from mentoring import support

    return support.talk_request_ask(programme=w.programme, by=w.mentee, match=_match(w)).pk


def _own_questions(w) -> dict:
    """One of North Star's own questions in each of its forms, made on first use. Adds no
    URL kwargs: a row's kwargs call it only for what it makes."""
    from mentoring.models import ProgrammeQuestion
    from mentoring.questions import programme_question_add

    for asks_in in ProgrammeQuestion.AsksIn.values:
        if not ProgrammeQuestion.objects.asked_of(w.programme, asks_in, Role.MENTEE).exists():
            programme_question_add(
                programme=w.programme,
                asks_in=asks_in,
                who=ProgrammeQuestion.Who.BOTH,
                text="My mentor explained things in a way I understood",
                by=w.coordinator,
            )
    return {}


def _own_question_id(w):
    from mentoring.models import ProgrammeQuestion

    _own_questions(w)
    return ProgrammeQuestion.objects.filter(programme=w.programme).first().pk


def _mentor_membership(w):
    return Membership.objects.get(programme=w.programme, person=w.mentor, role=Role.MENTOR).pk


def _waiting_mentor_membership(w):
    """A mentor of North Star whose induction nobody has recorded yet, made on first use."""
    from tests.factories import MembershipFactory

    existing = Membership.objects.filter(
        programme=w.programme, role=Role.MENTOR, inducted_on__isnull=True
    ).first()
    if existing:
        return existing.pk
    return MembershipFactory(
        programme=w.programme,
        person=UserFactory(display_name="Reece"),
        role=Role.MENTOR,
        inducted_on=None,
    ).pk


def _concern_by_mentor(w):
    """A concern Sam raised about his match: Priya, the other person, must not see it."""
    from mentoring import services

    concern = services.concern_raise(
        match=_match(w), by=w.mentor, kind="wellbeing", what_happened="Priya seemed very low."
    )
    return concern.pk


def _message_id(w):
    """A message Priya sent Sam, attached by nobody; and a concern Sam raised, so the attach
    page holds its form."""
    from mentoring import services
    from mentoring.models import Message

    match = _match(w)
    existing = Message.objects.filter(match=match).first()
    if existing:
        return existing.pk
    _concern_by_mentor(w)
    return services.message_send(match=match, by=w.mentee, text="See you on Tuesday.").pk


def _journal_entry_id(w):
    """A private journal entry Priya wrote about a session with Sam: only she may open it."""
    from django.utils import timezone

    from journal import services
    from mentoring.models import Session

    session = Session.objects.get(pk=_session(w, by="mentee"))
    entry = services.journal_entry_create(
        mentee=w.mentee,
        session=session,
        activity_date=timezone.localdate(),
        answers={"description": "We talked about a review meeting I chaired."},
    )
    return entry.pk


def _shared_journal_entry_id(w):
    """A free-standing entry Priya shared: Sam, her mentor in a live match, may read it."""
    from django.utils import timezone

    from journal import services

    _match(w)
    entry = services.journal_entry_create(
        mentee=w.mentee,
        activity_date=timezone.localdate(),
        answers={"description": "Thinking about power in a family meeting."},
    )
    services.journal_entry_share(entry=entry, by=w.mentee)
    return entry.pk


def _with_goal(w, kwargs=None):
    """Priya has a goal of her own, so pages about goals show a note form."""
    from journal.models import Goal

    Goal.objects.get_or_create(mentee=w.mentee, topic=None, title="Write notes a child can read")
    return kwargs or {}


def _notification_for_mentor(w):
    """A reminder of Sam's: nobody else may open it, not even his coordinator."""
    from notifications.services import notify

    notification, _ = notify(
        person=w.mentor, kind="cpd", event_key="test", title="Record your CPD", url="/dashboard/"
    )
    return notification.pk


# Payments: Sam is paid for an approved session, claims an expense with a receipt, and is
# in a payment run. Each helper finds what an earlier one made, so rows can share them.


def _rate_card(w):
    from datetime import date
    from decimal import Decimal

    from payments.models import RateCard

    card, _ = RateCard.objects.get_or_create(
        programme=w.programme,
        effective_from=date(2020, 4, 6),
        defaults={"hourly_rate": Decimal("20.00"), "receipt_needed_over": Decimal("5.00")},
    )
    return card


def _paid_line_id(w):
    """The session line of an approved session of Sam's."""
    from mentoring import services
    from mentoring.models import Session
    from payments.models import LedgerLine

    _rate_card(w)
    existing = LedgerLine.objects.filter(mentor=w.mentor, kind="session").first()
    if existing:
        return existing.pk
    session = Session.objects.get(pk=_session(w, by="mentee", confirm=True))
    services.session_approve(session=session, by=w.coordinator)
    return LedgerLine.objects.get(session=session, kind="session").pk


def _expense_id(w):
    """A claim of Sam's with a receipt, waiting for a decision."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from payments import services
    from payments.models import Expense
    from payments.receipts import receipt_check
    from tests.factories import receipt_upload

    _rate_card(w)
    existing = Expense.objects.filter(mentor=w.mentor, status="claimed").first()
    if existing:
        return existing.pk
    upload = receipt_upload()
    expense = services.expense_claim(
        mentor=w.mentor,
        programme=w.programme,
        kind="fare",
        spent_on=timezone.localdate() - timedelta(days=3),
        description="Bus to the family centre and back",
        amount=Decimal("6.40"),
        receipt=upload,
        receipt_type=receipt_check(upload),
    )
    return expense.pk


def _advance(w, status: str):
    """An advance of Sam's in `status` (asked, approved, or settled with a receipt)."""
    from decimal import Decimal

    from django.utils import timezone

    from payments import services
    from payments.models import Advance
    from payments.receipts import receipt_check
    from tests.factories import receipt_upload

    _rate_card(w)
    existing = Advance.objects.filter(mentor=w.mentor, status=status).first()
    if existing:
        return existing.pk
    advance = services.advance_ask(
        mentor=w.mentor,
        programme=w.programme,
        kind="fare",
        needed_on=timezone.localdate(),
        description="Train to the family centre and back",
        amount=Decimal("25.00"),
    )
    if status in ("approved", "settled"):
        services.advance_approve(advance=advance, by=w.coordinator)
    if status == "settled":
        upload = receipt_upload()
        services.advance_settle(
            advance=advance,
            by=w.mentor,
            spent=Decimal("22.40"),
            spent_on=timezone.localdate(),
            receipt=upload,
            receipt_type=receipt_check(upload),
        )
    return advance.pk


def _run(w):
    """A payment run, ready for finance, that pays Sam by bank transfer."""
    from payments import services
    from payments.models import PaymentRun

    existing = PaymentRun.objects.filter(programme=w.programme).first()
    if existing:
        return existing
    _paid_line_id(w)
    services.preference_set(
        mentor=w.mentor,
        method="bank",
        account_name="S Example",
        sort_code="309457",
        account_number="12345678",
    )
    return services.run_create(programme=w.programme, by=w.coordinator)


def _run_id(w):
    return _run(w).pk


def _payee_id(w):
    return _run(w).payees.get().pk


def _paid_payee_id(w):
    """Sam's payment in a run that finance has paid."""
    from django.utils import timezone

    from payments import services

    run = _run(w)
    if run.status == "ready":
        services.run_mark_paid(run=run, by=w.coordinator, paid_on=timezone.localdate())
    return run.payees.get().pk


def _tax_year(w):
    from django.utils import timezone

    from payments.money import tax_year_of

    return tax_year_of(timezone.localdate())


def _with_rate_card(w, kwargs=None):
    _rate_card(w)
    return kwargs or {}


# Activities: an open call in North Star next week, which Sam can say yes to; and a panel
# that happened yesterday, where Sam had said yes.


def _activity(w, *, past: bool = False):
    from datetime import timedelta

    from django.utils import timezone

    from activities import services
    from activities.models import Activity, Place

    title = "Panel that happened" if past else "Interview panel"
    existing = Activity.objects.filter(programme=w.programme, title=title).first()
    if existing:
        return existing
    activity = services.activity_create(
        programme=w.programme,
        by=w.coordinator,
        kind="interview_panel",
        title=title,
        starts_at=timezone.now() + (timedelta(days=-1) if past else timedelta(days=7)),
        duration_minutes=180,
        places=2,
        who="open",
        place="Civic Centre",
    )
    if past:
        # Answers close when an activity starts: Sam's yes is from before.
        Place.objects.create(activity=activity, person=w.mentor, answer="yes")
    return activity


def _activity_id(w):
    return _activity(w).pk


def _past_activity_id(w):
    return _activity(w, past=True).pk


def paid_mentor(code, **overrides):
    """Pages of a mentor's own pay: Sam only."""
    return signed_in(404, mentor=code, **overrides)


def paid_expert(code, **overrides):
    """Pages of an expert by experience's own pay or activities: Sam, and Rene, who sits on
    North Star's lived-experience panel (panel work is paid)."""
    return signed_in(404, mentor=code, panel=code, **overrides)


MATRIX: dict[str, Row] = {
    "programmes:home": Row(everyone(200)),
    # Signed-in people are sent on to their dashboard.
    "account_login": Row({**dict.fromkeys(PERSONAS, 302), "anonymous": 200}, form=True),
    "programmes:programme_list": Row(everyone(200)),
    "programmes:programme_apply": Row(signed_in(200), kwargs=north(), form=True),
    "programmes:invitation_accept": Row(
        everyone(200), kwargs=lambda w: {"token": InvitationFactory(programme=w.programme).token}
    ),
    "portal:dashboard": Row(signed_in(200)),
    "portal:profile": Row(signed_in(200)),
    "portal:mentor_profile_edit": Row(signed_in(404, mentor=200), form=True),
    "portal:mentor_consent": Row(signed_in(404, mentor=200), form=True),
    "portal:mentor_consent_withdraw": Row(signed_in(404, mentor=302), method="post"),
    "portal:mentor_experience_edit": Row(signed_in(404, mentor=302)),
    "portal:mentor_pause": Row(signed_in(404, mentor=200)),
    "portal:mentee_profile_edit": Row(signed_in(404, mentee=200), form=True),
    "portal:account_settings": Row(signed_in(200)),
    "notifications:notifications": Row(signed_in(200)),
    "notifications:notification_open": Row(
        signed_in(404, mentor=302),
        kwargs=lambda w: {"notification_id": _notification_for_mentor(w)},
        method="post",
    ),
    "notifications:notifications_read": Row(signed_in(302), method="post"),
    "portal:email_choices": Row(signed_in(200), form=True),
    "portal:my_data": Row(signed_in(200)),
    "portal:my_data_download": Row(signed_in(200)),
    "portal:account_delete": Row(signed_in(200), form=True),
    # A record of contribution is for experts by experience: Sam.
    "portal:contribution": Row(signed_in(404, mentor=200, panel=200)),
    "portal:contribution_download": Row(signed_in(404, mentor=200, panel=200)),
    "portal:contribution_words": Row(
        signed_in(404, mentor=302),
        kwargs=lambda w: {"kind_words_id": _kind_words_id(w)},
        method="post",
        data={"in_record": "yes"},
    ),
    "programmes:coordinator_members": Row(staff(200), kwargs=north()),
    "programmes:coordinator_member_detail": Row(
        staff(200), kwargs=north(person_id=lambda w: w.mentor.pk)
    ),
    "programmes:coordinator_membership_end": Row(
        staff(302), kwargs=north(membership_id=_mentor_membership), method="post"
    ),
    # A mentor's induction: recorded by a coordinator of the programme only.
    "programmes:coordinator_induction_record": Row(
        staff(200), kwargs=north(membership_id=_waiting_mentor_membership), form=True
    ),
    # The resources page: every member of the programme reads it, and those who run it;
    # only they change it. Another programme's coordinator gets a 404.
    "programmes:resources": Row(
        signed_in(200, other_coordinator=404), kwargs=lambda w: {"slug": w.programme.slug}
    ),
    "programmes:my_resources": Row(
        signed_in(404, mentor=302, mentee=302),
    ),
    "programmes:coordinator_resources": Row(staff(200), kwargs=north(), form=True),
    "programmes:coordinator_description": Row(staff(200), kwargs=north(), form=True),
    # The lived-experience panel: its pages for those who sit on it now (Rene); the
    # coordinator's page and decisions for those who run the programme. "You said, we did"
    # for every current member and those who run it; another programme's coordinator: 404.
    "panel:panel_home": Row(signed_in(404, panel=200), kwargs=north()),
    "panel:proposal_new": Row(signed_in(404, panel=200), kwargs=north(), form=True),
    "panel:proposal_detail": Row(
        signed_in(404, panel=200), kwargs=north(proposal_id=_panel_proposal_id), form=True
    ),
    "panel:entry_new": Row(signed_in(404, panel=200), kwargs=north(), form=True),
    "panel:you_said_we_did": Row(signed_in(200, other_coordinator=404), kwargs=north()),
    "panel:coordinator_panel": Row(staff(200), kwargs=north(), form=True),
    "panel:coordinator_proposal": Row(
        staff(200), kwargs=north(proposal_id=_panel_proposal_id), form=True
    ),
    # The statements every footer links to: for everyone, signed in or not.
    "portal:accessibility_statement": Row(everyone(200)),
    "portal:privacy_notice": Row(everyone(200)),
    "portal:glossary": Row(everyone(200)),
    # Asking for another format: anyone signed in (someone in no programme is told whom
    # to email); a visitor reads how on the accessibility statement. Each programme's
    # coordinators see and handle their own programme's requests only.
    "programmes:format_request": Row(signed_in(200), form=True),
    "programmes:coordinator_format_requests": Row(staff(200), kwargs=north()),
    "programmes:coordinator_format_request_handled": Row(
        staff(302), kwargs=north(request_id=_format_request_id), method="post"
    ),
    "programmes:coordinator_applications": Row(staff(200), kwargs=north()),
    "programmes:coordinator_application_detail": Row(
        staff(200), kwargs=north(application_id=_pending_application), form=True
    ),
    "programmes:coordinator_invitations": Row(staff(200), kwargs=north(), form=True),
    # The organisation's own words to avoid: its coordinators and administrators.
    "programmes:coordinator_language": Row(staff(200), kwargs=north(), form=True),
    "programmes:coordinator_language_remove": Row(
        staff(302), kwargs=north(term_id=_organisation_term), method="post"
    ),
    "programmes:coordinator_language_check": Row(
        staff(200), kwargs=north(), method="post", data={"text": "A placement prior to June"}
    ),
    "matching:coordinator_rounds": Row(staff(200), kwargs=north()),
    "matching:coordinator_matching_settings": Row(staff(200), kwargs=north(), form=True),
    "matching:coordinator_round_detail": Row(staff(200), kwargs=north(round_id=_round_id)),
    "matching:coordinator_round_progress": Row(staff(200), kwargs=north(round_id=_round_id)),
    "matching:coordinator_round_export": Row(staff(200), kwargs=north(round_id=_round_id)),
    "matching:coordinator_round_rerun": Row(
        staff(302), kwargs=north(round_id=_round_id), method="post"
    ),
    "matching:coordinator_round_approve": Row(
        staff(302), kwargs=north(round_id=_round_id), method="post"
    ),
    "matching:coordinator_round_approve_all": Row(
        staff(302), kwargs=north(round_id=_round_id), method="post", data={"scope": "strong"}
    ),
    "matching:coordinator_round_approval": Row(
        staff(200), kwargs=north(round_id=_round_id, batch_id=_approval_batch_id)
    ),
    "matching:coordinator_round_unmatched": Row(staff(200), kwargs=north(round_id=_round_id)),
    "matching:coordinator_proposal_approve": Row(
        staff(302), kwargs=north(proposal_id=_proposal_id), method="post"
    ),
    "matching:coordinator_proposal_reject": Row(
        staff(200), kwargs=north(proposal_id=_proposal_id), form=True
    ),
    "matching:coordinator_proposal_swap": Row(staff(200), kwargs=north(proposal_id=_proposal_id)),
    "matching:mentee_choose": Row(signed_in(404, mentee=200)),
    "matching:proposal_answer": Row(
        signed_in(404, mentor=200, mentee=200),
        kwargs=lambda w: {"proposal_id": _approved_proposal_id(w)},
        form=True,
    ),
    "mentoring:match_detail": Row(
        signed_in(404, mentor=200, mentee=200), kwargs=lambda w: {"match_id": _match_id(w)}
    ),
    # Our agreement is the two people's own: coordinators never read it.
    "mentoring:agreement": Row(
        signed_in(404, mentor=200, mentee=200),
        kwargs=lambda w: {"match_id": _match_id(w)},
        form=True,
    ),
    "mentoring:agreement_history": Row(
        signed_in(404, mentor=200, mentee=200), kwargs=lambda w: {"match_id": _match_id(w)}
    ),
    "mentoring:match_pause": Row(
        signed_in(404, mentor=302), kwargs=lambda w: {"match_id": _match_id(w)}, method="post"
    ),
    "mentoring:match_resume": Row(
        signed_in(404, mentor=302),
        kwargs=lambda w: {"match_id": _paused_match_id(w)},
        method="post",
    ),
    "mentoring:match_end": Row(
        signed_in(404, mentor=200, mentee=200),
        kwargs=lambda w: {"match_id": _match_id(w)},
        form=True,
    ),
    "mentoring:match_ended": Row(
        signed_in(404, mentor=200, mentee=200), kwargs=lambda w: {"match_id": _closed_match_id(w)}
    ),
    "mentoring:coordinator_matches": Row(staff(200), kwargs=north()),
    "mentoring:coordinator_match_pause": Row(
        staff(200), kwargs=north(match_id=_match_id), form=True
    ),
    "mentoring:coordinator_match_resume": Row(
        staff(302), kwargs=north(match_id=_paused_match_id), method="post"
    ),
    "mentoring:coordinator_match_end": Row(staff(200), kwargs=north(match_id=_match_id), form=True),
    "mentoring:session_new": Row(
        signed_in(404, mentor=200, mentee=200),
        kwargs=lambda w: {"match_id": _match_id(w)},
        form=True,
    ),
    "mentoring:session_detail": Row(
        signed_in(404, mentor=200, mentee=200),
        kwargs=lambda w: {"session_id": _session_logged_by_mentee(w)},
        form=True,
    ),
    "mentoring:session_edit": Row(
        signed_in(404, mentor=200, mentee=200),
        kwargs=lambda w: {"session_id": _session_logged_by_mentee(w)},
        form=True,
    ),
    "mentoring:session_calendar": Row(
        signed_in(404, mentor=200, mentee=200),
        kwargs=lambda w: {"session_id": _session_logged_by_mentee(w)},
    ),
    "mentoring:session_plan": Row(
        signed_in(404, mentor=200, mentee=200),
        kwargs=lambda w: {"match_id": _match_id(w)},
        form=True,
    ),
    "mentoring:plan_calendar": Row(
        signed_in(404, mentor=200, mentee=200), kwargs=lambda w: {"plan_id": _plan_id(w)}
    ),
    # Either of the two changes a plan; the other is told. Nobody else, coordinators included.
    "mentoring:plan_change": Row(
        signed_in(404, mentor=200, mentee=200),
        kwargs=lambda w: {"plan_id": _plan_id(w)},
        form=True,
    ),
    "mentoring:plan_cancel": Row(
        signed_in(404, mentor=302, mentee=302),
        kwargs=lambda w: {"plan_id": _plan_id(w)},
        method="post",
    ),
    # Only the mentor says the mentee did not come; a coordinator confirms it.
    "mentoring:plan_missed": Row(
        signed_in(404, mentor=302),
        kwargs=lambda w: {"plan_id": _past_plan_id(w)},
        method="post",
    ),
    "mentoring:coordinator_plan_missed": Row(
        staff(200), kwargs=north(plan_id=_missed_plan_id), form=True
    ),
    "mentoring:coordinator_plan_missed_confirm": Row(
        staff(302), kwargs=north(plan_id=_missed_plan_id), method="post"
    ),
    # Feedback is the two people's own: coordinators see only totals, in the statistics.
    # Both forms ask one of North Star's own questions too, so the bad-input harness posts
    # to it.
    "mentoring:session_feedback": Row(
        signed_in(404, mentor=200, mentee=200),
        kwargs=lambda w: {
            "session_id": _session_logged_by_mentee(w),
            **_own_questions(w),
        },
        form=True,
    ),
    # The closed match: each side's closing check is due, so both get the form.
    "mentoring:coproduction_check": Row(
        signed_in(404, mentor=200, mentee=200),
        kwargs=lambda w: {"match_id": _closed_match_id(w), **_own_questions(w)},
        form=True,
    ),
    # The programme's own questions: its staff manage them; no answer is ever on the page.
    "mentoring:coordinator_questions": Row(staff(200), kwargs=north(), form=True),
    "mentoring:coordinator_question_retire": Row(
        staff(302), kwargs=north(question_id=_own_question_id), method="post"
    ),
    # Messages are the pair's own: coordinators and administrators get a 404 like anyone
    # else, and read a message only once one of the two attaches it to a concern.
    "mentoring:message_inbox": Row(signed_in(200)),
    "mentoring:match_messages": Row(
        signed_in(404, mentor=200, mentee=200),
        kwargs=lambda w: {"match_id": _match_id(w)},
        form=True,
    ),
    "mentoring:message_attach": Row(
        signed_in(404, mentor=200, mentee=200),
        kwargs=lambda w: {"match_id": _match_id(w), "message_id": _message_id(w)},
        form=True,
    ),
    "mentoring:concern_new": Row(
        signed_in(404, mentor=200, mentee=200),
        kwargs=lambda w: {"match_id": _match_id(w)},
        form=True,
    ),
    # Only the mentee writes kind words about their mentor.
    "mentoring:kind_words_write": Row(
        signed_in(404, mentee=200), kwargs=lambda w: {"match_id": _match_id(w)}, form=True
    ),
    # Support: a check-in is the mentor's own (the mentee never opens it); "I'm finding this
    # hard" is the mentee's; a chat without a match is for mentors and mentees with none.
    "mentoring:session_check_in": Row(
        signed_in(404, mentor=200),
        kwargs=lambda w: {"session_id": _session_logged_by_mentor(w)},
        form=True,
    ),
    "mentoring:finding_it_hard": Row(
        signed_in(404, mentee=200), kwargs=lambda w: {"match_id": _match_id(w)}, form=True
    ),
    "mentoring:talk_ask": Row(signed_in(404, mentor=200, mentee=200), kwargs=north(), form=True),
    "mentoring:coordinator_talk": Row(staff(200), kwargs=north()),
    "mentoring:coordinator_talk_detail": Row(
        staff(200), kwargs=north(request_id=_talk_request), form=True
    ),
    "mentoring:concern_detail": Row(
        signed_in(404, mentor=200),
        kwargs=lambda w: {"match_id": _match_id(w), "concern_id": _concern_by_mentor(w)},
    ),
    # The reflective journal is the mentee's own; the mentor sees only what is shared with
    # them, and coordinators never see it.
    "journal:journal_list": Row(signed_in(404, mentee=200)),
    "journal:journal_new": Row(signed_in(404, mentee=200), form=True),
    "journal:journal_detail": Row(
        signed_in(404, mentee=200), kwargs=lambda w: {"entry_id": _journal_entry_id(w)}
    ),
    "journal:journal_edit": Row(
        signed_in(404, mentee=200), kwargs=lambda w: {"entry_id": _journal_entry_id(w)}, form=True
    ),
    "journal:journal_share": Row(
        signed_in(404, mentee=302),
        kwargs=lambda w: {"entry_id": _journal_entry_id(w)},
        method="post",
        data={"action": "share"},
    ),
    "journal:journal_delete": Row(
        signed_in(404, mentee=200), kwargs=lambda w: {"entry_id": _journal_entry_id(w)}
    ),
    "journal:journal_shared_with_me": Row(signed_in(404, mentor=200)),
    "journal:journal_shared_detail": Row(
        signed_in(404, mentor=200), kwargs=lambda w: {"entry_id": _shared_journal_entry_id(w)}
    ),
    "journal:journal_cpd": Row(signed_in(404, mentee=200)),
    "journal:journal_cpd_print": Row(signed_in(404, mentee=200)),
    "journal:journal_cpd_download": Row(signed_in(404, mentee=200)),
    "journal:goals": Row(signed_in(404, mentee=200), kwargs=_with_goal, form=True),
    "journal:match_goals": Row(
        signed_in(404, mentor=200, mentee=200),
        kwargs=lambda w: _with_goal(w, {"match_id": _match_id(w)}),
        form=True,
    ),
    "mentoring:coordinator_concerns": Row(staff(200), kwargs=north()),
    "mentoring:coordinator_concern_detail": Row(
        staff(200), kwargs=north(concern_id=_concern_by_mentor), form=True
    ),
    "mentoring:coordinator_sessions": Row(staff(200), kwargs=north()),
    # Retired: a permanent redirect to "What people say" in the statistics, after the
    # same check (another programme's answers 404, as everywhere).
    "reporting:coordinator_voice": Row(staff(301), kwargs=north()),
    # Retired: the old address of a match's goals redirects to the new one, which checks.
    "retired_match_goals": Row(everyone(301), kwargs=lambda w: {"match_id": _match_id(w)}),
    "mentoring:coordinator_session_approve": Row(
        staff(302), kwargs=north(session_id=_confirmed_session), method="post"
    ),
    "programmes:coordinator_invitation_revoke": Row(
        staff(302), kwargs=north(invitation_id=_open_invitation), method="post"
    ),
    # Statistics: each coordinator their own programmes; administrators every programme;
    # a panel member the programme whose panel they sit on (reporting.access).
    "reporting:statistics": Row(staff(200, other_coordinator=200, panel=200)),
    "reporting:statistics_section": Row(
        staff(200, panel=200), kwargs=lambda w: {"scope": "north", "section": "people"}
    ),
    "reporting:statistics_csv": Row(
        staff(200, panel=200),
        kwargs=lambda w: {"scope": "north", "section": "people", "table": "joined"},
    ),
    "reporting:statistics_json": Row(
        staff(200, panel=200), kwargs=lambda w: {"scope": "north", "section": "voice"}
    ),
    # Payments: a mentor's own pay, and the coordinators of their programme
    "payments:pay": Row(paid_expert(200)),
    # Rene's own statement for the year (empty until he is paid); Sam's runs are not his.
    "payments:pay_statement_file": Row(
        paid_expert(200), kwargs=lambda w: {"year": _tax_year(w), "fmt": "csv"}
    ),
    "payments:pay_run_statement": Row(paid_mentor(200), kwargs=lambda w: {"run_id": _run_id(w)}),
    "payments:pay_run_statement_file": Row(
        paid_mentor(200), kwargs=lambda w: {"run_id": _run_id(w), "fmt": "pdf"}
    ),
    "payments:payment_preference": Row(paid_expert(200), form=True),
    "payments:earnings_alert": Row(paid_expert(200), form=True),
    "payments:benefits": Row(paid_expert(200)),
    "payments:work_coach_letter": Row(paid_expert(200)),
    "payments:benefits_settings": Row(paid_expert(200), form=True),
    "payments:pay_hours": Row(paid_expert(200)),
    "payments:expense_new": Row(paid_expert(200), kwargs=_with_rate_card, form=True),
    "payments:expense_detail": Row(
        paid_mentor(200), kwargs=lambda w: {"expense_id": _expense_id(w)}
    ),
    "payments:expense_withdraw": Row(
        paid_mentor(302), kwargs=lambda w: {"expense_id": _expense_id(w)}, method="post"
    ),
    # The receipt: Sam and his programme's coordinators; never Priya or another programme.
    "payments:expense_receipt": Row(
        signed_in(404, mentor=200, coordinator=200, administrator=200),
        kwargs=lambda w: {"expense_id": _expense_id(w)},
    ),
    "payments:advance_new": Row(paid_expert(200), kwargs=_with_rate_card, form=True),
    # Approved, so the page holds the form to settle it.
    "payments:advance_detail": Row(
        paid_mentor(200), kwargs=lambda w: {"advance_id": _advance(w, "approved")}, form=True
    ),
    "payments:advance_receipt": Row(
        signed_in(404, mentor=200, coordinator=200, administrator=200),
        kwargs=lambda w: {"advance_id": _advance(w, "settled")},
    ),
    "payments:coordinator_advance": Row(
        staff(200), kwargs=north(advance_id=lambda w: _advance(w, "asked")), form=True
    ),
    "payments:coordinator_advance_approve": Row(
        staff(302), kwargs=north(advance_id=lambda w: _advance(w, "asked")), method="post"
    ),
    "payments:coordinator_purchase_new": Row(
        staff(200), kwargs=north(person_id=lambda w: w.mentor.pk), form=True
    ),
    # Paid activities: experts by experience of the programme (Sam, and Rene of its
    # panel: the open call is open to him too), and its coordinators
    "activities:activities": Row(paid_expert(200)),
    "activities:activity_detail": Row(
        paid_expert(200), kwargs=lambda w: {"activity_id": _activity_id(w)}, form=True
    ),
    "activities:activity_calendar": Row(
        paid_expert(200), kwargs=lambda w: {"activity_id": _activity_id(w)}
    ),
    "activities:coordinator_activities": Row(staff(200), kwargs=north()),
    "activities:coordinator_activity_new": Row(staff(200), kwargs=north(), form=True),
    "activities:coordinator_activity": Row(
        staff(200), kwargs=north(activity_id=_activity_id), form=True
    ),
    "activities:coordinator_activity_cancel": Row(
        staff(200), kwargs=north(activity_id=_activity_id), form=True
    ),
    "activities:coordinator_attendance": Row(
        staff(302), kwargs=north(activity_id=_past_activity_id), method="post"
    ),
    "payments:coordinator_pay": Row(staff(200), kwargs=north()),
    "payments:coordinator_rates": Row(staff(200), kwargs=north(), form=True),
    "payments:coordinator_expense": Row(
        staff(200), kwargs=north(expense_id=_expense_id), form=True
    ),
    "payments:coordinator_expense_approve": Row(
        staff(302), kwargs=north(expense_id=_expense_id), method="post"
    ),
    "payments:coordinator_run_new": Row(staff(302), kwargs=north(), method="post"),
    "payments:coordinator_run": Row(staff(200), kwargs=north(run_id=_run_id), form=True),
    "payments:coordinator_run_export": Row(staff(200), kwargs=north(run_id=_run_id)),
    "payments:coordinator_run_payroll_export": Row(staff(200), kwargs=north(run_id=_run_id)),
    "payments:coordinator_run_schedule": Row(staff(200), kwargs=north(), form=True),
    "payments:coordinator_employment_status": Row(
        staff(200), kwargs=north(person_id=lambda w: w.mentor.pk), form=True
    ),
    "payments:coordinator_payee_fail": Row(
        staff(200), kwargs=north(payee_id=_paid_payee_id), form=True
    ),
    "payments:coordinator_payee_remove": Row(
        staff(200), kwargs=north(payee_id=_payee_id), form=True
    ),
    "payments:coordinator_mentor_pay": Row(
        staff(200), kwargs=north(person_id=lambda w: w.mentor.pk)
    ),
    "payments:coordinator_line_reverse": Row(
        staff(200), kwargs=north(line_id=_paid_line_id), form=True
    ),
}


def our_url_names(resolver=None, namespace="") -> set[str]:
    """Every named URL pattern of ours, walking includes, leaving out allauth and admin."""
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            module = getattr(pattern.urlconf_module, "__name__", "")
            if pattern.namespace in FOREIGN_NAMESPACES or module.startswith(
                FOREIGN_MODULE_PREFIXES
            ):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= our_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            module = getattr(pattern.callback, "__module__", "")
            if module.startswith(FOREIGN_MODULE_PREFIXES):
                continue
            names.add(f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {pattern}>")
    return names


def missing_rows(resolver=None) -> set[str]:
    return our_url_names(resolver) - set(MATRIX)


def test_it_has_a_row_for_every_url():
    assert missing_rows() == set(), "Add these URLs to MATRIX in tests/test_permissions.py"


def test_it_has_no_rows_for_urls_that_are_gone():
    assert set(MATRIX) - our_url_names() == set()


def test_it_notices_a_new_url_without_a_row():
    """Register a throwaway URL and check the meta-test would fail for it."""
    from django.http import HttpResponse
    from django.urls import path
    from django.urls.resolvers import RegexPattern
    from django.urls.resolvers import URLResolver as Resolver

    import config.urls

    def throwaway(request):
        return HttpResponse("hello")

    class FakeUrlconf:
        urlpatterns = [*config.urls.urlpatterns, path("throwaway/", throwaway, name="throwaway")]

    resolver = Resolver(RegexPattern(r"^/"), FakeUrlconf)
    assert missing_rows(resolver) == {"throwaway"}
    assert missing_rows() == set()


CASES = [(name, persona) for name in MATRIX for persona in PERSONAS]


@pytest.mark.parametrize(("name", "persona"), CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_it_answers_each_persona_as_the_matrix_says(name, persona, world, login_as):
    row = MATRIX[name]
    client = login_as(persona)
    kwargs = row.kwargs(world) if row.kwargs else {}
    url = reverse(name, kwargs=kwargs)
    response = getattr(client, row.method)(url, row.data)
    expected = row.expect[persona]
    if expected == LOGIN:
        assert response.status_code == 302, f"{url} as {persona}"
        assert response["Location"].startswith(reverse("account_login")), response["Location"]
    else:
        assert response.status_code == expected, f"{url} as {persona}"
    if persona != "anonymous" or "attachment" in response.get("Content-Disposition", ""):
        # Pages for a signed-in person and every download hold personal information: no
        # browser cache or proxy may keep a copy.
        assert "no-store" in response.get("Cache-Control", ""), f"{url} as {persona}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_hides_the_django_admin_from_everyone_but_the_operators_of_the_service(
    persona, world, login_as
):
    """The Django admin shows every organisation's data: administrators of one organisation
    run it from its own pages (see tests/test_staff_access.py for the operators)."""
    response = login_as(persona).get("/admin/")
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == 404


# Decisions about oneself (programmes/duties.py) and roles that ended. Jo, the coordinator,
# is also a mentor in North Star and mentors Priya; each row is a page where Jo must not
# decide about Jo's own things (a refusal, with the page saying who acts, or a 404 for a
# concern about Jo's own match), and `kept` checks nothing was decided. Then pages Sam
# can no longer open once his mentor role has ended.


def _jo_mentors_priya(w):
    from matching.models import Match
    from programmes.services import membership_add
    from tests.factories import live_match

    existing = Match.objects.filter(mentor=w.coordinator).first()
    if existing:
        return existing
    membership_add(programme=w.programme, person=w.coordinator, role=Role.MENTOR, by=None)
    return live_match(w.programme, w.coordinator, w.mentee)


def _jos_session(w):
    from datetime import timedelta

    from django.utils import timezone

    from mentoring import services

    session = services.session_log(
        match=_jo_mentors_priya(w),
        by=w.coordinator,
        starts_at=timezone.now() - timedelta(days=1),
        duration_minutes=60,
        meeting_mode="online",
    )
    services.session_confirm(session=session, by=w.mentee)
    return session


def _jos_claim(w):
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from payments import services

    _rate_card(w)
    _jo_mentors_priya(w)
    return services.expense_claim(
        mentor=w.coordinator,
        programme=w.programme,
        kind="fare",
        spent_on=timezone.localdate() - timedelta(days=1),
        description="Bus",
        amount=Decimal("4.00"),
    )


def _jos_pay_waiting(w):
    """Jo's claim, approved by the administrator, waiting to be paid by bank."""
    from payments import services

    services.preference_set(
        mentor=w.coordinator,
        method="bank",
        account_name="J Example",
        sort_code="309457",
        account_number="12345678",
    )
    claim = _jos_claim(w)
    services.expense_approve(expense=claim, by=w.administrator)
    return claim


def _run_paying_jo(w):
    from payments import services

    _jos_pay_waiting(w)
    return services.run_create(programme=w.programme, by=w.administrator)


def _jo_as_mentor(w):
    """Jo, coordinator of North Star, is one of its mentors too."""
    from programmes.services import membership_add

    membership_add(programme=w.programme, person=w.coordinator, role=Role.MENTOR, by=None)
    return w.coordinator


def _activity_jo_takes_part_in(w):
    """A panel yesterday where Jo, also an expert by experience of North Star, said yes."""
    from activities.models import Place
    from programmes.services import membership_add

    membership_add(programme=w.programme, person=w.coordinator, role=Role.MENTOR, by=None)
    activity = _activity(w, past=True)
    Place.objects.create(activity=activity, person=w.coordinator, answer="yes")
    return activity


def _activity_jo_said_yes_to(w):
    """The open call next week, where Jo, also an expert by experience of North Star, and
    Sam said yes."""
    from activities import services
    from programmes.services import membership_add

    membership_add(programme=w.programme, person=w.coordinator, role=Role.MENTOR, by=None)
    activity = _activity(w)
    for person in (w.coordinator, w.mentor):
        services.place_answer(activity=activity, person=person, yes=True)
    return activity


def _still_on(activity) -> bool:
    activity.refresh_from_db()
    return activity.cancelled_at is None


def _attendance(activity) -> list[str]:
    return sorted(activity.places_taken.values_list("attendance", flat=True))


def _jos_paused_match(w):
    from matching import services

    match = _jo_mentors_priya(w)
    services.match_pause(match=match, by=w.administrator)
    return match


def _jos_proposal(w):
    from matching.models import MatchingRound, Proposal
    from programmes.services import membership_add

    membership_add(programme=w.programme, person=w.coordinator, role=Role.MENTOR, by=None)
    matching_round = MatchingRound.objects.create(
        programme=w.programme, status=MatchingRound.Status.FINISHED
    )
    return Proposal.objects.create(
        round=matching_round, mentor=w.coordinator, mentee=w.mentee, score=1
    )


def _jos_advance(w):
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from payments import services

    _rate_card(w)
    _jo_mentors_priya(w)
    return services.advance_ask(
        mentor=w.coordinator,
        programme=w.programme,
        kind="fare",
        needed_on=timezone.localdate() + timedelta(days=1),
        description="Bus",
        amount=Decimal("4.00"),
    )


def _jos_missed_session(w):
    from datetime import timedelta

    from django.utils import timezone

    from mentoring import services
    from mentoring.models import PlannedSession

    plan = PlannedSession.objects.create(
        match=_jo_mentors_priya(w),
        planned_by=w.coordinator,
        starts_at=timezone.now() - timedelta(hours=2),
        duration_minutes=60,
        meeting_mode="online",
    )
    services.plan_missed_report(plan=plan, by=w.coordinator)
    return plan


def _concern_about_jo(w):
    from mentoring import services

    return services.concern_raise(
        match=_jo_mentors_priya(w), by=w.mentee, kind="wellbeing", what_happened="Upset."
    )


def _jos_induction(w):
    """Jo runs North Star and has just joined it as a mentor too: her induction is
    another coordinator's to record."""
    from tests.factories import MembershipFactory

    return MembershipFactory(
        programme=w.programme, person=w.coordinator, role=Role.MENTOR, inducted_on=None
    )


def _talk_about_jo(w):
    from mentoring import support

    return support.talk_request_ask(
        programme=w.programme, by=w.mentee, match=_jo_mentors_priya(w), note="Hard going."
    )


def _fellow_coordinator_role(w):
    from tests.factories import MembershipFactory

    return MembershipFactory(
        programme=w.programme, person=UserFactory(display_name="Lee"), role=Role.COORDINATOR
    )


def _jos_panel_proposal(w):
    """Jo runs North Star and sits on its panel too: her proposal is another's to decide."""
    from panel.services import proposal_make
    from tests.factories import MembershipFactory

    MembershipFactory(programme=w.programme, person=w.coordinator, role=Role.PANEL)
    return proposal_make(
        programme=w.programme, by=w.coordinator, about="other", change="More.", why="Less."
    )


def _status(obj):
    obj.refresh_from_db()
    return obj.status


def _talked(obj):
    obj.refresh_from_db()
    return obj.talked_on


@dataclass
class Decision:
    name: str
    make: object  # callable(world) -> the object decided about
    kwargs: object  # callable(world, obj) -> URL kwargs
    expect: int
    kept: object  # callable(world, obj) -> True when nothing was decided
    method: str = "post"
    data: dict = field(default_factory=dict)


def _slug(**extra):
    return lambda w, obj: {"slug": "north", **{k: v(obj) for k, v in extra.items()}}


DECISIONS = [
    Decision(
        "panel:coordinator_proposal",
        _jos_panel_proposal,
        _slug(proposal_id=lambda o: o.pk),
        302,
        lambda w, o: _status(o) == "open",
        data={"outcome": "accept", "decision": "Done."},
    ),
    Decision(
        "mentoring:coordinator_session_approve",
        _jos_session,
        _slug(session_id=lambda o: o.pk),
        302,
        lambda w, o: _status(o) == "confirmed",
    ),
    Decision(
        "mentoring:coordinator_sessions",
        _jos_session,
        lambda w, o: {"slug": "north"},
        302,
        lambda w, o: _status(o) == "confirmed",
        data={"session": "placeholder"},
    ),
    Decision(
        "payments:coordinator_expense_approve",
        _jos_claim,
        _slug(expense_id=lambda o: o.pk),
        302,
        lambda w, o: _status(o) == "claimed",
    ),
    Decision(
        "payments:coordinator_expense",
        _jos_claim,
        _slug(expense_id=lambda o: o.pk),
        302,
        lambda w, o: _status(o) == "claimed",
        data={"reason": "Too much"},
    ),
    Decision(
        "payments:coordinator_advance_approve",
        _jos_advance,
        _slug(advance_id=lambda o: o.pk),
        302,
        lambda w, o: _status(o) == "asked",
    ),
    Decision(
        "payments:coordinator_advance",
        _jos_advance,
        _slug(advance_id=lambda o: o.pk),
        302,
        lambda w, o: _status(o) == "asked",
        data={"reason": "Too much"},
    ),
    Decision(
        "mentoring:coordinator_plan_missed_confirm",
        _jos_missed_session,
        _slug(plan_id=lambda o: o.pk),
        302,
        lambda w, o: o.__class__.objects.get(pk=o.pk).missed_confirmed_at is None,
    ),
    Decision(
        "mentoring:coordinator_plan_missed",
        _jos_missed_session,
        _slug(plan_id=lambda o: o.pk),
        302,
        lambda w, o: o.__class__.objects.get(pk=o.pk).missed_reported_at is not None,
        data={"reason": "She came"},
    ),
    Decision(
        "payments:coordinator_purchase_new",
        _jo_mentors_priya,
        lambda w, o: {"slug": "north", "person_id": w.coordinator.pk},
        302,
        lambda w, o: not o.programme.purchases.exists(),
        data={
            "kind": "fare",
            "bought_on": "today",
            "description": "Train",
            "amount": "10.00",
        },
    ),
    Decision(
        "payments:coordinator_run",
        _run_paying_jo,
        _slug(run_id=lambda o: o.pk),
        302,
        lambda w, o: _status(o) == "ready",
        data={"paid_on": "today"},
    ),
    Decision(
        "payments:coordinator_payee_fail",
        _run_paying_jo,
        lambda w, o: {"slug": "north", "payee_id": o.payees.get(mentor=w.coordinator).pk},
        302,
        lambda w, o: o.payees.get(mentor=w.coordinator).status == "ready",
        data={"reason": "Account closed"},
    ),
    Decision(
        "payments:coordinator_run_new",
        _jos_pay_waiting,
        lambda w, o: {"slug": "north"},
        302,
        lambda w, o: not o.programme.payment_runs.exists(),
    ),
    # Jo takes part: Jo records nobody's attendance, Jo's own or Sam's.
    Decision(
        "activities:coordinator_attendance",
        _activity_jo_takes_part_in,
        _slug(activity_id=lambda o: o.pk),
        302,
        lambda w, o: _attendance(o) == ["", ""],
        data={"place": "jos_place", "attended": "yes"},
    ),
    Decision(
        "activities:coordinator_attendance",
        _activity_jo_takes_part_in,
        _slug(activity_id=lambda o: o.pk),
        302,
        lambda w, o: _attendance(o) == ["", ""],
        data={"place": "sams_place", "attended": "yes"},
    ),
    # Jo said yes: Jo cancels no activity Jo takes part in (neither the page nor the post).
    Decision(
        "activities:coordinator_activity_cancel",
        _activity_jo_said_yes_to,
        _slug(activity_id=lambda o: o.pk),
        302,
        lambda w, o: _still_on(o),
        data={"reason": "Not needed any more"},
    ),
    Decision(
        "activities:coordinator_activity_cancel",
        _activity_jo_said_yes_to,
        _slug(activity_id=lambda o: o.pk),
        302,
        lambda w, o: _still_on(o),
        method="get",
    ),
    Decision(
        "payments:coordinator_employment_status",
        _jo_as_mentor,
        lambda w, o: {"slug": "north", "person_id": o.pk},
        302,
        lambda w, o: not o.employment_decisions.exists(),
        data={"status": "payroll", "decided_on": "today"},
    ),
    Decision(
        "mentoring:coordinator_concern_detail",
        _concern_about_jo,
        _slug(concern_id=lambda o: o.pk),
        404,
        lambda w, o: _status(o) == "new",
        method="get",
    ),
    Decision(
        "mentoring:coordinator_concern_detail",
        _concern_about_jo,
        _slug(concern_id=lambda o: o.pk),
        404,
        lambda w, o: _status(o) == "new",
        data={"note": "Nothing", "new_status": "closed"},
    ),
    Decision(
        "mentoring:coordinator_talk_detail",
        _talk_about_jo,
        _slug(request_id=lambda o: o.pk),
        404,
        lambda w, o: _talked(o) is None,
        method="get",
    ),
    Decision(
        "mentoring:coordinator_talk_detail",
        _talk_about_jo,
        _slug(request_id=lambda o: o.pk),
        404,
        lambda w, o: _talked(o) is None,
        data={"talked_on": "today"},
    ),
    Decision(
        "programmes:coordinator_application_detail",
        lambda w: ApplicationFactory(programme=w.programme, person=w.coordinator),
        _slug(application_id=lambda o: o.pk),
        302,
        lambda w, o: _status(o) == "pending",
        data={"decision": "admit"},
    ),
    Decision(
        "programmes:invitation_accept",
        lambda w: InvitationFactory(programme=w.programme, created_by=w.coordinator),
        lambda w, o: {"token": o.token},
        200,
        lambda w, o: (
            o.programme.memberships.filter(person=w.coordinator, role="mentee").count() == 0
        ),
    ),
    Decision(
        "matching:coordinator_proposal_approve",
        _jos_proposal,
        _slug(proposal_id=lambda o: o.pk),
        302,
        lambda w, o: _status(o) == "proposed",
    ),
    Decision(
        "matching:coordinator_proposal_reject",
        _jos_proposal,
        _slug(proposal_id=lambda o: o.pk),
        302,
        lambda w, o: _status(o) == "proposed",
        data={"reason": "No"},
    ),
    Decision(
        "matching:coordinator_proposal_swap",
        _jos_proposal,
        _slug(proposal_id=lambda o: o.pk),
        302,
        lambda w, o: _status(o) == "proposed",
        data={"mentor": "1"},
    ),
    Decision(
        "matching:coordinator_round_approve",
        _jos_proposal,
        lambda w, o: {"slug": "north", "round_id": o.round_id},
        302,
        lambda w, o: _status(o) == "proposed",
        data={"proposal": "placeholder"},
    ),
    Decision(
        "matching:coordinator_round_approve_all",
        _jos_proposal,
        lambda w, o: {"slug": "north", "round_id": o.round_id},
        302,
        lambda w, o: _status(o) == "proposed",
        data={"scope": "page", "proposal": "placeholder"},
    ),
    Decision(
        "mentoring:coordinator_match_pause",
        _jo_mentors_priya,
        _slug(match_id=lambda o: o.pk),
        302,
        lambda w, o: _status(o) == "active",
        data={"reason": "A break"},
    ),
    Decision(
        "mentoring:coordinator_match_end",
        _jo_mentors_priya,
        _slug(match_id=lambda o: o.pk),
        302,
        lambda w, o: _status(o) == "active",
        data={"rating": "3", "recommend": "yes", "reason": "personal"},
    ),
    Decision(
        "mentoring:coordinator_match_resume",
        _jos_paused_match,
        _slug(match_id=lambda o: o.pk),
        302,
        lambda w, o: _status(o) == "paused",
    ),
    Decision(
        "programmes:coordinator_induction_record",
        _jos_induction,
        _slug(membership_id=lambda o: o.pk),
        302,
        lambda w, o: o.__class__.objects.get(pk=o.pk).inducted_on is None,
        data={"inducted_on": "today"},
    ),
    Decision(
        "programmes:coordinator_membership_end",
        _fellow_coordinator_role,
        _slug(membership_id=lambda o: o.pk),
        302,
        lambda w, o: o.__class__.objects.get(pk=o.pk).ended_at is None,
    ),
]


def _filled(data: dict, obj) -> dict:
    from django.utils import timezone

    values = {"placeholder": obj.pk, "today": timezone.localdate().isoformat()}
    places = getattr(obj, "places_taken", None)
    if places is not None:
        for name, key in (("jos_place", "Jo"), ("sams_place", "Sam")):
            values[name] = places.get(person__display_name=key).pk
    return {key: values.get(value, value) for key, value in data.items()}


@pytest.mark.parametrize("decision", DECISIONS, ids=[f"{d.name}-{d.method}" for d in DECISIONS])
def test_it_never_lets_a_coordinator_decide_about_themself(decision, world, login_as):
    obj = decision.make(world)
    client = login_as("coordinator")
    url = reverse(decision.name, kwargs=decision.kwargs(world, obj))
    response = getattr(client, decision.method)(url, _filled(decision.data, obj))
    assert response.status_code == decision.expect, url
    assert decision.kept(world, obj), url


def test_it_has_a_decision_row_for_every_coordinator_action_that_decides():
    """Every coordinator page that approves, pays, decides or handles something has a row
    above: a new one must say what happens when it is the coordinator's own."""
    deciding = {
        "panel:coordinator_proposal",
        "mentoring:coordinator_session_approve",
        "mentoring:coordinator_sessions",
        "payments:coordinator_expense",
        "payments:coordinator_expense_approve",
        "payments:coordinator_advance",
        "payments:coordinator_advance_approve",
        "payments:coordinator_purchase_new",
        "mentoring:coordinator_plan_missed",
        "mentoring:coordinator_plan_missed_confirm",
        "payments:coordinator_run_new",
        "payments:coordinator_run",
        "payments:coordinator_payee_fail",
        "payments:coordinator_employment_status",
        "mentoring:coordinator_concern_detail",
        "mentoring:coordinator_talk_detail",
        "programmes:coordinator_application_detail",
        "matching:coordinator_proposal_approve",
        "matching:coordinator_proposal_reject",
        "matching:coordinator_proposal_swap",
        "matching:coordinator_round_approve",
        "matching:coordinator_round_approve_all",
        "mentoring:coordinator_match_pause",
        "mentoring:coordinator_match_resume",
        "mentoring:coordinator_match_end",
        "programmes:coordinator_membership_end",
        "programmes:coordinator_induction_record",
        "programmes:invitation_accept",
        "activities:coordinator_attendance",
        "activities:coordinator_activity_cancel",
    }
    assert deciding <= {d.name for d in DECISIONS} <= set(MATRIX)


# Once Sam's mentor role in North Star has ended, nothing of his match there opens.
ENDED_ROLE = {
    "mentoring:match_detail": lambda w: {"match_id": _match_id(w)},
    "mentoring:session_new": lambda w: {"match_id": _match_id(w)},
    "mentoring:session_plan": lambda w: {"match_id": _match_id(w)},
    "mentoring:match_end": lambda w: {"match_id": _match_id(w)},
    "mentoring:agreement": lambda w: {"match_id": _match_id(w)},
    "mentoring:agreement_history": lambda w: {"match_id": _match_id(w)},
    "programmes:resources": lambda w: {"slug": w.programme.slug},
    "journal:match_goals": lambda w: _with_goal(w, {"match_id": _match_id(w)}),
    "mentoring:concern_new": lambda w: {"match_id": _match_id(w)},
    "mentoring:match_messages": lambda w: {"match_id": _match_id(w)},
    "mentoring:message_attach": lambda w: {"match_id": _match_id(w), "message_id": _message_id(w)},
    "mentoring:coproduction_check": lambda w: {"match_id": _match_id(w)},
    "mentoring:session_detail": lambda w: {"session_id": _session_logged_by_mentee(w)},
    "mentoring:session_edit": lambda w: {"session_id": _session_logged_by_mentee(w)},
    "mentoring:session_calendar": lambda w: {"session_id": _session_logged_by_mentee(w)},
    "mentoring:session_feedback": lambda w: {"session_id": _session_logged_by_mentee(w)},
    "mentoring:session_check_in": lambda w: {"session_id": _session_logged_by_mentor(w)},
    "mentoring:plan_calendar": lambda w: {"plan_id": _plan_id(w)},
    "mentoring:plan_change": lambda w: {"plan_id": _plan_id(w)},
    "journal:journal_shared_detail": lambda w: {"entry_id": _shared_journal_entry_id(w)},
    "activities:activity_detail": lambda w: {"activity_id": _activity_id(w)},
    "activities:activity_calendar": lambda w: {"activity_id": _activity_id(w)},
}


@pytest.mark.parametrize("name", sorted(ENDED_ROLE))
def test_it_closes_every_match_page_once_the_role_has_ended(name, world, login_as):
    from programmes.services import membership_add, membership_end

    kwargs = ENDED_ROLE[name](world)
    # Sam still mentors in Riverside: it is the role in the match's programme that counts.
    membership_add(programme=world.other_programme, person=world.mentor, role="mentor", by=None)
    client = login_as("mentor")
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 200
    membership_end(
        membership=Membership.objects.get(pk=_mentor_membership(world)), by=world.coordinator
    )
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 404


def test_it_closes_a_proposal_once_the_role_has_ended(world, login_as):
    from programmes.services import membership_end

    url = reverse("matching:proposal_answer", kwargs={"proposal_id": _approved_proposal_id(world)})
    client = login_as("mentor")
    assert client.get(url).status_code == 200
    membership_end(
        membership=Membership.objects.get(pk=_mentor_membership(world)), by=world.coordinator
    )
    assert client.get(url).status_code == 404
