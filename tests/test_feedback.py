"""Feedback after each session and the co-production check: two-way and equal, each person
answering for their own side, the other person never seeing it, and coordinators seeing
only totals big enough that nobody can be picked out."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from matching.models import Match
from mentoring import feedback, services
from mentoring.feedback import (
    check_due,
    coproduction_check_give,
    dashboard_asks,
    feedback_give,
)
from mentoring.models import CoproductionCheck, LadderRung, Session, SessionFeedback
from tests.factories import UserFactory, sign_in
from tests.pages import table_rows
from tests.test_permissions import _closed_match_id, _match

SECRET = "Sam talked over me and I did not feel heard at all"
ANSWERS = {"useful": "4", "listened_to": "5", "plain_language": "3", "comments": "Good session."}
MENTOR_ANSWERS = ANSWERS | {"equal_partner": "5", "expertise_valued": "4", "paid_fairly": "2"}
CHECK = {
    "equality": "4",
    "diversity": "5",
    "accessibility": "3",
    "reciprocity": "4",
    "rung": str(LadderRung.CO_DESIGN.value),
    "comments": "",
}


@pytest.fixture
def match(world) -> Match:
    return _match(world)


@pytest.fixture
def session(world, match) -> Session:
    return services.session_log(
        match=match,
        by=world.mentee,
        starts_at=timezone.now() - timedelta(days=2),
        duration_minutes=60,
        meeting_mode="online",
    )


def feedback_url(session) -> str:
    return reverse("mentoring:session_feedback", args=[session.pk])


def check_url(match) -> str:
    return reverse("mentoring:coproduction_check", args=[match.pk])


def age(match, weeks: int) -> Match:
    Match.objects.filter(pk=match.pk).update(started_at=timezone.now() - timedelta(weeks=weeks))
    match.refresh_from_db()
    return match


def give(session, person, **answers):
    values = {"useful": 4, "listened_to": 4, "plain_language": 4} | answers
    if person.pk == session.match.mentor_id:
        values = {"equal_partner": 4, "expertise_valued": 4, "paid_fairly": 4} | values
    return feedback_give(session=session, by=person, **values)


# Giving feedback


def test_it_shows_the_form_with_a_fieldset_per_question_and_who_sees_the_answers(
    world, session, client
):
    sign_in(client, world.mentor)
    page = client.get(feedback_url(session)).content.decode()

    assert (
        "Only your coordinators see answers, and only added together with other people's. "
        "Priya never sees what you say." in page
    )
    assert page.count("<fieldset") == 6
    for question in ("The session was useful to me", "I felt an equal partner"):
        assert f'<legend class="label">{question}</legend>' in page
    assert "Strongly disagree" in page and "Strongly agree" in page


def test_it_asks_mentees_only_the_questions_for_both(world, session, client):
    sign_in(client, world.mentee)
    page = client.get(feedback_url(session)).content.decode()

    assert page.count("<fieldset") == 3
    assert "I felt an equal partner" not in page
    assert "Sam never sees what you say" in page


def test_it_saves_the_answers_with_the_side_taken_from_the_match(world, session, client):
    sign_in(client, world.mentee)
    # A mentee who sends the mentor's questions, and claims to be the mentor, is still a mentee.
    response = client.post(feedback_url(session), MENTOR_ANSWERS | {"role": "mentor"})

    assert response.status_code == 302
    assert response["Location"] == reverse("mentoring:match_detail", args=[session.match_id])
    given = SessionFeedback.objects.get()
    assert (given.role, given.person, given.useful, given.listened_to) == (
        "mentee",
        world.mentee,
        4,
        5,
    )
    assert given.equal_partner is None and given.paid_fairly is None
    thanks = client.get(response["Location"]).content.decode()
    assert "Thank you for your feedback" in thanks


def test_it_saves_the_mentor_questions_from_mentors(world, session, client):
    sign_in(client, world.mentor)
    client.post(feedback_url(session), MENTOR_ANSWERS)

    given = SessionFeedback.objects.get()
    assert (given.role, given.equal_partner, given.expertise_valued, given.paid_fairly) == (
        "mentor",
        5,
        4,
        2,
    )


def test_it_takes_one_answer_per_side_whatever_the_double_clicks(world, session, client):
    sign_in(client, world.mentor)
    first = client.post(feedback_url(session), MENTOR_ANSWERS)
    second = client.post(feedback_url(session), MENTOR_ANSWERS, follow=True)

    assert first.status_code == 302
    assert second.status_code == 200
    assert "You have already given feedback on this session" in second.content.decode()
    assert SessionFeedback.objects.count() == 1
    page = client.get(feedback_url(session)).content.decode()
    assert "You have already given feedback on this session" in page
    assert "<form" not in page.split("<main", 1)[1]


def test_it_treats_a_race_on_the_unique_constraint_as_already_given(world, session):
    """Two posts that both passed the 'not given yet' check: the second meets the unique
    constraint, which the service turns into 'already given' rather than an error."""
    assert give(session, world.mentee) is True
    assert give(session, world.mentee, useful=2) is False
    with (
        mock.patch.object(feedback, "_already_given", return_value=False),
        mock.patch.object(feedback, "can_give_feedback", return_value=True),
    ):
        assert give(session, world.mentee, useful=1) is False
    assert SessionFeedback.objects.get().useful == 4


def test_it_lets_each_side_answer_once(world, session):
    assert give(session, world.mentor) is True
    assert give(session, world.mentee) is True
    assert sorted(SessionFeedback.objects.values_list("role", flat=True)) == ["mentee", "mentor"]


def test_it_refuses_feedback_from_anyone_outside_the_match(world, session):
    with pytest.raises(PermissionDenied):
        give(session, world.coordinator)


def test_it_refuses_feedback_on_a_session_said_to_be_wrong(world, session, client):
    services.session_dispute(session=session, by=world.mentor, reason="It was 30 minutes.")
    with pytest.raises(ValidationError):
        give(session, world.mentor)
    sign_in(client, world.mentor)
    page = client.get(feedback_url(session)).content.decode()
    assert "Once they are put right, you can give feedback" in page


def test_it_keeps_what_was_typed_and_says_what_is_missing(world, session, client):
    sign_in(client, world.mentor)
    response = client.post(feedback_url(session), {"useful": "4", "comments": "Kept, please"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Choose how much you agree with \u201cI felt listened to and respected\u201d." in page
    assert "Kept, please" in page
    assert 'name="useful" value="4" required id="id_useful_3" checked' in page
    assert not SessionFeedback.objects.exists()


def test_it_refuses_answers_off_the_scale(world, session, client):
    sign_in(client, world.mentor)
    response = client.post(feedback_url(session), MENTOR_ANSWERS | {"useful": "6"})

    assert response.status_code == 200
    assert "Choose one of the answers given." in response.content.decode()
    assert not SessionFeedback.objects.exists()


@pytest.mark.parametrize("persona", ["other_mentor", "coordinator", "other_coordinator"])
def test_it_answers_404_to_anyone_not_in_the_match(world, session, client, persona):
    sign_in(client, getattr(world, persona))
    assert client.get(feedback_url(session)).status_code == 404
    assert client.post(feedback_url(session), MENTOR_ANSWERS).status_code == 404
    assert not SessionFeedback.objects.exists()


# Links to the form


def test_it_links_to_the_form_until_this_side_has_answered(world, session, client):
    sign_in(client, world.mentor)
    link = "Give feedback on this session"
    assert (
        link in client.get(reverse("mentoring:session_detail", args=[session.pk])).content.decode()
    )
    assert (
        link
        in client.get(reverse("mentoring:match_detail", args=[session.match_id])).content.decode()
    )
    assert "Feedback to give" in client.get(reverse("portal:dashboard")).content.decode()

    give(session, world.mentor)

    assert (
        link
        not in client.get(reverse("mentoring:session_detail", args=[session.pk])).content.decode()
    )
    assert (
        link
        not in client.get(
            reverse("mentoring:match_detail", args=[session.match_id])
        ).content.decode()
    )
    assert "Feedback to give" not in client.get(reverse("portal:dashboard")).content.decode()


def test_it_never_shows_one_person_what_the_other_said(world, session, client):
    """Priya's answers are nowhere on Sam's pages, nor is whether she has answered."""
    sign_in(client, world.mentee)
    client.post(feedback_url(session), ANSWERS | {"comments": SECRET, "useful": "1"})
    assert SessionFeedback.objects.filter(role="mentee").exists()

    sign_in(client, world.mentor)
    pages = {
        "match": client.get(reverse("mentoring:match_detail", args=[session.match_id])),
        "session": client.get(reverse("mentoring:session_detail", args=[session.pk])),
        "dashboard": client.get(reverse("portal:dashboard")),
        "feedback": client.get(feedback_url(session)),
    }
    for where, response in pages.items():
        page = response.content.decode()
        assert response.status_code == 200, where
        assert SECRET not in page, where
        assert "Priya has given feedback" not in page, where
    # Sam is still asked for his own side.
    assert "Give feedback on this session" in pages["session"].content.decode()
    assert "<fieldset" in pages["feedback"].content.decode()


# The co-production check


def test_it_has_nothing_to_ask_in_the_first_three_months(world, match, client):
    sign_in(client, world.mentor)
    response = client.get(check_url(match))

    assert response.status_code == 200
    assert "There is nothing to answer now" in response.content.decode()
    assert check_due(match, world.mentor) is None
    assert "Co-production check" not in client.get(reverse("portal:dashboard")).content.decode()


def test_it_asks_each_side_every_three_months(world, match, client):
    age(match, 14)
    sign_in(client, world.mentee)
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert "Co-production check" in dashboard
    assert "the check every three months" in dashboard
    page = client.get(check_url(match)).content.decode()
    assert "What co-production means" in page
    assert page.count("<fieldset") == 5
    assert "Coercion: I was told what to do" in page
    # The ladder reads from the bottom rung up.
    assert page.index("Coercion") < page.index("Co-production: we were equal partners")

    response = client.post(check_url(match), CHECK)

    assert response.status_code == 302
    assert response["Location"] == reverse("mentoring:match_detail", args=[match.pk])
    check = CoproductionCheck.objects.get()
    assert (check.role, check.occasion, check.quarter, check.rung) == (
        "mentee",
        "quarterly",
        1,
        LadderRung.CO_DESIGN,
    )
    assert "There is nothing to answer now" in client.get(check_url(match)).content.decode()
    # Sam's side is still asked.
    assert check_due(match, world.mentor).quarter == 1


def test_it_never_shows_one_person_the_others_check(world, match, client):
    """Priya's co-production check, words and rung, is nowhere on Sam's pages."""
    age(match, 14)
    sign_in(client, world.mentee)
    client.post(check_url(match), CHECK | {"comments": SECRET})
    assert CoproductionCheck.objects.filter(role="mentee", comments=SECRET).exists()

    sign_in(client, world.mentor)
    for where in (
        reverse("mentoring:match_detail", args=[match.pk]),
        reverse("portal:dashboard"),
        check_url(match),
    ):
        response = client.get(where)
        page = response.content.decode()
        assert response.status_code == 200, where
        assert SECRET not in page, where
        assert "Priya has" not in page, where
    # Sam is still asked for his own side, with the ladder starting from nothing chosen.
    form = client.get(check_url(match)).content.decode()
    assert "<fieldset" in form and "checked" not in form


def test_it_asks_for_the_latest_quarter_only(world, match):
    age(match, 30)
    assert check_due(match, world.mentor).quarter == 2


def test_it_treats_a_second_check_as_already_given(world, match, client):
    age(match, 14)
    assert coproduction_check_give(
        match=match, by=world.mentor, quarter=1, **{k: int(v) for k, v in CHECK.items() if v}
    )
    sign_in(client, world.mentor)
    response = client.post(check_url(match), CHECK, follow=True)
    assert "There is no co-production check to answer just now" in response.content.decode()
    assert CoproductionCheck.objects.count() == 1
    with mock.patch.object(
        feedback, "check_due", return_value=feedback.CheckDue(match, "mentor", 1)
    ):
        assert not coproduction_check_give(
            match=match, by=world.mentor, quarter=1, **{k: int(v) for k, v in CHECK.items() if v}
        )


def test_it_refuses_a_check_for_a_quarter_not_asked(world, match):
    age(match, 14)
    with pytest.raises(ValidationError):
        coproduction_check_give(
            match=match, by=world.mentor, quarter=2, **{k: int(v) for k, v in CHECK.items() if v}
        )


def test_it_keeps_the_check_form_filled_in_on_a_mistake(world, match, client):
    age(match, 14)
    sign_in(client, world.mentor)
    response = client.post(check_url(match), CHECK | {"rung": "", "comments": "Kept"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose the one that is closest to how it felt." in page
    assert "Kept" in page
    assert not CoproductionCheck.objects.exists()


@pytest.mark.parametrize("persona", ["other_mentor", "coordinator", "other_coordinator"])
def test_it_answers_404_to_anyone_outside_the_match_on_the_check(world, match, client, persona):
    age(match, 14)
    sign_in(client, getattr(world, persona))
    assert client.get(check_url(match)).status_code == 404
    assert client.post(check_url(match), CHECK).status_code == 404


def test_it_asks_both_people_for_the_closing_check_when_a_match_ends(world, match, client):
    sign_in(client, world.mentor)
    response = client.post(
        reverse("mentoring:match_end", args=[match.pk]),
        {"rating": "4", "recommend": "yes", "reason": "goals_reached"},
        follow=True,
    )
    assert "One last co-production check" in response.content.decode()
    page = client.get(check_url(match)).content.decode()
    assert "Your match has ended" in page

    client.post(check_url(match), CHECK)
    check = CoproductionCheck.objects.get()
    assert (check.role, check.occasion, check.quarter) == ("mentor", "closing", 0)

    # Priya is reminded of both the closing survey and the closing check.
    sign_in(client, world.mentee)
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert "Tell us how your match went" in dashboard
    assert reverse("mentoring:match_end", args=[match.pk]) in dashboard
    assert "has ended: the last check" in dashboard
    assert reverse("mentoring:coproduction_check", args=[match.pk]) in dashboard
    # Sam gave both: nothing left for him.
    sign_in(client, world.mentor)
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert "Tell us how your match went" not in dashboard
    assert "the last check" not in dashboard


def test_it_lets_the_closing_check_go_after_three_months(world, match):
    match_id = _closed_match_id(world)
    closed = Match.objects.get(pk=match_id)
    assert check_due(closed, world.mentee).quarter == 0
    Match.objects.filter(pk=match_id).update(ended_at=timezone.now() - timedelta(weeks=14))
    closed.refresh_from_db()
    assert check_due(closed, world.mentee) is None
    assert dashboard_asks(world.mentee)["surveys_due"] == []


def test_it_keeps_the_dashboard_asks_in_a_few_queries(world, match, django_assert_max_num_queries):
    age(match, 14)
    for days in range(1, 21):
        services.session_log(
            match=match,
            by=world.mentee,
            starts_at=timezone.now() - timedelta(days=days),
            duration_minutes=60,
            meeting_mode="online",
        )
    with django_assert_max_num_queries(4):
        asks = dashboard_asks(world.mentor, matches=[match])
    assert len(asks["feedback_due"]) == 20
    assert [due.quarter for due in asks["checks_due"]] == [1]


# What coordinators see: the "What people say" section of the statistics


def _answers(
    match,
    *,
    mentors: int,
    mentees: int,
    score: int = 4,
    comment: str = "",
    same_people: bool = False,
    given=None,
) -> None:
    """Feedback on new sessions of `match`, straight into the database: from `mentors`
    different mentors and `mentees` different mentees, or, with `same_people`, as many
    answers from the match's own two people."""
    now = timezone.now()
    sessions = Session.objects.bulk_create(
        Session(
            match=match,
            logged_by=match.mentor,
            starts_at=now - timedelta(days=n + 1),
            duration_minutes=60,
            meeting_mode="online",
        )
        for n in range(max(mentors, mentees))
    )
    rows = []
    for number, session in enumerate(sessions):
        common = {
            "session": session,
            "programme": match.programme,
            "useful": score,
            "listened_to": 5,
            "plain_language": 3,
        }
        if number < mentors:
            rows.append(
                SessionFeedback(
                    role="mentor",
                    person=match.mentor if same_people else UserFactory(),
                    equal_partner=2,
                    expertise_valued=4,
                    paid_fairly=5,
                    comments=comment,
                    **common,
                )
            )
        if number < mentees:
            rows.append(
                SessionFeedback(
                    role="mentee", person=match.mentee if same_people else UserFactory(), **common
                )
            )
    made = SessionFeedback.objects.bulk_create(rows)
    if given is not None:
        SessionFeedback.objects.filter(pk__in=[row.pk for row in made]).update(created_at=given)


def _voice(client, query=None) -> str:
    response = client.get(
        reverse("reporting:statistics_section", args=["north", "voice"]), query or {}
    )
    assert response.status_code == 200
    return response.content.decode()


FEEDBACK_TABLE = "Feedback after sessions: average ratings out of 5"


def _numbers_in_cells(page: str) -> list[str]:
    """Every table cell of a page that holds a number on its own (a count, a score)."""
    import re

    cells = re.findall(r"<td[^>]*>\s*([^<]*?)\s*</td>", page)
    return [cell for cell in cells if re.fullmatch(r"[\d.,]+( out of 5)?", cell)]


def _checks(match, *, people: list, rung, quarters=(1,)) -> None:
    """Co-production checks, one per person and quarter, straight into the database. Each
    person answers as the mentor of a match of their own."""
    from matching.models import MatchingRound, Proposal

    for number, person in enumerate(people):
        if person.pk == match.mentor_id:
            theirs = match
        else:
            matching_round = MatchingRound.objects.create(
                programme=match.programme, status="finished"
            )
            proposal = Proposal.objects.create(
                round=matching_round, mentor=person, mentee=match.mentee, score=number
            )
            theirs = Match.objects.create(
                programme=match.programme, proposal=proposal, mentor=person, mentee=match.mentee
            )
        CoproductionCheck.objects.bulk_create(
            CoproductionCheck(
                match=theirs,
                programme=match.programme,
                person=person,
                role="mentor",
                occasion="quarterly",
                quarter=quarter,
                equality=3,
                diversity=3,
                accessibility=3,
                reciprocity=3,
                rung=rung,
            )
            for quarter in quarters
        )


def test_it_never_shows_coordinators_an_average_from_one_person(world, match, client):
    """Ten answers from one mentor are one person's answers: no average, whatever the page."""
    _answers(match, mentors=7, mentees=0, score=4, same_people=True)
    _answers(match, mentors=3, mentees=0, score=3, same_people=True)  # ten answers: 3.7
    sign_in(client, world.coordinator)

    page = client.get(reverse("reporting:coordinator_voice", args=["north"]), follow=True)

    assert page.status_code == 200
    text = page.content.decode()
    assert "3.7" not in text
    assert "equal partner" in text.lower()  # the page with the feedback, not an error


def test_it_never_shows_coordinators_a_count_of_one_to_seven(world, match, client):
    """Eight mentors answered the co-production check: seven on one step of the ladder,
    one on another. Neither 7 nor 1 may be shown."""
    mentors = [world.mentor, *(UserFactory() for _ in range(7))]
    _checks(match, people=mentors[:7], rung=LadderRung.CO_PRODUCTION)
    _checks(match, people=mentors[7:], rung=LadderRung.CONSULTATION)
    sign_in(client, world.coordinator)

    page = client.get(reverse("reporting:coordinator_voice", args=["north"]), follow=True)

    assert page.status_code == 200
    assert "ladder of co-production" in page.content.decode().lower()
    small = [n for n in _numbers_in_cells(page.content.decode()) if n.isdigit() and 0 < int(n) < 8]
    assert small == []


def test_it_shows_coordinators_averages_side_by_side(world, match, client):
    _answers(match, mentors=8, mentees=7, comment=SECRET)
    sign_in(client, world.coordinator)

    page = _voice(client)

    rows = table_rows(page, FEEDBACK_TABLE)
    # Mentors now, mentors before, mentees now, mentees before.
    assert rows["The session was useful"][0] == "4.0"
    assert rows["The session was useful"][2] == "c"  # seven mentees
    assert rows["I felt an equal partner (mentors)"] == ["2.0", "none", "", ""]
    assert SECRET not in page


def test_it_adds_up_this_period_apart_from_the_one_before(world, match, client):
    last_month = timezone.now().replace(day=1) - timedelta(days=3)
    _answers(match, mentors=8, mentees=8, score=2, given=last_month)
    _answers(match, mentors=8, mentees=0, score=5)
    sign_in(client, world.coordinator)

    rows = table_rows(_voice(client, {"period": "month"}), FEEDBACK_TABLE)

    assert rows["The session was useful"] == ["5.0", "2.0", "none", "2.0"]


def test_it_counts_the_ladder_only_when_eight_people_answered(world, match, client):
    mentors = [world.mentor, *(UserFactory() for _ in range(7))]
    _checks(match, people=mentors, rung=LadderRung.CO_PRODUCTION)
    sign_in(client, world.coordinator)

    page = _voice(client)

    ladder = table_rows(page, "The ladder of co-production: how it felt")
    assert ladder[LadderRung.CO_PRODUCTION.label][0] == "8"
    assert ladder["All answers"][0] == "8"
    assert ladder[LadderRung.CONSULTATION.label][0] == "0"
    principles = table_rows(page, "Co-production principles: average ratings out of 5")
    assert principles["Equality"][0] == "3.0"


def test_it_hides_other_programmes_figures(world, match, client):
    _answers(match, mentors=8, mentees=8)
    sign_in(client, world.other_coordinator)
    assert client.get(reverse("reporting:coordinator_voice", args=["north"])).status_code == 404
    response = client.get(reverse("reporting:statistics_section", args=["north", "voice"]))
    assert response.status_code == 404
    page = client.get(
        reverse("reporting:statistics_section", args=["south", "voice"])
    ).content.decode()
    assert "4.0" not in page


def test_it_links_coordinators_to_what_people_say_in_the_statistics(world, client):
    sign_in(client, world.coordinator)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert reverse("reporting:statistics_section", args=["north", "voice"]) in page
    assert reverse("reporting:coordinator_voice", args=["north"]) not in page


def test_it_sends_old_links_to_the_statistics_for_good(world, client):
    sign_in(client, world.coordinator)
    response = client.get(reverse("reporting:coordinator_voice", args=["north"]))
    assert response.status_code == 301
    assert response["Location"] == reverse("reporting:statistics_section", args=["north", "voice"])


# The demo


@pytest.mark.django_db
def test_it_seeds_believable_answers_once_and_leaves_some_to_give():
    from io import StringIO

    from django.core.management import call_command

    def seed():
        call_command("seed_demo", stdout=StringIO())
        return SessionFeedback.objects.count(), CoproductionCheck.objects.count()

    first = seed()
    assert seed() == first

    assert first[0] > 100 and first[1] > 20
    scores = list(SessionFeedback.objects.values_list("useful", flat=True))
    assert sum(scores) / len(scores) > 3.5 and min(scores) < 4
    assert SessionFeedback.objects.exclude(comments="").exists()
    # The pair the accessibility crawl follows each have a session and a check to answer.
    waiting = Session.objects.select_related("match__mentor", "match__mentee").get(
        status=Session.Status.LOGGED
    )
    for person in (waiting.match.mentor, waiting.match.mentee):
        asks = dashboard_asks(person)
        assert asks["feedback_due"], person
        assert asks["checks_due"], person
    # The mentor of the ended match is still asked for the closing check.
    ended = Match.objects.filter(status=Match.Status.CLOSED).select_related("mentor").first()
    if ended:
        assert check_due(ended, ended.mentor).quarter == 0
        assert check_due(ended, ended.mentee) is None
