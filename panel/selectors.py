"""What the panel's pages read."""

from accounts.models import User
from core.choices import Role
from panel.models import Entry, Proposal
from programmes.models import Membership, Programme


def panel_candidates(programme: Programme):
    """Experts by experience who may be asked onto the panel: mentors of the programme, now
    or before, who do not sit on it now."""
    on_panel = Membership.objects.current().filter(programme=programme, role=Role.PANEL)
    return (
        User.objects.filter(is_active=True)
        .filter(
            pk__in=Membership.objects.filter(programme=programme, role=Role.MENTOR).values(
                "person_id"
            )
        )
        .exclude(pk__in=on_panel.values("person_id"))
        .order_by("display_name", "pk")
    )


def panel_seats(programme: Programme):
    """The current panel memberships, with their people."""
    return (
        Membership.objects.current()
        .filter(programme=programme, role=Role.PANEL, person__is_active=True)
        .select_related("person")
        .order_by("person__display_name", "pk")
    )


def proposals_of(programme: Programme):
    return (
        Proposal.objects.filter(programme=programme)
        .with_votes()
        .select_related("proposed_by", "decided_by")
    )


def entries_of(programme: Programme):
    return Entry.objects.filter(programme=programme).select_related("proposal")
