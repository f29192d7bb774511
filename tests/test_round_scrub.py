"""Rounds forget people who leave, and care experience whose consent is withdrawn.

A round keeps its input snapshot, its result (RoundData) and its proposals' reasons so it can be
reviewed, re-run and exported. Deleting an account takes the person's name and care
experience out of every round of every programme; withdrawing consent takes the care
experience out ("If you withdraw, we delete what you shared straight away"). Reasons are
data without names, so only the experience reasons about the person need to go.
"""

import pytest
from django.urls import reverse

from core.choices import Role
from matching import services
from matching.models import MatchingRound, RoundData
from portal.services import account_delete, mentor_consent_withdraw
from programmes.models import Programme
from tests.factories import (
    MembershipFactory,
    UserFactory,
    complete_mentee_profile,
    give_care_experience,
)

DELETED = "Deleted person"


def solved_round(world) -> MatchingRound:
    matching_round = services.round_start(programme=world.programme, by=world.coordinator)
    services.round_run(round_id=matching_round.pk)
    matching_round.refresh_from_db()
    return matching_round


def entry(snapshot: dict, side: str, person) -> dict:
    (found,) = [e for e in snapshot[side] if e["id"] == str(person.pk)]
    return found


def codes(reasons) -> list[str]:
    return [reason["code"] for reason in reasons]


def export_of(client, matching_round) -> str:
    response = client.get(
        reverse("matching:coordinator_round_export", args=["north", matching_round.pk])
    )
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def finished(world):
    """Sam, who grew up in foster care and was looked after by Trafford, suggested twice:
    for Priya, who works in fostering, in a coordinator's round (rejected); then to Rhiannon,
    who chose him herself in mentee-choice mode, which is kept as a round of its own."""
    give_care_experience(world.mentor, areas=["foster-care"], looked_after_by=["trafford"])
    matching_round = solved_round(world)
    services.proposal_reject(proposal=matching_round.proposals.get(), by=world.coordinator)
    world.programme.matching_mode = Programme.MatchingMode.MENTEE_CHOICE
    world.programme.save()
    world.rhiannon = UserFactory(display_name="Rhiannon")
    MembershipFactory(programme=world.programme, person=world.rhiannon, role=Role.MENTEE)
    complete_mentee_profile(world.rhiannon)
    chosen = services.mentee_request(
        programme=world.programme, mentee=world.rhiannon, mentor_id=world.mentor.pk
    )
    rounds = [matching_round, chosen.round]
    for each in rounds:
        assert "experience" in codes(each.proposals.get().reasons)
        assert entry(each.snapshot_read(), "mentors", world.mentor)["looked_after_by"] == [
            "trafford"
        ]
    return world, rounds


def test_it_takes_a_deleted_mentor_out_of_every_round_and_its_export(finished, login_as):
    world, rounds = finished
    client = login_as("coordinator")

    account_delete(user=world.mentor)

    for matching_round in rounds:
        matching_round.refresh_from_db()
        sam = entry(matching_round.snapshot_read(), "mentors", world.mentor)
        assert sam["name"] == DELETED
        assert sam["experience"] == [] and sam["looked_after_by"] == []
        for pair in (matching_round.result_read() or {}).get("pairs", []):
            assert "experience" not in codes(pair["reasons"])
        assert "experience" not in codes(matching_round.proposals.get().reasons)
        exported = export_of(client, matching_round)
        assert "Sam" not in exported
        assert "trafford" not in exported
        assert "lived experience" not in exported


def test_it_takes_a_deleted_mentees_name_out_of_every_round(finished, login_as):
    world, rounds = finished
    client = login_as("coordinator")

    account_delete(user=world.mentee)
    account_delete(user=world.rhiannon)

    for matching_round, mentee, name in zip(
        rounds, (world.mentee, world.rhiannon), ("Priya", "Rhiannon"), strict=True
    ):
        matching_round.refresh_from_db()
        assert entry(matching_round.snapshot_read(), "mentees", mentee)["name"] == DELETED
        assert name not in export_of(client, matching_round)
        # Sam is still here: his name and the reasons about him are his.
        assert entry(matching_round.snapshot_read(), "mentors", world.mentor)["name"] == "Sam"


def test_it_takes_only_the_care_experience_out_when_consent_is_withdrawn(finished, login_as):
    world, rounds = finished

    mentor_consent_withdraw(profile=world.mentor.mentorprofile, by=world.mentor)

    for matching_round in rounds:
        matching_round.refresh_from_db()
        sam = entry(matching_round.snapshot_read(), "mentors", world.mentor)
        assert sam["name"] == "Sam"
        assert sam["experience"] == [] and sam["looked_after_by"] == []
        reasons = matching_round.proposals.get().reasons
        assert codes(reasons)[0] == "goals" and "experience" not in codes(reasons)
        exported = export_of(login_as("coordinator"), matching_round)
        assert "trafford" not in exported and "lived experience" not in exported
    (pair,) = rounds[0].result_read()["pairs"]
    assert "experience" not in codes(pair["reasons"])
    assert "Sam can help with Priya's learning goal" in export_of(
        login_as("coordinator"), rounds[0]
    )


def test_it_scrubs_reasons_stored_as_sentences_too(finished):
    world, (matching_round, _) = finished
    old = ["Sam has lived experience of foster care; you work in fostering.", "You both speak."]
    pair = {**matching_round.result_read()["pairs"][0], "reasons": old}
    RoundData.objects.filter(round=matching_round).update(
        result={**matching_round.result_read(), "pairs": [pair]}
    )
    matching_round.proposals.update(reasons=old)

    services.person_scrub(user=world.mentor, care_experience_only=True)

    matching_round.refresh_from_db()
    assert matching_round.result_read()["pairs"][0]["reasons"] == ["You both speak."]
    assert matching_round.proposals.get().reasons == ["You both speak."]

    services.person_scrub(user=world.mentor)

    matching_round.refresh_from_db()
    # Sentences name the mentor, so none is kept for someone deleted.
    assert matching_round.result_read()["pairs"][0]["reasons"] == []
    assert matching_round.proposals.get().reasons == []


def test_it_leaves_other_people_and_other_programmes_alone(finished):
    world, rounds = finished
    before = {r.pk: (r.snapshot_read(), r.result_read()) for r in MatchingRound.objects.all()}

    account_delete(user=world.other_mentor)

    after = {r.pk: (r.snapshot_read(), r.result_read()) for r in MatchingRound.objects.all()}
    assert after == before


def test_it_never_stores_the_care_experience_of_a_mentor_who_withdrew_while_it_was_solved(
    world, monkeypatch
):
    """A round being solved holds its own copy of the snapshot: a mentor who withdraws
    consent meanwhile must not come back in the answer stored when it finishes."""
    from accounts.models import MentorProfile
    from matching import engine

    give_care_experience(world.mentor, areas=["foster-care"])
    solve = engine.solve

    def solve_while_sam_withdraws(snapshot, **kwargs):
        answer = solve(snapshot, **kwargs)
        profile = MentorProfile.objects.get(user=world.mentor)
        mentor_consent_withdraw(profile=profile, by=world.mentor)
        return answer

    monkeypatch.setattr(engine, "solve", solve_while_sam_withdraws)
    matching_round = solved_round(world)
    proposal = matching_round.proposals.get()
    assert "experience" not in codes(proposal.reasons)
    (pair,) = matching_round.result_read()["pairs"]
    assert "experience" not in codes(pair["reasons"])
    assert entry(matching_round.snapshot_read(), "mentors", world.mentor)["experience"] == []


def test_it_never_stores_the_name_of_a_person_deleted_while_it_was_solved(world, monkeypatch):
    from matching import engine

    give_care_experience(world.mentor, areas=["foster-care"])
    solve = engine.solve

    def solve_while_sam_leaves(snapshot, **kwargs):
        answer = solve(snapshot, **kwargs)
        account_delete(user=world.mentor)
        return answer

    monkeypatch.setattr(engine, "solve", solve_while_sam_leaves)
    matching_round = solved_round(world)
    assert entry(matching_round.snapshot_read(), "mentors", world.mentor)["name"] == DELETED
    for pair in matching_round.result_read()["pairs"]:
        assert "experience" not in codes(pair["reasons"])
    for proposal in matching_round.proposals.all():
        assert "experience" not in codes(proposal.reasons)
