"""A payee is in one finance file at most: a run not yet paid offers "take out of this run",
and "payment failed" is only for a run that finance has paid. Exports never list payees
taken out or failed, and the run page and the statistics add up the same payments."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from payments import services
from payments.models import LedgerLine, PaymentRun, RunItem, RunPayee, WaitingLine
from reporting.figures import NOW, Builder, payments
from reporting.periods import period_for
from tests.factories import MembershipFactory, UserFactory
from tests.test_payments_pages import csv_rows
from tests.test_permissions import _rate_card, _run

pytestmark = pytest.mark.django_db


def export_rows(client, world, run) -> list[list[str]]:
    url = reverse("payments:coordinator_run_export", args=[world.programme.slug, run.pk])
    return csv_rows(client.get(url))[1:]


def _second_mentor_owed(world):
    """A second mentor of North Star, owed for an approved expense, paid by bank."""
    _rate_card(world)
    mentor = UserFactory(display_name="Robin", email="robin@example.test")
    MembershipFactory(programme=world.programme, person=mentor, role="mentor")
    services.preference_set(
        mentor=mentor,
        method="bank",
        account_name="R Example",
        sort_code="112233",
        account_number="87654321",
    )
    expense = services.expense_claim(
        mentor=mentor,
        programme=world.programme,
        kind="fare",
        spent_on=timezone.localdate(),
        description="Bus",
        amount=Decimal("4.20"),
    )
    services.expense_approve(expense=expense, by=world.coordinator)
    return mentor


def _mark_paid(run, world):
    assert services.run_mark_paid(run=run, by=world.coordinator, paid_on=timezone.localdate())
    run.refresh_from_db()


def test_it_never_puts_a_failed_payee_in_two_finance_files(world, login_as):
    """The reproduction: "payment failed" on a run not yet paid sent the lines to the next
    run while the first run's file still listed them, so finance paid Sam twice."""
    run = _run(world)
    payee = run.payees.get()
    client = login_as("coordinator")
    client.post(
        reverse("payments:coordinator_payee_fail", args=[world.programme.slug, payee.pk]),
        {"reason": "Account closed"},
    )
    client.post(reverse("payments:coordinator_run_new", args=[world.programme.slug]))
    rows = [row for r in PaymentRun.objects.all() for row in export_rows(client, world, r)]
    assert [row[2] for row in rows].count("Sam") == 1


def test_it_refuses_payment_failed_on_a_run_not_yet_paid(world, login_as):
    run = _run(world)
    payee = run.payees.get()
    url = reverse("payments:coordinator_payee_fail", args=[world.programme.slug, payee.pk])
    client = login_as("coordinator")
    page = client.get(url).content.decode()
    assert "has not been paid yet" in page
    assert (
        reverse("payments:coordinator_payee_remove", args=[world.programme.slug, payee.pk]) in page
    )
    client.post(url, {"reason": "Account closed"})
    payee.refresh_from_db()
    assert payee.status == RunPayee.Status.READY
    assert not WaitingLine.objects.exists()


def test_it_takes_a_payee_out_of_a_run_not_yet_paid_and_pays_them_in_the_next(world, login_as):
    run = _run(world)
    payee = run.payees.get()
    lines = set(run.items.values_list("line", flat=True))
    client = login_as("coordinator")
    response = client.post(
        reverse("payments:coordinator_payee_remove", args=[world.programme.slug, payee.pk]),
        {"reason": "Sam asked us to hold this payment"},
    )
    assert response["Location"] == reverse(
        "payments:coordinator_run", args=[world.programme.slug, run.pk]
    )
    payee.refresh_from_db()
    assert payee.status == RunPayee.Status.REMOVED
    assert payee.removed_reason == "Sam asked us to hold this payment"
    assert set(run.items.values_list("status", flat=True)) == {RunItem.Status.REMOVED}
    # Back on the waiting list, and shown as waiting, not "on its way".
    assert set(WaitingLine.objects.values_list("line", flat=True)) == lines
    assert LedgerLine.objects.filter(pk__in=lines).unpaid().count() == len(lines)
    event = AuditEvent.objects.get(action=AuditEvent.Action.PAYMENT_REMOVED)
    assert event.actor == world.coordinator
    assert event.new_values["reason"] == "Sam asked us to hold this payment"
    assert export_rows(client, world, run) == []
    client.post(reverse("payments:coordinator_run_new", args=[world.programme.slug]))
    second = PaymentRun.objects.exclude(pk=run.pk).get()
    assert set(second.items.values_list("line", flat=True)) == lines
    assert [row[2] for row in export_rows(client, world, second)] == ["Sam"]


def test_it_needs_a_reason_to_take_a_payee_out(world, login_as):
    run = _run(world)
    payee = run.payees.get()
    response = login_as("coordinator").post(
        reverse("payments:coordinator_payee_remove", args=[world.programme.slug, payee.pk]),
        {"reason": "  "},
    )
    assert response.status_code == 200
    assert "Enter a reason" in response.content.decode()
    payee.refresh_from_db()
    assert payee.status == RunPayee.Status.READY


def test_it_only_takes_payees_out_of_a_run_not_yet_paid(world):
    run = _run(world)
    _mark_paid(run, world)
    payee = run.payees.get()
    with pytest.raises(Exception, match="already been paid"):
        services.run_payee_remove(payee=payee, by=world.coordinator, reason="Hold")
    payee.refresh_from_db()
    assert payee.status == RunPayee.Status.PAID


def test_it_leaves_a_failed_payment_out_of_the_finance_file_of_a_paid_run(world, login_as):
    run = _run(world)
    _mark_paid(run, world)
    payee = run.payees.get()
    client = login_as("coordinator")
    assert [row[2] for row in export_rows(client, world, run)] == ["Sam"]
    client.post(
        reverse("payments:coordinator_payee_fail", args=[world.programme.slug, payee.pk]),
        {"reason": "Account closed"},
    )
    payee.refresh_from_db()
    assert payee.status == RunPayee.Status.FAILED
    assert export_rows(client, world, run) == []


def test_it_adds_up_the_same_payments_on_the_run_page_and_in_the_statistics(world, login_as):
    _second_mentor_owed(world)
    run = _run(world)
    sam = run.payees.get(mentor=world.mentor)
    robin = run.payees.exclude(mentor=world.mentor).get()
    services.run_payee_remove(payee=robin, by=world.coordinator, reason="Hold")
    _mark_paid(run, world)
    client = login_as("coordinator")
    page = client.get(
        reverse("payments:coordinator_run", args=[world.programme.slug, run.pk])
    ).content.decode()
    assert f"£{sam.total}" in page and f"£{sam.total + robin.total}" not in page
    period, before = period_for("month", timezone.localdate())
    section = payments([world.programme.pk], Builder(period, before))
    assert section.sheet.cells[("fees", NOW)].value + section.sheet.cells[
        ("expenses", NOW)
    ].value == (sam.total)
    assert sum(p.total for p in RunPayee.objects.paid().filter(run=run)) == sam.total
    # A payment that bounces after the run was paid is out of both too.
    services.run_payee_fail(payee=sam, by=world.coordinator, reason="Account closed")
    section = payments([world.programme.pk], Builder(period, before))
    assert not section.sheet.cells[("fees", NOW)].value
    page = client.get(
        reverse("payments:coordinator_run", args=[world.programme.slug, run.pk])
    ).content.decode()
    assert "Total paid<strong>£0.00</strong>" in page


def test_it_asks_a_coordinator_to_tell_finance_before_taking_a_payment_out_of_an_exported_run(
    world, login_as
):
    """Finance may already hold the file that lists this payment. Taking it out and paying
    it again in the next run would pay twice unless finance is told: the coordinator says
    they have told them before it is taken out."""
    run = _run(world)
    client = login_as("coordinator")
    export_rows(client, world, run)
    payee = run.payees.get()
    url = reverse("payments:coordinator_payee_remove", args=[world.programme.slug, payee.pk])
    refused = client.post(url, {"reason": "Asked us to hold it"})
    assert refused.status_code == 200
    assert "Tick this once you have told finance" in refused.content.decode()
    payee.refresh_from_db()
    assert payee.status == RunPayee.Status.READY

    done = client.post(url, {"reason": "Asked us to hold it", "finance_told": "on"})
    assert done.status_code == 302
    payee.refresh_from_db()
    assert payee.status == RunPayee.Status.REMOVED
    event = AuditEvent.objects.get(action=AuditEvent.Action.PAYMENT_REMOVED)
    assert event.new_values["finance_told"] is True


def test_it_asks_nothing_of_finance_before_a_run_is_exported(world, login_as):
    run = _run(world)
    client = login_as("coordinator")
    payee = run.payees.get()
    url = reverse("payments:coordinator_payee_remove", args=[world.programme.slug, payee.pk])
    page = client.get(url).content.decode()
    assert "finance_told" not in page
    assert client.post(url, {"reason": "Asked us to hold it"}).status_code == 302
