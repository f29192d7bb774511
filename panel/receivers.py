"""The panel hears of an ended role (programmes.signals.role_ended)."""

from django.dispatch import receiver

from core.choices import Role
from panel.services import panel_role_ended
from programmes.signals import role_ended


@receiver(role_ended, dispatch_uid="panel.tell_when_a_panel_role_ends")
def tell_when_a_panel_role_ends(sender, *, membership, by, **kwargs) -> None:
    """A panel member is told their seat ended. Access ends with the role itself
    (programmes.access.get_programme_for_panel)."""
    if membership.role == Role.PANEL:
        panel_role_ended(membership=membership)
