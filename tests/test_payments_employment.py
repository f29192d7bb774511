"""The organisation's decision on how each mentor is paid: a volunteer (expenses only), a fee
as a self-employed person, or a worker through payroll. A dated log; runs, the finance files
and the mentor's pay page all read the decision in force."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import AuditEvent
from notifications.models import Kind, Notification
from payments import services
from payments.exports import PAYROLL_COLUMNS, RUN_COLUMNS, payroll_csv, run_csv
from payments.models import (
    PAYROLL,
    EmploymentDecision,
    EmploymentStatus,
    Expense,
    LedgerLine,
    RateCard,
    RunItem,
)
from payments.selectors import (
    employment_status_current,
    volunteer_fees_waiting,
    waiting_by_mentor,
)
from tests.payments_support import approved_session, paid_by_bank, rate_card

pytestmark = pytest.mark.django_db


def decide(w, status, *, mentor=None, by=None, days_ago=0, note=""):
    return services.employment_status_record(
        mentor=mentor or w.mentor,
        programme=w.programme,
        status=status,
        decided_on=timezone.localdate() - timedelta(days=days_ago),
        by=by or w.coordinator,
        note=note,
    )


def approved_claim(w, amount="6.40"):
    expense = services.expense_claim(
        mentor=w.mentor,
        programme=w.programme,
        kind="fare",
        spent_on=timezone.localdate() - timedelta(days=1),
        description="Bus to the family centre",
        amount=Decimal(amount),
    )
    services.expense_approve(expense=expense, by=w.coordinator)
    return expense


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def sessions_and_a_claim(w):
    """Sam, paid by bank: an approved hour's session with 30 minutes' preparation (£30.00
    of fees, two lines) and a £6.40 fare."""
    rate_card(w, preparation_minutes=30)
    paid_by_bank(w.mentor)
    approved_session(w)
    approved_claim(w)


# The log


def test_it_keeps_every_decision_and_reads_the_latest(world):
    first = decide(world, EmploymentStatus.SELF_EMPLOYED, days_ago=30)
    second = decide(world, EmploymentStatus.PAYROLL, days_ago=2, note="Payroll panel")
    assert employment_status_current(world.mentor, world.organisation) == second
    assert list(EmploymentDecision.objects.filter(mentor=world.mentor)) == [second, first]
    assert second.decided_by == world.coordinator and second.note == "Payroll panel"
    event = AuditEvent.objects.get(action=AuditEvent.Action.EMPLOYMENT_STATUS_RECORDED,
                                   object_id=str(second.pk))  # fmt: skip
    assert event.actor == world.coordinator and event.new_values["status"] == "payroll"


def test_it_tells_the_mentor_in_plain_words_always_by_email(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decide(world, EmploymentStatus.PAYROLL)
    assert [mail.to for mail in mailoutbox] == [[world.mentor.email]]
    assert "pays your fees through its payroll" in mailoutbox[0].body
    told = Notification.objects.get(person=world.mentor, kind=Kind.PAYMENT_DETAILS)
    assert told.title == "Test Council has recorded how it pays you"
    assert "pays your fees through its payroll, as a worker" in told.body
    assert told.url == reverse("payments:pay")


def test_it_refuses_a_decision_about_your_own_pay_or_someone_outside_the_programme(world):
    from programmes.services import membership_add

    membership_add(programme=world.programme, person=world.coordinator, role="mentor", by=None)
    with pytest.raises(PermissionDenied):
        decide(world, EmploymentStatus.PAYROLL, mentor=world.coordinator)
    with pytest.raises(PermissionDenied):
        decide(world, EmploymentStatus.PAYROLL, mentor=world.other_mentor)
    with pytest.raises(PermissionDenied):
        decide(world, EmploymentStatus.PAYROLL, by=world.other_coordinator)
    # The administrator records Jo's decision instead.
    decide(world, EmploymentStatus.PAYROLL, mentor=world.coordinator, by=world.administrator)
    assert EmploymentDecision.objects.filter(mentor=world.coordinator).count() == 1


def test_it_refuses_a_decision_dated_in_the_future_or_of_an_unknown_kind(world):
    with pytest.raises(ValidationError) as error:
        decide(world, EmploymentStatus.VOLUNTEER, days_ago=-1)
    assert "cannot be in the future" in str(error.value)
    with pytest.raises(ValidationError):
        decide(world, "contractor")
    assert not EmploymentDecision.objects.exists()


# Runs and the finance files


def test_it_pays_a_volunteer_expenses_only_and_keeps_their_fees_waiting(world):
    sessions_and_a_claim(world)
    decide(world, EmploymentStatus.VOLUNTEER)
    waiting = volunteer_fees_waiting(world.programme)
    assert [(row["name"], row["total"], row["lines"]) for row in waiting] == [
        ("Sam", Decimal("30.00"), 2)
    ]

    run = services.run_create(programme=world.programme, by=world.coordinator)

    payee = run.payees.get()
    assert (payee.method, payee.fees, payee.expenses) == ("bank", Decimal("0.00"), Decimal("6.40"))
    assert payee.employment_status == EmploymentStatus.VOLUNTEER
    fees = LedgerLine.objects.filter(mentor=world.mentor, category="fee")
    assert fees.count() == 2 and set(fees.unpaid()) == set(fees)  # the ledger keeps them
    assert volunteer_fees_waiting(world.programme) == waiting
    # The decision changes: the next run pays the fees that waited.
    decide(world, EmploymentStatus.SELF_EMPLOYED)
    assert volunteer_fees_waiting(world.programme) == []
    later = services.run_create(programme=world.programme, by=world.coordinator)
    assert later.payees.get().fees == Decimal("30.00")


def test_it_tells_the_coordinator_which_volunteers_fees_wait(world, login_as):
    sessions_and_a_claim(world)
    decide(world, EmploymentStatus.VOLUNTEER)
    run = services.run_create(programme=world.programme, by=world.coordinator)
    client = login_as("coordinator")
    pay = client.get(reverse("payments:coordinator_pay", args=["north"])).content.decode()
    assert "1 volunteer has fees waiting" in pay
    assert "runs leave their fees waiting until the decision changes" in pay
    page = client.get(reverse("payments:coordinator_run", args=["north", run.pk]))
    text = page.content.decode()
    assert "Fees waiting for volunteers" in text and "Sam</a> (£30.00)" in text
    assert waiting_by_mentor(world.programme)[0].total == Decimal("30.00")


def test_it_splits_payroll_fees_into_their_own_file(world):
    sessions_and_a_claim(world)
    decide(world, EmploymentStatus.PAYROLL)

    run = services.run_create(programme=world.programme, by=world.coordinator)

    by_method = {payee.method: payee for payee in run.payees.all()}
    assert set(by_method) == {PAYROLL, "bank"}
    assert (by_method[PAYROLL].fees, by_method[PAYROLL].expenses) == (Decimal("30.00"), 0)
    assert (by_method["bank"].fees, by_method["bank"].expenses) == (0, Decimal("6.40"))
    payments = rows(run_csv(run))
    assert [row["Payment method"] for row in payments] == ["Bank transfer"]
    assert payments[0]["Employment status"] == "Worker: fees paid through payroll"
    assert payments[0]["Fees"] == "0.00" and payments[0]["Total"] == "6.40"
    payroll = rows(payroll_csv(run))
    assert payroll == [
        {
            "Payroll reference": by_method[PAYROLL].reference,
            "Run": run.reference,
            "Mentor": "Sam",
            "Employment status": "Worker: fees paid through payroll",
            "Fees before tax": "30.00",
            "Currency": "GBP",
        }
    ]
    # Every line is in the run once, paid when the run is paid, whichever file it is in.
    assert RunItem.objects.filter(run=run).count() == 3
    # The money in the two files adds up to what the run pays.
    assert sum(Decimal(r["Total"]) for r in payments) + sum(
        Decimal(r["Fees before tax"]) for r in payroll
    ) == Decimal("36.40")


def test_it_gives_the_same_bytes_for_each_file_every_time(world, login_as):
    sessions_and_a_claim(world)
    decide(world, EmploymentStatus.PAYROLL)
    run = services.run_create(programme=world.programme, by=world.coordinator)
    client = login_as("coordinator")
    urls = [
        reverse("payments:coordinator_run_export", args=["north", run.pk]),
        reverse("payments:coordinator_run_payroll_export", args=["north", run.pk]),
    ]
    first = [client.get(url).content for url in urls]
    # A later decision and a new choice change nothing in a run already made.
    decide(world, EmploymentStatus.VOLUNTEER)
    paid_by_bank(world.mentor, account_number="87654321")
    assert [client.get(url).content for url in urls] == first
    assert first[0].decode("utf-8-sig").splitlines()[0] == ",".join(RUN_COLUMNS)
    assert first[1].decode("utf-8-sig").splitlines()[0] == ",".join(PAYROLL_COLUMNS)
    exports = AuditEvent.objects.filter(action=AuditEvent.Action.PAYMENT_RUN_EXPORTED)
    assert sorted(e.new_values.get("file", "payments") for e in exports) == [
        "payments",
        "payments",
        "payroll",
        "payroll",
    ]


def test_it_shows_the_payroll_file_only_when_the_run_has_payroll_fees(world, login_as):
    sessions_and_a_claim(world)
    run = services.run_create(programme=world.programme, by=world.coordinator)
    client = login_as("coordinator")
    page = client.get(reverse("payments:coordinator_run", args=["north", run.pk])).content
    assert b"Export payments for finance (CSV)" in page
    assert b"Export fees for payroll" not in page
    assert rows(run_csv(run))[0]["Employment status"] == "Not recorded"
    assert rows(payroll_csv(run)) == []
    decide(world, EmploymentStatus.PAYROLL)
    approved_session(world, starts_at=timezone.now() - timedelta(days=1))
    second = services.run_create(programme=world.programme, by=world.coordinator)
    page = client.get(reverse("payments:coordinator_run", args=["north", second.pk])).content
    assert b"Export fees for payroll (CSV)" in page


def test_it_repays_a_volunteers_expenses_even_with_no_fees_at_all(world):
    rate_card(world)
    paid_by_bank(world.mentor, method="none")
    decide(world, EmploymentStatus.VOLUNTEER)
    approved_session(world)
    approved_claim(world, "3.20")
    run = services.run_create(programme=world.programme, by=world.coordinator)
    assert [(p.method, p.total) for p in run.payees.all()] == [("bank", Decimal("3.20"))]
    assert Expense.objects.get().status == "approved"


# Pages


def test_it_shows_the_mentor_the_decision_in_plain_words(world, login_as):
    rate_card(world)
    client = login_as("mentor")
    assert b"How you are paid, for tax" not in client.get(reverse("payments:pay")).content
    for status, words in [
        (EmploymentStatus.VOLUNTEER, "Test Council has decided you take part as a volunteer."),
        (EmploymentStatus.SELF_EMPLOYED, "Test Council pays you a fee as a self-employed person."),
        (EmploymentStatus.PAYROLL, "Test Council pays your fees through its payroll, as a worker."),
    ]:
        decide(world, status, days_ago=3)
        page = client.get(reverse("payments:pay")).content.decode()
        assert "How you are paid, for tax" in page
        assert words in page
        day = timezone.localdate() - timedelta(days=3)
        assert f"Test Council decided this on {day:%-d %B %Y}" in page


def test_it_lets_a_coordinator_record_a_decision_and_see_the_log(world, login_as):
    client = login_as("coordinator")
    url = reverse("payments:coordinator_employment_status", args=["north", world.mentor.pk])
    page = client.get(url).content.decode()
    assert "No decision is recorded yet" in page
    day = timezone.localdate() - timedelta(days=5)
    response = client.post(
        url, {"status": "payroll", "decided_on": day.isoformat(), "note": "HR panel"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "payments:coordinator_mentor_pay", args=["north", world.mentor.pk]
    )
    decision = EmploymentDecision.objects.get()
    assert (decision.status, decision.decided_on, decision.decided_by) == (
        "payroll",
        day,
        world.coordinator,
    )
    page = client.get(url).content.decode()
    assert "In force: <strong>Worker: fees paid through payroll</strong>" in page
    assert "HR panel" in page
    mentor_pay = client.get(
        reverse("payments:coordinator_mentor_pay", args=["north", world.mentor.pk])
    ).content.decode()
    assert "Worker: fees paid through payroll, decided on" in mentor_pay


def test_it_keeps_what_was_typed_when_the_decision_is_refused(world, login_as):
    client = login_as("coordinator")
    url = reverse("payments:coordinator_employment_status", args=["north", world.mentor.pk])
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(url, {"status": "volunteer", "decided_on": future, "note": "Kept"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The date of the decision cannot be in the future." in page
    assert 'value="Kept"' in page and f'value="{future}"' in page
    assert not EmploymentDecision.objects.exists()


def test_it_answers_404_for_a_mentor_of_another_programme(world, login_as):
    client = login_as("coordinator")
    url = reverse("payments:coordinator_employment_status", args=["north", world.other_mentor.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"status": "payroll"}).status_code == 404
    assert not EmploymentDecision.objects.exists()


def test_it_shows_a_coordinator_who_mentors_who_decides_about_their_pay(world, login_as):
    from programmes.services import membership_add

    membership_add(programme=world.programme, person=world.coordinator, role="mentor", by=None)
    client = login_as("coordinator")
    url = reverse("payments:coordinator_employment_status", args=["north", world.coordinator.pk])
    page = client.get(url).content.decode()
    assert (
        "This decision is about your own pay, so another coordinator or an administrator "
        "records it." in page
    )
    assert "Record the decision</button>" not in page


def test_it_keeps_the_decision_but_not_the_note_when_the_mentor_deletes_their_account(world):
    from portal.services import account_delete

    decide(world, EmploymentStatus.PAYROLL, note="Decided by Jo Bloggs at panel")
    account_delete(user=world.mentor)
    decision = EmploymentDecision.objects.get()
    assert decision.status == "payroll" and decision.note == ""


# Whatever the decision and the choice: each line is paid once, in one file


class _Undo(Exception):
    """Raised to roll back one example's data."""


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    status=st.sampled_from([None, *EmploymentStatus.values]),
    method=st.sampled_from(["bank", "voucher", "reduced", "charity", "none"]),
    sessions=st.integers(min_value=0, max_value=2),
    claims=st.lists(st.sampled_from(["1.00", "6.40", "12.35"]), max_size=2),
)
def test_it_pays_every_line_once_in_the_right_file_whatever_was_decided(
    world, status, method, sessions, claims
):
    try:
        with transaction.atomic():
            _one_example(world, status, method, sessions, claims)
            raise _Undo
    except _Undo:
        pass


def _one_example(world, status, method, sessions, claims):
    if not RateCard.objects.filter(programme=world.programme).exists():
        rate_card(world)
    details = {"reduced_percent": 50} if method == "reduced" else {}
    details |= {"charity_name": "Become"} if method == "charity" else {}
    paid_by_bank(world.mentor, method=method, **details)
    if status:
        decide(world, status)
    for day in range(sessions):
        approved_session(world, starts_at=timezone.now() - timedelta(days=2 + day))
    for amount in claims:
        approved_claim(world, amount)
    waiting = set(LedgerLine.objects.filter(mentor=world.mentor).unpaid())
    try:
        run = services.run_create(programme=world.programme, by=world.coordinator)
    except ValidationError:
        run = None
    paid = set(LedgerLine.objects.filter(run_items__run=run)) if run else set()
    fees_paid = {line for line in paid if line.category == "fee"}
    # Nothing is paid twice, and nothing that was not waiting.
    assert paid <= waiting
    assert RunItem.objects.filter(line__in=paid).count() == len(paid)
    # Expenses are always repaid (by bank, or vouchers for a voucher choice).
    assert {line for line in waiting if line.category == "expense"} <= paid
    if status == EmploymentStatus.VOLUNTEER:
        assert not fees_paid  # a volunteer's fees wait
    else:
        assert fees_paid == {line for line in waiting if line.category == "fee"}
    if run is None:
        return  # nothing to pay (no lines, or only a volunteer's fees): checked above
    payees = list(run.payees.all())
    assert (PAYROLL in {p.method for p in payees}) == (
        status == EmploymentStatus.PAYROLL and bool(fees_paid)
    )
    for payee in payees:
        items = [item.line for item in payee.items.all()]
        assert payee.total == sum((line.amount for line in items), Decimal("0.00"))
        assert payee.employment_status == (status or "")
    # The two files together pay exactly the run's lines.
    in_files = sum(Decimal(row["Total"]) for row in rows(run_csv(run))) + sum(
        Decimal(row["Fees before tax"]) for row in rows(payroll_csv(run))
    )
    assert in_files == sum((line.amount for line in paid), Decimal("0.00"))
