"""Why a pair was suggested, written for whoever reads it.

The engine stores reasons as data (docs/matching.md, "Reasons"); each page puts them into
words for its reader. A mentee never reads a mentor's care experience (the consent page says
"your mentee sees only what you write for them"); the mentor reads their own; coordinators
read everything, in the third person. The wording itself is tested in
tests/test_matching_engine.py; here, the pages that use it.
"""

import json

import pytest
from django.urls import reverse

from accounts.models import MentorProfile
from core.choices import Role
from core.models import Language
from matching import services
from matching.models import MatchingRound, Proposal
from programmes.models import Programme
from tests.factories import (
    MembershipFactory,
    UserFactory,
    complete_mentee_profile,
    give_care_experience,
    sign_in,
)

SAMS_EXPERIENCE = "Sam has lived experience of foster care; Priya works in fostering."
OLD_SENTENCE = "Sam has lived experience of foster care; you work in fostering."


def solved_round(world) -> MatchingRound:
    matching_round = services.round_start(programme=world.programme, by=world.coordinator)
    services.round_run(round_id=matching_round.pk)
    matching_round.refresh_from_db()
    return matching_round


def approved_proposal(world) -> Proposal:
    proposal = solved_round(world).proposals.get()
    services.proposal_approve(proposal=proposal, by=world.coordinator)
    return proposal


def text_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode().replace("&#x27;", "'")


@pytest.fixture
def sam_grew_up_in_foster_care(world):
    """Sam has shared his care experience for matching; Priya works in fostering."""
    give_care_experience(world.mentor, areas=["foster-care"], looked_after_by=["trafford"])
    return world


def test_it_never_shows_a_mentee_a_mentors_care_experience_among_suggestions(
    sam_grew_up_in_foster_care, client
):
    world = sam_grew_up_in_foster_care
    world.programme.matching_mode = Programme.MatchingMode.MENTEE_CHOICE
    world.programme.save()
    sign_in(client, world.mentee)

    page = text_of(client, reverse("matching:mentee_choose"))

    assert "Ask Sam" in page
    assert "Sam can help with your learning goal: bias in decisions." in page
    assert "foster care" not in page.lower()
    assert "lived experience of foster" not in page
    assert "Trafford" not in page


def test_it_tells_each_of_the_pair_why_in_their_own_words(sam_grew_up_in_foster_care, client):
    world = sam_grew_up_in_foster_care
    MentorProfile.objects.filter(user=world.mentor).update(
        shared_with_mentee="My gran brought me up in Stretford."
    )
    proposal = approved_proposal(world)
    url = reverse("matching:proposal_answer", args=[proposal.pk])

    sign_in(client, world.mentor)
    to_mentor = text_of(client, url)
    client.logout()
    sign_in(client, world.mentee)
    to_mentee = text_of(client, url)

    assert "You have lived experience of foster care; Priya works in fostering." in to_mentor
    assert "You can help with Priya's learning goal: bias in decisions." in to_mentor
    # The mentee reads what Sam chose to write for them, and why they were suggested.
    assert "My gran brought me up in Stretford." in to_mentee
    assert "Sam can help with your learning goal: bias in decisions." in to_mentee
    assert "You both speak English." in to_mentee
    assert "foster care" not in to_mentee.lower()
    assert "Trafford" not in to_mentee


def test_it_shows_coordinators_every_reason_in_the_third_person(
    sam_grew_up_in_foster_care, login_as
):
    world = sam_grew_up_in_foster_care
    ben = UserFactory(display_name="Ben")
    MembershipFactory(programme=world.programme, person=ben, role=Role.MENTEE)
    complete_mentee_profile(ben).languages.set(Language.objects.filter(slug="pl"))
    matching_round = solved_round(world)

    client = login_as("coordinator")
    # The suggested pairs, and the mentees without a match on their own page.
    page = text_of(
        client, reverse("matching:coordinator_round_detail", args=["north", matching_round.pk])
    ) + text_of(
        client, reverse("matching:coordinator_round_unmatched", args=["north", matching_round.pk])
    )

    assert SAMS_EXPERIENCE in page
    assert "Sam can help with Priya's learning goal: bias in decisions." in page
    assert "Sam and Priya both speak English." in page
    assert "No mentor meets all the rules for Ben this round." in page
    assert "The one mentor in this round does not speak any of Ben's languages." in page
    assert "You both" not in page and "your learning goal" not in page


def test_it_exports_a_round_with_its_reasons_in_a_coordinators_words(
    sam_grew_up_in_foster_care, login_as
):
    matching_round = solved_round(sam_grew_up_in_foster_care)

    response = login_as("coordinator").get(
        reverse("matching:coordinator_round_export", args=["north", matching_round.pk])
    )

    export = json.loads(response.content)
    assert export["output"] == matching_round.result_read()
    (pair,) = export["output_in_words"]["pairs"]
    assert pair["mentor"] == str(sam_grew_up_in_foster_care.mentor.pk)
    assert SAMS_EXPERIENCE in pair["reasons"]


def test_it_shows_reasons_stored_as_sentences_to_coordinators_only(world, client, login_as):
    """Proposals made before reasons were data hold sentences written to the mentee, some
    naming the mentor's care experience: nobody but a coordinator reads them now."""
    proposal = approved_proposal(world)
    Proposal.objects.filter(pk=proposal.pk).update(reasons=[OLD_SENTENCE, "You both speak Urdu."])
    url = reverse("matching:proposal_answer", args=[proposal.pk])

    for person in (world.mentor, world.mentee):
        client.logout()
        sign_in(client, person)
        page = text_of(client, url)
        assert "foster care" not in page and "Urdu" not in page
        assert "Why you could work well together" not in page

    to_coordinator = text_of(
        login_as("coordinator"),
        reverse("matching:coordinator_round_detail", args=["north", proposal.round_id]),
    )
    assert OLD_SENTENCE in to_coordinator
