"""A coordinator proposes one pair outside a round (matching.services.pair_propose): scored and
explained by the engine as a round would, waiting for review like any other proposal, and
refused when the engine would never suggest that mentor for that mentee."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.choices import Role
from matching import services
from matching.models import Match, MatchingRound, PairExclusion, Proposal
from tests.factories import MembershipFactory, UserFactory, complete_mentor_profile


@pytest.mark.django_db
def test_a_proposed_pair_is_scored_waits_for_review_and_becomes_a_match(world):
    # The same score and reasons the mentee's suggestions give, before she is in play.
    (suggested,) = [
        s
        for s in services.mentee_suggestions(programme=world.programme, mentee=world.mentee)
        if s["mentor_id"] == world.mentor.pk
    ]
    proposal = services.pair_propose(
        programme=world.programme,
        mentee=world.mentee,
        mentor_id=world.mentor.pk,
        by=world.coordinator,
    )

    assert proposal.status == Proposal.Status.PROPOSED
    assert proposal.reasons and proposal.score > 0
    matching_round = proposal.round
    assert matching_round.status == MatchingRound.Status.FINISHED
    assert matching_round.started_by == world.coordinator
    assert matching_round.proposals.get() == proposal
    # Its input is kept, as a round's is: its reasons can be exported and read again.
    assert matching_round.snapshot_read()["mentees"][0]["id"] == str(world.mentee.pk)
    assert (proposal.score, proposal.reasons) == (suggested["score"], suggested["reasons"])

    assert services.proposal_approve(proposal=proposal, by=world.coordinator)
    for person in (world.mentor, world.mentee):
        services.proposal_answer(proposal=proposal, person=person, accept=True)
    assert Match.objects.live().filter(proposal=proposal).exists()


@pytest.mark.django_db
def test_a_pair_the_engine_would_not_suggest_is_refused(world):
    PairExclusion.objects.create(
        programme=world.programme, mentor=world.mentor, mentee=world.mentee, reason="declined"
    )
    with pytest.raises(ValidationError, match="cannot be suggested"):
        services.pair_propose(
            programme=world.programme,
            mentee=world.mentee,
            mentor_id=world.mentor.pk,
            by=world.coordinator,
        )
    assert not Proposal.objects.exists() and not MatchingRound.objects.exists()


@pytest.mark.django_db
def test_a_mentee_already_in_play_is_refused(world):
    first = services.pair_propose(
        programme=world.programme,
        mentee=world.mentee,
        mentor_id=world.mentor.pk,
        by=world.coordinator,
    )
    other = UserFactory(display_name="Ola")
    MembershipFactory(programme=world.programme, person=other, role=Role.MENTOR)
    complete_mentor_profile(other)

    with pytest.raises(ValidationError):
        services.pair_propose(
            programme=world.programme, mentee=world.mentee, mentor_id=other.pk, by=world.coordinator
        )
    assert list(Proposal.objects.all()) == [first]


@pytest.mark.django_db
def test_nobody_proposes_a_pair_they_are_part_of(world):
    MembershipFactory(programme=world.programme, person=world.coordinator, role=Role.MENTOR)
    complete_mentor_profile(world.coordinator)
    with pytest.raises(PermissionDenied):
        services.pair_propose(
            programme=world.programme,
            mentee=world.mentee,
            mentor_id=world.coordinator.pk,
            by=world.coordinator,
        )
    assert not Proposal.objects.exists()
