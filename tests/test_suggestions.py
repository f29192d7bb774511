"""Mentee-choice suggestions and swap candidates, read for one mentee without solving a round.

The old way built the whole programme's round (round_instance) and solved the engine once
for every mentor and once more per suggestion; it is kept here as the reference
(`solved_suggestions`), and the new way must give the same mentors, in the same order, with
the same scores and reasons, on a believable population: drafts, paused mentors, care
experience with and without consent, council rules, people in person and online, loads,
pairs excluded before, and someone who is both a mentor and a mentee."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import MentorProfile
from core.choices import Role
from core.expressions import ListHasAny
from core.models import Topic
from demo.people import plan_programme
from demo.population import SharedLists, population_create
from matching import engine, services
from matching.models import MatchingRound, PairExclusion, Proposal
from matching.selectors import live_mentor_loads, round_instance
from programmes.models import Membership, Programme
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    complete_mentee_profile,
    complete_mentor_profile,
    live_match,
)

# The reference: how suggestions and swap candidates were found before, by solving.


def solved_best_mentors(*, snapshot, mentee_id, loads, without=(), limit=5):
    mentee = next((m for m in snapshot["mentees"] if m["id"] == mentee_id), None)
    if mentee is None:
        return []
    mentors = [
        {**m, "current_load": loads.get(int(m["id"]), 0)}
        for m in snapshot["mentors"]
        if m["id"] not in {str(w) for w in without}
    ]
    base = {**snapshot, "mentees": [mentee], "max_candidates_per_mentee": None}
    everyone = engine.solve({**base, "mentors": mentors}, edges=True)
    best = sorted(everyone["edges"], key=lambda e: (-e["score"], e["mentor"]))[:limit]
    names = {m["id"]: m.get("name", m["id"]) for m in mentors}
    candidates = []
    for edge in best:
        alone = engine.solve({**base, "mentors": [m for m in mentors if m["id"] == edge["mentor"]]})
        candidates.append(
            {
                "mentor_id": int(edge["mentor"]),
                "name": names[edge["mentor"]],
                "score": edge["score"],
                "reasons": alone["pairs"][0]["reasons"] if alone["pairs"] else [],
            }
        )
    return candidates


def solved_suggestions(*, programme, mentee, limit=5):
    snapshot = round_instance(programme)
    return solved_best_mentors(
        snapshot=snapshot,
        mentee_id=str(mentee.pk),
        loads={int(m["id"]): m["current_load"] for m in snapshot["mentors"]},
        limit=limit,
    )


# A believable programme.


def choice_programme(slug: str, *, mentors: int, mentees: int, seed: int = 7) -> Programme:
    programme = ProgrammeFactory(
        organisation=OrganisationFactory(),
        slug=slug,
        matching_mode=Programme.MatchingMode.MENTEE_CHOICE,
    )
    plan = plan_programme(
        random.Random(seed),
        slug=slug,
        home="north-west",
        mentors=mentors,
        mentees=mentees,
        now=timezone.now(),
    )
    population_create(programme=programme, people=plan, password_hash="!", lists=SharedLists())
    return programme


def people(programme, role):
    return [
        m.person
        for m in Membership.objects.current()
        .filter(programme=programme, role=Role.MENTOR if role == "mentor" else Role.MENTEE)
        .select_related("person")
        .order_by("person_id")
    ]


@pytest.fixture
def busy_programme(db):
    """40 mentors and 60 mentees, with the things that change who may be suggested."""
    programme = choice_programme("busy", mentors=40, mentees=60)
    mentors, mentees = people(programme, "mentor"), people(programme, "mentee")
    # Loads: two live matches and one request waiting for its mentor's answer.
    live_match(programme, mentors[0], mentees[0])
    live_match(programme, mentors[1], mentees[1])
    for mentee in mentees[2:]:
        suggestions = services.mentee_suggestions(programme=programme, mentee=mentee)
        if suggestions:
            services.mentee_request(
                programme=programme, mentee=mentee, mentor_id=suggestions[0]["mentor_id"]
            )
            break
    # Pairs not to be proposed again.
    for mentor, mentee in zip(mentors[2:8], mentees[10:16], strict=True):
        PairExclusion.objects.create(
            programme=programme, mentor=mentor, mentee=mentee, reason="declined"
        )
    # A practitioner who is also a mentor here, never suggested to themself.
    both = mentees[20]
    MembershipFactory(programme=programme, person=both, role=Role.MENTOR)
    complete_mentor_profile(both)
    # In person with no region: a draft, never suggested.
    MentorProfile.objects.filter(user=mentors[3]).update(
        meeting_modes=["online", "in_person"], region=""
    )
    # A mentor who has left the programme.
    Membership.objects.filter(programme=programme, person=mentors[4]).update(
        ended_at=timezone.now()
    )
    return programme


@pytest.mark.parametrize(
    "weights",
    [
        {},
        # A heavy load spread: a mentor with a mentee already is rarely worth proposing, so
        # their suggestions carry no reasons, as when solved; waiting not counted.
        {"load_spread": 6, "waiting": 0, "region": 2.5},
    ],
)
def test_it_suggests_the_mentors_solving_did_with_the_same_scores_and_reasons(
    busy_programme, weights
):
    busy_programme.matching_weights = weights
    busy_programme.save()
    compared = with_reasons = without_reasons = 0
    for mentee in people(busy_programme, "mentee"):
        # Solving ranks every candidate; the first five of that are the suggestions.
        expected = solved_suggestions(programme=busy_programme, mentee=mentee, limit=100)
        found = services.mentee_suggestions(programme=busy_programme, mentee=mentee, limit=100)
        assert found == expected, mentee.email
        assert (
            services.mentee_suggestions(programme=busy_programme, mentee=mentee) == (expected[:5])
        )
        compared += bool(expected)
        with_reasons += sum(1 for c in expected if c["reasons"])
        without_reasons += sum(1 for c in expected if not c["reasons"])
    # The population reached what matters: many suggestion lists, reasons, and for the
    # heavy load spread pairs worth too little to carry any.
    assert compared > 40 and with_reasons > 100
    assert without_reasons > 0 if weights else without_reasons == 0


def test_it_lists_the_swap_candidates_solving_the_rounds_input_did(busy_programme, monkeypatch):
    """Swapping ranks from today's profiles and never reads the round's stored input (tens of
    megabytes at national scale). With nothing changed since the round, it gives what solving
    that input gives: the same mentors, scores and reasons, with the round's weights even
    after the programme's change, never the proposal's own mentor."""
    snapshot = round_instance(busy_programme)
    matching_round = MatchingRound.objects.create(
        programme=busy_programme,
        status=MatchingRound.Status.FINISHED,
        weights=snapshot["weights"],
    )
    proposals = []
    # Every third mentee's best pair is proposed, leaving most mentors room for the swaps.
    for mentee in snapshot["mentees"][::3]:
        best = solved_best_mentors(snapshot=snapshot, mentee_id=mentee["id"], loads={}, limit=1)
        if best:
            proposals.append(
                Proposal.objects.create(
                    round=matching_round,
                    mentor_id=best[0]["mentor_id"],
                    mentee_id=int(mentee["id"]),
                    score=best[0]["score"],
                    reasons=best[0]["reasons"],
                )
            )
    busy_programme.matching_weights = {"load_spread": 6, "waiting": 0, "region": 2.5}
    busy_programme.save()
    loads = live_mentor_loads(busy_programme)
    expected = [
        solved_best_mentors(
            snapshot=snapshot,
            mentee_id=str(proposal.mentee_id),
            loads=loads,
            without={proposal.mentor_id},
        )
        for proposal in proposals
    ]
    # (How many depends on the ids the database gives, which break ties between mentors.)
    assert len(proposals) > 12 and sum(map(len, expected)) > 30
    monkeypatch.setattr(services.engine, "solve", None)
    monkeypatch.setattr(MatchingRound, "snapshot_read", None)
    found = [services.swap_candidates(proposal=proposal) for proposal in proposals]
    assert found == expected
    assert all(
        proposal.mentor_id not in {c["mentor_id"] for c in candidates}
        for proposal, candidates in zip(proposals, found, strict=True)
    )


def test_it_suggests_nothing_to_a_mentee_with_a_match_or_request_in_play(busy_programme):
    mentees = people(busy_programme, "mentee")
    asked = [m for m in mentees if m.proposals_as_mentee.filter(status="approved").exists()]
    assert asked
    for mentee in [mentees[0], *asked]:
        assert services.mentee_suggestions(programme=busy_programme, mentee=mentee) == []


def test_it_suggests_and_asks_without_solving_or_reading_the_whole_programme(
    busy_programme, monkeypatch
):
    def refuse(*args, **kwargs):
        raise AssertionError("solved a round or read the whole programme")

    mentee = next(
        m
        for m in people(busy_programme, "mentee")
        if solved_suggestions(programme=busy_programme, mentee=m)
    )
    monkeypatch.setattr(services.engine, "solve", refuse)
    monkeypatch.setattr(services, "round_instance", refuse)
    choice = services.mentee_suggestions(programme=busy_programme, mentee=mentee)[0]
    proposal = services.mentee_request(
        programme=busy_programme, mentee=mentee, mentor_id=choice["mentor_id"]
    )
    assert (proposal.score, proposal.reasons) == (choice["score"], choice["reasons"])
    # The request's round keeps the mentee and the mentors who could have been suggested.
    snapshot = proposal.round.snapshot_read()
    assert [m["id"] for m in snapshot["mentees"]] == [str(mentee.pk)]
    assert str(choice["mentor_id"]) in {m["id"] for m in snapshot["mentors"]}
    assert snapshot["labels"]["topics"]


def suggestion_queries(programme) -> int:
    mentee = next(
        m
        for m in people(programme, "mentee")
        if services.mentee_suggestions(programme=programme, mentee=m)
    )
    with CaptureQueriesContext(connection) as queries:
        services.mentee_suggestions(programme=programme, mentee=mentee)
    return len(queries)


def test_it_reads_the_same_number_of_queries_for_few_mentors_or_many(db):
    few = choice_programme("few", mentors=6, mentees=6, seed=1)
    many = choice_programme("many", mentors=120, mentees=6, seed=1)
    # Eleven, and six for each group of mentors read: a group is the mentors offering the
    # same number of the mentee's goals (at most four here), so never more than five groups.
    assert suggestion_queries(few) == suggestion_queries(many) <= 11 + 6 * 5


@pytest.mark.parametrize(
    "values, expected",
    [
        (["tue-eve"], {"a", "c"}),
        (["thu-pm", "sat-am"], {"b", "c"}),
        (["sun-pm"], set()),
        ([], set()),
    ],
)
def test_a_json_list_is_asked_whether_it_holds_any_of_some_texts(db, values, expected):
    programme = ProgrammeFactory(organisation=OrganisationFactory())
    held = {"a": ["tue-eve"], "b": ["thu-pm"], "c": ["sat-am", "tue-eve"], "d": []}
    for name, slots in held.items():
        mentor = MembershipFactory(programme=programme, role=Role.MENTOR).person
        mentor.display_name = name
        mentor.save()
        MentorProfile.objects.create(user=mentor, availability=slots)
    found = MentorProfile.objects.filter(ListHasAny("availability", values))
    assert set(found.values_list("user__display_name", flat=True)) == expected


def test_it_reads_only_the_mentors_offering_most_goals_when_they_fit_best(db):
    """Twelve mentors who offer Priya's goal and fit her well, sixty who do not offer it:
    her five suggestions come from the twelve, and the sixty are never read."""
    programme = ProgrammeFactory(
        organisation=OrganisationFactory(), matching_mode=Programme.MatchingMode.MENTEE_CHOICE
    )
    priya = MembershipFactory(programme=programme, role=Role.MENTEE).person
    complete_mentee_profile(priya)  # her goal: bias; online, Tuesday evenings, north-west
    for number in range(72):
        mentor = MembershipFactory(programme=programme, role=Role.MENTOR).person
        profile = complete_mentor_profile(mentor)  # offers bias and family time
        if number >= 12:
            profile.topics_offered.set(Topic.objects.filter(slug="power"))
    expected = solved_suggestions(programme=programme, mentee=priya)

    data, found = services._suggestions(programme, priya, 5)

    assert found == expected and len(found) == 5
    assert len(data["mentors"]) == 12
