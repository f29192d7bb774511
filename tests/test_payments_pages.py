"""The payment pages: a mentor's pay, statements, expenses with receipts and payment choice;
a coordinator's rates, claims, runs, the finance export and corrections."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import AuditEvent
from payments import services
from payments.models import Expense, LedgerLine, PaymentPreference, PaymentRun, RateCard
from tests.factories import receipt_upload, sign_in
from tests.test_permissions import (
    _expense_id,
    _paid_line_id,
    _rate_card,
    _run,
    _tax_year,
)

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


def claim(client, **overrides):
    data = {
        "programme": "",
        "kind": "fare",
        "spent_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "description": "Train to the council offices",
        "amount": "12.50",
        "session": "",
    }
    data.update(overrides)
    return client.post(reverse("payments:expense_new"), data)


# A mentor's pay


def test_it_shows_the_mentor_their_pay_with_fees_apart_from_expenses(world, login_as):
    line = LedgerLine.objects.get(pk=_paid_line_id(world))
    response = login_as("mentor").get(reverse("payments:pay"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Fees (income)" in page and "Expenses (not income)" in page
    assert f"£{line.amount}" in page
    assert "Tell us how you would like to be paid" in page


def test_it_tells_the_mentor_about_benefits_before_the_first_paid_session(world, login_as):
    client = login_as("mentor")
    assert "Before your first paid session" in client.get(reverse("payments:pay")).content.decode()
    _paid_line_id(world)
    assert (
        "Before your first paid session" not in client.get(reverse("payments:pay")).content.decode()
    )


def test_it_gives_the_mentor_a_letter_for_their_work_coach(world, login_as):
    _rate_card(world)
    response = login_as("mentor").get(reverse("payments:work_coach_letter"))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Sam" in text and "£20.00" in text and "not income" in text


def test_it_shows_the_thousand_pound_notice_once_fees_paid_reach_it(world, login_as):
    card = _rate_card(world)
    RateCard.objects.filter(pk=card.pk).update(hourly_rate=Decimal("1000.00"))
    _paid_line_id(world)
    client = login_as("mentor")
    assert "Self Assessment" not in client.get(reverse("payments:pay")).content.decode()
    services.run_mark_paid(run=_run(world), by=world.coordinator, paid_on=timezone.localdate())
    assert "Self Assessment" in client.get(reverse("payments:pay")).content.decode()


def test_it_warns_before_the_thousand_pounds_and_gives_the_5_october_date(world, login_as):
    """The warning comes while fees are still under £1,000, with HMRC's registration date:
    5 October after the tax year ends."""
    card = _rate_card(world)
    RateCard.objects.filter(pk=card.pk).update(hourly_rate=Decimal("600.00"))
    line_id = _paid_line_id(world)
    services.run_mark_paid(run=_run(world), by=world.coordinator, paid_on=timezone.localdate())
    paid = sum(
        LedgerLine.objects.filter(mentor=world.mentor, amount__gt=0).values_list(
            "amount", flat=True
        ),
        Decimal("0"),
    )
    assert LedgerLine.objects.filter(pk=line_id).exists()
    assert Decimal("800") <= paid < Decimal("1000"), paid
    page = login_as("mentor").get(reverse("payments:pay")).content.decode()
    assert "That is close to £1,000." in page
    year = _tax_year(world)
    assert f"register for Self Assessment by <strong>5 October {year + 1}</strong>" in page
    benefits = login_as("mentor").get(reverse("payments:benefits")).content.decode()
    assert "register for Self Assessment by 5 October after the end of that tax year" in benefits
    assert "before you reduce your fee or say no to payment" in benefits
    assert "warns you when your fees get close to" in benefits


def test_it_downloads_the_tax_year_statement_as_csv_and_pdf(world, login_as):
    line = LedgerLine.objects.get(pk=_paid_line_id(world))
    client = login_as("mentor")
    year = _tax_year(world)
    rows = csv_rows(client.get(reverse("payments:pay_statement_file", args=[year, "csv"])))
    assert rows[0][:3] == ["Date", "What it was for", "Fee or expense"]
    assert [line.earned_on.isoformat(), line.description] == rows[1][:2]
    assert rows[1][3] == f"{line.amount:.2f}"
    response = client.get(reverse("payments:pay_statement_file", args=[year, "pdf"]))
    assert response["Content-Type"] == "application/pdf"
    assert f"£{line.amount}" in pdf_text(response.content)


def test_it_answers_404_for_a_statement_file_of_an_unknown_kind_or_year(world, login_as):
    _paid_line_id(world)
    client = login_as("mentor")
    year = _tax_year(world)
    assert client.get(reverse("payments:pay_statement_file", args=[year, "exe"])).status_code == 404
    assert (
        client.get(reverse("payments:pay_statement_file", args=[year - 30, "csv"])).status_code
        == 404
    )


def test_it_keeps_the_payment_choice_as_a_dated_log_with_bank_details_masked(world, login_as):
    client = login_as("mentor")
    response = client.post(
        reverse("payments:payment_preference"),
        {
            "method": "bank",
            "account_name": "S Example",
            "sort_code": "30-94-57",
            "account_number": "12345678",
        },
    )
    assert response.status_code == 302
    client.post(reverse("payments:payment_preference"), {"method": "voucher"})
    assert list(
        PaymentPreference.objects.filter(mentor=world.mentor).values_list("method", flat=True)
    ) == ["voucher", "bank"]
    page = client.get(reverse("payments:payment_preference")).content.decode()
    assert "12345678" not in page and "ending 5678" in page
    assert "Vouchers still count as income" in page


def test_it_asks_for_bank_details_when_paid_by_bank_and_keeps_what_was_typed(world, login_as):
    response = login_as("mentor").post(
        reverse("payments:payment_preference"),
        {"method": "bank", "account_name": "S Example", "sort_code": "30-94", "account_number": ""},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a sort code of 6 numbers" in page
    assert 'value="S Example"' in page and 'value="30-94"' in page
    assert not PaymentPreference.objects.exists()


def test_it_sets_and_removes_the_monthly_earnings_alert(world, login_as):
    client = login_as("mentor")
    client.post(reverse("payments:earnings_alert"), {"monthly_amount": "300"})
    assert world.mentor.earnings_alert.monthly_amount == Decimal("300.00")
    client.post(reverse("payments:earnings_alert"), {"monthly_amount": ""})
    world.mentor.refresh_from_db()
    assert not hasattr(world.mentor, "earnings_alert")


# Expenses and receipts


def test_it_takes_a_claim_with_a_receipt(world, login_as, settings):
    _rate_card(world)
    client = login_as("mentor")
    response = claim(client, programme=world.programme.pk, receipt=receipt_upload("bus.png"))
    expense = Expense.objects.get()
    assert response["Location"] == reverse("payments:expense_detail", args=[expense.pk])
    assert expense.amount == Decimal("12.50") and expense.receipt_type == "image/png"
    # Stored under a random name, outside static and media, with the checked type's ending.
    assert "bus" not in expense.receipt.name and expense.receipt.name.endswith(".png")
    assert str(settings.RECEIPTS_ROOT) in expense.receipt.path


def test_it_refuses_a_receipt_whose_content_is_not_what_its_name_says(world, login_as):
    _rate_card(world)
    client = login_as("mentor")
    fake = receipt_upload("receipt.pdf")  # a PNG named as a PDF
    response = claim(client, programme=world.programme.pk, receipt=fake)
    assert response.status_code == 200
    page = response.content.decode()
    assert "ends in .pdf but it is a PNG" in page
    assert 'value="Train to the council offices"' in page
    assert not Expense.objects.exists()


def test_it_refuses_a_text_file_dressed_as_a_photo(world, login_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _rate_card(world)
    script = SimpleUploadedFile("receipt.jpg", b"<script>alert(1)</script>", "image/jpeg")
    response = claim(login_as("mentor"), programme=world.programme.pk, receipt=script)
    assert "We can only take photos" in response.content.decode()
    assert not Expense.objects.exists()


def test_it_needs_a_receipt_over_the_programmes_limit(world, login_as):
    _rate_card(world)  # receipts needed over £5.00
    response = claim(login_as("mentor"), programme=world.programme.pk, amount="5.01")
    assert "Add a photo or PDF of your receipt" in response.content.decode()
    assert claim(login_as("mentor"), programme=world.programme.pk, amount="5.00").status_code == 302


def test_it_works_out_mileage_from_the_miles(world, login_as):
    _rate_card(world)
    claim(login_as("mentor"), programme=world.programme.pk, kind="mileage", amount="", miles="12.3")
    assert Expense.objects.get().amount == Decimal("5.54")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5", "Enter an amount of £0.01 or more."),
        ("0", "Enter an amount of £0.01 or more."),
        ("100000000", "Enter an amount of £10,000.00 or less."),
        ("twelve pounds", "Enter an amount in numbers, like 12.50."),
        ("1e309", "Enter an amount of £10,000.00 or less."),
        ("NaN", "Enter an amount in numbers, like 12.50."),
        ("12.345", "Enter pounds and pence only, like 12.50."),
    ],
)
def test_it_explains_a_bad_amount_next_to_the_field(world, login_as, amount, message):
    _rate_card(world)
    response = claim(login_as("mentor"), programme=world.programme.pk, amount=amount)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'id="id_amount_error"' in page
    assert f'value="{amount}"' in page
    assert not Expense.objects.exists()


def test_it_lets_only_the_mentor_and_their_coordinators_download_a_receipt(world, client):
    from tests.factories import MembershipFactory, UserFactory

    expense_id = _expense_id(world)
    url = reverse("payments:expense_receipt", args=[expense_id])
    fellow_mentor = UserFactory(display_name="Fellow mentor")
    MembershipFactory(programme=world.programme, person=fellow_mentor, role="mentor")
    for person, status in [
        (fellow_mentor, 404),
        (world.mentor, 200),
        (world.coordinator, 200),
        (world.administrator, 200),
        (world.mentee, 404),
        (world.other_coordinator, 404),
        (world.other_mentor, 404),
    ]:
        sign_in(client, person)
        response = client.get(url)
        assert response.status_code == status, person
        if status == 200:
            assert response["Content-Type"] == "image/png"
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["Content-Disposition"].startswith("attachment")
    opened = AuditEvent.objects.filter(action=AuditEvent.Action.RECEIPT_OPENED)
    assert opened.count() == 2  # the coordinator and the administrator; not the mentor


def test_it_lets_a_mentor_withdraw_a_claim_only_while_it_waits(world, login_as):
    expense_id = _expense_id(world)
    client = login_as("mentor")
    client.post(reverse("payments:expense_withdraw", args=[expense_id]))
    assert Expense.objects.get(pk=expense_id).status == "withdrawn"
    response = client.post(reverse("payments:expense_withdraw", args=[expense_id]), follow=True)
    assert "cannot be withdrawn" in response.content.decode()


def test_it_lets_a_coordinator_approve_a_claim_once(world, login_as):
    expense_id = _expense_id(world)
    client = login_as("coordinator")
    url = reverse("payments:coordinator_expense_approve", args=[world.programme.slug, expense_id])
    client.post(url)
    client.post(url)
    assert LedgerLine.objects.filter(expense_id=expense_id, kind="expense").count() == 1


def test_it_needs_a_reason_to_turn_a_claim_down(world, login_as):
    expense_id = _expense_id(world)
    url = reverse("payments:coordinator_expense", args=[world.programme.slug, expense_id])
    client = login_as("coordinator")
    assert "Enter a reason." in client.post(url, {"reason": " "}).content.decode()
    client.post(url, {"reason": "The receipt is for a different day."})
    expense = Expense.objects.get(pk=expense_id)
    assert expense.status == "rejected"
    page = (
        login_as("mentor")
        .get(reverse("payments:expense_detail", args=[expense_id]))
        .content.decode()
    )
    assert "The receipt is for a different day." in page


# Coordinators: rates, runs, corrections


def test_it_refuses_a_new_rate_that_starts_in_the_past(world, login_as):
    _rate_card(world)
    response = login_as("coordinator").post(
        reverse("payments:coordinator_rates", args=[world.programme.slug]),
        {
            "effective_from": "2021-01-01",
            "hourly_rate": "25.00",
            "preparation_minutes": "30",
            "online_allowance": "0",
            "cancellation_fee": "0",
            "cancellation_notice_hours": "24",
            "mileage_rate": "0.45",
            "expense_kinds": ["fare", "mileage"],
            "receipt_needed_over": "10",
            "currency": "GBP",
            "slow_payment_days": "14",
        },
    )
    assert "A new rate can start today or later" in response.content.decode()
    assert RateCard.objects.count() == 1


def test_it_exports_a_run_for_finance_identically_every_time(world, login_as):
    run = _run(world)
    client = login_as("coordinator")
    url = reverse("payments:coordinator_run_export", args=[world.programme.slug, run.pk])
    first, second = client.get(url), client.get(url)
    assert first.content == second.content
    rows = csv_rows(first)
    assert rows[0][0] == "Payment reference"
    payee = run.payees.get()
    assert rows[1][:3] == [payee.reference, run.reference, "Sam"]
    assert rows[1][5:7] == ["309457", "12345678"]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Total"] == f"{payee.total:.2f}"
    assert row["Employment status"] == "Not recorded"
    exported = AuditEvent.objects.filter(action=AuditEvent.Action.PAYMENT_RUN_EXPORTED)
    assert exported.count() == 2


def test_it_marks_a_run_paid_and_the_mentor_sees_the_statement(world, login_as):
    run = _run(world)
    client = login_as("coordinator")
    client.post(
        reverse("payments:coordinator_run", args=[world.programme.slug, run.pk]),
        {"paid_on": timezone.localdate().isoformat()},
    )
    run.refresh_from_db()
    assert run.status == PaymentRun.Status.PAID
    page = (
        login_as("mentor")
        .get(reverse("payments:pay_run_statement", args=[run.pk]))
        .content.decode()
    )
    assert f"Paid {timezone.localdate():%-d %B %Y}" in page


def test_it_refuses_a_payment_date_in_the_future(world, login_as):
    run = _run(world)
    response = login_as("coordinator").post(
        reverse("payments:coordinator_run", args=[world.programme.slug, run.pk]),
        {"paid_on": (timezone.localdate() + timedelta(days=3)).isoformat()},
    )
    assert "cannot be in the future" in response.content.decode()
    run.refresh_from_db()
    assert run.status == PaymentRun.Status.READY


def test_it_puts_a_failed_payment_back_for_the_next_run(world, login_as):
    run = _run(world)
    services.run_mark_paid(run=run, by=world.coordinator, paid_on=timezone.localdate())
    payee = run.payees.get()
    client = login_as("coordinator")
    client.post(
        reverse("payments:coordinator_payee_fail", args=[world.programme.slug, payee.pk]),
        {"reason": "Account closed"},
    )
    response = client.post(reverse("payments:coordinator_run_new", args=[world.programme.slug]))
    second = PaymentRun.objects.exclude(pk=run.pk).get()
    assert response["Location"] == reverse(
        "payments:coordinator_run", args=[world.programme.slug, second.pk]
    )
    assert set(second.items.values_list("line", flat=True)) == set(
        run.items.values_list("line", flat=True)
    )


def test_it_corrects_a_line_with_a_reason_the_mentor_sees(world, login_as):
    line_id = _paid_line_id(world)
    login_as("coordinator").post(
        reverse("payments:coordinator_line_reverse", args=[world.programme.slug, line_id]),
        {"reason": "The session was 30 minutes, not 60."},
    )
    reversal = LedgerLine.objects.get(reverses_id=line_id)
    assert reversal.amount == -LedgerLine.objects.get(pk=line_id).amount
    page = login_as("mentor").get(reverse("payments:pay")).content.decode()
    assert "The session was 30 minutes, not 60." in page


def test_it_flags_slow_payments_on_the_coordinator_dashboard(world, login_as):
    _paid_line_id(world)  # a session of two days ago: not slow
    page = login_as("coordinator").get(reverse("portal:dashboard")).content.decode()
    assert "waiting too long" not in page
    other = _older_unpaid_line(world, days=40)
    assert other.earned_on < timezone.localdate() - timedelta(days=14)
    page = login_as("coordinator").get(reverse("portal:dashboard")).content.decode()
    assert "waiting too long" in page
    pay = login_as("coordinator").get(
        reverse("payments:coordinator_pay", args=[world.programme.slug])
    )
    assert "Slow: over 14 days" in pay.content.decode()


def _older_unpaid_line(world, *, days):
    from mentoring import services as session_services
    from mentoring.models import Session
    from tests.test_permissions import _match

    when = timezone.now() - timedelta(days=days)
    session = session_services.session_log(
        match=_match(world),
        by=world.mentee,
        starts_at=when,
        duration_minutes=60,
        meeting_mode="online",
    )
    session_services.session_confirm(session=session, by=world.mentor)
    session_services.session_approve(
        session=Session.objects.get(pk=session.pk), by=world.coordinator
    )
    return LedgerLine.objects.get(session=session, kind="session")


@pytest.mark.parametrize("count", [5, 50])
def test_it_keeps_the_payments_page_queries_flat(
    world, login_as, django_assert_max_num_queries, count
):
    """Many mentors owed, many claims and runs: the page's query count does not grow."""
    from tests.factories import MembershipFactory, UserFactory

    _rate_card(world)
    for number in range(count):
        mentor = UserFactory(display_name=f"Mentor {number}")
        MembershipFactory(programme=world.programme, person=mentor, role="mentor")
        services.preference_set(mentor=mentor, method="voucher")
        LedgerLine.objects.create(
            programme=world.programme,
            mentor=mentor,
            kind="expense",
            category="expense",
            expense=Expense.objects.create(
                programme=world.programme,
                mentor=mentor,
                kind="fare",
                spent_on=timezone.localdate(),
                description="Bus",
                amount=Decimal("3.00"),
                status="approved",
            ),
            amount=Decimal("3.00"),
            earned_on=timezone.localdate() - timedelta(days=number),
            description="Bus",
        )
    services.waiting_lines_rebuild()  # lines made here in bulk, past the services
    services.run_create(programme=world.programme, by=world.coordinator)
    client = login_as("coordinator")
    url = reverse("payments:coordinator_pay", args=[world.programme.slug])
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200
    run = PaymentRun.objects.get()
    with django_assert_max_num_queries(25):
        client.get(reverse("payments:coordinator_run", args=[world.programme.slug, run.pk]))


# Privacy


def test_it_puts_the_mentors_money_in_download_my_data(world, login_as):
    _run(world)
    _expense_id(world)
    data = login_as("mentor").get(reverse("portal:my_data_download")).json()
    assert data["pay"][0]["amount"] == str(LedgerLine.objects.get(kind="session").amount)
    assert data["expenses"][0]["what_for"] == "Travel fares: bus, train or taxi"
    assert data["payment_choices"][0]["account_number"] == "ending 5678"
    assert data["payments"][0]["status"] == "Ready"


def test_it_deletes_bank_details_but_keeps_the_ledger_when_a_mentor_deletes_their_account(
    world,
):
    from portal.services import account_delete

    _run(world)
    services.earnings_alert_set(mentor=world.mentor, monthly_amount=Decimal("300"))
    account_delete(user=world.mentor)
    assert not PaymentPreference.objects.filter(mentor=world.mentor).exists()
    assert not hasattr(type(world.mentor).objects.get(pk=world.mentor.pk), "earnings_alert")
    assert LedgerLine.objects.filter(mentor=world.mentor).exists()


@pytest.mark.parametrize("count", [5, 60])
def test_it_keeps_the_mentors_pay_page_queries_flat(
    world, login_as, django_assert_max_num_queries, count
):
    """A year of sessions and claims, some paid: the pay page's query count does not grow."""
    _rate_card(world)
    services.preference_set(mentor=world.mentor, method="voucher")
    for number in range(count):
        expense = Expense.objects.create(
            programme=world.programme,
            mentor=world.mentor,
            kind="fare",
            spent_on=timezone.localdate() - timedelta(days=number),
            description="Bus",
            amount=Decimal("3.00"),
            status="approved",
        )
        LedgerLine.objects.create(
            programme=world.programme,
            mentor=world.mentor,
            kind="expense",
            category="expense",
            expense=expense,
            amount=expense.amount,
            earned_on=expense.spent_on,
            description="Bus",
        )
    services.waiting_lines_rebuild()  # lines made here in bulk, past the services
    services.run_create(programme=world.programme, by=world.coordinator)
    client = login_as("mentor")
    with django_assert_max_num_queries(30):
        assert client.get(reverse("payments:pay")).status_code == 200
    run = PaymentRun.objects.get()
    with django_assert_max_num_queries(20):
        assert client.get(reverse("payments:pay_run_statement", args=[run.pk])).status_code == 200


def test_it_keeps_the_pay_pages_open_to_a_mentor_who_has_left(world, login_as):
    from programmes.models import Membership

    expense_id = _expense_id(world)
    Membership.objects.filter(person=world.mentor).update(ended_at=timezone.now())
    client = login_as("mentor")
    assert client.get(reverse("payments:pay")).status_code == 200
    assert client.get(reverse("payments:expense_detail", args=[expense_id])).status_code == 200
