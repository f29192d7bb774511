"""Activities' answers to what lower apps announce (programmes/signals.py), connected in
ActivitiesConfig.ready(). Each receiver runs inside the sender's transaction."""

from django.dispatch import receiver

from activities.models import ActivityKind
from activities.services import mentors_of, places_give_up
from core.choices import EXPERT_ROLES, Role
from programmes.signals import role_ended


@receiver(role_ended, dispatch_uid="activities.places_give_up")
def give_up_places_when_a_role_ends(sender, *, membership, by, **kwargs) -> None:
    """Someone who is no longer an expert by experience of the programme (their mentor or
    panel role ended, and they hold neither now) gives up their places still to come. A
    mentor who leaves the panel gives up only their places on panel meetings."""
    if membership.role not in EXPERT_ROLES:
        return
    person, programme = membership.person, membership.programme
    if not mentors_of(programme).filter(pk=person.pk).exists():
        places_give_up(person=person, programme=programme, by=by)
    elif membership.role == Role.PANEL:
        places_give_up(
            person=person, programme=programme, by=by, kinds=[ActivityKind.PANEL_MEETING]
        )
