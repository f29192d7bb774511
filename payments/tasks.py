"""Payment tasks: each takes ids, calls a service, and is safe to run twice (the pay-once
constraints and notify()'s once-per-event constraint see to that)."""

from celery import shared_task
from django.db.models import Q

from accounts.models import User
from payments import services
from programmes.models import Programme


@shared_task(name="payments.pay_approved_sessions")
def pay_approved_sessions(programme_id: int) -> int:
    programme = Programme.objects.filter(pk=programme_id).first()
    return services.approved_sessions_pay(programme=programme) if programme else 0


@shared_task(name="payments.check_earnings")
def check_earnings(mentor_id: int) -> None:
    services.earnings_check(mentor_id=mentor_id)


@shared_task(name="payments.tell_mentors_paid")
def tell_mentors_paid(run_id: int) -> None:
    services.run_paid_tell(run_id=run_id)


@shared_task(name="payments.tell_mentor_failed")
def tell_mentor_failed(payee_id: int) -> None:
    services.payee_failed_tell(payee_id=payee_id)


@shared_task(name="payments.payment_records_tidy")
def payment_records_tidy() -> dict[str, int]:
    """Daily: bank details out of runs paid long enough ago, receipts of deleted people
    that are still stored, and names out of deleted people's payments past the retention
    period. Each step is done once per row, so running it twice changes nothing more."""
    left = User.objects.filter(
        Q(expenses__receipt__gt="") | Q(advances__receipt__gt=""), deleted_at__isnull=False
    ).distinct()
    return {
        "bank_details_dropped": services.run_bank_details_drop(),
        "receipts_deleted": sum(services.receipts_delete(person=person) for person in left),
        "payees_anonymised": services.payment_records_anonymise(),
    }


@shared_task(name="payments.prepare_scheduled_runs")
def prepare_scheduled_runs() -> int:
    """Hourly: prepare the payment runs programmes' schedules say are due, and tell their
    coordinators. One run per scheduled day, however often this runs."""
    return len(services.scheduled_runs_prepare())


@shared_task(name="payments.delete_receipts")
def delete_receipts(person_id: int) -> int:
    """The receipt files of someone who has just deleted their account."""
    person = User.objects.filter(pk=person_id, deleted_at__isnull=False).first()
    return services.receipts_delete(person=person) if person else 0
