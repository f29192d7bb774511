"""Matching in the app: the round's input built from profiles, rounds as background tasks,
review by coordinators, and the two answers that make a match.

The engine itself is tested in tests/test_matching_engine.py; here it is a black box fed by
the selector and stored by the services."""

import json
import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, MenteeProfile, MentorProfile, User
from core.choices import Role
from core.models import Language, LivedExperienceArea, LocalAuthority, Topic
from matching import services, tasks
from matching.models import Match, MatchingRound, PairExclusion, Proposal, RoundData
from matching.selectors import reason_words, round_instance
from tests.factories import (
    MembershipFactory,
    UserFactory,
    complete_mentee_profile,
    complete_mentor_profile,
    round_with_data,
    sign_in,
)

DECLINE_REASON = "Something private about why I said no"


# ---------------------------------------------------------------------------------------------
# People and rounds.


def join(programme, role: str, name: str) -> User:
    person = UserFactory(display_name=name, email=f"{name.lower()}@example.test")
    MembershipFactory(programme=programme, person=person, role=role)
    return person


def mentor_in(programme, name: str, *, offers=("bias",), **fields) -> User:
    """A complete mentor profile like the factory's, with `fields` changed."""
    person = join(programme, Role.MENTOR, name)
    profile = complete_mentor_profile(person)
    for key, value in fields.items():
        setattr(profile, key, value)
    profile.save()
    profile.topics_offered.set(Topic.objects.filter(slug__in=offers))
    return person


def mentee_in(programme, name: str, **fields) -> User:
    person = join(programme, Role.MENTEE, name)
    profile = complete_mentee_profile(person)
    for key, value in fields.items():
        setattr(profile, key, value)
    profile.save()
    return person


def give_care_experience(person: User, *, consented: bool, looked_after_by=(), happy=False):
    profile = person.mentorprofile
    profile.consent_given_at = timezone.now() if consented else None
    profile.happy_to_mentor_own_council = happy
    profile.save()
    profile.lived_experience.set(LivedExperienceArea.objects.filter(slug="foster-care"))
    profile.looked_after_by.set(LocalAuthority.objects.filter(slug__in=looked_after_by))


def solved_round(world) -> MatchingRound:
    """A round started by the coordinator and solved, as the background task would."""
    matching_round = services.round_start(programme=world.programme, by=world.coordinator)
    services.round_run(round_id=matching_round.pk)
    matching_round.refresh_from_db()
    return matching_round


def finished_round(programme) -> MatchingRound:
    """A finished round made directly, to hang proposals on."""
    return round_with_data(
        programme,
        snapshot={"mentors": [], "mentees": []},
        result={"pairs": [], "unmatched": []},
        status=MatchingRound.Status.FINISHED,
    )


def proposal_for(programme, mentor, mentee, status="proposed", **fields) -> Proposal:
    return Proposal.objects.create(
        round=finished_round(programme),
        mentor=mentor,
        mentee=mentee,
        score=1,
        reasons=["A reason."],
        status=status,
        **fields,
    )


def match_for(programme, mentor, mentee, status=Match.Status.ACTIVE) -> Match:
    proposal = proposal_for(
        programme,
        mentor,
        mentee,
        status=Proposal.Status.ACCEPTED,
        mentor_answer="accepted",
        mentee_answer="accepted",
    )
    return Match.objects.create(
        programme=programme, proposal=proposal, mentor=mentor, mentee=mentee, status=status
    )


def mentor_ids(instance) -> set[int]:
    return {int(mentor["id"]) for mentor in instance["mentors"]}


def mentee_ids(instance) -> set[int]:
    return {int(mentee["id"]) for mentee in instance["mentees"]}


def the_mentor(instance, person) -> dict:
    return next(mentor for mentor in instance["mentors"] if mentor["id"] == str(person.pk))


def approved(world) -> Proposal:
    proposal = solved_round(world).proposals.get()
    assert services.proposal_approve(proposal=proposal, by=world.coordinator)
    proposal.refresh_from_db()
    return proposal


def audits(action, **filters):
    return AuditEvent.objects.filter(action=action, **filters)


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# ---------------------------------------------------------------------------------------------
# The round's input.


def test_it_takes_only_complete_unpaused_mentors_and_complete_mentees(world):
    north = world.programme
    draft_mentor = join(north, Role.MENTOR, "Dana")
    MentorProfile.objects.create(user=draft_mentor)
    join(north, Role.MENTOR, "Noprofile")
    paused = mentor_in(north, "Pat", paused_at=timezone.now())
    draft_mentee = join(north, Role.MENTEE, "Drew")
    MenteeProfile.objects.create(user=draft_mentee)
    left = mentor_in(north, "Lou")
    left.memberships.update(ended_at=timezone.now())

    instance = round_instance(north)

    assert mentor_ids(instance) == {world.mentor.pk}
    assert mentee_ids(instance) == {world.mentee.pk}
    assert paused.pk not in mentor_ids(instance)


def test_it_gives_each_mentor_their_load_so_a_full_mentor_has_no_room(world):
    north = world.programme
    sam = world.mentor
    busy = mentor_in(north, "Ola")  # capacity 1, already asked about someone
    proposal_for(north, busy, mentee_in(north, "Ben"), status="approved")
    match_for(north, sam, mentee_in(north, "Cleo"))
    match_for(north, sam, mentee_in(north, "Fay"), status=Match.Status.CLOSED)

    instance = round_instance(north)

    assert the_mentor(instance, sam)["current_load"] == 1  # the closed match does not count
    assert the_mentor(instance, sam)["capacity"] == 1
    assert the_mentor(instance, busy)["current_load"] == 1
    matching_round = solved_round(world)
    assert not matching_round.proposals.exists()
    unmatched = {u["mentee"]: u for u in matching_round.result_read()["unmatched"]}
    assert unmatched[str(world.mentee.pk)]["rule"] == "capacity"


def test_it_leaves_out_mentees_with_a_live_match_or_a_proposal_in_play(world):
    north = world.programme
    sam = world.mentor
    matched = mentee_in(north, "Ben")
    match_for(north, sam, matched)
    paused_match = mentee_in(north, "Bea")
    match_for(north, sam, paused_match, status=Match.Status.PAUSED)
    waiting_for_review = mentee_in(north, "Cleo")
    proposal_for(north, sam, waiting_for_review)
    waiting_for_answers = mentee_in(north, "Dee")
    proposal_for(north, sam, waiting_for_answers, status="approved")
    declined = mentee_in(north, "Eve")
    proposal_for(north, sam, declined, status="declined")
    rejected = mentee_in(north, "Gus")
    proposal_for(north, sam, rejected, status="rejected")
    closed = mentee_in(north, "Fay")
    match_for(north, sam, closed, status=Match.Status.CLOSED)

    instance = round_instance(north)

    assert mentee_ids(instance) == {world.mentee.pk, declined.pk, rejected.pk, closed.pk}


def test_it_counts_care_experience_only_with_consent(world):
    sam = world.mentor
    give_care_experience(sam, consented=False, looked_after_by=["salford"])

    without = the_mentor(round_instance(world.programme), sam)

    assert without["experience"] == []
    assert without["looked_after_by"] == []

    give_care_experience(sam, consented=True, looked_after_by=["salford"])
    instance = round_instance(world.programme)

    assert the_mentor(instance, sam)["experience"] == ["foster-care"]
    assert the_mentor(instance, sam)["looked_after_by"] == ["salford"]
    # Priya works for Salford, which looked after Sam: they are not proposed, and the
    # reason she could read says nothing of Sam's care history.
    matching_round = solved_round(world)
    assert not matching_round.proposals.exists()
    (unmatched,) = matching_round.result_read()["unmatched"]
    assert unmatched["rule"] == "employer"
    text = " ".join(reason_words(unmatched["reasons"], reader="mentee")).lower()
    assert "care" not in text and "looked after" not in text and "salford" not in text


def test_it_drops_the_council_rule_when_the_mentor_is_happy_to_mentor_their_own_council(world):
    sam = world.mentor
    give_care_experience(sam, consented=True, looked_after_by=["salford"], happy=True)

    mentor = the_mentor(round_instance(world.programme), sam)

    assert mentor["looked_after_by"] == []
    assert mentor["experience"] == ["foster-care"], "the experience itself still counts"
    proposal = solved_round(world).proposals.get()
    assert (proposal.mentor, proposal.mentee) == (sam, world.mentee)
    to_coordinator = reason_words(proposal.reasons, reader="coordinator", mentor="Sam")
    assert any("Sam has lived experience of foster care" in reason for reason in to_coordinator)


def test_it_never_pairs_someone_who_is_mentor_and_mentee_with_themselves(world):
    north = world.programme
    MentorProfile.objects.filter(user=world.mentor).update(paused_at=timezone.now())
    robin = mentor_in(north, "Robin", capacity=2)
    MembershipFactory(programme=north, person=robin, role=Role.MENTEE)
    complete_mentee_profile(robin)

    instance = round_instance(north)

    assert robin.pk in mentor_ids(instance) and robin.pk in mentee_ids(instance)
    assert [str(robin.pk), str(robin.pk)] in instance["excluded_pairs"]
    matching_round = solved_round(world)
    assert list(matching_round.proposals.values_list("mentor", "mentee")) == [
        (robin.pk, world.mentee.pk)
    ]


def test_it_passes_pairs_never_to_propose_again_to_the_engine(world):
    north = world.programme
    PairExclusion.objects.create(
        programme=north, mentor=world.mentor, mentee=world.mentee, reason="declined"
    )
    other_mentee = mentee_in(north, "Ben")
    PairExclusion.objects.create(
        programme=world.other_programme, mentor=world.mentor, mentee=other_mentee, reason="closed"
    )

    instance = round_instance(north)

    assert instance["excluded_pairs"] == [[str(world.mentor.pk), str(world.mentee.pk)]]
    proposals = solved_round(world).proposals.all()
    assert [(p.mentor, p.mentee) for p in proposals] == [(world.mentor, other_mentee)]


def test_it_never_includes_another_programmes_members(world):
    south = world.other_programme
    complete_mentor_profile(world.other_mentor)
    southern_mentee = mentee_in(south, "Lee")
    # Someone in both programmes counts only with the role they hold in this one.
    both = mentor_in(south, "Kim")
    MembershipFactory(programme=world.programme, person=both, role=Role.MENTEE)
    complete_mentee_profile(both)

    instance = round_instance(world.programme)

    assert mentor_ids(instance) == {world.mentor.pk}
    assert mentee_ids(instance) == {world.mentee.pk, both.pk}
    assert southern_mentee.pk not in mentee_ids(instance)
    assert instance["programme"] == "north"


def test_it_gives_the_engine_words_for_the_region(world):
    proposal = solved_round(world).proposals.get()

    assert "You are in the same region: North West." in reason_words(
        proposal.reasons, reader="mentee"
    )


# ---------------------------------------------------------------------------------------------
# Rounds.


def test_it_solves_a_round_in_the_background_and_stores_proposals_with_reasons(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        matching_round = services.round_start(programme=world.programme, by=world.coordinator)

    matching_round.refresh_from_db()
    assert matching_round.status == MatchingRound.Status.FINISHED
    assert matching_round.started_at and matching_round.finished_at
    assert matching_round.duration_ms is not None
    (pair,) = matching_round.result_read()["pairs"]
    proposal = matching_round.proposals.get()
    assert (proposal.mentor, proposal.mentee) == (world.mentor, world.mentee)
    assert proposal.status == Proposal.Status.PROPOSED
    assert proposal.score == pair["score"] > 0
    assert proposal.reasons == pair["reasons"]
    assert {"code": "goals", "topics": ["bias"], "of": 1} in proposal.reasons
    event = audits(AuditEvent.Action.ROUND_STARTED).get()
    assert event.actor == world.coordinator
    assert event.new_values == {"mentors": 1, "mentees": 1}


def test_it_starts_a_round_from_the_matching_page(
    world, login_as, django_capture_on_commit_callbacks
):
    client = login_as("coordinator")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matching:coordinator_rounds", args=["north"]))

    matching_round = MatchingRound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "matching:coordinator_round_detail", args=["north", matching_round.pk]
    )
    html = page(client, response["Location"])
    assert "Suggested pairs" in html
    assert "Priya" in html and "bias in decisions" in html


def test_it_does_nothing_when_the_round_task_runs_twice(world):
    matching_round = services.round_start(programme=world.programme, by=world.coordinator)

    tasks.run_round.delay(matching_round.pk)
    matching_round.refresh_from_db()
    finished_at = matching_round.finished_at
    tasks.run_round.delay(matching_round.pk)

    matching_round.refresh_from_db()
    assert matching_round.status == MatchingRound.Status.FINISHED
    assert matching_round.finished_at == finished_at
    assert Proposal.objects.count() == 1
    assert services.round_run(round_id=matching_round.pk) is None


def test_it_gives_the_same_answer_byte_for_byte_when_solved_again(
    world, login_as, django_capture_on_commit_callbacks
):
    north = world.programme
    for name in ("Ola", "Ben", "Cy"):
        mentor_in(north, name, capacity=2, offers=("bias", "family-time", "moving-homes"))
    for name in ("Dee", "Eve", "Fay", "Gus", "Hal"):
        mentee_in(north, name)
    original = solved_round(world)
    proposals_before = set(Proposal.objects.values_list("pk", flat=True))
    client = login_as("coordinator")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("matching:coordinator_round_rerun", args=["north", original.pk])
        )

    rerun = MatchingRound.objects.get(rerun_of=original)
    assert response["Location"] == reverse(
        "matching:coordinator_round_detail", args=["north", rerun.pk]
    )
    assert rerun.status == MatchingRound.Status.FINISHED
    assert len(original.result_read()["pairs"]) == 6
    assert json.dumps(rerun.result_read(), sort_keys=True) == json.dumps(
        original.result_read(), sort_keys=True
    )
    assert rerun.snapshot_read() == original.snapshot_read()
    assert not rerun.proposals.exists()
    assert set(Proposal.objects.values_list("pk", flat=True)) == proposals_before
    assert "Re-runs are for checking" in page(client, response["Location"])


def test_it_marks_a_round_that_cannot_be_solved_as_failed_with_a_plain_error(world, login_as):
    matching_round = round_with_data(
        world.programme,
        snapshot={"mentors": [{"id": "1", "capacity": "two"}], "mentees": []},
        started_by=world.coordinator,
    )

    assert services.round_run(round_id=matching_round.pk) is None

    matching_round.refresh_from_db()
    assert matching_round.status == MatchingRound.Status.FAILED
    assert matching_round.finished_at is not None
    assert "capacity" in matching_round.error and "whole number" in matching_round.error
    assert "Traceback" not in matching_round.error and "\n" not in matching_round.error
    assert not matching_round.proposals.exists()
    html = page(
        login_as("coordinator"),
        reverse("matching:coordinator_round_detail", args=["north", matching_round.pk]),
    )
    assert "This round could not be solved" in html and "whole number" in html


def test_it_never_proposes_a_mentee_twice_when_two_rounds_are_started_together(world):
    first = services.round_start(programme=world.programme, by=world.coordinator)
    second = services.round_start(programme=world.programme, by=world.coordinator)

    assert second == first  # a double click finds the round already waiting
    services.round_run(round_id=first.pk)
    services.round_run(round_id=second.pk)

    assert Proposal.objects.open().filter(mentee=world.mentee).count() <= 1


# ---------------------------------------------------------------------------------------------
# Review.


def test_it_approves_a_proposal_once_however_often_it_is_asked(
    world, login_as, django_capture_on_commit_callbacks
):
    proposal = solved_round(world).proposals.get()
    client = login_as("coordinator")
    url = reverse("matching:coordinator_proposal_approve", args=["north", proposal.pk])

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url)
        second = client.post(url)
        again = services.proposal_approve(proposal=proposal, by=world.coordinator)

    assert first.status_code == second.status_code == 302
    assert again is False
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.APPROVED
    assert proposal.reviewed_by == world.coordinator
    assert audits(AuditEvent.Action.PROPOSAL_APPROVED).count() == 1
    assert sorted(message.to[0] for message in mail.outbox) == [
        "priya@example.test",
        "sam@example.test",
    ]


def test_it_approves_the_ticked_proposals_in_bulk(world, login_as):
    north = world.programme
    for name in ("Ola", "Ben"):
        mentor_in(north, name)
    dee, eve = mentee_in(north, "Dee"), mentee_in(north, "Eve")
    matching_round = solved_round(world)
    assert matching_round.proposals.count() == 3
    ticked = list(matching_round.proposals.filter(mentee__in=[dee, eve]))
    elsewhere = proposal_for(world.other_programme, world.other_mentor, UserFactory())
    client = login_as("coordinator")
    url = reverse("matching:coordinator_round_approve", args=["north", matching_round.pk])

    response = client.post(
        url, {"proposal": [p.pk for p in ticked] + [elsewhere.pk, "x", "9" * 30]}, follow=True
    )

    assert "You approved 2 proposals" in response.content.decode()
    statuses = dict(matching_round.proposals.values_list("mentee", "status"))
    assert statuses == {dee.pk: "approved", eve.pk: "approved", world.mentee.pk: "proposed"}
    elsewhere.refresh_from_db()
    assert elsewhere.status == "proposed"
    assert audits(AuditEvent.Action.PROPOSAL_APPROVED).count() == 2

    response = client.post(url, {}, follow=True)

    assert "Tick at least one proposal to approve" in response.content.decode()


def test_it_needs_a_reason_to_reject_and_never_proposes_the_pair_again(world, login_as):
    proposal = solved_round(world).proposals.get()
    client = login_as("coordinator")
    url = reverse("matching:coordinator_proposal_reject", args=["north", proposal.pk])

    response = client.post(url, {"reason": "  "})

    assert response.status_code == 200
    assert "Enter a reason" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PROPOSED
    assert not PairExclusion.objects.exists()

    response = client.post(url, {"reason": "They are cousins."})

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.REJECTED
    assert proposal.rejection_reason == "They are cousins."
    exclusion = PairExclusion.objects.get()
    assert (exclusion.mentor, exclusion.mentee, exclusion.reason) == (
        world.mentor,
        world.mentee,
        "rejected",
    )
    event = audits(AuditEvent.Action.PROPOSAL_REJECTED).get()
    assert event.new_values == {"reason": "They are cousins."}
    instance = round_instance(world.programme)
    assert world.mentee.pk in mentee_ids(instance), "back in the pool"
    assert [str(world.mentor.pk), str(world.mentee.pk)] in instance["excluded_pairs"]
    assert not solved_round(world).proposals.exists()


@pytest.fixture
def four_mentors_for_priya(world):
    """Priya wants help with bias. Ola fits best; Sam, Cy and Ben less and less; Dee speaks
    no language Priya does."""
    north = world.programme
    ola = mentor_in(north, "Ola")
    give_care_experience(ola, consented=True)  # foster care: relevant to fostering
    cy = mentor_in(north, "Cy", region="london")
    ben = mentor_in(north, "Ben", offers=("family-time",))
    dee = mentor_in(north, "Dee")
    dee.mentorprofile.languages.set(Language.objects.filter(slug="cy"))
    proposal = solved_round(world).proposals.get()
    assert proposal.mentor == ola
    return proposal, {"ola": ola, "sam": world.mentor, "cy": cy, "ben": ben, "dee": dee}


def test_it_lists_the_next_best_mentors_with_scores_and_reasons(world, four_mentors_for_priya):
    proposal, mentors = four_mentors_for_priya

    candidates = services.swap_candidates(proposal=proposal)

    assert [c["mentor_id"] for c in candidates] == [
        mentors["sam"].pk,
        mentors["cy"].pk,
        mentors["ben"].pk,
    ]
    scores = [c["score"] for c in candidates]
    assert scores == sorted(scores, reverse=True) and scores[0] < proposal.score
    assert {"code": "goals", "topics": ["bias"], "of": 1} in candidates[0]["reasons"]
    assert all(c["reasons"] for c in candidates)


def test_it_shows_the_candidates_on_the_swap_page(world, login_as, four_mentors_for_priya):
    proposal, _ = four_mentors_for_priya

    html = page(
        login_as("coordinator"),
        reverse("matching:coordinator_proposal_swap", args=["north", proposal.pk]),
    )

    assert "Choose another mentor for Priya" in html
    assert "Sam, fit 5.00" in html
    # Written for the coordinator: both names, never "you".
    assert "Sam can help with Priya&#x27;s learning goal: bias in decisions." in html
    assert "your learning goal" not in html
    assert "Cy, fit" in html and "Ben, fit" in html
    assert "Dee" not in html


def test_it_swaps_in_another_mentor_from_the_list(world, login_as, four_mentors_for_priya):
    proposal, mentors = four_mentors_for_priya
    candidates_before = services.swap_candidates(proposal=proposal)
    client = login_as("coordinator")
    url = reverse("matching:coordinator_proposal_swap", args=["north", proposal.pk])

    response = client.post(url, {"mentor": mentors["dee"].pk})

    assert response.status_code == 200, "Dee is not on the list"
    assert not Proposal.objects.exclude(pk=proposal.pk).exists()

    response = client.post(url, {"mentor": mentors["sam"].pk})

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.REJECTED
    replacement = Proposal.objects.get(status=Proposal.Status.PROPOSED)
    assert (replacement.round, replacement.mentor, replacement.mentee) == (
        proposal.round,
        mentors["sam"],
        world.mentee,
    )
    assert replacement.score == 5.0
    assert replacement.reasons == candidates_before[0]["reasons"]
    event = audits(AuditEvent.Action.PROPOSAL_SWAPPED).get()
    assert event.old_values == {"mentor": mentors["ola"].pk}
    assert event.new_values == {"mentor": mentors["sam"].pk}

    response = client.post(url, {"mentor": mentors["cy"].pk})

    assert response.status_code == 200, "the old proposal has been reviewed already"
    assert Proposal.objects.filter(status=Proposal.Status.PROPOSED).count() == 1


def test_it_exports_a_round_as_json_and_records_who_did(world, login_as):
    matching_round = solved_round(world)

    response = login_as("coordinator").get(
        reverse("matching:coordinator_round_export", args=["north", matching_round.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert f'filename="north-round-{matching_round.pk}.json"' in response["Content-Disposition"]
    body = json.loads(response.content)
    assert body["round"] == matching_round.pk
    assert body["input"] == matching_round.snapshot_read()
    assert body["output"] == matching_round.result_read()
    event = audits(AuditEvent.Action.ROUND_EXPORTED).get()
    assert event.actor == world.coordinator
    assert event.programme == world.programme
    assert event.object_id == str(matching_round.pk)


# ---------------------------------------------------------------------------------------------
# The two answers.


def test_it_asks_the_mentor_and_the_mentee_once_even_when_run_twice(
    world, django_capture_on_commit_callbacks
):
    proposal = approved(world)

    # The emails go once the notifications are committed (notifications.send_email).
    with django_capture_on_commit_callbacks(execute=True):
        tasks.ask_for_answers.delay(proposal.pk)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.ask_for_answers.delay(proposal.pk)

    assert sorted(message.to[0] for message in mail.outbox) == [
        "priya@example.test",
        "sam@example.test",
    ]
    to_sam = next(message for message in mail.outbox if message.to == ["sam@example.test"])
    assert to_sam.subject.endswith("A possible match in North Star: please answer")
    assert "Priya" in to_sam.body
    assert reverse("matching:proposal_answer", args=[proposal.pk]) in to_sam.body
    assert to_sam.alternatives, "every email has an HTML body too"
    proposal.refresh_from_db()
    assert proposal.asked_at is not None


def test_it_makes_one_match_when_both_say_yes(world, client):
    proposal = approved(world)
    url = reverse("matching:proposal_answer", args=[proposal.pk])

    sign_in(client, world.mentor)
    dashboard = page(client, reverse("portal:dashboard"))
    assert "Your answer is needed" in dashboard
    assert "A possible match with Priya" in dashboard
    assert "A possible match with Priya" in page(client, url)
    response = client.post(url, {"answer": "yes"}, follow=True)
    assert "We will let you know when Priya has answered" in response.content.decode()
    assert not Match.objects.exists()

    sign_in(client, world.mentee)
    response = client.post(url, {"answer": "yes"}, follow=True)
    assert "You both said yes. Your match has started." in response.content.decode()
    client.post(url, {"answer": "yes"})

    match = Match.objects.get()
    assert (match.mentor, match.mentee, match.programme) == (
        world.mentor,
        world.mentee,
        world.programme,
    )
    assert match.status == Match.Status.ACTIVE
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ACCEPTED
    assert audits(AuditEvent.Action.MATCH_CREATED).count() == 1
    assert audits(AuditEvent.Action.PROPOSAL_ACCEPTED).count() == 2
    priya_sees = page(client, reverse("portal:dashboard"))
    assert "Your matches" in priya_sees and "Sam is mentoring you in North Star" in priya_sees
    assert "Your answer is needed" not in priya_sees
    sign_in(client, world.mentor)
    sam_sees = page(client, reverse("portal:dashboard"))
    assert "Your matches" in sam_sees and "You are mentoring Priya in North Star" in sam_sees
    assert "Your answer is needed" not in sam_sees


def test_it_ends_the_proposal_when_one_says_no_and_keeps_the_reason_from_the_other(world, client):
    north = world.programme
    proposal = approved(world)
    url = reverse("matching:proposal_answer", args=[proposal.pk])
    sign_in(client, world.mentor)
    client.post(url, {"answer": "yes"})

    sign_in(client, world.mentee)
    response = client.post(url, {"answer": "no", "reason": DECLINE_REASON}, follow=True)

    assert "Thank you for letting us know" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DECLINED
    assert proposal.decline_reason == DECLINE_REASON
    assert not Match.objects.exists()
    assert PairExclusion.objects.filter(
        programme=north, mentor=world.mentor, mentee=world.mentee, reason="declined"
    ).exists()
    event = audits(AuditEvent.Action.PROPOSAL_DECLINED).get()
    assert DECLINE_REASON not in json.dumps([event.old_values, event.new_values])

    sign_in(client, world.mentor)
    for url_name, args in [
        ("portal:dashboard", []),
        ("matching:proposal_answer", [proposal.pk]),
        ("portal:profile", []),
        ("portal:my_data", []),
        ("portal:my_data_download", []),
    ]:
        response = client.get(reverse(url_name, args=args))
        assert response.status_code == 200, url_name
        assert DECLINE_REASON not in response.content.decode(), url_name
    assert "This match will not go ahead" in page(client, url)
    assert not any(DECLINE_REASON in message.body for message in mail.outbox)

    # Both are back in the pool, never together.
    ola = mentor_in(north, "Ola")
    ben = mentee_in(north, "Ben")
    instance = round_instance(north)
    assert world.mentor.pk in mentor_ids(instance)
    assert the_mentor(instance, world.mentor)["current_load"] == 0
    assert world.mentee.pk in mentee_ids(instance)
    assert [str(world.mentor.pk), str(world.mentee.pk)] in instance["excluded_pairs"]
    pairs = set(solved_round(world).proposals.values_list("mentor", "mentee"))
    assert pairs == {(ola.pk, world.mentee.pk), (world.mentor.pk, ben.pk)}


def test_it_shows_a_proposal_only_to_its_two_people_once_approved(world, client):
    proposal = solved_round(world).proposals.get()
    url = reverse("matching:proposal_answer", args=[proposal.pk])
    sign_in(client, world.mentee)
    assert client.get(url).status_code == 404, "not approved yet"

    services.proposal_approve(proposal=proposal, by=world.coordinator)
    stranger = mentee_in(world.programme, "Zed")
    for outsider in (stranger, world.coordinator, world.administrator, world.other_mentor):
        sign_in(client, outsider)
        assert client.get(url).status_code == 404
        assert client.post(url, {"answer": "no", "reason": "Nosy"}).status_code == 404

    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.APPROVED
    assert proposal.mentor_answer == proposal.mentee_answer == "waiting"
    sign_in(client, world.mentee)
    assert client.get(url).status_code == 200


# ---------------------------------------------------------------------------------------------
# Another programme's coordinator sees nothing of this one.


def test_it_answers_404_to_another_programmes_coordinator_and_changes_nothing(world, login_as):
    matching_round = solved_round(world)
    proposal = matching_round.proposals.get()
    client = login_as("other_coordinator")
    # Through this programme's slug, and through their own programme's.
    for slug in ("north", "south"):
        gets = [
            reverse("matching:coordinator_round_detail", args=[slug, matching_round.pk]),
            reverse("matching:coordinator_round_export", args=[slug, matching_round.pk]),
            reverse("matching:coordinator_proposal_swap", args=[slug, proposal.pk]),
            reverse("matching:coordinator_proposal_reject", args=[slug, proposal.pk]),
        ]
        for url in gets:
            assert client.get(url).status_code == 404, url
        posts = [
            (reverse("matching:coordinator_proposal_approve", args=[slug, proposal.pk]), {}),
            (
                reverse("matching:coordinator_proposal_reject", args=[slug, proposal.pk]),
                {"reason": "No"},
            ),
            (
                reverse("matching:coordinator_proposal_swap", args=[slug, proposal.pk]),
                {"mentor": 1},
            ),
            (
                reverse("matching:coordinator_round_approve", args=[slug, matching_round.pk]),
                {"proposal": [proposal.pk]},
            ),
            (reverse("matching:coordinator_round_rerun", args=[slug, matching_round.pk]), {}),
        ]
        for url, data in posts:
            assert client.post(url, data).status_code == 404, url

    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PROPOSED
    assert Proposal.objects.count() == 1
    assert MatchingRound.objects.count() == 1
    assert not PairExclusion.objects.exists()
    assert not (
        AuditEvent.objects.filter(actor=world.other_coordinator)
        .exclude(action=AuditEvent.Action.SIGN_IN)
        .exists()
    )


# ---------------------------------------------------------------------------------------------
# Query budget.


@pytest.mark.parametrize("count", [5, 200])
def test_it_shows_a_round_in_the_same_few_queries_however_many_proposals(
    world, login_as, django_assert_max_num_queries, count
):
    matching_round = finished_round(world.programme)
    mentors = [world.mentor, *(mentor_in(world.programme, f"Mentor{n}") for n in range(3))]
    mentees = User.objects.bulk_create(
        User(email=f"mentee{n}@example.test", display_name=f"Mentee {n}") for n in range(count)
    )
    statuses = ["proposed", "approved", "declined", "rejected", "accepted"]
    Proposal.objects.bulk_create(
        Proposal(
            round=matching_round,
            mentor=mentors[n % len(mentors)],
            mentee=mentee,
            score=n / 10,
            reasons=["You both speak English.", "You can both meet online."],
            status=statuses[n % len(statuses)],
            rejection_reason="Not now" if statuses[n % len(statuses)] == "rejected" else "",
        )
        for n, mentee in enumerate(mentees)
    )
    matching_round.started_by = world.coordinator
    matching_round.save()
    RoundData.objects.filter(round=matching_round).update(
        result={
            "pairs": [],
            "unmatched": [{"mentee": str(world.mentee.pk), "reasons": ["No mentor has room."]}],
        }
    )
    client = login_as("coordinator")
    url = reverse("matching:coordinator_round_detail", args=["north", matching_round.pk])

    for sort in ("score", "mentor", "mentee", "status"):
        with django_assert_max_num_queries(13):
            response = client.get(url, {"sort": sort})
        assert response.status_code == 200
        # A page at a time now: every pair waiting for review on the page has its tick box.
        shown = response.context["proposals"]
        assert len(shown) == min(count, 50)
        waiting = [p for p in shown if p.status == "proposed"]
        assert response.content.decode().count('form="bulk-approve" id="choose-') == len(waiting)


# ---------------------------------------------------------------------------------------------
# Races, on PostgreSQL, where row locks are real.

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Needs PostgreSQL: these check row locks between concurrent transactions, and "
    "SQLite runs one writer at a time. CI runs them with DATABASE_URL=postgres://…",
)


def at_once(count: int, work) -> list:
    """Run `work` in `count` threads released together; each closes its own connection."""
    start = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            start.wait(timeout=10)
            results.append(work())
        except Exception as error:  # any failure in a thread fails the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_makes_exactly_one_match_when_the_last_yes_arrives_many_times_at_once(world):
    proposal = approved(world)
    services.proposal_answer(proposal=proposal, person=world.mentor, accept=True)

    answers = at_once(
        10,
        lambda: services.proposal_answer(proposal=proposal, person=world.mentee, accept=True),
    )

    assert len(answers) == 10
    assert Match.objects.count() == 1
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ACCEPTED
    assert audits(AuditEvent.Action.MATCH_CREATED).count() == 1
    assert audits(AuditEvent.Action.PROPOSAL_ACCEPTED, actor=world.mentee).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_approves_exactly_once_when_many_approvals_arrive_at_once(world):
    proposal = solved_round(world).proposals.get()

    results = at_once(
        20, lambda: services.proposal_approve(proposal=proposal, by=world.coordinator)
    )

    assert sorted(results) == [False] * 19 + [True]
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.APPROVED
    assert audits(AuditEvent.Action.PROPOSAL_APPROVED).count() == 1
    # The request for answers follows the one approval that happened, once.
    assert sorted(message.to[0] for message in mail.outbox) == [
        "priya@example.test",
        "sam@example.test",
    ]


def test_it_records_an_unexpected_failure_on_the_round(world, monkeypatch):
    from matching import engine

    matching_round = services.round_start(programme=world.programme, by=world.coordinator)

    def broken(*args, **kwargs):
        raise RuntimeError("worker fell over")

    monkeypatch.setattr(engine, "solve", broken)
    with pytest.raises(RuntimeError):
        services.round_run(round_id=matching_round.pk)
    matching_round.refresh_from_db()
    assert matching_round.status == "failed"
    assert "Something went wrong" in matching_round.error


# ---------------------------------------------------------------------------------------------
# The other person: Proposal.other_party and Match.other_party, one definition (TwoPeople).


def test_it_names_the_other_person_of_a_proposal_and_refuses_anyone_else(world):
    proposal = proposal_for(world.programme, world.mentor, world.mentee)

    assert proposal.other_party(world.mentor) == world.mentee
    assert proposal.other_party(world.mentee) == world.mentor
    for outsider in (world.coordinator, world.other_mentor):
        with pytest.raises(ValueError, match="Not part of this proposal"):
            proposal.other_party(outsider)


def test_it_names_the_other_person_of_a_match_and_refuses_anyone_else(world):
    match = match_for(world.programme, world.mentor, world.mentee)

    assert match.other_party(world.mentor) == world.mentee
    assert match.other_party(world.mentee) == world.mentor
    with pytest.raises(ValueError, match="Not part of this match"):
        match.other_party(world.coordinator)


@pytest.mark.parametrize(
    "persona, other, sentence",
    [("mentor", "Priya", "You are mentoring Priya"), ("mentee", "Sam", "Sam is mentoring you")],
)
def test_it_names_the_other_person_on_each_page_of_a_match(
    world, login_as, persona, other, sentence
):
    match = match_for(world.programme, world.mentor, world.mentee)
    proposal_for(world.programme, world.mentor, world.mentee, status=Proposal.Status.APPROVED)
    client = login_as(persona)

    dashboard = page(client, reverse("portal:dashboard"))
    assert f"A possible match with {other}" in dashboard
    assert sentence in dashboard
    assert sentence in page(client, reverse("mentoring:match_detail", args=[match.pk]))
    assert f"Your session with {other}" in page(
        client, reverse("mentoring:session_new", args=[match.pk])
    )
    assert f"next session with {other}" in page(
        client, reverse("mentoring:session_plan", args=[match.pk])
    )
    concern = page(client, reverse("mentoring:concern_new", args=[match.pk]))
    assert f"yourself, {other}, or someone" in concern
    assert f"{other} will not see it" in concern
    goals = page(client, reverse("journal:match_goals", args=[match.pk]))
    assert (f"{other}'s learning goals" if persona == "mentor" else f"with {other}") in goals
