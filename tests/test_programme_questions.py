"""A programme's own questions (mentoring.questions): asked in the session feedback and the
co-production check after the fixed ones, saved with them, managed by the programme's
coordinators, added up in the statistics under the one suppression rule, and part of a
person's data."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import Match
from mentoring import services
from mentoring.models import CoproductionCheck, ProgrammeAnswer, Session, SessionFeedback
from mentoring.questions import programme_question_add, programme_question_retire
from tests.factories import sign_in
from tests.pages import table_rows
from tests.test_feedback import ANSWERS, CHECK, MENTOR_ANSWERS, age, check_url, feedback_url
from tests.test_permissions import _match

STATEMENT = "My mentor explained things in a way I understood"


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


def ask(world, text=STATEMENT, *, asks_in="feedback", who="both", programme=None):
    return programme_question_add(
        programme=programme or world.programme,
        asks_in=asks_in,
        who=who,
        text=text,
        by=world.coordinator,
    )


def shown_ids(page: str) -> str:
    """The ids the form carries; a browser sends an empty value when there is none."""
    found = re.search(r'<input type="hidden" name="shown"(?: value="([^"]*)")?', page)
    return found.group(1) or ""


# The forms ask them


def test_it_asks_the_programmes_own_question_after_the_fixed_ones(world, session, client):
    question = ask(world)
    sign_in(client, world.mentee)

    page = client.get(feedback_url(session)).content.decode()

    assert page.count("<fieldset") == 4
    assert f'<legend class="label">{STATEMENT}</legend>' in page
    assert page.index("We used plain language") < page.index(STATEMENT) < page.index("Anything")
    assert shown_ids(page) == str(question.pk)
    assert "There are four short questions" in page


def test_it_asks_each_side_only_the_questions_for_it(world, session, client):
    ask(world, "Mentors only statement", who="mentor")
    ask(world, "Mentees only statement", who="mentee")
    ask(world, "A check statement", asks_in="check")
    ask(world, "Another programme's statement", programme=world.other_programme)
    sign_in(client, world.mentee)
    mentee_page = client.get(feedback_url(session)).content.decode()
    sign_in(client, world.mentor)
    mentor_page = client.get(feedback_url(session)).content.decode()

    assert "Mentees only statement" in mentee_page and "Mentors only" not in mentee_page
    assert "Mentors only statement" in mentor_page and "Mentees only" not in mentor_page
    for page in (mentee_page, mentor_page):
        assert "A check statement" not in page and "Another programme" not in page


def test_it_does_not_ask_a_retired_question(world, session, client):
    programme_question_retire(question=ask(world), by=world.coordinator)
    sign_in(client, world.mentee)
    assert STATEMENT not in client.get(feedback_url(session)).content.decode()


def test_it_saves_the_answer_with_the_feedback(world, session, client):
    question = ask(world)
    sign_in(client, world.mentee)

    response = client.post(
        feedback_url(session), ANSWERS | {f"own_{question.pk}": "2", "shown": str(question.pk)}
    )

    assert response.status_code == 302
    answer = ProgrammeAnswer.objects.get()
    assert (answer.question, answer.value) == (question, 2)
    assert answer.feedback == SessionFeedback.objects.get()


def test_it_requires_the_own_question_like_the_fixed_ones(world, session, client):
    question = ask(world)
    sign_in(client, world.mentee)

    response = client.post(feedback_url(session), ANSWERS | {"shown": str(question.pk)})

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Choose how much you agree with \u201c{STATEMENT}\u201d." in page
    assert 'value="Good session."' in page or "Good session." in page
    assert not SessionFeedback.objects.exists()


def test_it_keeps_the_answer_to_a_question_retired_while_the_form_was_open(world, session, client):
    question = ask(world)
    sign_in(client, world.mentee)
    shown = shown_ids(client.get(feedback_url(session)).content.decode())
    programme_question_retire(question=question, by=world.coordinator)

    response = client.post(
        feedback_url(session), ANSWERS | {f"own_{question.pk}": "5", "shown": shown}
    )

    assert response.status_code == 302
    assert ProgrammeAnswer.objects.get().value == 5


def test_it_sends_a_form_even_if_a_question_was_added_while_it_was_open(world, session, client):
    sign_in(client, world.mentee)
    shown = shown_ids(client.get(feedback_url(session)).content.decode())
    ask(world)

    response = client.post(feedback_url(session), ANSWERS | {"shown": shown})

    assert response.status_code == 302
    assert SessionFeedback.objects.get().comments == "Good session."
    assert not ProgrammeAnswer.objects.exists()


def test_it_ignores_question_ids_the_form_could_not_have_shown(world, session, client):
    theirs = ask(world, programme=world.other_programme)
    mentors = ask(world, "Mentors only statement", who="mentor")
    sign_in(client, world.mentee)

    response = client.post(
        feedback_url(session),
        ANSWERS
        | {
            "shown": f"{theirs.pk},{mentors.pk},x,-1",
            f"own_{theirs.pk}": "1",
            f"own_{mentors.pk}": "1",
        },
    )

    assert response.status_code == 302
    assert SessionFeedback.objects.count() == 1
    assert not ProgrammeAnswer.objects.exists()


def test_it_refuses_an_answer_off_the_scale(world, session, client):
    question = ask(world)
    sign_in(client, world.mentee)

    response = client.post(
        feedback_url(session), ANSWERS | {f"own_{question.pk}": "9", "shown": str(question.pk)}
    )

    assert response.status_code == 200
    assert "Choose one of the answers given." in response.content.decode()
    assert not SessionFeedback.objects.exists()


def test_it_asks_mentors_their_own_questions_too(world, session, client):
    question = ask(world, who="mentor")
    sign_in(client, world.mentor)

    client.post(
        feedback_url(session),
        MENTOR_ANSWERS | {f"own_{question.pk}": "4", "shown": str(question.pk)},
    )

    assert ProgrammeAnswer.objects.get().feedback.role == "mentor"


def test_it_asks_the_check_questions_in_the_check(world, match, client):
    age(match, weeks=14)
    question = ask(world, asks_in="check")
    ask(world, "A feedback statement")
    sign_in(client, world.mentee)

    page = client.get(check_url(match)).content.decode()
    assert STATEMENT in page and "A feedback statement" not in page
    assert page.index("Reciprocity") < page.index(STATEMENT) < page.index("Which of these")

    response = client.post(
        check_url(match), CHECK | {f"own_{question.pk}": "3", "shown": shown_ids(page)}
    )

    assert response.status_code == 302
    answer = ProgrammeAnswer.objects.get()
    assert answer.coproduction_check == CoproductionCheck.objects.get()
    assert answer.feedback is None and answer.value == 3


def test_it_saves_nothing_when_the_feedback_is_given_already(world, session, client):
    question = ask(world)
    sign_in(client, world.mentee)
    data = ANSWERS | {f"own_{question.pk}": "2", "shown": str(question.pk)}
    client.post(feedback_url(session), data)
    client.post(feedback_url(session), data)

    assert ProgrammeAnswer.objects.count() == 1


# Coordinators manage them


def questions_url(slug="north") -> str:
    return reverse("mentoring:coordinator_questions", args=[slug])


def test_it_lists_the_questions_with_how_many_answers_never_the_answers(world, session, client):
    question = ask(world)
    ask(world, "A check statement", asks_in="check", who="mentor")
    sign_in(client, world.mentee)
    client.post(
        feedback_url(session), ANSWERS | {f"own_{question.pk}": "2", "shown": str(question.pk)}
    )
    sign_in(client, world.coordinator)

    page = client.get(questions_url()).content.decode()

    rows = table_rows(page, "Your own questions: feedback after each session")
    assert rows[STATEMENT] == ["Mentors and mentees", "1", "Stop asking this: " + STATEMENT]
    check_rows = table_rows(page, "Your own questions: the co-production check every three months")
    assert check_rows["A check statement"][:2] == ["Mentors only", "0"]
    assert "Disagree" not in page  # the answer itself


def test_it_adds_a_question_and_warns_about_listed_words_after_saving(world, client):
    sign_in(client, world.coordinator)

    response = client.post(
        questions_url(),
        {"asks_in": "check", "who": "mentee", "text": "  My   placement felt   equal "},
        follow=True,
    )

    question = world.programme.own_questions.get()
    assert (question.asks_in, question.who, question.text, question.added_by) == (
        "check",
        "mentee",
        "My placement felt equal",
        world.coordinator,
    )
    page = response.content.decode()
    assert "Added. From now on it is asked in the co-production check" in page
    assert "You used \u2018placement\u2019." in page


def test_it_keeps_what_was_typed_and_says_what_is_wrong_next_to_the_field(world, client):
    ask(world)
    sign_in(client, world.coordinator)

    response = client.post(
        questions_url(), {"asks_in": "feedback", "who": "both", "text": STATEMENT.upper()}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "This statement is already asked there." in page
    assert STATEMENT.upper() in page
    assert world.programme.own_questions.count() == 1

    too_long = client.post(questions_url(), {"asks_in": "nowhere", "who": "", "text": "x" * 201})
    page = too_long.content.decode()
    assert "Choose one of the places given." in page
    assert "Choose who is asked." in page
    assert "Keep the statement to 200 characters or fewer" in page


def test_it_stops_asking_a_question_and_keeps_its_answers(world, session, client):
    question = ask(world)
    sign_in(client, world.mentee)
    client.post(
        feedback_url(session), ANSWERS | {f"own_{question.pk}": "2", "shown": str(question.pk)}
    )
    sign_in(client, world.coordinator)
    url = reverse("mentoring:coordinator_question_retire", args=["north", question.pk])

    page = client.post(url, follow=True).content.decode()
    again = client.post(url, follow=True).content.decode()

    question.refresh_from_db()
    assert question.retired_at is not None and question.retired_by == world.coordinator
    assert "is no longer asked. Its answers are kept." in page
    assert "was no longer asked already" in again
    assert table_rows(page, "Questions no longer asked")[STATEMENT][:3] == [
        "Feedback after each session",
        "Mentors and mentees",
        "1",
    ]
    assert ProgrammeAnswer.objects.count() == 1


def test_it_answers_404_for_another_programmes_question(world, client):
    theirs = ask(world, programme=world.other_programme)
    sign_in(client, world.coordinator)

    url = reverse("mentoring:coordinator_question_retire", args=["north", theirs.pk])
    assert client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.retired_at is None


def test_it_links_coordinators_to_the_questions(world, client):
    sign_in(client, world.coordinator)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert questions_url() in page


def test_it_lists_the_questions_in_a_few_queries(world, client, django_assert_max_num_queries):
    sign_in(client, world.coordinator)
    for number in range(30):
        ask(world, f"Statement number {number}", asks_in=["feedback", "check"][number % 2])
    client.get(questions_url())
    with django_assert_max_num_queries(20):
        assert client.get(questions_url()).status_code == 200


# Statistics


def _answers_from(world, question, *, people: int, value: int, role="mentee", given=None):
    """Feedback with an answer to `question` from `people` different people, straight into
    the database."""
    from tests.factories import UserFactory

    match = _match(world)
    now = timezone.now()
    sessions = Session.objects.bulk_create(
        Session(
            match=match,
            logged_by=match.mentor,
            starts_at=now - timedelta(days=n + 1),
            duration_minutes=60,
            meeting_mode="online",
        )
        for n in range(people)
    )
    extra = (
        {"equal_partner": 4, "expertise_valued": 4, "paid_fairly": 4} if role == "mentor" else {}
    )
    made = SessionFeedback.objects.bulk_create(
        SessionFeedback(
            session=session,
            programme=match.programme,
            person=UserFactory(),
            role=role,
            useful=4,
            listened_to=4,
            plain_language=4,
            **extra,
        )
        for session in sessions
    )
    if given is not None:
        SessionFeedback.objects.filter(pk__in=[row.pk for row in made]).update(created_at=given)
    ProgrammeAnswer.objects.bulk_create(
        ProgrammeAnswer(question=question, feedback=row, value=value) for row in made
    )


OWN_TABLE = "The programme's own questions: average ratings out of 5"


def _voice(client, query=None) -> str:
    response = client.get(
        reverse("reporting:statistics_section", args=["north", "voice"]), query or {}
    )
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_the_average_of_each_own_question_only_from_eight_people(world, client):
    question = ask(world)
    _answers_from(world, question, people=8, value=2)
    _answers_from(world, question, people=7, value=5, role="mentor")
    sign_in(client, world.coordinator)

    rows = table_rows(_voice(client), OWN_TABLE)

    # Mentors now, mentors before, mentees now, mentees before.
    assert rows[f"{STATEMENT} (feedback)"] == ["c", "none", "2.0", "none"]


def test_it_adds_up_own_questions_this_period_apart_from_the_one_before(world, client):
    question = ask(world)
    ask(world, "Mentors only statement", who="mentor")
    last_month = timezone.now().replace(day=1) - timedelta(days=3)
    _answers_from(world, question, people=8, value=2, given=last_month)
    _answers_from(world, question, people=8, value=4)
    sign_in(client, world.coordinator)

    rows = table_rows(_voice(client, {"period": "month"}), OWN_TABLE)

    assert rows[f"{STATEMENT} (feedback)"] == ["none", "none", "4.0", "2.0"]
    assert rows["Mentors only statement (feedback)"] == ["none", "none", "", ""]


def test_it_names_the_programme_of_each_own_question_over_all_programmes(world, client):
    ask(world)
    ask(world, programme=world.other_programme)
    sign_in(client, world.administrator)
    response = client.get(reverse("reporting:statistics_section", args=["all", "voice"]))
    rows = table_rows(response.content.decode(), OWN_TABLE)
    assert f"{STATEMENT} (feedback, North Star)" in rows
    assert f"{STATEMENT} (feedback, Riverside)" in rows


def test_it_has_no_own_questions_table_without_own_questions(world, client):
    sign_in(client, world.coordinator)
    assert OWN_TABLE not in _voice(client)


def test_it_keeps_the_statistics_query_count_flat_as_questions_grow(world, client):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, world.coordinator)
    question = ask(world)
    _answers_from(world, question, people=8, value=3)
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        _voice(client)
    for number in range(12):
        more = ask(world, f"Statement number {number}")
        _answers_from(world, more, people=2, value=3)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        _voice(client)

    assert len(many.captured_queries) == len(few.captured_queries)


def test_it_hides_another_programmes_own_questions(world, client):
    question = ask(world, programme=world.other_programme)
    sign_in(client, world.coordinator)
    page = _voice(client)
    assert question.text not in page


# A person's data


def test_my_download_holds_my_answers_and_deleting_keeps_them_without_me(world, session, client):
    import json

    from tests.factories import PASSWORD

    question = ask(world)
    sign_in(client, world.mentee)
    client.post(
        feedback_url(session), ANSWERS | {f"own_{question.pk}": "2", "shown": str(question.pk)}
    )

    data = json.loads(client.get(reverse("portal:my_data_download")).content)

    (given,) = data["session_feedback_given"]
    assert given["answers"][STATEMENT] == "Disagree"

    client.post(reverse("portal:account_delete"), {"password": PASSWORD})

    answer = ProgrammeAnswer.objects.get()
    assert (answer.value, answer.feedback.person) == (2, None)


def test_it_saves_the_feedback_and_its_answers_together_or_not_at_all(world, session):
    from django.core.exceptions import ValidationError

    from mentoring.feedback import feedback_give

    theirs = ask(world, programme=world.other_programme)
    fixed = {"useful": 4, "listened_to": 4, "plain_language": 4}

    with pytest.raises(ValidationError):
        feedback_give(session=session, by=world.mentee, own_answers={theirs.pk: 3}, **fixed)

    assert not SessionFeedback.objects.exists()
    assert not ProgrammeAnswer.objects.exists()


# The demo


@pytest.mark.django_db
def test_the_demo_asks_its_own_question_with_answers_the_statistics_can_show(client):
    from io import StringIO

    from django.core.management import call_command

    from demo.mentoring import OWN_QUESTION
    from demo.people import COORDINATOR
    from mentoring.models import ProgrammeQuestion
    from programmes.models import Programme
    from tests.factories import give_two_factor

    def seed():
        call_command("seed_demo", stdout=StringIO())
        return sorted(ProgrammeAnswer.objects.values_list("feedback_id", "question_id", "value"))

    first = seed()
    assert seed() == first

    north = Programme.objects.get(slug="north-star")
    # The question Jo added months ago (the panel's accepted proposal added another since).
    question = ProgrammeQuestion.objects.get(programme=north, text=OWN_QUESTION)
    assert (question.text, question.asks_in, question.added_by.email) == (
        OWN_QUESTION,
        "feedback",
        COORDINATOR.email,
    )
    assert question.added_at < timezone.now() - timedelta(weeks=20)
    # Answered from the day it was added, never before.
    given = question.answers.values_list("feedback__created_at", flat=True)
    assert len(given) > 50 and min(given) >= question.added_at
    assert (
        SessionFeedback.objects.filter(
            programme=north, created_at__gte=question.added_at, own_answers__isnull=True
        ).count()
        < SessionFeedback.objects.filter(programme=north).count() // 10
    )

    sign_in(client, give_two_factor(question.added_by))
    page = client.get(
        reverse("reporting:statistics_section", args=["north-star", "voice"])
    ).content.decode()
    row = table_rows(page, OWN_TABLE)[f"{OWN_QUESTION} (feedback)"]
    assert re.fullmatch(r"\d\.\d", row[0]) and re.fullmatch(r"\d\.\d", row[2])
