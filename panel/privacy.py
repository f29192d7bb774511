"""What the panel holds about a person (see portal/privacy.py for how every app's privacy
module is composed)."""

from django.utils import timezone

from accounts.models import User
from panel.models import Entry, Proposal, Vote


def export(user: User) -> dict:
    proposals = Proposal.objects.filter(proposed_by=user).select_related("programme")
    votes = Vote.objects.filter(person=user).select_related("proposal__programme")
    entries = Entry.objects.filter(published_by=user).select_related("programme")
    return {
        "panel_proposals": [
            {
                "programme": p.programme.name,
                "proposed_at": timezone.localtime(p.proposed_at).isoformat(),
                "about": p.get_about_display(),
                "change": p.change,
                "why": p.why,
                "status": p.get_status_display(),
                "decision": p.decision,
            }
            for p in proposals.order_by("proposed_at", "pk")
        ],
        "panel_votes": [
            {
                "programme": v.proposal.programme.name,
                "proposal": v.proposal.change,
                "vote": "for" if v.in_favour else "against",
            }
            for v in votes.order_by("voted_at", "pk")
        ],
        "you_said_we_did": [
            {
                "programme": e.programme.name,
                "published_at": timezone.localtime(e.published_at).isoformat(),
                "said": e.said,
                "did": e.did,
            }
            for e in entries.order_by("published_at", "pk")
        ],
    }


def erase(user: User) -> None:
    """Votes on proposals still open go, so the counts the panel sees no longer hold them.
    Proposals, their decisions, votes already counted in a decision and "You said, we
    did" entries are the programme's record: they stay, no longer naming the person."""
    Vote.objects.filter(person=user, proposal__status=Proposal.Status.OPEN).delete()
    Proposal.objects.filter(proposed_by=user).update(proposed_by=None)
    Entry.objects.filter(published_by=user).update(published_by=None)
