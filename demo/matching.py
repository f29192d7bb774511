"""Matching in the demo: a round that has already happened in North Star, and in
Riverside, where practitioners choose, a mentee's request waiting for the named mentor."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import User
from core.choices import Role
from demo.people import MENTEE, MENTEE_B, MENTOR
from matching import services as matching_services
from matching.models import ApprovalBatch, MatchingRound, Proposal
from matching.selectors import REVIEW_PAGE_SIZE
from programmes.models import Membership, Programme

# How the coordinator and the people in the demo round answered, counted in the order of the
# mentees' emails: the first pairs both said yes, one mentee said no, a few mentors have said
# yes and wait for their mentee, and the last few suggestions still wait for review.
BOTH_ACCEPT = 8
MENTOR_ONLY_ACCEPTS = 3
LEFT_FOR_REVIEW = 4
REJECTION_REASON = "They already know each other from the Salford training days."
DECLINE_REASON = "I would rather have a mentor who can meet in person now and then."


def demo_round_due(programme: Programme) -> bool:
    """The demo round is seeded once, on the run that first puts the named mentor and mentee
    in North Star, just before they join: so the round never includes them, and they are
    matched with each other (demo/published_pair.py). A database seeded before rounds existed
    gets none, rather than a round that might pair them with made-up people."""
    if MatchingRound.objects.filter(programme=programme).exists():
        return False
    return not (
        Membership.objects.current()
        .filter(programme=programme, person__email__in=[MENTOR.email, MENTEE.email])
        .exists()
    )


def demo_round_seed(*, programme: Programme, by: User) -> MatchingRound:
    """One finished round, solved, reviewed and answered through the real services, as if
    it ran a few weeks ago. Choices follow the mentees' emails, so every run makes the same."""
    matching_round = matching_services.round_start(programme=programme, by=by)
    # Solve it now rather than in the background, so its proposals can be reviewed below.
    # The task queued when this transaction commits finds it finished and does nothing.
    matching_round = matching_services.round_run(round_id=matching_round.pk)
    if matching_round is None or matching_round.status != MatchingRound.Status.FINISHED:
        raise CommandError("The demo matching round could not be solved.")
    proposals = sorted(
        matching_round.proposals.select_related("mentor", "mentee"), key=lambda p: p.mentee.email
    )
    if len(proposals) < BOTH_ACCEPT + MENTOR_ONLY_ACCEPTS + LEFT_FOR_REVIEW + 2:
        raise CommandError(f"The demo matching round made only {len(proposals)} proposals.")
    # The last few stay as the matcher suggested them, for the coordinator to review.
    reviewed = proposals[:-LEFT_FOR_REVIEW]
    rejected, approved = reviewed[-1], reviewed[:-1]
    matching_services.proposal_reject(proposal=rejected, by=by, reason=REJECTION_REASON)
    # Approved in one go, as the coordinator's "Approve every waiting pair on this page" does
    # (a page holds 50), run here rather than in the background.
    for start in range(0, len(approved), REVIEW_PAGE_SIZE):
        batch = matching_services.approval_batch_start(
            matching_round=matching_round,
            by=by,
            scope=ApprovalBatch.Scope.PAGE,
            proposal_ids=[p.pk for p in approved[start : start + REVIEW_PAGE_SIZE]],
        )
        matching_services.approval_batch_run(batch_id=batch.pk)
    # The made-up people were asked back then. Nobody is emailed now: their addresses go
    # nowhere, and a demo seed that prints dozens of emails hides what matters.
    Proposal.objects.filter(pk__in=[p.pk for p in approved]).update(asked_at=timezone.now())

    both, rest = approved[:BOTH_ACCEPT], approved[BOTH_ACCEPT:]
    declined, mentor_only = rest[0], rest[1 : 1 + MENTOR_ONLY_ACCEPTS]
    for proposal in both:
        for person in (proposal.mentor, proposal.mentee):
            matching_services.proposal_answer(proposal=proposal, person=person, accept=True)
    for proposal in [declined, *mentor_only]:
        matching_services.proposal_answer(proposal=proposal, person=proposal.mentor, accept=True)
    matching_services.proposal_answer(
        proposal=declined, person=declined.mentee, accept=False, reason=DECLINE_REASON
    )
    return matching_round


def mentee_choice_ensure(*, programme: Programme, mentor: User) -> None:
    """Riverside lets practitioners choose: one of its made-up mentees has asked the named
    mentor, so the demo shows a request waiting for a mentor's answer."""
    if programme.matching_mode != Programme.MatchingMode.MENTEE_CHOICE:
        programme.matching_mode = Programme.MatchingMode.MENTEE_CHOICE
        programme.save(update_fields=["matching_mode"])
    if MatchingRound.objects.filter(
        programme=programme, kind=MatchingRound.Kind.MENTEE_CHOICE
    ).exists():
        return
    mentees = (
        Membership.objects.current()
        .filter(programme=programme, role=Role.MENTEE)
        .exclude(person__email=MENTEE_B.email)
        .select_related("person")
        .order_by("person__email")
    )
    for membership in mentees:
        suggestions = matching_services.mentee_suggestions(
            programme=programme, mentee=membership.person
        )
        if any(s["mentor_id"] == mentor.pk for s in suggestions):
            proposal = matching_services.mentee_request(
                programme=programme, mentee=membership.person, mentor_id=mentor.pk
            )
            # Marked as asked so seeding emails nobody.
            Proposal.objects.filter(pk=proposal.pk).update(asked_at=timezone.now())
            return
