"""Demo notifications: the reminder scan run once over the demo data, so the demo people
have notifications to see, some of them already read."""

from django.db.models import Count, Min
from django.utils import timezone

from notifications.models import Notification
from notifications.services import reminders_scan


def seed_notifications(stdout=None) -> int:
    """Run the scan once. The demo people's addresses are made up, so nothing made for
    them is emailed. Whoever has two or more sees their oldest
    as already read. Running it again makes nothing new (each reminder is once per person
    per event) and reads nothing more."""
    created = reminders_scan(email=False)
    # News made while seeding (such as the demo match that ends) is not emailed either:
    # demo addresses are made up. Email tasks already queued find nothing to claim.
    Notification.objects.filter(
        person__email__endswith="example.org", email_wanted=True, emailed_at__isnull=True
    ).update(email_wanted=False, email_claimed_until=None)
    oldest = (
        Notification.objects.values("person")
        .annotate(count=Count("id"), first=Min("id"))
        .filter(count__gte=2)
        .values_list("first", flat=True)
    )
    Notification.objects.filter(pk__in=list(oldest), read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if stdout is not None and created:
        stdout.write(f"Notifications: {created} reminders added.")
    return created
