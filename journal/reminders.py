"""The journal's reminders, registered with the reminder scan (notifications/reminders.py)."""

from collections.abc import Iterator
from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from core.choices import Role
from journal.selectors import cpd_deadline_near
from notifications import reminders
from notifications.models import Kind
from notifications.reminders import Reminder
from programmes.models import Membership


@reminders.register
def cpd_deadline(now: datetime) -> Iterator[Reminder]:
    """Practitioners, before the yearly CPD recording deadline (30 November in England)."""
    deadline = cpd_deadline_near(timezone.localdate(now))
    if deadline is None:
        return
    mentees = _one_per_person(
        Membership.objects.current()
        .filter(role=Role.MENTEE, person__is_active=True)
        .select_related("person")
    )
    url = reverse("journal:journal_cpd")
    for membership in mentees:
        yield Reminder(
            membership.person,
            Kind.CPD,
            f"cpd:{deadline.year}",
            f"Record your CPD by {deadline:%-d %B}",
            f"Social Work England asks you to record your CPD by {deadline:%-d %B %Y}. "
            "Your journal entries can be turned into your CPD record.",
            url,
        )


def _one_per_person(memberships):
    """A mentee of two programmes is reminded once."""
    seen = set()
    for membership in memberships.order_by("person_id"):
        if membership.person_id not in seen:
            seen.add(membership.person_id)
            yield membership
