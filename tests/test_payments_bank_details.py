"""Bank details: asked for again before they are shown or changed, with the code from the
person's app when they have two-factor; the person is emailed on every change; the next
payment run flags it to coordinators; stored encrypted; masked everywhere but the finance
file."""

import csv
import io
import time
from datetime import timedelta

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from payments import services
from payments.models import PaymentPreference, PaymentRun, RunPayee
from tests.factories import PASSWORD, give_two_factor, service_operator, sign_in
from tests.payments_support import approved_session, paid_by_bank, rate_card

pytestmark = pytest.mark.django_db

BANK = {
    "method": "bank",
    "account_name": "S Example",
    "sort_code": "30-94-57",
    "account_number": "12345678",
}


def signed_in_a_while_ago(client, user, *, minutes=30):
    """Signed in (with the code, if they have an authenticator) `minutes` ago."""
    sign_in(client, user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {**record, "at": record["at"] - minutes * 60}
        for record in session[AUTHENTICATION_METHODS_SESSION_KEY]
    ]
    session.save()
    return client


def current_code() -> str:
    return format_hotp_value(hotp_value(settings.DEMO_TOTP_SECRET, int(time.time()) // 30))


def raw_rows(table: str, columns: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table}")  # noqa: S608 - our own names
        return cursor.fetchall()


# Asking again who you are


@pytest.mark.parametrize(
    "name", ["payments:payment_preference", "portal:my_data", "portal:my_data_download"]
)
def test_it_asks_for_your_password_again_before_bank_details_or_your_data(world, client, name):
    signed_in_a_while_ago(client, world.mentor)
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD, "next": reverse(name)})
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize(
    "name", ["payments:payment_preference", "portal:my_data", "portal:my_data_download"]
)
def test_it_lets_you_straight_in_just_after_signing_in(world, client, name):
    sign_in(client, world.mentor)
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize(
    "name", ["payments:payment_preference", "portal:my_data", "portal:my_data_download"]
)
def test_it_asks_for_the_code_not_just_the_password_when_you_have_two_factor(world, client, name):
    give_two_factor(world.mentor)
    signed_in_a_while_ago(client, world.mentor)
    response = client.get(reverse(name))
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    # The password alone is not enough: it is what a thief would have.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert client.get(reverse(name))["Location"].startswith(reverse("mfa_reauthenticate"))
    client.post(reverse("mfa_reauthenticate"), {"code": current_code()})
    assert client.get(reverse(name)).status_code == 200


def test_it_keeps_what_you_typed_while_you_confirm_it_is_you(world, client):
    signed_in_a_while_ago(client, world.mentor)
    response = client.post(reverse("payments:payment_preference"), BANK)
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not PaymentPreference.objects.exists()
    response = client.post(
        reverse("account_reauthenticate"),
        {"password": PASSWORD, "next": reverse("payments:payment_preference")},
    )
    assert response.status_code == 302 and response["Location"] == reverse("payments:pay")
    preference = PaymentPreference.objects.get(mentor=world.mentor)
    assert (preference.sort_code, preference.account_number) == ("309457", "12345678")


# Telling the person


def test_it_emails_the_person_on_every_change_of_how_they_are_paid(
    world, login_as, django_capture_on_commit_callbacks
):
    client = login_as("mentor")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("payments:payment_preference"), BANK)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("payments:payment_preference"), {**BANK, "account_number": "87654321"})
    assert [m.to for m in mail.outbox] == [[world.mentor.email]] * 2
    message = mail.outbox[-1]
    assert "payment details" in message.subject.lower()
    text = message.body + message.alternatives[0][0]
    # Only that they changed, when, and what to do if it was not them.
    assert f"{timezone.localdate():%-d %B %Y}" in text
    assert "If you did not" in text
    for secret in ("87654321", "5678", "309457", "30-94-57", "S Example"):
        assert secret not in text


def test_it_emails_about_a_change_even_when_payment_news_is_turned_off(
    world, django_capture_on_commit_callbacks
):
    from notifications.services import email_choices_set

    email_choices_set(person=world.mentor, unwanted={"payment", "payment_details"})
    with django_capture_on_commit_callbacks(execute=True):
        services.preference_set(mentor=world.mentor, method="voucher")
    assert [m.to for m in mail.outbox] == [[world.mentor.email]]


def test_it_shows_coordinators_whose_bank_details_changed_since_they_were_last_paid(
    world, login_as
):
    rate_card(world)
    paid_by_bank(world.mentor)
    approved_session(world)
    first = services.run_create(programme=world.programme, by=world.coordinator)
    services.run_mark_paid(run=first, by=world.coordinator, paid_on=timezone.localdate())
    # A change of method alone, with the same account, is not a change of bank details.
    paid_by_bank(world.mentor, method="reduced", reduced_percent=50)
    approved_session(world, starts_at=timezone.now() - timedelta(days=1))
    second = services.run_create(programme=world.programme, by=world.coordinator)
    assert second.payees.get().bank_details_changed_at is None
    services.run_mark_paid(run=second, by=world.coordinator, paid_on=timezone.localdate())

    changed = paid_by_bank(world.mentor, account_number="87654321")
    approved_session(world, starts_at=timezone.now() - timedelta(hours=30))
    third = services.run_create(programme=world.programme, by=world.coordinator)
    payee = third.payees.get()
    assert payee.bank_details_changed_at == changed.chosen_at
    page = (
        login_as("coordinator")
        .get(reverse("payments:coordinator_run", args=[world.programme.slug, third.pk]))
        .content.decode()
    )
    assert f"Bank details changed on {timezone.localtime(changed.chosen_at):%-d %B %Y}" in page
    assert "87654321" not in page


# Kept encrypted, shown masked


def test_it_keeps_bank_details_encrypted_in_the_database(world):
    rate_card(world)
    paid_by_bank(world.mentor, account_name="Sam Example")
    approved_session(world)
    services.run_create(programme=world.programme, by=world.coordinator)
    stored = raw_rows(
        "payments_paymentpreference", "account_name, sort_code, account_number"
    ) + raw_rows("payments_runpayee", "payee_name, sort_code, account_number")
    assert len(stored) == 2
    for row in stored:
        text = " ".join(row)
        for secret in ("Sam Example", "309457", "12345678"):
            assert secret not in text
    payee = RunPayee.objects.get()
    assert (payee.payee_name, payee.sort_code, payee.account_number) == (
        "Sam Example",
        "309457",
        "12345678",
    )


def test_it_shows_bank_details_masked_in_download_my_data(world, login_as):
    paid_by_bank(world.mentor)
    response = login_as("mentor").get(reverse("portal:my_data_download"))
    text = response.content.decode()
    assert "12345678" not in text and "309457" not in text
    choice = response.json()["payment_choices"][0]
    assert choice["account_number"] == "ending 5678"
    assert choice["sort_code"] == "**-**-57"


def test_it_gives_finance_the_full_bank_details_and_no_one_else(world, login_as):
    rate_card(world)
    paid_by_bank(world.mentor, sort_code="40-11-62")
    approved_session(world)
    run = services.run_create(programme=world.programme, by=world.coordinator)
    client = login_as("coordinator")
    export = client.get(
        reverse("payments:coordinator_run_export", args=[world.programme.slug, run.pk])
    )
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[1][5:7] == ["401162", "12345678"]
    pages = [
        client.get(reverse("payments:coordinator_run", args=[world.programme.slug, run.pk])),
        client.get(reverse("payments:coordinator_pay", args=[world.programme.slug])),
        client.get(
            reverse("payments:coordinator_mentor_pay", args=[world.programme.slug, world.mentor.pk])
        ),
        login_as("mentor").get(reverse("payments:payment_preference")),
        login_as("mentor").get(reverse("payments:pay")),
    ]
    for page in pages:
        text = page.content.decode()
        assert "12345678" not in text and "401162" not in text and "40-11-62" not in text


def test_it_never_shows_full_bank_details_in_the_django_admin(world, client):
    rate_card(world)
    paid_by_bank(world.mentor)
    approved_session(world)
    run = services.run_create(programme=world.programme, by=world.coordinator)
    sign_in(client, service_operator())
    urls = [
        reverse("admin:payments_paymentrun_changelist"),
        reverse("admin:payments_paymentrun_change", args=[run.pk]),
    ]
    urls += [
        reverse(f"admin:payments_{name}_changelist")
        for name in ("paymentpreference", "runpayee")
        if f"payments_{name}" in _admin_models()
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert "12345678" not in text and "309457" not in text, url


def _admin_models() -> set[str]:
    from django.contrib import admin

    return {f"{m._meta.app_label}_{m._meta.model_name}" for m in admin.site._registry}


def test_it_encrypts_bank_details_saved_before_they_were_encrypted(world):
    """The data migration: rows written in plain text (as before it) are encrypted."""
    from django.apps import apps

    from payments.migrations._encryption import encrypt_existing

    preference = paid_by_bank(world.mentor)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE payments_paymentpreference SET sort_code = %s, account_number = %s, "
            "account_name = %s WHERE id = %s",
            ["309457", "12345678", "S Plain", preference.pk],
        )
    encrypt_existing(apps, None)
    (row,) = raw_rows("payments_paymentpreference", "account_name, sort_code, account_number")
    assert "309457" not in " ".join(row) and "S Plain" not in " ".join(row)
    preference.refresh_from_db()
    assert (preference.account_name, preference.sort_code) == ("S Plain", "309457")


def test_it_refuses_to_export_bank_details_it_cannot_read(world, login_as, monkeypatch):
    """Read with the wrong key, a field comes back as the stored token: finance must never
    get that as an account number."""
    rate_card(world)
    paid_by_bank(world.mentor)
    approved_session(world)
    run = services.run_create(programme=world.programme, by=world.coordinator)
    RunPayee.objects.filter(run=run).update(account_number="gAAAAAB-not-an-account")
    from payments.exports import UnreadableBankDetails, run_csv

    with pytest.raises(UnreadableBankDetails):
        run_csv(PaymentRun.objects.get(pk=run.pk))


def test_it_encrypts_bank_details_again_with_a_new_key(world, settings):
    """Changing keys: the new key goes first, the old one stays to read; the command then
    encrypts everything with the new key, and the old one can go."""
    from cryptography.fernet import Fernet
    from django.core.management import call_command
    from secured_fields import fernet

    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    preference = paid_by_bank(world.mentor)

    def use(keys):
        settings.SECURED_FIELDS_KEY = keys
        fernet.fernet_client = None  # the library keeps its keys once read

    try:
        use([new_key, old_key])
        call_command("encrypt_bank_details_again", stdout=io.StringIO())
        use([new_key])
        preference.refresh_from_db()
        assert (preference.sort_code, preference.account_number) == ("309457", "12345678")
    finally:
        use([old_key])
