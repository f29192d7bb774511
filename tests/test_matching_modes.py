"""How matches are made besides coordinator rounds: mentee choice and scheduled rounds."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from core.choices import Role
from matching import services
from matching.models import Match, Proposal
from programmes.models import Programme
from tests.factories import (
    MembershipFactory,
    UserFactory,
    complete_mentee_profile,
    complete_mentor_profile,
    sign_in,
)


@pytest.fixture
def choice_world(world):
    world.programme.matching_mode = Programme.MatchingMode.MENTEE_CHOICE
    world.programme.save()
    return world


def add_mentee(programme, name):
    person = UserFactory(display_name=name)
    MembershipFactory(programme=programme, person=person, role=Role.MENTEE)
    complete_mentee_profile(person)
    return person


def test_it_shows_a_mentee_their_best_mentors_with_reasons(choice_world, client):
    sign_in(client, choice_world.mentee)
    page = client.get(reverse("matching:mentee_choose")).content.decode()
    assert "Ask Sam" in page
    assert "You both speak English" in page


def test_it_asks_the_chosen_mentor_and_makes_a_match_when_they_say_yes(
    choice_world, client, django_capture_on_commit_callbacks, mailoutbox
):
    sign_in(client, choice_world.mentee)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("matching:mentee_choose"),
            {"programme": "north", "mentor": choice_world.mentor.pk},
        )
    proposal = Proposal.objects.get(mentee=choice_world.mentee)
    assert proposal.mentee_answer == "accepted" and proposal.mentor_answer == "waiting"
    # Only the mentor is asked: the mentee already said yes by choosing.
    assert [m.to for m in mailoutbox] == [[choice_world.mentor.email]]
    services.proposal_answer(proposal=proposal, person=choice_world.mentor, accept=True)
    assert Match.objects.filter(mentor=choice_world.mentor, mentee=choice_world.mentee).count() == 1


def test_it_tells_the_mentor_the_practitioner_asked_for_them(
    choice_world, client, django_capture_on_commit_callbacks, mailoutbox
):
    """Where practitioners choose, the mentor's email says the practitioner asked: no
    coordinator suggested the pair."""
    sign_in(client, choice_world.mentee)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("matching:mentee_choose"),
            {"programme": "north", "mentor": choice_world.mentor.pk},
        )
    (email,) = mailoutbox
    assert "coordinator" not in email.body.split("\n\n")[0].lower()
    assert "thinks" not in email.body
    assert f"{choice_world.mentee.display_name} asked for you as their mentor" in email.body


def test_it_refuses_a_mentor_who_is_not_among_the_suggestions(choice_world, client):
    sign_in(client, choice_world.mentee)
    response = client.post(
        reverse("matching:mentee_choose"),
        {"programme": "north", "mentor": choice_world.other_mentor.pk},
        follow=True,
    )
    assert "no longer free" in response.content.decode()
    assert not Proposal.objects.exists()


def test_it_lets_a_mentee_ask_only_one_mentor_at_a_time(choice_world, client):
    services.mentee_request(
        programme=choice_world.programme,
        mentee=choice_world.mentee,
        mentor_id=choice_world.mentor.pk,
    )
    sign_in(client, choice_world.mentee)
    page = client.get(reverse("matching:mentee_choose")).content.decode()
    assert "You have asked a mentor" in page


def test_it_keeps_coordinator_led_programmes_out_of_mentee_choice(world, client):
    sign_in(client, world.mentee)
    page = client.get(reverse("matching:mentee_choose")).content.decode()
    assert "a coordinator suggests matches" in page


@pytest.mark.django_db(transaction=True)
def test_it_never_gives_a_mentor_more_mentees_than_places_under_concurrent_requests():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are real on PostgreSQL only; CI runs this there")
    from tests.factories import OrganisationFactory, ProgrammeFactory

    programme = ProgrammeFactory(
        organisation=OrganisationFactory(), matching_mode=Programme.MatchingMode.MENTEE_CHOICE
    )
    mentor = UserFactory(display_name="Sam")
    MembershipFactory(programme=programme, person=mentor, role=Role.MENTOR)
    complete_mentor_profile(mentor)  # capacity 1
    mentees = [add_mentee(programme, f"Mentee {n}") for n in range(8)]
    barrier = threading.Barrier(len(mentees))
    outcomes = []

    def ask(mentee):
        try:
            barrier.wait()
            services.mentee_request(programme=programme, mentee=mentee, mentor_id=mentor.pk)
            outcomes.append("asked")
        except Exception as error:  # noqa: BLE001 - the refusals are the point
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(m,)) for m in mentees]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("asked") == 1, outcomes
    assert set(outcomes) <= {"asked", "ValidationError"}
    assert Proposal.objects.open().filter(mentor=mentor).count() == 1


def test_it_starts_scheduled_rounds_once_per_period(world):
    from datetime import timedelta

    from django.utils import timezone

    from matching.models import MatchingRound

    world.programme.matching_schedule = Programme.Schedule.WEEKLY
    world.programme.save()
    assert len(services.rounds_start_scheduled()) == 1
    assert services.rounds_start_scheduled() == []  # a second run the same hour does nothing
    later = timezone.now() + timedelta(days=8)
    assert len(services.rounds_start_scheduled(now=later)) == 1
    assert MatchingRound.objects.filter(programme=world.other_programme).count() == 0
