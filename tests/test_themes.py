"""Themes from comments (reporting/themes.py) and the "What comments were about" table of
the statistics: counts of comments and of people, through the one suppression rule, and
never the text of a comment."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.choices import Role
from mentoring.models import CoproductionCheck, LadderRung, Session, SessionFeedback
from reporting.figures import SECTIONS
from reporting.themes import THEMES, count_themes, themes_in
from tests.factories import UserFactory
from tests.pages import table_rows
from tests.test_permissions import _match

TITLE = "What comments were about"
SECRET = "Zanzibar marmalade, and I was paid late"


# --- Matching: pure Python, no database.


def test_it_finds_a_theme_by_a_whole_word_in_any_case():
    assert themes_in("I was PAID on the day.") == ["pay"]
    assert themes_in("Nobody Listened.") == ["listened"]


def test_it_finds_no_theme_inside_another_word():
    """Whole words only: "pay" is not in "payday" or "repaying", "time" not in
    "sometimes", "care" not in "career", "hear" not in "heart"."""
    assert themes_in("Repaying the payday loan sometimes broke my heart.") == []
    assert themes_in("We talked about my career.") == []


def test_it_finds_the_forms_a_theme_lists():
    """Each theme names the forms it means, so "payment" counts because it is listed."""
    assert themes_in("The payment came quickly.") == ["pay"]


def test_it_finds_a_phrase_across_hyphens_spaces_and_line_breaks():
    assert themes_in("We met face-to-face.") == ["online"]
    assert themes_in("We met face to\nface.") == ["online"]
    assert themes_in("Too   much to do.") == ["workload"]


def test_it_finds_several_themes_in_one_comment():
    assert themes_in("Paid on time, and I felt listened to.") == ["listened", "pay"]


def test_it_finds_nothing_in_an_empty_comment():
    assert themes_in("") == []
    assert themes_in("Thanks!") == []


@pytest.mark.parametrize("theme", THEMES, ids=lambda t: t.key)
def test_it_finds_each_theme_by_every_word_it_lists(theme):
    for mark in theme.marks:
        assert theme.key in themes_in(f"Well, {mark.upper()}.")


def test_it_gives_every_theme_a_name_and_a_line_about_it():
    assert len({theme.key for theme in THEMES}) == len(THEMES) == 10
    for theme in THEMES:
        assert theme.name and theme.about.endswith(".")


def test_it_counts_comments_and_different_people():
    counted = count_themes(
        [
            ("now", 1, "Paid late."),
            ("now", 1, "Paid late again."),
            ("now", 2, "The pay is fair."),
            ("before", 3, "Nothing to say."),
            # Two people whose accounts are gone count as one: fewer people, more hidden.
            ("now", None, "Money."),
            ("now", None, "Money again."),
        ]
    )
    assert counted[("pay", "now")] == {"comments": 5, "people": 3}
    assert counted[("pay", "before")] == {"comments": 0, "people": 0}
    assert counted[("listened", "now")] == {"comments": 0, "people": 0}


# --- The statistics page, its files and its JSON.


def _comments(world, people: int, text: str, *, each: int = 1, days_ago: int = 1) -> None:
    """`people` different people each write `each` comments: the first half (rounded up)
    with session feedback on Sam and Priya's match, the rest with co-production checks."""
    match = _match(world)
    given = timezone.now() - timedelta(days=days_ago)
    writers = [UserFactory() for _ in range(people)]
    sessions = Session.objects.bulk_create(
        Session(
            match=match,
            logged_by=match.mentor,
            starts_at=given - timedelta(hours=2, minutes=number),
            duration_minutes=60,
            meeting_mode="online",
        )
        for number in range(people * each)
    )
    feedback, checks = [], []
    quarter = CoproductionCheck.objects.count() + 1
    for number, person in enumerate(writers):
        for time in range(each):
            if number < (people + 1) // 2:
                feedback.append(
                    SessionFeedback(
                        session=sessions[number * each + time],
                        programme=match.programme,
                        person=person,
                        role=Role.MENTEE,
                        useful=4,
                        listened_to=4,
                        plain_language=4,
                        comments=text,
                    )
                )
            else:
                checks.append(
                    CoproductionCheck(
                        match=match,
                        programme=match.programme,
                        person=person,
                        role=Role.MENTEE,
                        occasion="quarterly",
                        quarter=quarter,
                        equality=4,
                        diversity=4,
                        accessibility=4,
                        reciprocity=4,
                        rung=LadderRung.CO_PRODUCTION,
                        comments=text,
                    )
                )
                quarter += 1
    SessionFeedback.objects.bulk_create(feedback)
    CoproductionCheck.objects.bulk_create(checks)
    for model in (SessionFeedback, CoproductionCheck):
        model.objects.filter(comments=text).update(created_at=given)


def _themes(client, world) -> dict[str, list[str]]:
    url = reverse("reporting:statistics_section", args=[world.programme.slug, "voice"])
    return table_rows(client.get(url).content.decode(), TITLE)


def test_it_shows_a_theme_once_eight_people_wrote_about_it(world, login_as):
    _comments(world, 8, "I was paid on time.", each=2)
    rows = _themes(login_as("coordinator"), world)
    assert rows["Pay and money"][:2] == ["16", "8"]
    assert rows["Being listened to"][:2] == ["0", "0"]


def test_it_hides_a_theme_that_fewer_than_eight_people_wrote_about(world, login_as):
    """Seven people, fourteen comments: still seven people's, so both counts are "c"."""
    _comments(world, 7, "I was paid on time.", each=2)
    rows = _themes(login_as("coordinator"), world)
    assert rows["Pay and money"][:2] == ["c", "c"]


def test_it_puts_each_comment_in_its_period(world, login_as):
    _comments(world, 8, "Plain words, please.", days_ago=400)
    client = login_as("coordinator")
    url = reverse("reporting:statistics_section", args=[world.programme.slug, "voice"])
    page = client.get(url, {"period": "year"}).content.decode()
    rows = table_rows(page, TITLE)
    assert rows["Plain words and jargon"] == ["0", "0", "8", "8"]


def test_it_explains_each_theme_on_the_page(world, login_as):
    url = reverse("reporting:statistics_section", args=[world.programme.slug, "voice"])
    page = login_as("coordinator").get(url).content.decode()
    for theme in THEMES:
        assert theme.about.replace("'", "&#x27;") in page


@pytest.mark.parametrize("persona", ["coordinator", "panel"])
def test_it_never_shows_the_text_of_a_comment(world, login_as, persona):
    _comments(world, 8, SECRET)
    client = login_as(persona)
    slug = world.programme.slug
    answers = []
    for section in SECTIONS:
        page = client.get(reverse("reporting:statistics_section", args=[slug, section]))
        answers.append(page.content.decode())
        data = client.get(reverse("reporting:statistics_json", args=[slug, section]))
        answers.append(data.content.decode())
        for table in data.json()["tables"]:
            file = client.get(
                reverse("reporting:statistics_csv", args=[slug, section, table["key"]])
            )
            answers.append(file.content.decode())
    assert table_rows(_voice(answers), TITLE)
    for answer in answers:
        assert "Zanzibar" not in answer and "marmalade" not in answer


def _voice(answers):
    return next(a for a in answers if TITLE in a and "<table" in a)


def test_it_gives_the_themes_in_the_csv_file_and_the_json(world, login_as):
    _comments(world, 8, "I was paid on time.")
    client = login_as("coordinator")
    args = [world.programme.slug, "voice"]
    text = client.get(reverse("reporting:statistics_csv", args=[*args, "themes"])).content
    rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(text.decode()))}
    assert rows["Pay and money"][:2] == ["8", "8"]
    table = next(
        t
        for t in client.get(reverse("reporting:statistics_json", args=args)).json()["tables"]
        if t["key"] == "themes"
    )
    assert {r["label"]: r["values"] for r in table["rows"]}["Pay and money"][:2] == ["8", "8"]


def test_it_asks_as_many_queries_for_500_comments_as_for_5(world, login_as, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    client = login_as("coordinator")
    url = reverse("reporting:statistics_section", args=[world.programme.slug, "voice"])
    _comments(world, 5, "Paid late. Too much to do. Felt listened to.")
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _comments(world, 495, "Video call, in person, jargon, bus.")
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    comment_queries = [q for q in large.captured_queries if '"comments"' in q["sql"]]
    assert len(comment_queries) == 1
