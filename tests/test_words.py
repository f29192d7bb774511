"""Words that break a promise or contradict what the service does (issue 16, item 4). Each
test names the words a person reads and checks them against what happens."""

import importlib
import re
from pathlib import Path

import pytest
from django import forms

from accounts.forms import MenteeProfileForm, MentorExperienceForm, MentorProfileForm
from accounts.models import MenteeProfile, MentorProfile
from tests.project import our_apps

ROOT = Path(__file__).resolve().parent.parent
OUR_APPS = sorted(our_apps())


def _form_classes() -> list[type[forms.BaseForm]]:
    found = []
    for package in OUR_APPS:
        try:
            module = importlib.import_module(f"{package}.forms")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return found


def _source_files():
    for folder in ("templates", *OUR_APPS):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".html", ".txt"} and "migrations" not in path.parts:
                yield path


def test_it_writes_an_expert_by_experience_never_a_expert():
    """Welcome emails, invitations and pages name the role with "an"."""
    wrong = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _source_files()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\ba expert", line, re.IGNORECASE)
    ]
    assert wrong == []


@pytest.mark.parametrize("form_class", _form_classes(), ids=lambda c: c.__qualname__)
def test_it_says_optional_once(form_class):
    """The field template adds "(optional)" to every field a person may leave empty, so a
    label or hint that says it again shows it twice."""
    for name, field in form_class.base_fields.items():
        if field.required:
            continue
        assert "optional" not in str(field.label or "").lower(), f"{name}: {field.label}"
        assert not str(field.help_text).lower().startswith("optional"), f"{name}"


def _optional_labels(html: str) -> list[str]:
    return re.findall(r'<(?:label|legend)[^>]*>([^<]*)<span class="optional">', html)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "form_class,model", [(MentorProfileForm, MentorProfile), (MenteeProfileForm, MenteeProfile)]
)
def test_it_never_calls_what_matching_needs_optional(form_class, model):
    """A profile saves as a draft with anything missing, but what matching needs
    (accounts.models.Needs) is never labelled optional."""
    form = form_class()
    labelled_optional = set(_optional_labels(str(form)))
    needed = {str(form.fields[need.field].label) for need in model.NEEDS}
    assert needed and needed.isdisjoint({label.strip() for label in labelled_optional})


@pytest.mark.django_db
@pytest.mark.parametrize(
    "form_class,model",
    [
        (MentorProfileForm, MentorProfile),
        (MenteeProfileForm, MenteeProfile),
        (MentorExperienceForm, MentorProfile),
    ],
)
def test_it_calls_optional_only_what_never_blocks_matching(form_class, model):
    """A field labelled optional is not one the profile needs to be matched."""
    form = form_class()
    needed = {need.field for need in model.NEEDS}
    optional = {
        name
        for name, field in form.fields.items()
        if f'{field.label} <span class="optional">' in str(form)
    }
    assert optional and optional.isdisjoint(needed)


@pytest.mark.django_db
def test_it_asks_a_mentee_which_languages_they_can_be_mentored_in():
    mentee = MenteeProfileForm().fields["languages"]
    mentor = MentorProfileForm().fields["languages"]
    assert "mentor in" not in str(mentee.label)
    assert mentee.label == "Languages you can be mentored in"
    assert mentor.label == "Languages you can mentor in"


PERSON_FIRST = {
    "youth-justice": "Time with the youth justice system",
    "disabled-childrens-services": "Growing up as a disabled child with support from services",
    "child-protection": "Having a child protection plan",
}


@pytest.mark.django_db
def test_it_names_care_experiences_as_lives_not_services():
    from core.models import LivedExperienceArea

    form = MentorExperienceForm()
    assert form.fields["looked_after_by"].label == "Councils responsible for your care"
    assert "looked after you" not in str(form)
    names = dict(LivedExperienceArea.objects.values_list("slug", "name"))
    for slug, name in PERSON_FIRST.items():
        assert names[slug] == name
    assert names["foster-care"] == "Foster care"


@pytest.mark.django_db
def test_it_renames_the_old_care_experiences_and_keeps_an_organisations_own():
    """The data migration changes the old wording by slug, and leaves a name someone changed."""
    from django.apps import apps as live_apps

    from core.models import LivedExperienceArea, Topic

    migration = importlib.import_module("core.migrations.0002_shared_lists_in_person_first_words")
    LivedExperienceArea.objects.filter(slug="youth-justice").update(name="Youth justice")
    LivedExperienceArea.objects.filter(slug="child-protection").update(name="Our own words")
    Topic.objects.filter(slug="recording-with-care").update(
        description="Writing case notes the person could read one day."
    )
    migration.rename(live_apps, None)
    names = dict(LivedExperienceArea.objects.values_list("slug", "name"))
    assert names["youth-justice"] == PERSON_FIRST["youth-justice"]
    assert names["child-protection"] == "Our own words"
    assert "case notes" not in Topic.objects.get(slug="recording-with-care").description


def test_it_says_records_never_case_notes():
    """Product copy says records: the words social work uses with the people it writes about."""
    wrong = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _source_files()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"case ?notes?\b", line, re.IGNORECASE)
        and "test" not in path.name
        # The care-language checker names the words it replaces.
        and "language" not in path.parts
    ]
    assert wrong == []


@pytest.mark.parametrize(
    "milliseconds,words",
    [
        (0, "less than a second"),
        (420, "less than a second"),
        (1000, "1 second"),
        (12_400, "12 seconds"),
        (61_000, "1 minute and 1 second"),
        (180_000, "3 minutes"),
        (3_723_000, "1 hour and 2 minutes"),
    ],
)
def test_it_says_how_long_a_round_took_in_plain_words(milliseconds, words):
    from matching.selectors import duration_in_words

    assert duration_in_words(milliseconds) == words


@pytest.mark.django_db
def test_it_says_truly_that_a_decline_reason_is_sent_to_the_person(
    world, login_as, django_capture_on_commit_callbacks, mailoutbox
):
    """The help text beside the reason says what happens to it: the person is sent it."""
    from django.urls import reverse

    from tests.factories import ApplicationFactory, UserFactory

    applicant = UserFactory(display_name="Ada")
    application = ApplicationFactory(programme=world.programme, person=applicant)
    client = login_as("coordinator")
    url = reverse(
        "programmes:coordinator_application_detail", args=[world.programme.slug, application.pk]
    )
    page = client.get(url).text
    assert "We send this to the person, in the message and email that tell them." in page
    assert "if they download their data" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "decline", "reason": "The programme is full."})
    [email] = [m for m in mailoutbox if m.to == [applicant.email]]
    assert "The programme is full." in email.body
