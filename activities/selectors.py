"""What the activity pages read."""

from datetime import timedelta

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from activities.access import activities_for_mentor
from activities.models import Activity, Place
from programmes.models import Programme


def _counted(queryset):
    return queryset.annotate(
        yes_count=Count("places_taken", filter=Q(places_taken__answer=Place.Answer.YES)),
        waiting_count=Count("places_taken", filter=Q(places_taken__answer=Place.Answer.WAITING)),
        attended_count=Count(
            "places_taken", filter=Q(places_taken__attendance=Place.Attendance.ATTENDED)
        ),
    )


def programme_activities(programme: Programme) -> dict:
    """A coordinator's list: activities still to come, then the past year's, each with how
    many said yes, have not answered and attended."""
    now = timezone.now()
    activities = _counted(Activity.objects.filter(programme=programme))
    return {
        "upcoming": list(activities.filter(starts_at__gt=now).order_by("starts_at", "id")),
        "past": list(
            activities.filter(
                starts_at__lte=now, starts_at__gte=now - timedelta(days=366)
            ).order_by("-starts_at", "-id")
        ),
    }


def activity_places(activity: Activity) -> list[Place]:
    return list(
        activity.places_taken.select_related("person", "invited_by", "attendance_by").order_by(
            "person__display_name", "id"
        )
    )


def mentor_activities(user) -> dict:
    """A mentor's list: what is still to come that they are invited to or can join, and
    the past year's activities they said yes to, each with their own place (or None)."""
    now = timezone.now()
    mine = Prefetch("places_taken", queryset=Place.objects.filter(person=user), to_attr="my_places")
    visible = _counted(activities_for_mentor(user)).select_related("programme")
    upcoming = list(visible.filter(starts_at__gt=now).prefetch_related(mine))
    past = list(
        visible.filter(
            starts_at__lte=now,
            starts_at__gte=now - timedelta(days=366),
            # A subquery, not a join: a join would make the counts count only this place.
            pk__in=Place.objects.filter(person=user, answer=Place.Answer.YES).values("activity"),
        )
        .order_by("-starts_at")
        .prefetch_related(mine)
    )
    for activity in upcoming + past:
        activity.my_place = activity.my_places[0] if activity.my_places else None
    return {"upcoming": upcoming, "past": past}
