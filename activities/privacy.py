"""What activities hold about a person (see portal/privacy.py for how every app's privacy
module is composed)."""

from django.utils import timezone

from accounts.models import User
from activities.models import Place


def export(user: User) -> dict:
    places = Place.objects.filter(person=user).select_related("activity__programme")
    return {
        "activities": [
            {
                "programme": place.activity.programme.name,
                "activity": place.activity.title,
                "kind": place.activity.kind_label,
                "starts_at": timezone.localtime(place.activity.starts_at).isoformat(),
                "minutes": place.activity.duration_minutes,
                "answer": place.get_answer_display(),
                "attendance": place.get_attendance_display(),
            }
            for place in places.order_by("activity__starts_at", "pk")
        ]
    }


def erase(user: User) -> None:
    """Places still to come were given up when the person's roles ended (the first step of
    erasure, through programmes.signals.role_ended). The places they took stay, with the
    pay they earned, under the anonymised account: they hold no words of the person's."""
