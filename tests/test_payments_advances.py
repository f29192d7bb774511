"""Nobody out of pocket: advances paid before the mentor spends and settled against the
receipt afterwards, and what the programme bought for a mentor (recorded, never paid to
them). Runs on SQLite and PostgreSQL (the concurrent settlements are in
tests/test_payments_races.py)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from core.choices import Role
from notifications.models import Notification
from payments import services
from payments.exports import run_csv
from payments.models import Advance, LedgerLine, Purchase, RunPayee
from payments.money import pence, settlement_difference, tax_year_of
from payments.receipts import receipt_check
from payments.selectors import tax_year_statement
from portal.services import account_delete
from tests.factories import MembershipFactory, receipt_upload
from tests.pages import table_rows
from tests.payments_support import approved_session, paid_by_bank, rate_card

AMOUNTS = st.decimals(
    min_value=Decimal("0.00"), max_value=Decimal("10000.00"), places=2, allow_nan=False
)


@given(advanced=AMOUNTS.filter(lambda amount: amount > 0), spent=AMOUNTS)
def test_it_makes_the_advance_and_the_settlement_add_up_to_what_was_spent(advanced, spent):
    difference = settlement_difference(advanced=advanced, spent=spent)
    assert advanced + difference == spent
    assert difference == pence(difference)
    assert (difference > 0) == (spent > advanced)
    assert (difference < 0) == (spent < advanced)
    # Never more owed back than was advanced.
    assert -difference <= advanced


def ask(w, *, amount="25.00", kind="fare", needed_on=None, mentor=None) -> Advance:
    return services.advance_ask(
        mentor=mentor or w.mentor,
        programme=w.programme,
        kind=kind,
        needed_on=needed_on or timezone.localdate(),
        description="Train to the family centre and back",
        amount=Decimal(amount),
    )


def approved(w, **details) -> Advance:
    advance = ask(w, **details)
    assert services.advance_approve(advance=advance, by=w.coordinator)
    return advance


def settle(w, advance, spent: str, *, receipt=True) -> LedgerLine:
    upload = receipt_upload() if receipt else None
    return services.advance_settle(
        advance=advance,
        by=w.mentor,
        spent=Decimal(spent),
        spent_on=timezone.localdate(),
        receipt=upload,
        receipt_type=receipt_check(upload) if upload else None,
    )


def lines_of(advance) -> dict[str, Decimal]:
    return {line.kind: line.amount for line in LedgerLine.objects.filter(advance=advance)}


@pytest.mark.parametrize(
    ("spent", "settlement"),
    [("31.40", "6.40"), ("22.40", "-2.60"), ("25.00", "0.00"), ("0.00", "-25.00")],
)
def test_it_pays_an_advance_first_and_settles_the_difference_against_the_receipt(
    world, spent, settlement
):
    rate_card(world)
    advance = approved(world)
    assert lines_of(advance) == {"advance": Decimal("25.00")}

    line = settle(world, advance, spent, receipt=Decimal(spent) > 0)

    advance.refresh_from_db()
    assert advance.status == Advance.Status.SETTLED
    assert advance.spent == Decimal(spent)
    assert line.amount == Decimal(settlement)
    assert line.category == LedgerLine.Category.EXPENSE
    assert lines_of(advance) == {"advance": Decimal("25.00"), "settlement": Decimal(settlement)}
    assert sum(lines_of(advance).values()) == Decimal(spent)


def test_it_settles_an_advance_once(world):
    rate_card(world)
    advance = approved(world)
    settle(world, advance, "20.00")

    with pytest.raises(ValidationError, match="already been settled"):
        settle(world, Advance.objects.get(pk=advance.pk), "30.00")
    # A stale copy still saying "approved" meets the conditional update, and the database.
    with pytest.raises(ValidationError, match="already been settled"):
        settle(world, advance, "30.00")
    assert lines_of(advance) == {"advance": Decimal("25.00"), "settlement": Decimal("-5.00")}


def test_it_takes_what_was_not_spent_off_the_next_payment(world):
    rate_card(world)
    paid_by_bank(world.mentor)
    advance = approved(world)
    first = services.run_create(programme=world.programme, by=world.coordinator)
    assert first.payees.get().total == Decimal("25.00")  # paid before the session

    settle(world, advance, "22.40")
    with pytest.raises(ValidationError):
        # £2.60 owed back and nothing else waiting: nobody is paid a negative amount.
        services.run_create(programme=world.programme, by=world.coordinator)
    approved_session(world)  # £20 + £10 preparation
    second = services.run_create(programme=world.programme, by=world.coordinator)

    payees = {payee.method: payee for payee in RunPayee.objects.filter(run=second)}
    assert payees["bank"].total == Decimal("27.40")
    assert payees["bank"].expenses == Decimal("-2.60")
    assert not LedgerLine.objects.filter(mentor=world.mentor).unpaid().exists()


def test_it_needs_the_receipt_the_programme_asks_for(world):
    rate_card(world, receipt_needed_over=Decimal("10.00"))
    advance = approved(world)

    with pytest.raises(ValidationError) as refused:
        settle(world, advance, "24.00", receipt=False)

    assert "receipt" in refused.value.message_dict
    assert Advance.objects.get(pk=advance.pk).status == Advance.Status.APPROVED
    settle(world, advance, "8.00", receipt=False)  # under the limit: no receipt needed


@pytest.mark.parametrize(
    ("details", "field"),
    [
        ({"kind": "mileage"}, "kind"),
        ({"needed_on": "yesterday"}, "needed_on"),
        ({"amount": "0.00"}, "amount"),
        ({"amount": "10000.01"}, "amount"),
        ({"amount": "3.333"}, "amount"),
    ],
)
def test_it_refuses_an_advance_it_cannot_pay(world, details, field):
    rate_card(world)
    if details.get("needed_on") == "yesterday":
        details["needed_on"] = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        ask(world, **details)
    assert field in refused.value.message_dict
    assert not Advance.objects.exists()


def test_it_never_lets_anyone_decide_their_own_advance_or_settle_anothers(world):
    rate_card(world)
    MembershipFactory(programme=world.programme, person=world.coordinator, role=Role.MENTOR)
    own = ask(world, mentor=world.coordinator)
    with pytest.raises(PermissionDenied):
        services.advance_approve(advance=own, by=world.coordinator)
    with pytest.raises(PermissionDenied):
        services.advance_approve(advance=own, by=world.other_coordinator)
    advance = approved(world)
    with pytest.raises(PermissionDenied):
        services.advance_settle(
            advance=advance,
            by=world.coordinator,
            spent=Decimal("1.00"),
            spent_on=timezone.localdate(),
        )
    assert services.advance_approve(advance=own, by=world.administrator)
    assert not services.advance_approve(advance=own, by=world.administrator)
    assert LedgerLine.objects.filter(advance=own).count() == 1


def test_it_tells_the_mentor_why_an_advance_was_not_approved(world):
    rate_card(world)
    advance = ask(world)
    with pytest.raises(ValidationError):
        services.advance_reject(advance=advance, by=world.coordinator, reason="  ")

    assert services.advance_reject(
        advance=advance, by=world.coordinator, reason="We will book the train for you."
    )

    told = Notification.objects.get(person=world.mentor, kind="payment")
    assert "We will book the train for you." in told.body
    assert not LedgerLine.objects.filter(advance=advance).exists()
    with pytest.raises(ValidationError):
        settle(world, Advance.objects.get(pk=advance.pk), "10.00")


def test_it_asks_approves_and_settles_through_the_pages(world, login_as):
    rate_card(world)
    paid_by_bank(world.mentor)
    client = login_as("mentor")
    response = client.post(
        reverse("payments:advance_new"),
        {
            "programme": world.programme.pk,
            "kind": "childcare",
            "needed_on": timezone.localdate().isoformat(),
            "description": "Childminder while we meet",
            "amount": "18.00",
        },
    )
    advance = Advance.objects.get()
    assert response["Location"] == reverse("payments:advance_detail", args=[advance.pk])

    coordinator = login_as("coordinator")
    page = coordinator.get(reverse("payments:coordinator_pay", args=["north"]))
    assert "Advances to decide" in page.content.decode()
    coordinator.post(reverse("payments:coordinator_advance_approve", args=["north", advance.pk]))
    assert Advance.objects.get().status == Advance.Status.APPROVED

    client = login_as("mentor")
    detail = client.get(reverse("payments:advance_detail", args=[advance.pk]))
    assert "Settle the advance" in detail.content.decode()
    response = client.post(
        reverse("payments:advance_detail", args=[advance.pk]),
        {
            "spent": "21.00",
            "spent_on": timezone.localdate().isoformat(),
            "receipt": receipt_upload(),
        },
        follow=True,
    )
    assert "You spent £3.00 more than the advance" in response.content.decode()
    assert Advance.objects.get().receipt
    receipt = client.get(reverse("payments:advance_receipt", args=[advance.pk]))
    assert receipt.status_code == 200
    assert receipt["Content-Type"] == "image/png"
    assert lines_of(advance) == {"advance": Decimal("18.00"), "settlement": Decimal("3.00")}


def test_it_keeps_the_settle_form_filled_in_when_something_is_wrong(world, login_as):
    rate_card(world, receipt_needed_over=Decimal("5.00"))
    advance = approved(world)
    response = login_as("mentor").post(
        reverse("payments:advance_detail", args=[advance.pk]),
        {"spent": "19.99", "spent_on": timezone.localdate().isoformat()},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Add a photo or PDF of your receipt" in content
    assert 'value="19.99"' in content
    assert Advance.objects.get().status == Advance.Status.APPROVED


# Bought for a mentor: recorded and shown, never paid to them


def test_it_records_what_was_bought_for_a_mentor_and_never_pays_it_to_them(world, login_as):
    rate_card(world)
    paid_by_bank(world.mentor)
    approved_session(world)
    coordinator = login_as("coordinator")
    response = coordinator.post(
        reverse("payments:coordinator_purchase_new", args=["north", world.mentor.pk]),
        {
            "kind": "fare",
            "bought_on": timezone.localdate().isoformat(),
            "description": "Train ticket to the panel in Leeds",
            "amount": "42.50",
        },
    )
    assert response.status_code == 302
    purchase = Purchase.objects.get()
    assert purchase.recorded_by == world.coordinator

    # Not on the ledger: the run pays the session only, and the finance file does not list it.
    assert not LedgerLine.objects.filter(amount=Decimal("42.50")).exists()
    run = services.run_create(programme=world.programme, by=world.coordinator)
    assert run.payees.get().total == Decimal("30.00")
    assert "42.50" not in run_csv(run)
    statement = tax_year_statement(world.mentor, tax_year_of(timezone.localdate()))
    assert statement.expenses == Decimal("0.00")

    page = login_as("mentor").get(reverse("payments:pay")).content.decode()
    rows = table_rows(page, "What your programme bought for you")
    assert rows == {
        timezone.localdate().strftime("%-d %b %Y"): [
            "Travel fares: bus, train or taxi",
            "Train ticket to the panel in Leeds",
            "£42.50",
        ]
    }
    assert "They are not paid to you, and they are not income." in page


def test_it_never_lets_a_coordinator_record_a_purchase_for_themself(world):
    rate_card(world)
    MembershipFactory(programme=world.programme, person=world.coordinator, role=Role.MENTOR)
    with pytest.raises(PermissionDenied):
        services.purchase_record(
            programme=world.programme,
            mentor=world.coordinator,
            by=world.coordinator,
            kind="fare",
            bought_on=timezone.localdate(),
            description="Train",
            amount=Decimal("10.00"),
        )
    with pytest.raises(PermissionDenied):
        services.purchase_record(
            programme=world.programme,
            mentor=world.mentor,
            by=world.other_coordinator,
            kind="fare",
            bought_on=timezone.localdate(),
            description="Train",
            amount=Decimal("10.00"),
        )
    assert not Purchase.objects.exists()


def test_it_clears_what_was_written_about_advances_and_purchases_with_the_account(
    world, django_capture_on_commit_callbacks
):
    rate_card(world)
    advance = approved(world)
    settle(world, advance, "20.00")
    services.purchase_record(
        programme=world.programme,
        mentor=world.mentor,
        by=world.coordinator,
        kind="childcare",
        bought_on=timezone.localdate(),
        description="Little Acorns, two hours",
        amount=Decimal("18.00"),
    )
    stored = Advance.objects.get().receipt.name

    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=world.mentor)

    advance = Advance.objects.get()
    assert advance.description == ""
    assert advance.receipt == ""
    assert not advance.receipt.storage.exists(stored)
    assert Purchase.objects.get().description == ""
    assert advance.amount == Decimal("25.00")  # what was paid stays


def test_it_tells_a_coordinator_who_mentors_that_someone_else_decides_their_advance(
    world, login_as
):
    rate_card(world)
    MembershipFactory(programme=world.programme, person=world.coordinator, role=Role.MENTOR)
    own = ask(world, mentor=world.coordinator)
    client = login_as("coordinator")
    sentence = "This advance is yours, so another coordinator or an administrator decides it."

    queue = client.get(reverse("payments:coordinator_pay", args=["north"])).content.decode()
    page = client.get(reverse("payments:coordinator_advance", args=["north", own.pk]))

    assert sentence in queue
    assert sentence in page.content.decode()
    assert "Approve £25.00" not in page.content.decode()
