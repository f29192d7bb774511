"""What payments hold about a person (see portal/privacy.py for how every app's privacy
module is composed)."""

from accounts.models import User
from payments import selectors, services
from payments.models import (
    BenefitsSettings,
    EarningsAlert,
    EmploymentDecision,
    PaymentPreference,
)


def export(user: User) -> dict:
    return selectors.personal_data(user)


def erase(user: User) -> None:
    """Bank details, the earnings alert, what they told us about their benefits, receipts
    and what they wrote about expenses go, as do coordinators' notes on how the organisation
    decided to pay them; what they were paid, and under which decision, stays (the law says
    payment records are kept), under the anonymised account, until
    services.payment_records_anonymise. Receipt files are deleted only once the deletion
    commits."""
    PaymentPreference.objects.filter(mentor=user).delete()
    EarningsAlert.objects.filter(mentor=user).delete()
    BenefitsSettings.objects.filter(mentor=user).delete()
    EmploymentDecision.objects.filter(mentor=user).exclude(note="").update(note="")
    services.expenses_of_deleted_person_clear(person=user)
