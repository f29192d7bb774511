"""The demo seed: logins that work, a believable population, and the same data every run."""

from datetime import timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    validate_totp_code,
    yield_hotp_counters_from_time,
)
from allauth.mfa.utils import decrypt
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import AuditEvent, MenteeProfile, MentorProfile, User
from core.choices import AVAILABILITY_SLOT_KEYS, Role
from core.models import Topic
from journal.models import GoalNote, JournalEntry
from matching import services as matching_services
from matching.models import Match, MatchingRound, PairExclusion, Proposal
from mentoring.models import (
    AgreementVersion,
    CheckIn,
    Concern,
    CoproductionCheck,
    KindWords,
    Message,
    PlannedSession,
    Session,
    SessionFeedback,
)
from payments.models import LedgerLine, RunItem
from programmes.models import (
    Administrator,
    Application,
    Invitation,
    Membership,
    Organisation,
    Programme,
)
from tests.demo_copy import demo_seed

PASSWORD = "alongside-demo-2026"
STAFF = [
    "operator@example.org",
    "admin@example.org",
    "coordinator@example.org",
    "coordinator-b@example.org",
]
MEMBERS = [
    "mentor@example.org",
    "mentee@example.org",
    "mentor-new@example.org",
    "mentee-new@example.org",
    "mentor-b@example.org",
    "mentee-b@example.org",
]


def north_star_rounds():
    """The coordinator-led rounds the demo solved: Riverside's mentee-choice requests are kept
    as rounds too, and so is the pair Jo proposed a year ago (Sam and Priya), which is not
    solved but scored alone."""
    return MatchingRound.objects.filter(kind=MatchingRound.Kind.ROUND).exclude(
        proposals__mentee__email="mentee@example.org"
    )


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    # The command hashes once per run; a cheap hasher keeps check_password quick as well.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seeded() -> None:
    """The database as `seed_demo` leaves it: seeded once in this test process, then a copy
    of those rows for each test (tests/demo_copy.py, whose own test checks the copy is
    whole). Tests of the command itself (its output, running it again or on a fresh
    database, committing) call seed()."""
    demo_seed()


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = [
        User,
        EmailAddress,
        Authenticator,
        Organisation,
        Programme,
        Administrator,
        Membership,
        Application,
        Invitation,
        AuditEvent,
        MentorProfile,
        MenteeProfile,
        MentorProfile.languages.through,
        MentorProfile.topics_offered.through,
        MentorProfile.topics_off_limits.through,
        MentorProfile.lived_experience.through,
        MentorProfile.looked_after_by.through,
        MenteeProfile.languages.through,
        MenteeProfile.learning_goals.through,
        MenteeProfile.practice_areas.through,
        MatchingRound,
        Proposal,
        Match,
        PairExclusion,
        Session,
        Session.topics.through,
    ]
    return {model._meta.label: model.objects.count() for model in models}


def members(slug: str, role: str):
    return User.objects.filter(
        memberships__programme__slug=slug, memberships__role=role, memberships__ended_at=None
    )


def round_summary() -> dict:
    """What the demo round amounts to. Which mentor a mentee gets can differ between
    databases when scores tie (the engine breaks ties by id), so this counts rather than
    naming pairs."""
    statuses = Proposal.objects.filter(round__in=north_star_rounds()).values_list(
        "status", flat=True
    )
    return {
        "rounds": list(north_star_rounds().values_list("status", flat=True)),
        "statuses": {status: list(statuses).count(status) for status in Proposal.Status.values},
        "matches": Match.objects.filter(status=Match.Status.ACTIVE).count(),
    }


def current_code(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


@pytest.mark.django_db
def test_it_runs_and_prints_the_logins():
    out = seed()

    for email in STAFF + MEMBERS:
        assert email in out
    assert PASSWORD in out
    assert "Add the secret ALONGSIDEDEMO234 to an authenticator app" in out


@pytest.mark.django_db
def test_it_changes_nothing_when_run_again():
    seeded()
    first = counts()

    out = seed()

    assert counts() == first
    assert "North Star: 0 made-up people added." in out


def without_payments(monkeypatch):
    """For tests that empty the matches to seed again: paid sessions keep their ledger
    lines, which are never deleted, so these tests leave the payments out."""
    monkeypatch.setattr("demo.payments.seed_payments", lambda stdout: None)


@pytest.mark.django_db
def test_it_draws_the_same_people_on_a_fresh_database(monkeypatch):
    without_payments(monkeypatch)

    def snapshot():
        return sorted(
            (p.user.email, p.user.display_name, p.region, p.availability, p.capacity)
            + tuple(sorted(p.topics_offered.values_list("slug", flat=True)))
            for p in MentorProfile.objects.select_related("user")
        )

    seed()
    first = snapshot()
    rounds = round_summary()
    # A match keeps its proposal (and so its round and programme) from being deleted.
    Match.objects.all().delete()
    Programme.objects.all().delete()
    Organisation.objects.all().delete()
    User.objects.all().delete()

    seed()

    assert snapshot() == first
    assert round_summary() == rounds


@pytest.mark.django_db
def test_it_gives_every_demo_login_a_verified_email_and_the_demo_password():
    seeded()

    for email in STAFF + MEMBERS:
        user = User.objects.get(email=email)
        assert user.check_password(PASSWORD)
        assert user.is_active
        assert user.display_name and "test" not in user.display_name.lower()
        assert EmailAddress.objects.filter(
            user=user, email=email, verified=True, primary=True
        ).exists()


@pytest.mark.django_db
def test_it_lets_the_made_up_people_sign_in_too():
    seeded()

    user = User.objects.get(email="mentor-001@north-star.example.org")
    assert user.check_password(PASSWORD)
    assert EmailAddress.objects.get(user=user).verified
    assert not User.objects.exclude(
        pk__in=EmailAddress.objects.filter(verified=True, primary=True).values("user")
    ).exists()


@pytest.mark.django_db
def test_it_sets_up_two_factor_for_staff_with_the_demo_secret(settings):
    seeded()

    for email in STAFF:
        totp = Authenticator.objects.get(user__email=email, type=Authenticator.Type.TOTP)
        secret = decrypt(totp.data["secret"])
        assert secret == settings.DEMO_TOTP_SECRET
        assert validate_totp_code(secret, current_code(secret))
        assert TOTP(totp).validate_code(current_code(secret))
        assert Authenticator.objects.filter(
            user__email=email, type=Authenticator.Type.RECOVERY_CODES
        ).exists()
    assert not Authenticator.objects.filter(user__email__in=MEMBERS).exists()


@pytest.mark.django_db
def test_it_gives_staff_their_programmes():
    seeded()
    admin = User.objects.get(email="admin@example.org")
    coordinator = User.objects.get(email="coordinator@example.org")
    coordinator_b = User.objects.get(email="coordinator-b@example.org")

    # The Django admin is for the operator of the service; the organisation's administrator
    # runs it from its own pages.
    assert not (admin.is_staff or admin.is_superuser)
    operator = User.objects.get(email="operator@example.org")
    assert operator.is_staff and operator.is_superuser
    assert not Programme.objects.coordinated_by(operator).exists()
    assert Administrator.objects.filter(person=admin, organisation__slug="northern-care").exists()
    assert set(Programme.objects.coordinated_by(admin).values_list("slug", flat=True)) == {
        "north-star",
        "riverside",
    }
    assert list(Programme.objects.coordinated_by(coordinator).values_list("slug", flat=True)) == [
        "north-star"
    ]
    assert list(Programme.objects.coordinated_by(coordinator_b).values_list("slug", flat=True)) == [
        "riverside"
    ]
    assert not coordinator.is_staff


@pytest.mark.django_db
def test_it_fills_north_star_and_riverside():
    seeded()

    assert members("north-star", Role.MENTOR).count() >= 40
    assert members("north-star", Role.MENTEE).count() >= 120
    assert members("north-star", Role.MENTOR).filter(email="mentor@example.org").exists()
    assert members("north-star", Role.MENTEE).filter(email="mentee@example.org").exists()
    assert 0 < members("riverside", Role.MENTOR).count() < 40
    assert 0 < members("riverside", Role.MENTEE).count() < 120
    assert members("riverside", Role.MENTOR).filter(email="mentor-b@example.org").exists()
    assert Programme.objects.get(slug="north-star").description


@pytest.mark.django_db
def test_it_gives_the_named_mentors_and_mentees_complete_profiles():
    seeded()

    for email in ["mentor@example.org", "mentor-b@example.org"]:
        profile = MentorProfile.objects.get(user__email=email)
        assert profile.is_complete, profile.missing_fields()
        assert profile.has_consented and not profile.is_paused
    for email in ["mentee@example.org", "mentee-b@example.org"]:
        profile = MenteeProfile.objects.get(user__email=email)
        assert profile.is_complete, profile.missing_fields()


@pytest.mark.django_db
def test_it_leaves_some_profiles_as_drafts():
    seeded()
    profiles = [*MentorProfile.objects.all(), *MenteeProfile.objects.all()]

    drafts = [profile for profile in profiles if not profile.is_complete]

    assert 0.03 * len(profiles) < len(drafts) < 0.2 * len(profiles)


@pytest.mark.django_db
def test_it_makes_profiles_that_keep_the_rules():
    seeded()

    for profile in MentorProfile.objects.prefetch_related("topics_offered", "topics_off_limits"):
        offered = set(profile.topics_offered.all())
        assert not offered & set(profile.topics_off_limits.all())
        assert 1 <= profile.capacity <= 3
        assert set(profile.availability) <= AVAILABILITY_SLOT_KEYS
        assert set(profile.meeting_modes) <= {"online", "phone", "in_person"}
        if not profile.has_consented:
            assert not profile.lived_experience.exists()
            assert not profile.shared_with_mentee
    assert MentorProfile.objects.filter(paused_at__isnull=False).exists()
    assert MentorProfile.objects.exclude(shared_with_mentee="").exists()
    assert MenteeProfile.objects.exclude(accessibility_needs="").exists()
    assert MenteeProfile.objects.filter(languages__slug="en").count() > 100


@pytest.mark.django_db
def test_it_leaves_applications_and_invitations_for_the_coordinator():
    seeded()
    north_star = Programme.objects.get(slug="north-star")

    pending = Application.objects.filter(programme=north_star, status="pending")
    assert 3 <= pending.count() <= 4
    for application in pending:
        assert EmailAddress.objects.filter(user=application.person, verified=True).exists()
    invitations = Invitation.objects.filter(programme=north_star)
    assert invitations.count() == 2
    assert all(invitation.is_usable for invitation in invitations)
    assert {invitation.created_by.email for invitation in invitations} == {
        "coordinator@example.org"
    }


@pytest.mark.django_db
def test_it_does_not_ask_again_for_an_application_already_decided():
    seeded()
    Application.objects.update(status=Application.Status.DECLINED)

    seed()

    assert not Application.objects.filter(status=Application.Status.PENDING).exists()


@pytest.mark.django_db
def test_it_adds_a_larger_population_with_the_people_option():
    seeded()
    before = User.objects.count()

    out = seed("--people", "300")

    assert User.objects.count() == before + 300
    assert "National Pilot: 300 made-up people added." in out
    assert members("national-pilot", Role.MENTOR).count() == 75
    assert members("national-pilot", Role.MENTEE).count() == 225
    assert MentorProfile.objects.filter(user__email__endswith="national-pilot.example.org").count()
    after = counts()

    seed("--people", "300")

    assert counts() == after


@pytest.mark.django_db
def test_it_grows_the_pilot_without_redrawing_it():
    seed("--people", "40")
    first = list(
        User.objects.filter(email__endswith="national-pilot.example.org").values_list(
            "email", "display_name"
        )
    )

    seed("--people", "80")

    pilot = User.objects.filter(email__endswith="national-pilot.example.org")
    assert pilot.count() == 80
    assert set(first) <= set(pilot.values_list("email", "display_name"))


@pytest.mark.django_db
def test_it_refuses_a_negative_number_of_people():
    with pytest.raises(CommandError):
        seed("--people", "-1")


@pytest.mark.django_db
def test_it_explains_when_the_topic_library_is_missing():
    Topic.objects.all().delete()

    with pytest.raises(CommandError, match="migrate"):
        seed()


@pytest.mark.django_db
def test_it_runs_one_matching_round_in_north_star_through_the_services():
    seeded()

    matching_round = north_star_rounds().get()
    assert matching_round.programme.slug == "north-star"
    assert matching_round.status == MatchingRound.Status.FINISHED
    assert matching_round.started_by.email == "coordinator@example.org"
    assert matching_round.result_read()["pairs"]
    proposals = matching_round.proposals.all()
    assert proposals.count() == len(matching_round.result_read()["pairs"])
    assert all(proposal.reasons for proposal in proposals)
    by_status = round_summary()["statuses"]
    assert by_status["accepted"] == 8
    assert by_status["declined"] == 1
    assert by_status["rejected"] == 1
    assert by_status["proposed"] == 4
    assert by_status["approved"] > by_status["accepted"], "most proposals are approved"


@pytest.mark.django_db
def test_it_leaves_active_matches_a_decline_and_proposals_waiting():
    seeded()

    # The round's matches; Sam and Priya's, a year old, is the ninth.
    matches = Match.objects.select_related("proposal").exclude(mentee__email="mentee@example.org")
    assert matches.count() == 8
    assert matches.filter(status=Match.Status.ACTIVE).count() == 7  # and one ended
    for match in matches:
        assert match.proposal.status == Proposal.Status.ACCEPTED
        assert match.programme.slug == "north-star"
    declined = Proposal.objects.get(status=Proposal.Status.DECLINED)
    assert declined.mentor_answer == "accepted" and declined.mentee_answer == "declined"
    assert declined.decline_reason
    assert PairExclusion.objects.filter(
        mentor=declined.mentor, mentee=declined.mentee, reason="declined"
    ).exists()
    rejected = Proposal.objects.get(status=Proposal.Status.REJECTED)
    assert rejected.rejection_reason
    waiting_for_mentee = Proposal.objects.filter(
        status=Proposal.Status.APPROVED, mentor_answer="accepted", mentee_answer="waiting"
    )
    assert waiting_for_mentee.count() == 3
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MATCH_CREATED).count() == 9
    # The made-up people were asked long ago: nobody is emailed by the seed.
    assert not Proposal.objects.filter(status="approved", asked_at__isnull=True).exists()


@pytest.mark.django_db
def test_it_sends_no_email_when_the_seed_commits(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        seed()

    assert callbacks, "the round and the approvals queue their tasks"
    assert mailoutbox == []
    assert north_star_rounds().get().status == MatchingRound.Status.FINISHED


@pytest.mark.django_db
def test_it_keeps_the_published_pairs_out_of_the_seeded_round():
    seeded()
    snapshot = north_star_rounds().get().snapshot_read()
    mentors = {mentor["id"] for mentor in snapshot["mentors"]}
    mentees = {mentee["id"] for mentee in snapshot["mentees"]}
    for email in ("mentor@example.org", "mentor-new@example.org"):
        assert str(User.objects.get(email=email).pk) not in mentors
    for email in ("mentee@example.org", "mentee-new@example.org"):
        assert str(User.objects.get(email=email).pk) not in mentees


@pytest.mark.django_db
def test_it_matched_sam_and_priya_a_year_ago_in_a_pair_of_their_own():
    seeded()
    sam = User.objects.get(email="mentor@example.org")
    priya = User.objects.get(email="mentee@example.org")

    # Proposed by Jo, scored and explained by the engine, approved, and both said yes.
    proposal = Proposal.objects.get(mentor=sam)
    assert proposal.mentee == priya and proposal.status == Proposal.Status.ACCEPTED
    assert proposal.round.started_by.email == "coordinator@example.org"
    assert proposal.round.proposals.count() == 1
    (goals,) = [reason for reason in proposal.reasons if reason["code"] == "goals"]
    assert len(goals["topics"]) == goals["of"], "Sam can help with all Priya's learning goals"
    match = Match.objects.get(mentor=sam)
    assert match.mentee == priya and match.status == Match.Status.ACTIVE
    assert timezone.now() - match.started_at > timedelta(weeks=51)
    for person in (sam, priya):
        membership = Membership.objects.get(
            person=person, programme=match.programme, role__in=[Role.MENTOR, Role.MENTEE]
        )
        assert membership.joined_at < match.started_at
    assert not Proposal.objects.filter(mentee=priya).exclude(pk=proposal.pk).exists()


@pytest.mark.django_db
def test_it_lets_the_next_round_pair_the_new_mentor_and_mentee():
    """The demo's story, and the browser journey's: a coordinator starts a round and it
    suggests Marcia for Tom."""
    seeded()
    programme = Programme.objects.get(slug="north-star")
    coordinator = User.objects.get(email="coordinator@example.org")
    assert not Proposal.objects.filter(mentor__email="mentor-new@example.org").exists()
    assert not Proposal.objects.filter(mentee__email="mentee-new@example.org").exists()

    matching_round = matching_services.round_start(programme=programme, by=coordinator)
    matching_services.round_run(round_id=matching_round.pk)

    proposal = matching_round.proposals.get(mentee__email="mentee-new@example.org")
    assert proposal.mentor.email == "mentor-new@example.org"
    (goals,) = [reason for reason in proposal.reasons if reason["code"] == "goals"]
    assert len(goals["topics"]) == goals["of"], "Marcia can help with all Tom's learning goals"


@pytest.mark.django_db
def test_it_does_not_start_another_round_when_run_again():
    seeded()
    first = round_summary()

    seed()

    assert round_summary() == first
    assert north_star_rounds().count() == 1


@pytest.mark.django_db
def test_it_adds_no_round_to_a_demo_seeded_before_rounds_existed(monkeypatch):
    """Such a database already has Sam and Priya in North Star, and a round now could pair
    them with made-up people, spoiling the demo's story."""
    without_payments(monkeypatch)
    seed()
    Match.objects.all().delete()
    MatchingRound.objects.all().delete()
    PairExclusion.objects.all().delete()

    seed()

    assert not north_star_rounds().exists()


@pytest.mark.django_db
def test_it_gives_the_demo_matches_sessions_at_each_step():
    seeded()

    sessions = Session.objects.select_related("match")
    by_status = {status: sessions.filter(status=status).count() for status in Session.Status.values}
    # A year of sessions for eight matches and Sam and Priya's; the ended match's were all
    # approved, and Sam and Priya's latest waits for the coordinator.
    assert by_status == {"approved": 127, "confirmed": 7, "logged": 1, "disputed": 0}
    assert {session.match.status for session in sessions} == {
        Match.Status.ACTIVE,
        Match.Status.CLOSED,
    }
    first = sessions.order_by("starts_at").first()
    assert timezone.now() - first.starts_at > timedelta(weeks=49)
    assert first.match.started_at < first.starts_at
    assert all(session.starts_at < session.created_at for session in sessions)
    sams = sessions.filter(match__mentor__email="mentor@example.org").order_by("starts_at")
    assert sams.count() == 15 and sams.last().status == "confirmed"
    logged = sessions.get(status="logged")
    assert logged.logged_by in (logged.match.mentor, logged.match.mentee)
    assert Session.topics.through.objects.exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SESSION_APPROVED).count() == 127


@pytest.mark.django_db
def test_it_ends_one_match_with_both_surveys_and_raises_one_concern(mailoutbox):
    seeded()
    seed()

    ended = Match.objects.get(status=Match.Status.CLOSED)
    assert ended.ended_at < timezone.now()
    assert sorted(ended.closing_surveys.values_list("person", flat=True)) == sorted(
        [ended.mentor_id, ended.mentee_id]
    )
    assert PairExclusion.objects.filter(mentor=ended.mentor, mentee=ended.mentee).exists()
    concern = Concern.objects.get()
    assert concern.raised_by == concern.match.mentor
    assert concern.status == Concern.Status.IN_PROGRESS
    assert concern.actions.count() == 1
    # The plans still ahead (the payments demo adds a late cancellation and a missed one).
    plans = PlannedSession.objects.open()
    assert plans.count() == 3 and all(p.starts_at > timezone.now() for p in plans)
    # Seeding tells nobody: the coordinator "read it back then".
    assert not [m for m in mailoutbox if "concern" in m.subject.lower()]


@pytest.mark.django_db
def test_sam_and_priya_find_a_year_of_the_whole_loop():
    """What the published logins show: the README promises it."""
    seeded()
    match = Match.objects.get(mentor__email="mentor@example.org")
    sam, priya = match.mentor, match.mentee

    # The next session planned, online, with its link; their agreement, changed by Priya.
    (plan,) = PlannedSession.objects.open().filter(match=match)
    assert plan.meeting_link.startswith("https://") and plan.starts_at > timezone.now()
    versions = AgreementVersion.objects.filter(match=match).order_by("number")
    assert [v.written_by for v in versions] == [sam, priya]
    # Messages through the year; Sam's latest is new to Priya.
    messages = Message.objects.filter(match=match).order_by("sent_at")
    assert messages.count() >= 10
    assert timezone.now() - messages.first().sent_at > timedelta(weeks=50)
    assert list(messages.filter(read_at=None)) == [messages.last()]
    assert messages.last().sender == sam
    # Feedback from both after every session; Priya's latest quarterly check is to give.
    sessions = Session.objects.filter(match=match).order_by("starts_at")
    for session in sessions:
        given = set(SessionFeedback.objects.filter(session=session).values_list("role", flat=True))
        assert given == {"mentor", "mentee"}
    assert CoproductionCheck.objects.filter(match=match, person=sam).count() == 4
    assert CoproductionCheck.objects.filter(match=match, person=priya).count() == 3
    # Sam's check-in stays his; Priya's kind words are in his record.
    assert CheckIn.objects.filter(session__match=match, mentor=sam, talk_request=None).exists()
    assert KindWords.objects.get(match=match).in_record
    # Priya's journal: entries about their sessions, one shared with Sam; goals noted by both.
    entries = JournalEntry.objects.filter(mentee=priya)
    assert entries.filter(session__match=match).exists()
    assert entries.shared_with(sam).count() == 1
    authors = set(GoalNote.objects.filter(goal__mentee=priya).values_list("author", flat=True))
    assert authors == {sam.pk, priya.pk}
    # Sam is paid for every approved session, and most of it has reached him.
    approved = sessions.filter(status=Session.Status.APPROVED)
    lines = LedgerLine.objects.filter(mentor=sam, session__in=approved, kind="session")
    assert lines.count() == approved.count() == 14
    paid = RunItem.objects.filter(line__in=lines, status="paid")
    assert paid.count() >= 12


@pytest.mark.django_db
def test_it_gives_some_comment_themes_enough_people_to_show():
    """North Star's "What comments were about" shows figures for some themes this year, not
    only "c": the demo's comments carry the words the themes look for."""
    from reporting.figures import section_for, shown
    from reporting.periods import period_for

    seed()
    period, before = period_for("year", timezone.localdate())
    programme = Programme.objects.get(slug="north-star")
    section = section_for("voice", [programme.pk], period, before)
    shown_now = [
        label
        for label, cells in section.table("themes").rows
        if shown(section, cells[1]) not in ("c", "0")
    ]
    assert len(shown_now) >= 3, shown_now
