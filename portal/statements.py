"""What the accessibility statement and the privacy notice say that could drift: the day
the statement was last checked, and how long things are kept, read from the same settings
the tidy-up tasks go by (payments.services, mentoring.services), so the notice cannot
promise one period while a task keeps to another."""

from datetime import date

from django.conf import settings

# Change this when you check the statement again: the page says when that was.
ACCESSIBILITY_REVIEWED = date(2026, 12, 6)
PRIVACY_REVIEWED = date(2026, 12, 6)


def kept_for() -> dict:
    return {
        "messages_days": settings.MESSAGES_KEPT_DAYS,
        "bank_details_days": settings.PAYMENT_RECONCILIATION_DAYS,
        "payment_years": settings.PAYMENT_RECORDS_KEEP_YEARS,
        "contact_email": settings.SERVICE_CONTACT_EMAIL,
    }
