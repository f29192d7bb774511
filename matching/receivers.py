"""Matching's answers to what lower apps announce (programmes/signals.py), connected in
MatchingConfig.ready(). Each receiver runs inside the sender's transaction."""

from django.dispatch import receiver

from core.choices import Role
from matching.models import Match
from matching.services import matching_leave
from programmes import duties
from programmes.signals import role_ended, role_ending

SIDES = {Role.MENTOR: "mentor", Role.MENTEE: "mentee"}


@receiver(role_ending, dispatch_uid="matching.refuse_ending_a_partners_role")
def refuse_ending_a_partners_role(sender, *, membership, by, **kwargs) -> str:
    """Nobody ends the role of someone they are in a live match with: that would end their
    own match, so another coordinator decides (programmes.duties)."""
    side = SIDES.get(membership.role)
    if side is None:
        return ""
    other = "mentee" if side == "mentor" else "mentor"
    programme = membership.programme
    if (
        Match.objects.live()
        .filter(programme=programme, **{side: membership.person, other: by})
        .exists()
    ):
        return duties.who_acts(
            programme,
            by,
            (f"{membership.person} is in a match with you", "decides whether their role ends"),
        )
    return ""


@receiver(role_ended, dispatch_uid="matching.leave_when_a_role_ends")
def leave_when_a_role_ends(sender, *, membership, by, **kwargs) -> None:
    """Their live matches there in that role end and their open proposals are withdrawn.
    Other roles (a seat on the panel) hold no match."""
    if membership.role not in SIDES:
        return
    matching_leave(
        person=membership.person,
        by=by,
        why="role_ended",
        programme=membership.programme,
        role=membership.role,
    )
