"""Reads for notifications: a person's own list and the navigation's count."""

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from notifications.models import Notification


def notifications_of(person):
    """A person's notifications, newest first. Nothing else is ever shown to them."""
    return Notification.objects.filter(person=person).order_by("-created_at", "-id")


def get_notification_for_person(person, notification_id: int) -> Notification:
    """One of this person's own notifications; anyone else's answers 404."""
    return get_object_or_404(notifications_of(person), pk=notification_id)


def unread_subquery():
    """How many of the outer person's notifications are new, as an expression, so the
    navigation can ask it in a query it makes anyway (portal.selectors.roles_of)."""
    counted = (
        Notification.objects.unread()
        .filter(person=OuterRef("pk"))
        .order_by()
        .values("person")
        .annotate(count=Count("id"))
        .values("count")[:1]
    )
    return Coalesce(Subquery(counted), 0)


def unread_count(person) -> int:
    """For the navigation on every page: taken from the roles query when that ran in this
    request, else one cheap query on a partial index."""
    if not person.is_authenticated:
        return 0
    counted = getattr(person, "_alongside_unread", None)
    if counted is not None:
        return counted
    return Notification.objects.unread().filter(person=person).count()


def email_kinds_unwanted(person) -> set[str]:
    return set(person.email_opt_outs.values_list("kind", flat=True))
