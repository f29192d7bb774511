"""Changes to how someone signs in are emailed to them, so a change they did not make is
noticed: a new password, email address or two-factor set-up."""

import time

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory, give_two_factor, sign_in


def reauthenticated(client):
    """What allauth records once someone typed their password again."""
    session = client.session
    session["account_authentication_methods"] = [
        *session.get("account_authentication_methods", []),
        {"method": "password", "at": time.time(), "reauthenticated": True},
    ]
    session.save()


@pytest.fixture
def person(db, client):
    person = UserFactory(email="sam@example.test")
    sign_in(client, person)
    reauthenticated(client)
    return person


def test_it_emails_the_person_when_their_password_changes(person, client):
    new = "a-brand-new-password-2027"
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    sent = [m for m in mail.outbox if "password has changed" in m.subject]
    assert [m.to for m in sent] == [["sam@example.test"]]
    assert "If you did not make this change" in sent[0].body
    assert new not in sent[0].body


def test_it_emails_the_old_address_when_the_email_address_changes(person, client):
    EmailAddress.objects.create(user=person, email="sam.new@example.test", verified=True)
    response = client.post(
        reverse("account_email"), {"action_primary": "", "email": "sam.new@example.test"}
    )
    assert response.status_code == 302
    sent = [m for m in mail.outbox if "sam@example.test" in m.to]
    assert sent, [m.subject for m in mail.outbox]
    assert "sam.new@example.test" in sent[-1].body


def test_it_emails_the_person_when_two_factor_is_turned_off(db, client):
    person = give_two_factor(UserFactory(email="jo@example.test"))
    sign_in(client, person)
    reauthenticated(client)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    sent = [m for m in mail.outbox if m.to == ["jo@example.test"]]
    assert any("two-factor" in m.subject.lower() for m in sent), [m.subject for m in sent]
