"""Reads about programmes and their members."""

from django.db.models import Q

from mentoring.models import Session
from programmes.models import Programme


def sessions_waiting_for(user) -> list[Session]:
    """Sessions the other person of a live match logged, waiting for this person to confirm."""
    if not user.is_authenticated:
        return []
    return list(
        Session.objects.with_details()
        .filter(
            Q(match__mentor=user) | Q(match__mentee=user),
            status=Session.Status.LOGGED,
            match__status__in=["active", "paused"],
        )
        .exclude(logged_by=user)
        .order_by("starts_at")
    )


def sessions_to_approve(programme: Programme, by):
    """Confirmed sessions of a programme waiting for a coordinator, oldest first. Each
    carries `yours`: True for a session `by` is the mentor or mentee of, which someone else
    approves (programmes.duties)."""
    return (
        Session.objects.with_details()
        .filter(match__programme=programme, status=Session.Status.CONFIRMED)
        .marked_yours(by)
        .order_by("starts_at", "pk")
    )


def sessions_approvable_by(programme: Programme, by):
    """The sessions of the queue `by` may approve: not their own."""
    return sessions_to_approve(programme, by).filter(yours=False)
