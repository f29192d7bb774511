"""What of the panel a person may open; 404 for everything else, so another programme's
proposals look as if they did not exist."""

from django.shortcuts import get_object_or_404

from panel.models import Proposal
from programmes.models import Programme


def get_programme_for_reader(user, slug: str) -> Programme:
    """A programme whose "You said, we did" the person may read: a current member in any
    role (mentor, mentee, panel, coordinator), or an administrator of its organisation."""
    return get_object_or_404(Programme.objects.visible_to(user), slug=slug)


def get_proposal(programme: Programme, proposal_id: int) -> Proposal:
    """A proposal of this programme (the caller fetched the programme through
    programmes.access for the panel or its coordinators)."""
    return get_object_or_404(
        Proposal.objects.with_votes().select_related(
            "proposed_by", "decided_by", "question", "programme"
        ),
        pk=proposal_id,
        programme=programme,
    )
