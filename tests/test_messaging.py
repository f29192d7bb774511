"""How a person is told: every message goes through notifications.services.notify(). The
person sees it in their notifications list, linking to the page it is about, and it is
emailed through notify()'s email lease (at most once, never lost), unless they turned that
kind off and it is not one we always send."""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from background.models import UnsentTask
from background.services import sweep
from core.choices import Role
from matching.models import MatchingRound, Proposal
from matching.tasks import ask_for_answers
from mentoring import services as mentoring
from mentoring.tasks import send_concern_to_coordinators
from notifications.models import EmailOptOut, Kind, Notification
from notifications.services import reminders_scan
from programmes.models import Administrator
from programmes.services import application_admit, application_decline
from programmes.tasks import send_application_decision
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    UserFactory,
    live_match,
    service_operator,
    sign_in,
)
from tests.project import ROOT, our_apps

WHAT_HAPPENED = "Priya said she has not been sleeping and feels she cannot cope at work."


def told(kind, person) -> Notification:
    return Notification.objects.get(kind=kind, person=person)


def emails_to(person) -> list:
    return [message for message in mail.outbox if message.to == [person.email]]


def sent_through_the_lease(message, notification) -> bool:
    notification.refresh_from_db()
    return (
        message.extra_headers.get("X-Alongside-Notification") == str(notification.pk)
        and notification.emailed_at is not None
    )


def opens(client, person, notification) -> str:
    """Where opening the notification from the list takes its person."""
    sign_in(client, person)
    assert reverse("notifications:notification_open", args=[notification.pk]) in (
        client.get(reverse("notifications:notifications")).content.decode()
    )
    return client.post(reverse("notifications:notification_open", args=[notification.pk]))[
        "Location"
    ]


# ---------------------------------------------------------------------------------------------
# An application's answer


@pytest.fixture
def applicant(world):
    return UserFactory(display_name="Kim", email="kim@example.test")


def test_it_tells_an_admitted_applicant_in_the_app_and_by_email_once(
    world, applicant, client, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(programme=world.programme, person=applicant)
    with django_capture_on_commit_callbacks(execute=True):
        application_admit(application=application, by=world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        send_application_decision(application.pk)

    notification = told(Kind.APPLICATION_DECISION, applicant)
    assert notification.title == "Welcome to North Star"
    assert "in this role: expert by experience (mentor)." in notification.body
    [email] = mail.outbox
    assert email.to == [applicant.email] and email.subject == "Welcome to North Star"
    assert sent_through_the_lease(email, notification)
    assert "fill in your profile" in email.body and "See what you can do next" in email.body
    assert "We always send this email" in email.body
    assert opens(client, applicant, notification) == reverse("portal:profile")


def test_it_tells_a_declined_applicant_what_the_coordinator_said(
    world, applicant, client, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(programme=world.programme, person=applicant)
    with django_capture_on_commit_callbacks(execute=True):
        application_decline(
            application=application, by=world.coordinator, reason="The programme is full."
        )

    notification = told(Kind.APPLICATION_DECISION, applicant)
    assert notification.title == "Your application to North Star"
    assert "They said: The programme is full." in notification.body
    assert notification.body.endswith("You can apply to another programme.")
    [email] = emails_to(applicant)
    assert "They said: The programme is full." in email.body
    assert "<p>They said: The programme is full.</p>" in email.alternatives[0][0]
    assert opens(client, applicant, notification) == reverse("programmes:programme_list")


def test_it_shortens_only_a_reason_too_long_for_a_notification(
    world, applicant, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(programme=world.programme, person=applicant)
    with django_capture_on_commit_callbacks(execute=True):
        application_decline(application=application, by=world.coordinator, reason="Full. " * 166)

    body = told(Kind.APPLICATION_DECISION, applicant).body
    assert len(body) <= 1000
    assert body.startswith("Thank you for applying to North Star.")
    assert body.endswith("…\n\nYou can apply to another programme.")


def test_it_emails_an_applicants_answer_whatever_they_chose(
    world, applicant, django_capture_on_commit_callbacks
):
    # Not a choice on the email choices page; a row left from before changes nothing.
    EmailOptOut.objects.create(person=applicant, kind=Kind.APPLICATION_DECISION)
    application = ApplicationFactory(programme=world.programme, person=applicant)
    with django_capture_on_commit_callbacks(execute=True):
        application_admit(application=application, by=world.coordinator)

    assert told(Kind.APPLICATION_DECISION, applicant).email_wanted
    assert len(emails_to(applicant)) == 1


def test_it_tells_an_applicant_whose_account_is_closed_nothing(
    world, applicant, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(programme=world.programme, person=applicant)
    type(applicant).objects.filter(pk=applicant.pk).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        application_decline(application=application, by=world.coordinator)

    assert not Notification.objects.filter(person=applicant).exists()
    assert mail.outbox == []


def test_it_sends_an_applicants_answer_once_the_mail_server_is_back(
    world, applicant, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    application = ApplicationFactory(programme=world.programme, person=applicant)
    with django_capture_on_commit_callbacks(execute=True):
        application_admit(application=application, by=world.coordinator)
    notification = told(Kind.APPLICATION_DECISION, applicant)
    notification.refresh_from_db()
    assert notification.emailed_at is None and notification.email_claimed_until is None
    assert UnsentTask.objects.get().task == "notifications.send_email"

    monkeypatch.undo()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            sweep()
            send_application_decision(application.pk)
    [email] = mail.outbox
    assert sent_through_the_lease(email, notification)


# ---------------------------------------------------------------------------------------------
# A concern


@pytest.fixture
def match(world):
    return live_match(world.programme, world.mentor, world.mentee)


def raise_concern(match, by, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        concern = mentoring.concern_raise(
            match=match, by=by, kind="safeguarding", what_happened=WHAT_HAPPENED
        )
    with django_capture_on_commit_callbacks(execute=True):
        send_concern_to_coordinators(concern.pk)
    return concern


def test_it_tells_the_coordinators_of_a_concern_in_the_app_and_by_email_once(
    world, match, client, django_capture_on_commit_callbacks
):
    concern = raise_concern(match, world.mentee, django_capture_on_commit_callbacks)

    notification = told(Kind.CONCERN_RAISED, world.coordinator)
    assert notification.title == "A concern was raised in North Star"
    [email] = mail.outbox
    assert email.to == [world.coordinator.email]
    assert sent_through_the_lease(email, notification)
    assert "within one working day" in email.body
    # Only that there is a concern: who raised it and what it is about stay behind sign-in.
    html = email.alternatives[0][0]
    for text in (notification.title, notification.body, email.subject, email.body, html):
        assert "Priya" not in text and "Sam" not in text
        assert "sleeping" not in text and "safeguarding" not in text.lower()
    detail = reverse("mentoring:coordinator_concern_detail", args=["north", concern.pk])
    assert opens(client, world.coordinator, notification) == detail
    assert WHAT_HAPPENED in client.get(detail).content.decode()


def test_it_emails_a_concern_to_a_coordinator_whatever_they_chose(
    world, match, django_capture_on_commit_callbacks
):
    EmailOptOut.objects.create(person=world.coordinator, kind=Kind.CONCERN_RAISED)
    raise_concern(match, world.mentor, django_capture_on_commit_callbacks)

    assert [m.to for m in mail.outbox] == [[world.coordinator.email]]
    assert "We always send this email, so that every concern is read in time." in (
        mail.outbox[0].body
    )


def test_it_emails_each_coordinator_on_their_own(world, match, django_capture_on_commit_callbacks):
    lee = UserFactory(display_name="Lee", email="lee@example.test")
    MembershipFactory(programme=world.programme, person=lee, role=Role.COORDINATOR)
    gone = UserFactory(display_name="Max", email="max@example.test", is_active=False)
    MembershipFactory(programme=world.programme, person=gone, role=Role.COORDINATOR)
    raise_concern(match, world.mentor, django_capture_on_commit_callbacks)

    # One email each: nobody's address is shown to the others.
    assert sorted(m.to for m in mail.outbox) == [[world.coordinator.email], [lee.email]]
    assert not Notification.objects.filter(person=gone).exists()


def test_it_asks_the_people_who_run_alongside_to_find_someone_for_an_unread_concern(
    world, client, django_capture_on_commit_callbacks
):
    MembershipFactory(programme=world.programme, person=world.coordinator, role=Role.MENTOR)
    jos_match = live_match(world.programme, world.coordinator, world.mentee)
    Administrator.objects.all().delete()
    operator = service_operator()
    raise_concern(jos_match, world.mentee, django_capture_on_commit_callbacks)

    notification = told(Kind.CONCERN_UNREAD, operator)
    assert "nobody who runs North Star can read it" in notification.body
    assert not Notification.objects.filter(person=world.coordinator).exists()
    [email] = mail.outbox
    assert email.to == [operator.email] and sent_through_the_lease(email, notification)
    assert "Open the Django admin" in email.body and WHAT_HAPPENED not in email.body
    assert opens(client, operator, notification) == reverse("admin:index")


# ---------------------------------------------------------------------------------------------
# A suggested match waiting for an answer


@pytest.fixture
def proposal(world) -> Proposal:
    matching_round = MatchingRound.objects.create(
        programme=world.programme, status=MatchingRound.Status.FINISHED
    )
    return Proposal.objects.create(
        round=matching_round,
        mentor=world.mentor,
        mentee=world.mentee,
        score=1,
        status=Proposal.Status.APPROVED,
    )


def test_it_asks_both_people_of_a_proposal_in_the_app_and_by_email_once(
    world, proposal, client, django_capture_on_commit_callbacks
):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            ask_for_answers(proposal.pk)

    asked = Notification.objects.filter(
        kind=Kind.PROPOSAL, event_key=f"proposal:{proposal.pk}:asked"
    )
    assert sorted(asked.values_list("person__display_name", flat=True)) == ["Priya", "Sam"]
    to_priya = told(Kind.PROPOSAL, world.mentee)
    assert to_priya.title == "A possible match in North Star: please answer"
    assert "you and Sam could work well together" in to_priya.body
    assert "Sam will not be told why" in to_priya.body
    [email] = emails_to(world.mentee)
    assert len(mail.outbox) == 2 and sent_through_the_lease(email, to_priya)
    assert "Read about the match and answer" in email.body
    assert opens(client, world.mentee, to_priya) == reverse(
        "matching:proposal_answer", args=[proposal.pk]
    )


def test_it_shows_but_does_not_email_a_proposal_to_someone_who_turned_that_off(
    world, proposal, django_capture_on_commit_callbacks
):
    EmailOptOut.objects.create(person=world.mentee, kind=Kind.PROPOSAL)
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_answers(proposal.pk)

    assert not told(Kind.PROPOSAL, world.mentee).email_wanted
    assert [m.to for m in mail.outbox] == [[world.mentor.email]]


def test_it_asks_nobody_whose_account_is_closed_and_still_reminds_later(
    world, proposal, django_capture_on_commit_callbacks
):
    type(world.mentor).objects.filter(pk=world.mentor.pk).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_answers(proposal.pk)
    assert list(Notification.objects.values_list("person", flat=True)) == [world.mentee.pk]
    assert [m.to for m in mail.outbox] == [[world.mentee.email]]

    # The reminder two days later is its own event: being asked does not take its place.
    Proposal.objects.filter(pk=proposal.pk).update(asked_at=timezone.now() - timedelta(days=3))
    reminders_scan(email=False)
    assert Notification.objects.filter(kind=Kind.PROPOSAL, person=world.mentee).count() == 2


# ---------------------------------------------------------------------------------------------
# Nothing else sends email


SENDING = {
    "send_mail",
    "send_mass_mail",
    "mail_admins",
    "mail_managers",
    "EmailMessage",
    "EmailMultiAlternatives",
    "get_connection",
}


def mail_sent_outside_notifications(root: Path) -> list[str]:
    """Every import of Django's email sending (or of django.core.mail whole) in our code
    outside notifications/, as file:line."""
    found = []
    for app in sorted(our_apps(root) - {"notifications"}):
        for path in sorted((root / app).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names if a.name.startswith("django.core.mail")]
                elif isinstance(node, ast.ImportFrom) and node.module == "django.core":
                    names = [a.name for a in node.names if a.name == "mail"]
                elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "django.core.mail"
                ):
                    names = [a.name for a in node.names if a.name in SENDING | {"*"}]
                else:
                    continue
                found += [f"{path.relative_to(root)}:{node.lineno} {name}" for name in names]
    return sorted(found)


def test_only_notifications_sends_email():
    """notify() is the one way to tell a person something, so it is the one place that
    emails: choices, the email lease and the in-app list then hold for every message.

    allauth's own emails (checking an address, resetting a password, telling someone their
    account changed) are not ours to send: allauth's adapter sends them from allauth's code,
    and accounts/adapter.py overrides none of its sending. They are about the account
    itself, to the address being checked, and must not wait on a person's choices."""
    assert mail_sent_outside_notifications(ROOT) == []


def test_it_finds_email_sent_from_any_app(tmp_path):
    """The check itself: each way of reaching Django's email counts, anywhere but in
    notifications/; email settings and other parts of django.core do not."""
    for app in ("notifications", "programmes"):
        (tmp_path / app).mkdir()
        (tmp_path / app / "__init__.py").write_text("")
    (tmp_path / "notifications" / "services.py").write_text(
        "from django.core.mail import EmailMultiAlternatives\n"
    )
    (tmp_path / "programmes" / "settings.py").write_text(
        "from django.core import signing\n"
        "EMAIL_BACKEND = 'django.core.mail.backends.locmem.EmailBackend'\n"
    )
    assert mail_sent_outside_notifications(tmp_path) == []

    (tmp_path / "programmes" / "tasks.py").write_text(
        "from django.core.mail import send_mail\n"
        "def later():\n"
        "    from django.core import mail\n"
        "    import django.core.mail.message\n"
        "    from django.core.mail.message import EmailMessage\n"
    )
    assert mail_sent_outside_notifications(tmp_path) == [
        "programmes/tasks.py:1 send_mail",
        "programmes/tasks.py:3 mail",
        "programmes/tasks.py:4 django.core.mail.message",
        "programmes/tasks.py:5 EmailMessage",
    ]
