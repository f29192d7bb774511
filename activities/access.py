"""Activities and places a person may open; 404 for everything else, so another
programme's activities look as if they did not exist."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from activities.models import Activity, Place
from programmes.access import expert_programmes
from programmes.models import Programme


def activities_for_mentor(user):
    """Activities an expert by experience (a mentor or panel member) may open: open calls
    of their programmes, and those they hold a place on (not given up when a role ended),
    in programmes they are still an expert by experience of: ending the role ends access."""
    mine = Place.objects.filter(person=user).exclude(answer=Place.Answer.ROLE_ENDED)
    return Activity.objects.filter(programme__in=expert_programmes(user)).filter(
        Q(who=Activity.Who.OPEN) | Q(pk__in=mine.values("activity"))
    )


def get_activity_for_mentor(user, activity_id: int) -> Activity:
    return get_object_or_404(
        activities_for_mentor(user).select_related("programme"), pk=activity_id
    )


def get_activity_for_coordinator(programme: Programme, activity_id: int) -> Activity:
    return get_object_or_404(
        Activity.objects.select_related("programme", "created_by"),
        pk=activity_id,
        programme=programme,
    )


def get_place_for_coordinator(activity: Activity, place_id) -> Place:
    return get_object_or_404(
        Place.objects.select_related("activity__programme", "person"),
        pk=place_id,
        activity=activity,
    )
