"""Behind the proxy production needs, every request arrives from the proxy's address. The
address of the person comes from the proxy's header, as far as the environment says the
proxies can be trusted; sign-in limits and the audit log both use it."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from tests.factories import PASSWORD, UserFactory
from tests.test_settings import PRODUCTION, STRONG_KEY, manage

PROXY = "10.0.0.2"


def sign_in_from(client, address: str, email: str, password: str = PASSWORD):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


def test_it_reads_the_trusted_proxies_from_the_environment():
    shown = "from django.conf import settings as s; print(s.ALLAUTH_TRUSTED_PROXY_COUNT)"
    result = manage("shell", "-c", shown, TRUSTED_PROXY_COUNT="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "1"


def test_it_reads_a_trusted_client_address_header_from_the_environment():
    shown = "from django.conf import settings as s; print(s.ALLAUTH_TRUSTED_CLIENT_IP_HEADER)"
    result = manage("shell", "-c", shown, TRUSTED_CLIENT_IP_HEADER="X-Real-IP")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "X-Real-IP"


def test_it_refuses_to_start_production_without_saying_how_many_proxies_to_trust():
    env = {k: v for k, v in PRODUCTION.items() if k != "TRUSTED_PROXY_COUNT"}
    result = manage("check", **env, SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT" in result.stderr


def test_it_refuses_a_proxy_count_that_is_not_a_whole_number():
    result = manage("check", TRUSTED_PROXY_COUNT="-1")
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT" in result.stderr


@pytest.fixture
def behind_one_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


@pytest.mark.django_db
def test_it_does_not_lock_everyone_out_when_one_person_gets_it_wrong(behind_one_proxy, client):
    UserFactory(email="careless@example.test")
    for attempt in range(12):
        sign_in_from(client, "203.0.113.7", f"careless{attempt}@example.test", "wrong-password")
    blocked = sign_in_from(client, "203.0.113.7", "careless@example.test")
    assert blocked.status_code != 302
    someone_else = UserFactory(email="sam@example.test")
    response = sign_in_from(client, "198.51.100.4", someone_else.email)
    assert response.status_code == 302
    assert response["Location"] != reverse("account_login")


@pytest.mark.django_db
def test_it_records_the_persons_address_in_the_audit_log(behind_one_proxy, client):
    person = UserFactory(email="sam@example.test")
    sign_in_from(client, "198.51.100.4", person.email, "wrong-password")
    sign_in_from(client, "198.51.100.4", person.email)
    addresses = set(AuditEvent.objects.values_list("ip_address", flat=True))
    assert addresses == {"198.51.100.4"}


@pytest.mark.django_db
def test_it_records_no_address_rather_than_failing_when_the_header_does_not_fit(settings, rf):
    from accounts.audit import client_address

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert client_address(request) is None
