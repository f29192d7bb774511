"""Signing up and in: email checks, strong passwords, rate limits, two-factor for staff,
and an audit row for every attempt."""

import re

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from accounts.models import AuditEvent, User
from core.choices import Role
from tests.factories import PASSWORD, MembershipFactory, UserFactory, sign_in


def post_sign_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_it_uses_the_real_shared_cache_when_one_is_configured():
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.REDIS_URL:
        assert backend.endswith("RedisCache")
    cache.set("alongside-test", "yes", 5)
    assert cache.get("alongside-test") == "yes"


@pytest.mark.django_db
def test_it_answers_429_after_repeated_failed_sign_ins_for_one_account(client):
    person = UserFactory(email="target@example.test")
    statuses = [
        post_sign_in(client, person.email, "wrong-password-123").status_code for _ in range(6)
    ]
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429
    # Even the right password is refused while the account is cooling down.
    assert post_sign_in(client, person.email).status_code == 429
    assert "Too many attempts to sign in" in post_sign_in(client, person.email).content.decode()


@pytest.mark.django_db
def test_it_limits_one_account_without_locking_out_another(client):
    UserFactory(email="target@example.test")
    other = UserFactory(email="other@example.test")
    for _ in range(6):
        post_sign_in(client, "target@example.test", "wrong-password-123")
    response = post_sign_in(client, other.email)
    assert response.status_code == 302


@pytest.mark.django_db
def test_it_audits_sign_in_success_and_failure_without_the_password(client):
    person = UserFactory(email="sam@example.test")
    post_sign_in(client, person.email, "wrong-password-123")
    post_sign_in(client, person.email)
    failed = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN_FAILED)
    succeeded = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN)
    assert failed.object_id == str(person.pk)
    assert succeeded.actor == person
    assert "wrong-password" not in str(failed.new_values)


@pytest.mark.django_db
def test_it_does_not_tell_strangers_whether_an_account_exists(client):
    UserFactory(email="known@example.test")
    known = client.post(reverse("account_reset_password"), {"email": "known@example.test"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


@pytest.mark.django_db
def test_it_signs_up_with_a_checked_email_and_a_long_password(client):
    short = client.post(
        reverse("account_signup"),
        {
            "display_name": "Kim",
            "email": "kim@example.test",
            "password1": "short-pass",
            "password2": "short-pass",
        },
    )
    assert short.status_code == 200
    assert "at least 12 characters" in short.content.decode()
    assert not User.objects.filter(email="kim@example.test").exists()

    response = client.post(
        reverse("account_signup"),
        {
            "display_name": "Kim",
            "email": "kim@example.test",
            "password1": "a-much-longer-passphrase",
            "password2": "a-much-longer-passphrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="kim@example.test")
    assert user.display_name == "Kim"
    # Not signed in until the email address is checked.
    assert client.get(reverse("portal:dashboard")).status_code == 302
    link = re.search(r"https?://\S+/account/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page = client.get(link)
    assert page.status_code == 200
    confirmed = client.post(link)
    assert confirmed.status_code == 302
    assert client.get(reverse("portal:dashboard")).status_code == 200


@pytest.mark.django_db
def test_it_sends_staff_without_two_factor_to_set_it_up(client):
    coordinator = UserFactory()
    programme = MembershipFactory(person=coordinator, role=Role.COORDINATOR).programme
    sign_in(client, coordinator)
    response = client.get(reverse("programmes:coordinator_members", args=[programme.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


@pytest.mark.django_db
def test_it_keeps_operators_without_two_factor_out_of_the_django_admin(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, admin)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


@pytest.mark.django_db
def test_it_asks_staff_for_their_two_factor_code_when_signing_in(world, client):
    response = post_sign_in(client, world.coordinator.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("portal:dashboard")).status_code == 302  # not in yet
    import time

    code = format_hotp_value(hotp_value(settings.DEMO_TOTP_SECRET, int(time.time()) // 30))
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("programmes:coordinator_members", args=["north"])).status_code == 200
