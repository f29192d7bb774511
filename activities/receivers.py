"""Activities' answers to what lower apps announce (programmes/signals.py), connected in
ActivitiesConfig.ready(). Each receiver runs inside the sender's transaction."""

from django.dispatch import receiver

from activities.services import places_give_up
from core.choices import Role
from programmes.signals import role_ended


@receiver(role_ended, dispatch_uid="activities.places_give_up")
def give_up_places_when_a_role_ends(sender, *, membership, by, **kwargs) -> None:
    """An expert by experience whose role ends gives up their places still to come."""
    if membership.role == Role.MENTOR:
        places_give_up(person=membership.person, programme=membership.programme, by=by)
