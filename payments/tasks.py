"""Payment tasks: each takes ids, calls a service or notify(), and is safe to run twice
(the pay-once constraints and notify()'s once-per-event constraint see to that)."""

from celery import shared_task
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from notifications.models import Kind
from notifications.services import notify
from payments.models import SYMBOLS, EarningsAlert, LedgerLine, PaymentRun, RunPayee
from payments.money import TRADING_ALLOWANCE, money, tax_year_bounds, tax_year_of
from programmes.models import Programme


@shared_task(name="payments.pay_approved_sessions")
def pay_approved_sessions(programme_id: int) -> int:
    from payments.services import approved_sessions_pay

    programme = Programme.objects.filter(pk=programme_id).first()
    return approved_sessions_pay(programme=programme) if programme else 0


@shared_task(name="payments.check_earnings")
def check_earnings(mentor_id: int) -> None:
    """Tell a mentor when this month's fees reach the alert they set, and when the tax
    year's fees reach £1,000. Once a month, and once a tax year, by the event key."""
    from accounts.models import User

    mentor = User.objects.filter(pk=mentor_id, is_active=True).first()
    if mentor is None:
        return
    today = timezone.localdate()
    fees = LedgerLine.objects.filter(mentor=mentor, category=LedgerLine.Category.FEE)
    url = reverse("payments:pay")
    with transaction.atomic():
        alert = EarningsAlert.objects.filter(mentor=mentor).first()
        if alert:
            month = fees.filter(earned_on__gte=today.replace(day=1))
            total = month.aggregate(total=Sum("amount"))["total"] or 0
            if total >= alert.monthly_amount:
                notify(
                    person=mentor,
                    kind=Kind.EARNINGS,
                    event_key=f"earnings-alert:{today:%Y-%m}",
                    title=f"Your fees this month have reached {money(alert.monthly_amount)}",
                    body=(
                        f"You asked us to tell you. So far this month: {money(total)}. "
                        "If this matters for your benefits, you may want to talk to your "
                        "coordinator before your next session."
                    ),
                    url=url,
                )
        year = tax_year_of(today)
        start, end = tax_year_bounds(year)
        in_year = fees.filter(earned_on__range=(start, end))
        year_total = in_year.aggregate(total=Sum("amount"))["total"] or 0
        if year_total >= TRADING_ALLOWANCE:
            notify(
                person=mentor,
                kind=Kind.EARNINGS,
                event_key=f"trading-allowance:{year}",
                title="Your fees this tax year have reached £1,000",
                body=(
                    "Above £1,000 a year you may need to tell HMRC and fill in a Self "
                    "Assessment tax return. Your pay page explains what to do."
                ),
                url=url,
            )


@shared_task(name="payments.tell_mentors_paid")
def tell_mentors_paid(run_id: int) -> None:
    run = PaymentRun.objects.select_related("programme").filter(pk=run_id).first()
    if run is None or run.status != PaymentRun.Status.PAID:
        return
    symbol = SYMBOLS.get(run.currency, "")
    with transaction.atomic():
        for payee in RunPayee.objects.filter(run=run, status=RunPayee.Status.PAID).select_related(
            "mentor"
        ):
            notify(
                person=payee.mentor,
                kind=Kind.PAYMENT,
                event_key=f"run:{run.pk}:payee:{payee.pk}:paid",
                title=f"{money(payee.total, symbol)} has been paid to you",
                body=(
                    f"{run.programme.name} paid you on {run.paid_on:%-d %B %Y} "
                    f"({payee.get_method_display().lower()}). Your statement shows every "
                    "session and expense it covers."
                ),
                url=reverse("payments:pay_run_statement", args=[run.pk]),
            )


@shared_task(name="payments.tell_mentor_failed")
def tell_mentor_failed(payee_id: int) -> None:
    payee = RunPayee.objects.select_related("run__programme", "mentor").filter(pk=payee_id).first()
    if payee is None or payee.status != RunPayee.Status.FAILED:
        return
    notify(
        person=payee.mentor,
        kind=Kind.PAYMENT,
        event_key=f"payee:{payee.pk}:failed",
        title="A payment to you did not go through",
        body=(
            "Please check how you want to be paid, and your bank details if you gave them. "
            "We will pay you in the next payment run."
        ),
        url=reverse("payments:payment_preference"),
    )


@shared_task(name="payments.payment_records_tidy")
def payment_records_tidy() -> dict[str, int]:
    """Daily: bank details out of runs paid long enough ago, receipts of deleted people
    that are still stored, and names out of deleted people's payments past the retention
    period. Each step is done once per row, so running it twice changes nothing more."""
    from accounts.models import User
    from payments import services

    left = User.objects.filter(deleted_at__isnull=False, expenses__receipt__gt="").distinct()
    return {
        "bank_details_dropped": services.run_bank_details_drop(),
        "receipts_deleted": sum(services.receipts_delete(person=person) for person in left),
        "payees_anonymised": services.payment_records_anonymise(),
    }


@shared_task(name="payments.delete_receipts")
def delete_receipts(person_id: int) -> int:
    """The receipt files of someone who has just deleted their account."""
    from accounts.models import User
    from payments.services import receipts_delete

    person = User.objects.filter(pk=person_id, deleted_at__isnull=False).first()
    return receipts_delete(person=person) if person else 0
