"""The match lifecycle: pausing, restarting and ending a match, with closing surveys, from
the match page and from the coordinator's list of matches."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent, User
from core.choices import Role
from matching import services
from matching.models import ClosingSurvey, Match, MatchingRound, PairExclusion, Proposal
from matching.selectors import round_instance
from tests.factories import MembershipFactory, UserFactory, complete_mentor_profile

SURVEY = {"rating": "4", "recommend": "yes", "reason": "goals_reached", "comments": ""}
PRIVATE_REASON = "Mentor is on sick leave, do not tell the mentee"


@pytest.fixture
def match(world) -> Match:
    """Sam mentoring Priya, made through the matching services as in real life."""
    matching_round = services.round_start(programme=world.programme, by=world.coordinator)
    services.round_run(round_id=matching_round.pk)
    proposal = matching_round.proposals.get()
    services.proposal_approve(proposal=proposal, by=world.coordinator)
    for person in (world.mentor, world.mentee):
        services.proposal_answer(proposal=proposal, person=person, accept=True)
    return Match.objects.get(proposal=proposal)


def status_of(match: Match) -> str:
    match.refresh_from_db()
    return match.status


def audits(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def close(match, by, **answers):
    return services.match_close(
        match=match,
        by=by,
        **{"rating": 3, "recommend": "not_sure", "reason": "not_enough_time", **answers},
    )


# ---------------------------------------------------------------------------------------------
# Pause and restart.


def test_it_lets_the_mentor_pause_and_restart_their_match(world, match, login_as):
    client = login_as("mentor")
    page = client.get(reverse("mentoring:match_detail", args=[match.pk]))
    assert "Pause this match" in page.content.decode()

    response = client.post(reverse("mentoring:match_pause", args=[match.pk]))
    assert response.status_code == 302
    assert status_of(match) == Match.Status.PAUSED
    assert match.pause_reason == ""
    assert audits(AuditEvent.Action.MATCH_PAUSED) == 1
    assert (
        "Restart this match" in client.get(reverse("mentoring:match_detail", args=[match.pk])).text
    )

    client.post(reverse("mentoring:match_resume", args=[match.pk]))
    assert status_of(match) == Match.Status.ACTIVE
    assert match.paused_at is None
    assert audits(AuditEvent.Action.MATCH_RESUMED) == 1


def test_it_pauses_once_when_asked_twice(world, match, login_as):
    client = login_as("mentor")
    client.post(reverse("mentoring:match_pause", args=[match.pk]))
    client.post(reverse("mentoring:match_pause", args=[match.pk]))
    assert audits(AuditEvent.Action.MATCH_PAUSED) == 1
    assert services.match_resume(match=match, by=world.mentor)
    assert not services.match_resume(match=match, by=world.mentor)
    assert audits(AuditEvent.Action.MATCH_RESUMED) == 1


def test_it_does_not_let_the_mentee_pause_or_restart(world, match, login_as):
    client = login_as("mentee")
    assert (
        "Pause this match"
        not in client.get(reverse("mentoring:match_detail", args=[match.pk])).text
    )
    assert client.post(reverse("mentoring:match_pause", args=[match.pk])).status_code == 404
    assert status_of(match) == Match.Status.ACTIVE
    with pytest.raises(PermissionDenied):
        services.match_pause(match=match, by=world.mentee)
    services.match_pause(match=match, by=world.mentor)
    assert client.post(reverse("mentoring:match_resume", args=[match.pk])).status_code == 404
    assert status_of(match) == Match.Status.PAUSED


def test_it_lets_the_coordinator_pause_with_a_reason_only_coordinators_see(world, match, login_as):
    client = login_as("coordinator")
    url = reverse("mentoring:coordinator_match_pause", args=[world.programme.slug, match.pk])
    response = client.post(url, {"reason": PRIVATE_REASON})
    assert response.status_code == 302
    assert status_of(match) == Match.Status.PAUSED
    assert match.pause_reason == PRIVATE_REASON
    listing = client.get(
        reverse("mentoring:coordinator_matches", args=[world.programme.slug]), {"show": "paused"}
    ).text
    assert PRIVATE_REASON in listing

    for persona in ("mentor", "mentee"):
        page = login_as(persona).get(reverse("mentoring:match_detail", args=[match.pk])).text
        assert PRIVATE_REASON not in page
        assert "Paused" in page
    event = AuditEvent.objects.get(action=AuditEvent.Action.MATCH_PAUSED)
    assert PRIVATE_REASON not in str(event.new_values)

    client = login_as("coordinator")
    client.post(
        reverse("mentoring:coordinator_match_resume", args=[world.programme.slug, match.pk])
    )
    assert status_of(match) == Match.Status.ACTIVE
    assert match.pause_reason == ""


# ---------------------------------------------------------------------------------------------
# Ending a match.


@pytest.mark.parametrize("persona", ["mentor", "mentee"])
def test_it_lets_either_person_end_the_match_with_a_survey(world, match, login_as, persona):
    client = login_as(persona)
    assert "End this match" in client.get(reverse("mentoring:match_detail", args=[match.pk])).text
    response = client.post(
        reverse("mentoring:match_end", args=[match.pk]), {**SURVEY, "comments": "Ta"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mentoring:match_ended", args=[match.pk])
    assert status_of(match) == Match.Status.CLOSED
    assert match.ended_at is not None
    survey = ClosingSurvey.objects.get(match=match)
    assert survey.person == getattr(world, persona)
    assert (survey.rating, survey.recommend, survey.reason, survey.comments) == (
        4,
        "yes",
        "goals_reached",
        "Ta",
    )
    assert audits(AuditEvent.Action.MATCH_CLOSED) == 1
    assert PairExclusion.objects.filter(
        programme=world.programme, mentor=world.mentor, mentee=world.mentee, reason="closed"
    ).exists()


def test_it_tells_the_mentee_they_are_in_the_next_round(world, match, login_as):
    close(match, world.mentor)
    page = login_as("mentee").get(reverse("mentoring:match_ended", args=[match.pk])).text
    assert "You will be considered in the next matching round" in page
    mentor_page = login_as("mentor").get(reverse("mentoring:match_ended", args=[match.pk])).text
    assert "next matching round" not in mentor_page


def test_it_lets_the_coordinator_end_the_match(world, match, login_as):
    client = login_as("coordinator")
    url = reverse("mentoring:coordinator_match_end", args=[world.programme.slug, match.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {**SURVEY, "reason": "not_a_good_fit"})
    assert response.status_code == 302
    assert status_of(match) == Match.Status.CLOSED
    assert ClosingSurvey.objects.get(match=match).person == world.coordinator
    assert PairExclusion.objects.filter(mentor=world.mentor, mentee=world.mentee).exists()


def test_it_asks_again_when_the_survey_is_incomplete(world, match, login_as):
    response = login_as("mentee").post(
        reverse("mentoring:match_end", args=[match.pk]), {"rating": "9"}
    )
    assert response.status_code == 200
    assert "Choose yes, no or not sure." in response.text
    assert "Choose why the match ended." not in response.text
    assert status_of(match) == Match.Status.ACTIVE


@pytest.mark.parametrize("who,url_name", [("mentee", "match_end"), ("coordinator", None)])
def test_it_never_forces_a_reason_to_end_a_match(world, match, login_as, who, url_name):
    """The page says "You do not have to say why", and the form keeps that promise: it ends
    the match with no reason given, and the survey shows none."""
    if url_name:
        url = reverse("mentoring:match_end", args=[match.pk])
    else:
        url = reverse("mentoring:coordinator_match_end", args=[world.programme.slug, match.pk])
    client = login_as(who)
    assert "You do not have to say why." in client.get(url).text
    response = client.post(url, {**SURVEY, "reason": ""})
    assert response.status_code == 302
    assert status_of(match) == Match.Status.CLOSED
    assert ClosingSurvey.objects.get(match=match).reason == ""
    page = login_as("coordinator").get(
        reverse("mentoring:coordinator_matches", args=[world.programme.slug]) + "?show=closed"
    )
    assert "Why it ended: ." not in page.text


def test_it_does_nothing_when_a_match_is_closed_twice(world, match):
    assert close(match, world.mentor)
    match.refresh_from_db()
    ended_at = match.ended_at
    assert not close(match, world.mentor, rating=1)
    assert not close(match, world.coordinator)
    match.refresh_from_db()
    assert match.ended_at == ended_at
    assert audits(AuditEvent.Action.MATCH_CLOSED) == 1
    assert ClosingSurvey.objects.filter(match=match).count() == 1
    assert ClosingSurvey.objects.get(match=match).rating == 3
    assert PairExclusion.objects.filter(mentor=world.mentor, mentee=world.mentee).count() == 1


def test_it_lets_the_other_person_give_their_survey_afterwards(world, match, login_as):
    close(match, world.mentor)
    client = login_as("mentee")
    ended = client.get(reverse("mentoring:match_ended", args=[match.pk])).text
    assert reverse("mentoring:match_end", args=[match.pk]) in ended
    page = client.get(reverse("mentoring:match_end", args=[match.pk]))
    assert "How did your match with Sam go?" in page.text
    client.post(reverse("mentoring:match_end", args=[match.pk]), {**SURVEY, "recommend": "no"})
    surveys = dict(ClosingSurvey.objects.filter(match=match).values_list("person", "recommend"))
    assert surveys == {world.mentor.pk: "not_sure", world.mentee.pk: "no"}
    assert audits(AuditEvent.Action.MATCH_CLOSED) == 1

    # Once given, the survey cannot be given again.
    again = client.post(
        reverse("mentoring:match_end", args=[match.pk]), {**SURVEY, "recommend": "yes"}
    )
    assert again.status_code == 302
    assert ClosingSurvey.objects.get(match=match, person=world.mentee).recommend == "no"
    assert not services.closing_survey_give(
        match=match, person=world.mentee, rating=1, recommend="yes", reason="other"
    )


def test_it_never_shows_one_persons_closing_survey_to_the_other(world, match, login_as):
    """ "Only your coordinator sees your answers, never Priya": not on Priya's pages, in her
    data download or in an email to her."""
    from django.core import mail

    said = "Sam was late every single time"
    close(match, world.mentor, comments=said, rating=1)
    client = login_as("mentee")
    for url in [
        reverse("portal:dashboard"),
        reverse("mentoring:match_ended", args=[match.pk]),
        reverse("mentoring:match_end", args=[match.pk]),
        reverse("mentoring:match_detail", args=[match.pk]),
        reverse("notifications:notifications"),
        reverse("portal:my_data_download"),
    ]:
        response = client.get(url, follow=True)
        assert said not in response.content.decode(), url
    assert not any(said in message.body for message in mail.outbox)


def test_it_shows_closing_surveys_to_the_coordinator(world, match, login_as):
    close(match, world.mentor, comments="We got there in the end")
    page = login_as("coordinator").get(
        reverse("mentoring:coordinator_matches", args=[world.programme.slug]), {"show": "closed"}
    )
    assert "We got there in the end" in page.text
    assert "3 out of 5" in page.text


def test_it_puts_the_mentee_in_the_next_round_but_never_with_that_mentor(world, match):
    assert str(world.mentee.pk) not in {m["id"] for m in round_instance(world.programme)["mentees"]}
    close(match, world.mentee)

    instance = round_instance(world.programme)
    assert str(world.mentee.pk) in {m["id"] for m in instance["mentees"]}
    assert [str(world.mentor.pk), str(world.mentee.pk)] in instance["excluded_pairs"]

    other_mentor = UserFactory(display_name="Morgan", email="morgan@example.test")
    MembershipFactory(programme=world.programme, person=other_mentor, role=Role.MENTOR)
    complete_mentor_profile(other_mentor)
    matching_round = services.round_start(programme=world.programme, by=world.coordinator)
    services.round_run(round_id=matching_round.pk)
    pairs = list(matching_round.proposals.values_list("mentor_id", "mentee_id"))
    assert (other_mentor.pk, world.mentee.pk) in pairs
    assert (world.mentor.pk, world.mentee.pk) not in pairs


# ---------------------------------------------------------------------------------------------
# Who may do what.


@pytest.mark.parametrize("persona", ["other_coordinator", "mentee", "mentor"])
def test_it_hides_the_coordinator_pages_from_everyone_else(world, match, login_as, persona):
    client = login_as(persona)
    slug = world.programme.slug
    for name in ("mentoring:coordinator_match_pause", "mentoring:coordinator_match_end"):
        assert client.get(reverse(name, args=[slug, match.pk])).status_code == 404
    assert (
        client.post(
            reverse("mentoring:coordinator_match_end", args=[slug, match.pk]), SURVEY
        ).status_code
        == 404
    )
    assert client.get(reverse("mentoring:coordinator_matches", args=[slug])).status_code == 404
    assert status_of(match) == Match.Status.ACTIVE


def test_it_answers_404_for_another_programmes_match_url(world, match, login_as):
    client = login_as("other_coordinator")
    other_slug = world.other_programme.slug
    for name in ("mentoring:coordinator_match_pause", "mentoring:coordinator_match_end"):
        assert client.get(reverse(name, args=[other_slug, match.pk])).status_code == 404
    assert (
        client.post(
            reverse("mentoring:coordinator_match_resume", args=[other_slug, match.pk])
        ).status_code
        == 404
    )
    with pytest.raises(PermissionDenied):
        services.match_pause(match=match, by=world.other_coordinator)


def test_it_hides_the_person_pages_from_other_people(world, match, login_as):
    client = login_as("coordinator")
    assert client.get(reverse("mentoring:match_end", args=[match.pk])).status_code == 404
    assert client.post(reverse("mentoring:match_end", args=[match.pk]), SURVEY).status_code == 404
    assert client.post(reverse("mentoring:match_pause", args=[match.pk])).status_code == 404
    assert status_of(match) == Match.Status.ACTIVE


# ---------------------------------------------------------------------------------------------
# Query budget.


def _many_matches(world, start: int, stop: int) -> None:
    mentees = User.objects.bulk_create(
        [
            User(email=f"mentee{i}@example.test", display_name=f"Mentee {i}")
            for i in range(start, stop)
        ]
    )
    matching_round = MatchingRound.objects.create(
        programme=world.programme, status=MatchingRound.Status.FINISHED
    )
    proposals = Proposal.objects.bulk_create(
        [
            Proposal(
                round=matching_round,
                mentor=world.mentor,
                mentee=mentee,
                score=1,
                status=Proposal.Status.ACCEPTED,
            )
            for mentee in mentees
        ]
    )
    statuses = [Match.Status.ACTIVE, Match.Status.PAUSED, Match.Status.CLOSED]
    matches = Match.objects.bulk_create(
        [
            Match(
                programme=world.programme,
                proposal=proposal,
                mentor=world.mentor,
                mentee=proposal.mentee,
                status=statuses[i % 3],
            )
            for i, proposal in enumerate(proposals)
        ]
    )
    ClosingSurvey.objects.bulk_create(
        [
            ClosingSurvey(match=m, person=person, rating=5, recommend="yes", reason="other")
            for m in matches
            if m.status == Match.Status.CLOSED
            for person in (m.mentor, m.mentee)
        ]
    )


def _queries_for_list(client, world, show: str) -> int:
    url = reverse("mentoring:coordinator_matches", args=[world.programme.slug])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"show": show})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("show", ["active", "paused", "closed"])
def test_it_lists_matches_in_a_flat_number_of_queries(
    world, login_as, django_assert_max_num_queries, show
):
    client = login_as("coordinator")
    _many_matches(world, 0, 5)
    few = _queries_for_list(client, world, show)
    _many_matches(world, 5, 200)
    many = _queries_for_list(client, world, show)
    assert many == few
    with django_assert_max_num_queries(15):
        client.get(
            reverse("mentoring:coordinator_matches", args=[world.programme.slug]), {"show": show}
        )


def test_it_pages_the_matches_of_each_kind_and_counts_them(world, login_as):
    client = login_as("coordinator")
    _many_matches(world, 0, 200)
    url = reverse("mentoring:coordinator_matches", args=[world.programme.slug])

    first = client.get(url).text  # active, newest first
    assert "Active (67)" in first and "Paused (67)" in first and "Ended (66)" in first
    assert 'aria-current="page">Active (67)' in first
    assert "Page 1 of 2" in first and "?show=active&amp;page=2" in first
    assert first.count("Pause<span") == 50
    second = client.get(url, {"show": "active", "page": 2}).text
    assert second.count("Pause<span") == 17 and "Previous page" in second
    ended = client.get(url, {"show": "closed", "page": 2}).text
    assert ended.count("how it went 5 out of 5") == 2 * 16
    # Nonsense in the address shows the first page of active matches, never an error.
    odd = client.get(url, {"show": "<script>", "page": "lots"})
    assert odd.status_code == 200 and "Page 1 of 2" in odd.text
