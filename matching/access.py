"""Matches a person may open; 404 for everything else."""

from django.shortcuts import get_object_or_404

from matching.models import Match


def get_match_for_person(user, match_id: int):
    """A match its mentor or mentee may open, while they hold that role in the match's
    programme (matching.models.open_to); 404 for everyone else, staff included, and for
    someone whose role there has ended."""
    return get_object_or_404(
        Match.objects.select_related("programme", "mentor", "mentee").open_to(user),
        pk=match_id,
    )
