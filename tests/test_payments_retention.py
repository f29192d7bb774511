"""What is kept of payments, and for how long. Bank details leave payment runs once a run is
paid and finance has had time to check it; when someone deletes their account, their
receipts and what they wrote about expenses go at once, what the law needs of their
payments stays without their name, and after the retention period a scheduled task
removes the name it was paid to. Account deletion is all or nothing. Receipt photos are
stored without their location and other metadata."""

import io
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.models import AuditEvent, MentorProfile, User
from payments import services, tasks
from payments.models import (
    Expense,
    LedgerLine,
    PaymentPreference,
    PaymentRun,
    RateCard,
    RunPayee,
)
from payments.receipts import receipt_check
from portal.services import account_delete
from programmes.models import Membership
from tests.factories import sign_in
from tests.payments_support import approved_session, paid_by_bank, rate_card

pytestmark = pytest.mark.django_db


def card(world):
    if not RateCard.objects.filter(programme=world.programme).exists():
        rate_card(world)


def paid_run(world, *, paid_days_ago=0):
    """A run paying Sam by bank, paid `paid_days_ago` days ago."""
    card(world)
    if not PaymentPreference.objects.filter(mentor=world.mentor).exists():
        paid_by_bank(world.mentor, account_name="Sam Example")
    approved_session(world)
    run = services.run_create(programme=world.programme, by=world.coordinator)
    services.run_mark_paid(run=run, by=world.coordinator, paid_on=timezone.localdate())
    if paid_days_ago:
        paid_on = timezone.localdate() - timedelta(days=paid_days_ago)
        PaymentRun.objects.filter(pk=run.pk).update(paid_on=paid_on)
    return PaymentRun.objects.get(pk=run.pk)


def claim_with_receipt(world, image: bytes | None = None) -> Expense:
    card(world)
    if image is None:
        buffer = io.BytesIO()
        Image.new("RGB", (40, 60), "white").save(buffer, format="PNG")
        image = buffer.getvalue()
    name = "till.jpg" if image.startswith(b"\xff\xd8") else "till.png"
    upload = SimpleUploadedFile(name, image)
    return services.expense_claim(
        mentor=world.mentor,
        programme=world.programme,
        kind="fare",
        spent_on=timezone.localdate(),
        description="Taxi from 12 Acacia Avenue, where I live",
        amount=Decimal("60.00"),
        receipt=upload,
        receipt_type=receipt_check(upload),
    )


def stored_file(expense: Expense) -> Path:
    return Path(django_settings.RECEIPTS_ROOT) / expense.receipt.name


# Bank details in payment runs


def test_it_drops_bank_details_from_runs_paid_longer_ago_than_the_reconciliation_period(
    world, settings
):
    settings.PAYMENT_RECONCILIATION_DAYS = 90
    old = paid_run(world, paid_days_ago=91)
    payee = old.payees.get()
    assert payee.account_number == "12345678"
    tasks.payment_records_tidy()
    tasks.payment_records_tidy()  # safe to run twice
    payee.refresh_from_db()
    assert (payee.sort_code, payee.account_number) == ("", "")
    assert payee.bank_details_dropped_at is not None
    # What the run paid, to whom and when stays.
    assert payee.total > 0 and payee.payee_name == "Sam Example" and payee.reference
    assert AuditEvent.objects.filter(action=AuditEvent.Action.BANK_DETAILS_DROPPED).count() == 1


def test_it_keeps_bank_details_while_finance_may_still_need_them(world, settings):
    settings.PAYMENT_RECONCILIATION_DAYS = 90
    recent = paid_run(world, paid_days_ago=89)
    approved_session(world, starts_at=timezone.now() - timedelta(days=1))
    ready = services.run_create(programme=world.programme, by=world.coordinator)
    tasks.payment_records_tidy()
    for run in (recent, ready):
        assert run.payees.get().account_number == "12345678"


def test_it_runs_the_tidy_up_every_day():
    entries = django_settings.CELERY_BEAT_SCHEDULE.values()
    assert any(entry["task"] == "payments.payment_records_tidy" for entry in entries)


# Deleting an account


def test_it_deletes_receipts_and_what_was_written_about_expenses_with_the_account(
    world, django_capture_on_commit_callbacks
):
    expense = claim_with_receipt(world)
    services.expense_reject(expense=expense, by=world.coordinator, reason="Sam, too blurry")
    path = stored_file(expense)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=world.mentor)
    expense.refresh_from_db()
    assert not path.exists()
    assert expense.receipt.name == "" and expense.receipt_type == ""
    assert expense.description == ""
    # A claim turned down must have a reason: the coordinator's words go, a note stays.
    assert expense.decision_reason == "Not kept: the person deleted their account."
    # What was claimed, when and for how much stays with the payment records.
    assert (expense.kind, expense.amount) == ("fare", Decimal("60.00"))


def test_it_keeps_what_the_law_needs_of_a_deleted_persons_payments(world, settings):
    run = paid_run(world)
    account_delete(user=world.mentor)
    person = User.objects.get(pk=world.mentor.pk)
    assert person.display_name == "Deleted person"
    assert LedgerLine.objects.filter(mentor=person).exists()
    payee = run.payees.get()
    assert payee.total > 0 and payee.reference and payee.payee_name == "Sam Example"
    assert not PaymentPreference.objects.filter(mentor=person).exists()


def test_it_removes_the_name_paid_to_once_the_retention_period_is_over(world, settings):
    settings.PAYMENT_RECORDS_KEEP_YEARS = 6
    today = timezone.localdate()
    within = paid_run(world, paid_days_ago=1)
    over = paid_run(world, paid_days_ago=1)
    # Paid in a tax year that ended more than 6 years ago: 8 years back.
    PaymentRun.objects.filter(pk=over.pk).update(paid_on=date(today.year - 8, 5, 1))
    account_delete(user=world.mentor)
    tasks.payment_records_tidy()
    tasks.payment_records_tidy()
    old, kept = over.payees.get(), within.payees.get()
    assert old.payee_name == "" and old.anonymised_at is not None
    assert (old.sort_code, old.account_number) == ("", "")
    assert old.total > 0  # the amount stays in the totals
    assert kept.payee_name == "Sam Example" and kept.anonymised_at is None


def test_it_leaves_the_payment_records_of_people_who_did_not_delete_their_account(world, settings):
    settings.PAYMENT_RECORDS_KEEP_YEARS = 6
    run = paid_run(world, paid_days_ago=1)
    PaymentRun.objects.filter(pk=run.pk).update(paid_on=date(2010, 5, 1))
    tasks.payment_records_tidy()
    assert run.payees.get().payee_name == "Sam Example"


def test_it_deletes_an_account_all_or_nothing(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """A failure part-way through leaves everything as it was, files included."""
    from payments import privacy as payments_privacy

    expense = claim_with_receipt(world)
    paid_by_bank(world.mentor)
    real = payments_privacy.erase

    def fail_after(user):
        real(user)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(payments_privacy, "erase", fail_after)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        account_delete(user=world.mentor)
    person = User.objects.get(pk=world.mentor.pk)
    assert person.email == world.mentor.email and person.is_active
    assert MentorProfile.objects.filter(user=person).exists()
    assert Membership.objects.current().filter(person=person).exists()
    assert PaymentPreference.objects.filter(mentor=person).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ACCOUNT_DELETED).exists()
    expense.refresh_from_db()
    assert expense.description and stored_file(expense).exists()


# What the delete page says


@pytest.mark.parametrize(("days", "years"), [(90, 6), (30, 7)])
def test_it_says_on_the_delete_page_what_stays_why_and_for_how_long(
    world, client, settings, days, years
):
    settings.PAYMENT_RECONCILIATION_DAYS = days
    settings.PAYMENT_RECORDS_KEEP_YEARS = years
    paid_run(world)
    sign_in(client, world.mentor)
    page = client.get(reverse("portal:account_delete")).content.decode()
    assert f"{days} days" in page
    assert f"{years} years" in page
    assert "the law" in page
    assert "receipts" in page


# Receipts without location


def jpeg_with_location() -> bytes:
    image = Image.new("RGB", (64, 48))
    for x in range(64):
        for y in range(48):
            image.putpixel((x, y), (x * 4, y * 5, 120))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x0132] = "2026:03:03 10:00:00"  # when
    gps = {1: "N", 2: (53.0, 28.0, 49.0), 3: "W", 4: (2.0, 14.0, 40.0)}
    exif[0x8825] = gps  # GPSInfo: where
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, quality=95)
    return buffer.getvalue()


def test_it_stores_receipt_photos_without_location_or_other_metadata(world):
    original = jpeg_with_location()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(0x8825)  # the test photo does carry a location
        before_pixels = before.convert("RGB").tobytes()
    expense = claim_with_receipt(world, original)
    stored = stored_file(expense).read_bytes()
    assert b"Exif" not in stored and b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as after:
        assert after.format == "JPEG" and after.size == (64, 48)
        assert not after.getexif()
        assert not after.info.get("exif")
        after_pixels = after.convert("RGB").tobytes()
    # It looks the same: no pixel moves by more than JPEG's usual rounding.
    difference = max(abs(a - b) for a, b in zip(before_pixels, after_pixels, strict=True))
    assert difference <= 12


def test_it_keeps_a_photo_the_right_way_up_when_it_drops_the_rotation_note():
    """Phones often store a photo sideways with a note to turn it: the note is metadata
    too, so the picture is turned before the note is dropped."""
    from payments.receipts import JPEG, receipt_without_metadata

    image = Image.new("RGB", (60, 20), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # "turn 90 degrees clockwise to view"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    cleaned = receipt_without_metadata(SimpleUploadedFile("r.jpg", buffer.getvalue()), JPEG)
    with Image.open(cleaned) as after:
        assert after.size == (20, 60)
        assert 0x0112 not in after.getexif()


def test_it_stores_pdf_receipts_as_they_came(world):
    """PDFs are not images: they are checked, not redrawn."""
    from tests.test_receipts import MINIMAL_PDF

    card(world)
    upload = SimpleUploadedFile("r.pdf", MINIMAL_PDF)
    expense = services.expense_claim(
        mentor=world.mentor,
        programme=world.programme,
        kind="fare",
        spent_on=timezone.localdate(),
        description="Bus",
        amount=Decimal("60.00"),
        receipt=upload,
        receipt_type=receipt_check(upload),
    )
    assert stored_file(expense).read_bytes() == MINIMAL_PDF


def test_it_reads_the_raw_payee_row_without_bank_details_after_the_period(world, settings):
    settings.PAYMENT_RECONCILIATION_DAYS = 90
    paid_run(world, paid_days_ago=120)
    tasks.payment_records_tidy()
    payee = RunPayee.objects.get()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sort_code, account_number FROM payments_runpayee WHERE id = %s", [payee.pk]
        )
        sort_code, account_number = cursor.fetchone()
    # Stored encrypted, so the raw column says nothing; what it decrypts to is empty.
    assert "12345678" not in account_number and "309457" not in sort_code
    assert payee.account_number == ""
