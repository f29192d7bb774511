"""The round's input is read from profiles with set-based queries (values, and each
many-to-many field gathered per person), and is exactly what the old reading gave: one
model instance per person, checked with `is_complete` in Python. That reading is kept here
only, as the reference (reference_round_instance), and compared on a programme with every
kind of person the rules tell apart.

"Complete" is written once (accounts.models.Needs) and read both ways: is_complete in
Python, MentorProfile.objects.complete() in SQL. The two must agree on every profile."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models.signals import pre_init
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import MenteeProfile, MentorProfile, User
from core.choices import Role
from core.models import Language, LocalAuthority, PracticeArea, Topic
from matching.models import Match, MatchingRound, PairExclusion, Proposal
from matching.selectors import (
    _labels,
    _relevance,
    live_mentor_loads,
    programme_weights,
    round_instance,
)
from programmes.models import Membership, Programme
from tests.factories import (
    MembershipFactory,
    ProgrammeFactory,
    UserFactory,
    complete_mentee_profile,
    complete_mentor_profile,
)


def _slugs(items) -> list[str]:
    return sorted(item.slug for item in items)


def reference_round_instance(programme: Programme) -> dict:
    """matching.selectors.round_instance as it was before it became set-based: one model
    instance per person, with prefetches, and `is_complete` checked in Python."""
    members = Membership.objects.current().filter(programme=programme)
    mentor_ids = members.filter(role=Role.MENTOR).values("person_id")
    mentee_ids = members.filter(role=Role.MENTEE).values("person_id")
    joined = dict(members.filter(role=Role.MENTEE).values_list("person_id", "joined_at"))

    open_proposals = Proposal.objects.open().filter(round__programme=programme)
    live_matches = Match.objects.live().filter(programme=programme)
    loads = live_mentor_loads(programme)
    busy_mentees = set(open_proposals.values_list("mentee_id", flat=True)) | set(
        live_matches.values_list("mentee_id", flat=True)
    )

    mentors = []
    for profile in (
        MentorProfile.objects.filter(user_id__in=mentor_ids, paused_at__isnull=True)
        .select_related("user")
        .prefetch_related(
            "languages",
            "topics_offered",
            "topics_off_limits",
            "lived_experience",
            "looked_after_by",
        )
        .order_by("user_id")
    ):
        if not profile.is_complete:
            continue
        consented = profile.has_consented
        mentors.append(
            {
                "id": str(profile.user_id),
                "name": profile.user.display_name,
                "capacity": profile.capacity,
                "current_load": loads.get(profile.user_id, 0),
                "languages": _slugs(profile.languages.all()),
                "region": profile.region or None,
                "modes": sorted(profile.meeting_modes),
                "availability": sorted(profile.availability),
                "offers": _slugs(profile.topics_offered.all()),
                "off_limits": _slugs(profile.topics_off_limits.all()),
                "experience": _slugs(profile.lived_experience.all()) if consented else [],
                "looked_after_by": (
                    _slugs(profile.looked_after_by.all())
                    if consented and not profile.happy_to_mentor_own_council
                    else []
                ),
            }
        )

    today = timezone.now()
    mentees = []
    for profile in (
        MenteeProfile.objects.filter(user_id__in=mentee_ids)
        .exclude(user_id__in=busy_mentees)
        .select_related("user", "employer")
        .prefetch_related("languages", "practice_areas", "learning_goals")
        .order_by("user_id")
    ):
        if not profile.is_complete:
            continue
        mentees.append(
            {
                "id": str(profile.user_id),
                "name": profile.user.display_name,
                "languages": _slugs(profile.languages.all()),
                "region": profile.region or None,
                "modes": sorted(profile.meeting_modes),
                "availability": sorted(profile.availability),
                "goals": _slugs(profile.learning_goals.all()),
                "practice_areas": _slugs(profile.practice_areas.all()),
                "employer": profile.employer.slug if profile.employer else None,
                "waiting_days": max(0, (today - joined[profile.user_id]).days),
            }
        )

    both = {m["id"] for m in mentors} & {m["id"] for m in mentees}
    excluded = {
        (str(mentor), str(mentee))
        for mentor, mentee in PairExclusion.objects.filter(programme=programme).values_list(
            "mentor_id", "mentee_id"
        )
    } | {(person, person) for person in both}
    return {
        "programme": programme.slug,
        "weights": programme_weights(programme),
        "max_candidates_per_mentee": programme.max_candidates_per_mentee,
        "relevance": _relevance(),
        "labels": _labels(),
        "mentors": mentors,
        "mentees": mentees,
        "excluded_pairs": sorted([list(pair) for pair in excluded]),
    }


# ---------------------------------------------------------------------------------------------
# A programme with every kind of person.


def person(programme, role: str, name: str, *, joined_days_ago: int = 0) -> User:
    someone = UserFactory(display_name=name, email=f"{name.lower()}@example.test")
    MembershipFactory(programme=programme, person=someone, role=role)
    if joined_days_ago:
        Membership.objects.filter(person=someone, programme=programme).update(
            joined_at=timezone.now() - timedelta(days=joined_days_ago, hours=1)
        )
    return someone


def mentor(programme, name: str, **fields) -> MentorProfile:
    profile = complete_mentor_profile(person(programme, Role.MENTOR, name))
    return _change(profile, fields)


def mentee(programme, name: str, joined_days_ago: int = 0, **fields) -> MenteeProfile:
    someone = person(programme, Role.MENTEE, name, joined_days_ago=joined_days_ago)
    return _change(complete_mentee_profile(someone), fields)


def _change(profile, fields: dict):
    """Set plain fields, and many-to-many ones from lists of slugs."""
    related = {}
    for key, value in fields.items():
        if profile._meta.get_field(key).many_to_many:
            related[key] = value
        else:
            setattr(profile, key, value)
    profile.save()
    for key, slugs in related.items():
        model = profile._meta.get_field(key).related_model
        getattr(profile, key).set(model.objects.filter(slug__in=slugs))
    return profile


def a_round_for(programme) -> MatchingRound:
    return MatchingRound.objects.create(programme=programme, status="finished")


@pytest.fixture
def everyone(db):
    """Mentors and mentees of North Star that the rules tell apart, and people elsewhere."""
    north = ProgrammeFactory(
        name="North Star", slug="north", max_candidates_per_mentee=7, matching_weights={"goals": 4}
    )
    other = ProgrammeFactory(organisation=north.organisation, name="Riverside", slug="south")
    now = timezone.now()
    people = {}
    # Mentors.
    people["sam"] = mentor(
        north,
        "Sam",
        consent_given_at=now,
        lived_experience=["foster-care", "leaving-care", "child-protection"],
        looked_after_by=["trafford", "salford"],
        languages=["en", "pl", "bsl"],
        topics_offered=["bias", "language-that-cares", "saying-struggling"],
        topics_off_limits=["power-and-participation"],
        capacity=3,
    )
    people["happy"] = mentor(
        north,
        "Hap",
        consent_given_at=now,
        happy_to_mentor_own_council=True,
        lived_experience=["adoption"],
        looked_after_by=["salford"],
    )
    people["no_consent"] = mentor(
        north, "Nico", lived_experience=["youth-justice"], looked_after_by=["leeds"]
    )
    people["paused"] = mentor(north, "Pat", paused_at=now)
    people["no_topics"] = mentor(north, "Tia", topics_offered=[])
    people["no_languages"] = mentor(north, "Lan", languages=[])
    people["no_times"] = mentor(north, "Tim", availability=[])
    people["no_modes"] = mentor(north, "Mo", meeting_modes=[])
    people["in_person_nowhere"] = mentor(north, "Ina", meeting_modes=["in_person"], region="")
    people["in_person"] = mentor(
        north, "Ivo", meeting_modes=["phone", "in_person"], region="north-east"
    )
    people["online_no_region"] = mentor(north, "Ola", region="")
    people["loaded"] = mentor(north, "Lou", capacity=2)
    people["left"] = mentor(north, "Lef")
    Membership.objects.filter(person=people["left"].user).update(ended_at=now)
    people["elsewhere"] = mentor(other, "Kai")
    draft = person(north, Role.MENTOR, "Dana")
    MentorProfile.objects.create(user=draft)
    person(north, Role.MENTOR, "Noprofile")
    # Someone who is both: a mentor and a mentee in North Star.
    both = mentor(north, "Bo")
    MembershipFactory(programme=north, person=both.user, role=Role.MENTEE)
    _change(complete_mentee_profile(both.user), {"learning_goals": ["bias", "saying-struggling"]})
    people["both"] = both

    # Mentees.
    people["priya"] = mentee(
        north,
        "Priya",
        joined_days_ago=40,
        languages=["pl", "en"],
        learning_goals=["saying-struggling", "bias", "language-that-cares"],
        practice_areas=["leaving-care", "children-in-care", "child-protection"],
        employer=LocalAuthority.objects.get(slug="trafford"),
    )
    people["later"] = mentee(north, "Lee", joined_days_ago=3, region="")
    people["meets"] = mentee(north, "Meg", meeting_modes=["in_person"], region="north-west")
    people["meets_nowhere"] = mentee(north, "Nell", meeting_modes=["in_person"], region="")
    people["no_role"] = mentee(north, "Rory", practitioner_role="")
    people["no_employer"] = mentee(north, "Emm", employer=None)
    people["no_areas"] = mentee(north, "Ari", practice_areas=[])
    people["no_goals"] = mentee(north, "Gil", learning_goals=[])
    people["proposed"] = mentee(north, "Pru")
    people["approved"] = mentee(north, "Abe")
    people["declined"] = mentee(north, "Dec")
    people["matched"] = mentee(north, "Mat")
    people["paused_match"] = mentee(north, "Pam")
    people["closed_match"] = mentee(north, "Cli")
    people["other_mentee"] = mentee(other, "Oth")
    draft = person(north, Role.MENTEE, "Drew")
    MenteeProfile.objects.create(user=draft)

    # Proposals and matches: who is busy, and who the mentors are busy with.
    lou = people["loaded"].user
    for key, status in (
        ("proposed", "proposed"),
        ("approved", "approved"),
        ("declined", "declined"),
    ):
        Proposal.objects.create(
            round=a_round_for(north),
            mentor=lou,
            mentee=people[key].user,
            score=1,
            status=status,
        )
    for key, status in (
        ("matched", "active"),
        ("paused_match", "paused"),
        ("closed_match", "closed"),
    ):
        proposal = Proposal.objects.create(
            round=a_round_for(north), mentor=people["sam"].user, mentee=people[key].user, score=1,
            status="accepted",
        )  # fmt: skip
        Match.objects.create(
            programme=north,
            proposal=proposal,
            mentor=proposal.mentor,
            mentee=proposal.mentee,
            status=status,
        )
    # A busy mentee elsewhere is not busy here.
    Proposal.objects.create(
        round=a_round_for(other), mentor=people["elsewhere"].user, mentee=people["later"].user,
        score=1,
    )  # fmt: skip
    for a_mentor, a_mentee in (("sam", "priya"), ("happy", "later"), ("elsewhere", "meets")):
        PairExclusion.objects.create(
            programme=north if a_mentor != "elsewhere" else other,
            mentor=people[a_mentor].user,
            mentee=people[a_mentee].user,
            reason="declined",
        )
    return north, people


def test_it_reads_exactly_what_the_old_reading_gave(everyone):
    north, people = everyone

    instance = round_instance(north)

    assert instance == reference_round_instance(north)
    # And the programme really has every kind of person in it.
    ids = {side: {entry["id"] for entry in instance[side]} for side in ("mentors", "mentees")}
    pk = {name: str(profile.user_id) for name, profile in people.items()}
    assert {pk["sam"], pk["happy"], pk["no_consent"], pk["in_person"], pk["both"]} <= ids["mentors"]
    for left_out in ("paused", "no_topics", "no_languages", "no_times", "no_modes", "left"):
        assert pk[left_out] not in ids["mentors"], left_out
    assert pk["in_person_nowhere"] not in ids["mentors"]
    assert {pk["priya"], pk["later"], pk["meets"], pk["declined"], pk["both"]} <= ids["mentees"]
    for left_out in ("no_role", "no_employer", "no_areas", "no_goals", "meets_nowhere"):
        assert pk[left_out] not in ids["mentees"], left_out
    for busy in ("proposed", "approved", "matched", "paused_match"):
        assert pk[busy] not in ids["mentees"], busy
    assert pk["closed_match"] in ids["mentees"]
    sam = next(m for m in instance["mentors"] if m["id"] == pk["sam"])
    assert sam["experience"] == ["child-protection", "foster-care", "leaving-care"]
    assert sam["looked_after_by"] == ["salford", "trafford"]
    assert sam["current_load"] == 2
    assert [pk["both"], pk["both"]] in instance["excluded_pairs"]


def test_it_reads_the_same_for_an_empty_programme(db):
    programme = ProgrammeFactory()

    assert round_instance(programme) == reference_round_instance(programme)


def test_it_reads_any_number_of_people_in_the_same_few_queries_and_makes_nobody(
    everyone, django_assert_num_queries
):
    north, _ = everyone
    with CaptureQueriesContext(connection) as few:
        round_instance(north)
    for number in range(20):
        mentor(north, f"More{number}", languages=["en", "cy"])
        mentee(north, f"Extra{number}", learning_goals=["bias"])
    made = []

    def count(sender, **kwargs):
        made.append(sender.__name__)

    pre_init.connect(count)
    try:
        with django_assert_num_queries(len(few)):
            instance = round_instance(north)
    finally:
        pre_init.disconnect(count)

    people = {"User", "MentorProfile", "MenteeProfile", "Membership", "Language", "Topic"}
    assert not people & set(made), f"model instances made per person: {sorted(set(made))}"
    assert len(instance["mentors"]) > 20 and len(instance["mentees"]) > 20
    assert instance == reference_round_instance(north)


def test_it_defines_a_complete_profile_once_for_python_and_the_database(everyone):
    for model in (MentorProfile, MenteeProfile):
        in_python = {profile.pk for profile in model.objects.all() if profile.is_complete}
        in_sql = set(model.objects.complete().values_list("pk", flat=True))
        assert in_sql == in_python, model.__name__
        assert model.objects.exclude(pk__in=in_sql).exists(), "some drafts to tell apart"


def test_it_keeps_saying_what_is_missing_in_the_same_order(db):
    someone = UserFactory()
    profile = MenteeProfile.objects.create(user=someone, meeting_modes=["in_person"])

    assert profile.missing_fields() == [
        "your role",
        "who you work for",
        "your practice area",
        "what you want to learn",
        "the languages you speak",
        "your region, for meeting in person",
        "when you are free",
    ]
    profile.languages.set(Language.objects.filter(slug="en"))
    profile.practice_areas.set(PracticeArea.objects.filter(slug="fostering"))
    profile.learning_goals.set(Topic.objects.filter(slug="bias"))
    assert profile.missing_fields() == [
        "your role",
        "who you work for",
        "your region, for meeting in person",
        "when you are free",
    ]
