"""The statements people expect (accessibility, privacy, the words we use) and asking for a
page or document in another format."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.template import Context, Template
from django.test import override_settings
from django.urls import reverse

from accounts.models import AuditEvent
from core.choices import Role
from core.glossary import TERMS, term_for
from notifications.models import EmailOptOut, Kind, Notification
from portal import privacy
from portal.services import account_delete
from programmes import services
from programmes.models import FormatRequest
from tests.factories import MembershipFactory, UserFactory, sign_in

STATEMENTS = ("portal:accessibility_statement", "portal:privacy_notice", "portal:glossary")


def ask(person, **overrides):
    data = {
        "person": person,
        "need": FormatRequest.Need.LARGE_PRINT,
        "need_details": "",
        "about": "My pay statement for May",
        "contact": "",
        **overrides,
    }
    return services.format_request_make(**data)


def told(person):
    return Notification.objects.filter(person=person, kind=Kind.FORMAT_REQUEST)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


# The pages


@pytest.mark.parametrize("name", STATEMENTS)
@pytest.mark.parametrize("persona", ["anonymous", "mentee", "coordinator"])
def test_it_shows_each_statement_to_everyone(name, persona, login_as):
    response = login_as(persona).get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["anonymous", "mentor"])
def test_it_links_every_statement_and_another_format_from_the_footer(persona, login_as):
    page = login_as(persona).get(reverse("programmes:home")).content.decode()
    footer = page.split('<footer class="site-footer">', 1)[1]
    for name in STATEMENTS:
        assert f'href="{reverse(name)}"' in footer, name
    assert "Ask for another format" in footer
    if persona == "anonymous":
        # A visitor reads how to sign in or whom to email, on the statement.
        assert f'href="{reverse("portal:accessibility_statement")}#another-format"' in footer
    else:
        assert f'href="{reverse("programmes:format_request")}"' in footer


def test_it_says_what_the_accessibility_statement_must_say(db, client):
    page = client.get(reverse("portal:accessibility_statement")).content.decode()
    for needed in (
        "WCAG",
        "partly meets level AA",
        "axe",
        "Chromium",
        "keyboard alone",
        "not tagged",
        "Equality Advisory and Support Service",
        "We last checked this statement on",
        'id="another-format"',
        "Sign in to ask for another format",
        "hello@alongside.example.org",
    ):
        assert needed in page, needed


@override_settings(
    MESSAGES_KEPT_DAYS=123, PAYMENT_RECONCILIATION_DAYS=45, PAYMENT_RECORDS_KEEP_YEARS=7
)
def test_it_shows_the_configured_retention_periods_in_the_privacy_notice(db, client):
    page = client.get(reverse("portal:privacy_notice")).content.decode()
    assert "we keep messages for 123 days after a match ends, then delete them" in page
    assert "taken out 45 days after that pay day" in page
    assert "7 years after the end of the tax year of the payment" in page
    for right in ("portal:my_data", "portal:account_delete"):
        assert f'href="{reverse(right)}"' in page
    assert "Information Commissioner" in page


def test_it_gives_each_glossary_word_its_anchor_and_the_tag_links_it(db, client):
    page = client.get(reverse("portal:glossary")).content.decode()
    for term in TERMS:
        assert f'<dt id="{term.anchor}">{term.word}</dt>' in page
    for word in ("CPD", "PCF", "Universal Credit", "assessment period", "co-production"):
        assert term_for(word)
    assert term_for("expert by experience").anchor == "expert-by-experience"
    html = Template('{% load glossary %}{% glossary "CPD" %}').render(Context())
    assert html == f'<a href="{reverse("portal:glossary")}#cpd" class="glossary-link">CPD</a>'
    with pytest.raises(KeyError):
        Template('{% load glossary %}{% glossary "placement" %}').render(Context())


def test_it_links_each_word_where_people_first_meet_it(world, login_as):
    glossary = reverse("portal:glossary")
    home = login_as("anonymous").get(reverse("programmes:home")).content.decode()
    assert f'{glossary}#expert-by-experience"' in home
    mentor = login_as("mentor")
    benefits = mentor.get(reverse("payments:benefits")).content.decode()
    assert f'{glossary}#universal-credit"' in benefits
    assert f'{glossary}#assessment-period"' in benefits
    mentee = login_as("mentee")
    cpd = mentee.get(reverse("journal:journal_cpd")).content.decode()
    assert f'{glossary}#cpd"' in cpd and f'{glossary}#pcf"' in cpd


# Asking for another format


def test_it_sends_a_request_to_the_coordinators_of_the_programme_only(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (made,) = ask(world.mentee)
    assert made.programme == world.programme and not made.is_handled
    assert told(world.coordinator).count() == 1
    for person in (world.other_coordinator, world.mentor, world.mentee, world.other_mentor):
        assert not told(person).exists(), person
    # Emailed, as the coordinator's choices allow, without what they need.
    (email,) = mail.outbox
    assert email.to == [world.coordinator.email]
    assert "large print" not in email.body.lower() and "pay statement" not in email.body
    assert AuditEvent.objects.filter(action=AuditEvent.Action.FORMAT_REQUESTED).count() == 1


def test_it_follows_the_coordinators_email_choices(world, django_capture_on_commit_callbacks):
    EmailOptOut.objects.create(person=world.coordinator, kind=Kind.FORMAT_REQUEST)
    with django_capture_on_commit_callbacks(execute=True):
        ask(world.mentee)
    assert told(world.coordinator).count() == 1
    assert mail.outbox == []


def test_it_sends_one_request_to_each_programme_the_person_belongs_to(world):
    MembershipFactory(programme=world.other_programme, person=world.mentee, role=Role.MENTEE)
    made = ask(world.mentee)
    assert {r.programme for r in made} == {world.programme, world.other_programme}
    assert told(world.coordinator).count() == 1
    assert told(world.other_coordinator).count() == 1


def test_it_shows_a_request_only_to_the_coordinators_of_its_programme(world, client):
    (made,) = ask(world.mentee, need="language", need_details="Polish")
    url = reverse("programmes:coordinator_format_requests", args=[world.programme.slug])
    sign_in(client, world.coordinator)
    page = client.get(url).content.decode()
    assert "Priya" in page and "Another language: Polish" in page
    assert "My pay statement for May" in page
    # She left "how to reach you" empty: her email address is there instead.
    assert world.mentee.email in page
    # Riverside's coordinator: nothing of North Star's, and a 404 for its list and request.
    sign_in(client, world.other_coordinator)
    own = client.get(
        reverse("programmes:coordinator_format_requests", args=[world.other_programme.slug])
    ).content.decode()
    assert "Priya" not in own and "Polish" not in own
    assert client.get(url).status_code == 404
    handled = reverse(
        "programmes:coordinator_format_request_handled",
        args=[world.other_programme.slug, made.pk],
    )
    assert client.post(handled).status_code == 404
    made.refresh_from_db()
    assert not made.is_handled


def test_it_marks_a_request_handled_once(world, client):
    (made,) = ask(world.mentee)
    sign_in(client, world.coordinator)
    url = reverse(
        "programmes:coordinator_format_request_handled", args=[world.programme.slug, made.pk]
    )
    assert client.post(url).status_code == 302
    assert not services.format_request_handle(request=made, by=world.administrator)
    made.refresh_from_db()
    assert made.is_handled and made.handled_by == world.coordinator
    assert AuditEvent.objects.filter(action=AuditEvent.Action.FORMAT_REQUEST_HANDLED).count() == 1
    page = client.get(
        reverse("programmes:coordinator_format_requests", args=[world.programme.slug])
    ).content.decode()
    assert "No requests are waiting." in page


def test_it_asks_through_the_form_and_keeps_what_was_typed_on_a_mistake(world, client):
    sign_in(client, world.mentee)
    url = reverse("programmes:format_request")
    page = client.post(url, {"need": "other", "about": "The privacy notice"})
    assert page.status_code == 200
    assert "Tell us what you need." in page.content.decode()
    assert "The privacy notice" in page.content.decode()
    assert not FormatRequest.objects.exists()
    response = client.post(
        url, {"need": "easy_read", "about": "The privacy notice", "contact": "Call after 3pm"}
    )
    assert response.status_code == 302
    made = FormatRequest.objects.get()
    assert (made.person, made.need, made.contact) == (world.mentee, "easy_read", "Call after 3pm")


@override_settings(ACCOUNT_RATE_LIMITS={"format_request": "2/h/user"})
def test_it_limits_how_many_requests_one_person_sends(world, client):
    sign_in(client, world.mentee)
    url = reverse("programmes:format_request")
    data = {"need": "braille", "about": "The privacy notice"}
    for _ in range(2):
        assert client.post(url, data).status_code == 302
    page = client.post(url, data)
    assert page.status_code == 200
    assert "Wait an hour" in page.content.decode()
    assert FormatRequest.objects.count() == 2


def test_it_tells_someone_without_a_programme_whom_to_email(db, client):
    person = UserFactory(display_name="Robin")
    sign_in(client, person)
    page = client.get(reverse("programmes:format_request")).content.decode()
    assert "You are not part of a programme yet" in page
    assert "hello@alongside.example.org" in page
    assert '<form method="post"' not in page.split('id="main"', 1)[1].split("</main>")[0]
    client.post(reverse("programmes:format_request"), {"need": "braille", "about": "x"})
    assert not FormatRequest.objects.exists()


def test_it_puts_requests_in_my_data_and_erases_them_with_the_account(world):
    ask(world.mentee, need="audio", about="The glossary")
    (exported,) = privacy.export(world.mentee)["requests_for_another_format"]
    assert exported["need"] == "Audio (a recording to listen to)"
    assert exported["page_or_document"] == "The glossary"
    account_delete(user=world.mentee)
    assert not FormatRequest.objects.exists()


def test_it_never_names_what_was_asked_in_the_notification(world):
    ask(world.mentee, need="bsl", about="My journal")
    (notification,) = told(world.coordinator)
    text = f"{notification.title} {notification.body}"
    assert not re.search(r"sign language|journal|priya", text, flags=re.IGNORECASE)
