"""The care-language checker: the word list finds each kind of word and leaves safe phrases
alone; `check_language` fails on a planted word and passes once the line is marked quoted,
and passes on the repository (the CI check); coordinators are warned, never blocked, and an
organisation's own words count for its coordinators only."""

import contextlib
import textwrap

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import AuditEvent
from core.choices import Role
from core.language import Term, base_terms, find_terms
from core.language.sources import python_lines, template_lines, template_text
from programmes import services
from programmes.language import check_text
from programmes.models import OrganisationTerm
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    UserFactory,
    give_two_factor,
    sign_in,
)


def words(text, extra=()):
    return [f.term.lower() for f in find_terms(text, extra=extra)]


# --- The word list -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found", "kind"),
    [
        ("Her placement ended in May.", "placement", "care-system"),
        ("A LAC review is due.", "lac", "care-system"),
        ("He absconded twice.", "absconded", "care-system"),
        ("Family contact with mum on Fridays.", "family contact", "care-system"),
        ("Contact arrangements are set.", "contact arrangements", "care-system"),
        ("A week of respite.", "respite", "care-system"),
        ("She has challenging behaviour.", "challenging behaviour", "care-system"),
        ("Every service user counts.", "service user", "care-system"),
        ("My caseload is full.", "caseload", "care-system"),
        ("Read the case notes first.", "case notes", "care-system"),
        ("Ask the care leavers.", "care leavers", "care-system"),
        ("Keep siblings together.", "siblings", "care-system"),
        ("After the placement breakdown he moved.", "placement breakdown", "care-system"),
        ("We utilise the room.", "utilise", "officialese"),
        ("Prior to the session, read this.", "prior to", "officialese"),
        ("Sessions commence at six.", "commence", "officialese"),
        ("Going forward, we meet monthly.", "going forward", "officialese"),
        ("With regard to pay, ask Jo.", "with regard to", "officialese"),
        ("Jo will facilitate the panel.", "facilitate", "officialese"),
        ("Come early in order to talk.", "in order to", "officialese"),
        ("The next payment run is Friday.", "payment run", "system word"),
        ("She is back in the pool.", "pool", "system word"),
        ("Each proposed pair has reasons.", "proposed pair", "system word"),
        ("Their score is high.", "score", "system word"),
        ("Download it as JSON.", "json", "system word"),
    ],
)
def test_it_finds_each_kind_of_word(text, found, kind):
    findings = find_terms(text)
    assert [f.term.lower() for f in findings] == [found]
    finding = findings[0]
    assert finding.kind == kind
    assert finding.alternative and finding.why
    assert text[finding.position :].lower().startswith(found)


@pytest.mark.parametrize(
    "text",
    [
        "Bring a coat, just in case.",
        "In that case, call Jo.",
        "If that is the case, tell us.",
        "Contact us at any time.",
        "Keep in contact with your coordinator.",
        "Your contact details are private.",
        "A replacement carer's costs are paid.",
        "The scoreboard is gone.",
        "She is on a student placement in a fostering team.",
    ],
)
def test_it_leaves_safe_phrases_and_other_words_alone(text):
    assert words(text) == []


def test_it_matches_whole_words_in_any_case_across_line_breaks():
    assert words("PLACEMENT") == ["placement"]
    assert words("placements") == ["placements"]
    assert words("misplacement") == []
    assert words("a payment\n   run") == ["payment run"]
    assert words("commence-ment") == []


def test_it_prefers_the_longest_phrase_where_two_overlap():
    assert words("after a placement breakdown") == ["placement breakdown"]
    assert words("the case notes say") == ["case notes"]


def test_it_adds_an_organisations_own_words():
    extra = [Term(words=("key worker",), alternative="your worker", why="Plainer.")]
    assert words("Ask your Key Worker.", extra=extra) == ["key worker"]
    assert words("Ask your key worker.") == []
    sentence = find_terms("key worker", extra=extra)[0].sentence()
    assert sentence.startswith("You used \u2018key worker\u2019. Your organisation prefers")


def test_it_speaks_gently_and_says_the_person_decides():
    sentence = find_terms("placement")[0].sentence()
    assert sentence.startswith(
        "You used \u2018placement\u2019. Many people with care experience prefer \u2018home\u2019."
    )
    assert sentence.endswith("You can change it, or keep it.")


def test_every_term_in_the_list_has_what_it_needs():
    terms = base_terms()
    assert len(terms) >= 20
    for term in terms:
        assert term.words and term.alternative and term.why
        assert term.kind in ("care-system", "officialese", "system word")
        for word in term.words:
            # Each listed word is found on its own, so no safe phrase swallows it whole.
            assert find_terms(f"x {word} x"), word


@settings(max_examples=300, deadline=None)
@given(st.text(), st.lists(st.text(min_size=0, max_size=12), max_size=3))
def test_it_never_crashes_on_any_text(text, own):
    extra = [Term(words=(w,), alternative="a", why="b") for w in own]
    for finding in find_terms(text, extra=extra):
        assert 0 <= finding.position < len(text)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_it_reads_any_template_or_python_text_without_crashing(text):
    assert template_text(text).count("\n") == text.count("\n")
    template_lines(text)
    # Not Python: the command reads only Python files, which parse.
    with contextlib.suppress(SyntaxError, ValueError):
        python_lines(text)


# --- What the command reads ----------------------------------------------------------


def test_it_reads_what_a_person_reads_in_a_template():
    source = textwrap.dedent(
        """\
        {# placement: a comment #}
        {% if placement %}<a href="/placement/" class="placement">Home</a>{% endif %}
        <img alt="A placement review" src="x.png">
        {% include "x.html" with title="Your caseload" %}
        {% comment %}respite{% endcomment %}
        <p>Prior to the session</p>
        <script>var score = 1;</script>
        """
    )
    found = [(line, f.term) for line, text in template_lines(source) for f in find_terms(text)]
    assert found == [(3, "placement"), (4, "caseload"), (6, "Prior to")]


def test_it_reads_labels_help_notifications_and_messages_in_python():
    source = textwrap.dedent(
        '''\
        """A docstring about a placement is for developers."""
        # A comment about a caseload too.
        field = forms.CharField(label="Your placement", help_text="Prior to this")
        notify(person=p, kind="x", event_key="respite", title="Your score", body="Fine")
        '''
    )
    found = {f.term for _, _, text in python_lines(source) for f in find_terms(text)}
    assert found == {"placement", "Prior to", "score"}
    # The command reads every string that reads like prose, but never docstrings or comments.
    every = {
        f.term for _, _, text in python_lines(source, every_string=True) for f in find_terms(text)
    }
    assert every == {"placement", "Prior to", "score"}


# --- The command ---------------------------------------------------------------------


def run(*paths):
    from io import StringIO

    out = StringIO()
    call_command("check_language", *[str(p) for p in paths], stdout=out)
    return out.getvalue()


def test_the_command_fails_on_a_planted_word_and_passes_once_it_is_quoted(tmp_path):
    template = tmp_path / "templates" / "page.html"
    template.parent.mkdir()
    template.write_text("<h1>Hello</h1>\n<p>Your placement starts soon.</p>\n")
    with pytest.raises(CommandError, match="1 word to change"):
        run(template)
    template.write_text(
        "<h1>Hello</h1>\n<p>She wrote: \u201cmy placement\u201d.</p>{# language: quoted #}\n"
    )
    assert "No words to change." in run(template)


def test_the_command_says_where_and_what_to_try(tmp_path, capsys):
    from io import StringIO

    module = tmp_path / "forms.py"
    module.write_text(
        'x = CharField(\n    label="Name",\n    help_text="Your caseload, in a word",\n)\n'
    )
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("check_language", str(module), stdout=out)
    assert f'{module}:3: "caseload" \u2192 try "' in out.getvalue()
    module.write_text(
        'x = CharField(\n    label="Name",\n    # language: quoted\n'
        '    help_text="Your caseload, in a word",\n)\n'
    )
    assert "No words to change." in run(module)


def test_the_command_reads_every_string_of_the_demo(tmp_path):
    demo = tmp_path / "demo" / "story.py"
    demo.parent.mkdir()
    demo.write_text('NOTE = "Sam talked about respite."\n')
    with pytest.raises(CommandError):
        run(demo)
    demo.write_text('NOTE = "Sam talked about respite."  # language: quoted\n')
    assert "No words to change." in run(demo)


def test_the_repository_uses_no_listed_word_unquoted():
    """The CI check (make lint runs the same command)."""
    assert "No words to change." in run()


# --- Organisations' own words and warnings -------------------------------------------


def test_an_organisations_words_count_for_its_coordinators_only(world):
    services.term_add(
        programme=world.programme,
        by=world.coordinator,
        word="key worker",
        alternative="your worker",
        why="Plainer.",
    )
    assert [f.term for f in check_text("Ask your key worker.", programme=world.programme)] == [
        "key worker"
    ]
    # Another programme of the same organisation: the same words.
    assert check_text("key worker", programme=world.other_programme)
    # Another organisation's programme: not theirs.
    elsewhere = ProgrammeFactory(organisation=OrganisationFactory(name="Elsewhere", slug="else"))
    assert check_text("Ask your key worker.", programme=elsewhere) == []
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TERM_ADDED).count() == 1


def test_a_coordinator_adds_and_removes_a_word_on_the_page(world, client):
    sign_in(client, world.coordinator)
    url = reverse("programmes:coordinator_language", args=["north"])
    data = {"word": "  Key   worker ", "alternative": "your worker", "why": "It is plainer."}
    assert client.post(url, data).status_code == 302
    term = OrganisationTerm.objects.get()
    assert (term.word, term.organisation) == ("Key worker", world.organisation)
    page = client.get(url).content.decode()
    assert "Key worker" in page and "It is plainer." in page
    # The same word again: a message next to the field, and what was typed is kept.
    again = client.post(url, {**data, "word": "key WORKER"}).content.decode()
    assert "This word is already on your list." in again
    assert 'value="key WORKER"' in again
    remove = reverse("programmes:coordinator_language_remove", args=["north", term.pk])
    assert client.post(remove).status_code == 302
    assert not OrganisationTerm.objects.exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TERM_REMOVED).count() == 1


def test_another_organisations_word_answers_404(world, client):
    elsewhere = OrganisationFactory(name="Elsewhere", slug="else")
    theirs = OrganisationTerm.objects.create(
        organisation=elsewhere, word="pupil", alternative="child", why="Plainer."
    )
    sign_in(client, world.coordinator)
    remove = reverse("programmes:coordinator_language_remove", args=["north", theirs.pk])
    assert client.post(remove).status_code == 404
    assert OrganisationTerm.objects.filter(pk=theirs.pk).exists()


def test_the_warning_shows_and_the_resources_are_saved_anyway(world, client):
    sign_in(client, world.coordinator)
    url = reverse("programmes:coordinator_resources", args=["north"])
    text = "Prior to your first placement visit, call Jo."
    response = client.post(url, {"resources": text}, follow=True)
    world.programme.refresh_from_db()
    assert world.programme.resources == text
    shown = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("The resources page is saved.") for m in shown)
    assert (
        "You used \u2018placement\u2019. Many people with care experience prefer \u2018home\u2019."
        in " ".join(shown)
    )
    assert "You used \u2018Prior to\u2019. A plainer word is \u2018before\u2019." in " ".join(shown)
    assert response.content.decode().count("You can change it, or keep it.") == 2


def test_the_warning_on_an_invitation_note_uses_the_organisations_words(world, client):
    OrganisationTerm.objects.create(
        organisation=world.organisation, word="onboarding", alternative="welcome", why="Plain."
    )
    sign_in(client, world.coordinator)
    url = reverse("programmes:coordinator_invitations", args=["north"])
    response = client.post(url, {"role": Role.MENTOR, "email": "", "note": "Your onboarding"})
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Your organisation prefers \u2018welcome\u2019" in m for m in shown)


def test_the_check_before_saving_answers_with_the_words_found(world, client):
    sign_in(client, world.coordinator)
    url = reverse("programmes:coordinator_language_check", args=["north"])
    answer = client.post(url, {"text": "Their respite and contact arrangements"}).json()
    assert [f["term"] for f in answer["findings"]] == ["respite", "contact arrangements"]
    assert answer["findings"][0]["alternative"] == "sleepover, or a short break"
    # Bad input: nothing, an empty text, far too much text, odd characters.
    nothing = {"findings": [], "reading_age": ""}
    assert client.post(url, {}).json() == nothing
    assert client.post(url, {"text": ""}).json() == nothing
    assert client.post(url, {"text": "placement " * 5000}).status_code == 200
    assert client.post(url, {"text": "\x00\ud7ff\u202e"}).json() == nothing
    assert client.get(url).status_code == 405


def test_a_coordinator_of_another_organisation_cannot_use_the_page(world, client):
    elsewhere = ProgrammeFactory(organisation=OrganisationFactory(name="Elsewhere", slug="else"))
    coordinator = give_two_factor(UserFactory())
    MembershipFactory(programme=elsewhere, person=coordinator, role=Role.COORDINATOR)
    sign_in(client, coordinator)
    for name in ("coordinator_language", "coordinator_language_check"):
        url = reverse(f"programmes:{name}", args=["north"])
        assert client.post(url, {"text": "x", "word": "x"}).status_code == 404


def test_the_reason_for_declining_is_saved_and_its_words_are_pointed_out(world, client):
    from programmes.models import Application
    from tests.factories import ApplicationFactory

    application = ApplicationFactory(programme=world.programme)
    sign_in(client, world.coordinator)
    url = reverse("programmes:coordinator_application_detail", args=["north", application.pk])
    reason = "Our caseload is full going forward."
    response = client.post(url, {"decision": "decline", "reason": reason}, follow=True)
    application.refresh_from_db()
    assert application.status == Application.Status.DECLINED
    assert application.decision_reason == reason
    shown = " ".join(str(m) for m in response.context["messages"])
    assert "You used \u2018caseload\u2019." in shown
    assert "You used \u2018going forward\u2019. A plainer word is \u2018from now on\u2019." in shown


HARD = (
    "Notwithstanding the aforementioned considerations, practitioners participating in the "
    "programme are expected to demonstrate continuous professional development through "
    "documented reflective engagement, utilising the organisational frameworks provided."
)
EASY = (
    "Come to the panel on Tuesday. It starts at six. We pay you for your time. Bring a "
    "friend if you like. There is tea and cake. Tell Jo if you cannot come. That is fine too."
)


def test_the_check_before_saving_says_the_reading_age_as_they_type(world, client):
    sign_in(client, world.coordinator)
    url = reverse("programmes:coordinator_language_check", args=["north"])
    hard = client.post(url, {"text": HARD + " " + HARD}).json()["reading_age"]
    assert hard.startswith("Reading age: about ") and "Aim for 9 or under" in hard
    easy = client.post(url, {"text": EASY}).json()["reading_age"]
    assert "Most people can read this easily" in easy
    # Too short to say anything.
    assert client.post(url, {"text": "Call Jo."}).json()["reading_age"] == ""


def test_after_saving_hard_words_the_reading_age_is_shown_and_the_text_kept(world, client):
    sign_in(client, world.coordinator)
    url = reverse("programmes:coordinator_resources", args=["north"])
    response = client.post(url, {"resources": HARD + " " + HARD}, follow=True)
    world.programme.refresh_from_db()
    assert world.programme.resources == HARD + " " + HARD
    shown = " ".join(str(m) for m in response.context["messages"])
    assert "Reading age: about " in shown and "Aim for 9 or under" in shown
    response = client.post(url, {"resources": EASY}, follow=True)
    assert "Reading age" not in " ".join(str(m) for m in response.context["messages"])
