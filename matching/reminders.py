"""Matching's reminders, registered with the reminder scan (notifications/reminders.py)."""

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.urls import reverse

from matching.models import Proposal
from notifications import reminders
from notifications.models import Kind
from notifications.reminders import Reminder

# A proposal's first email goes out when the coordinator approves it (proposal_answers_ask): the
# reminder comes only if it is still unanswered two days later.
PROPOSAL_REMINDER_AFTER = timedelta(days=2)


@reminders.register
def proposals_waiting(now: datetime) -> Iterator[Reminder]:
    proposals = Proposal.objects.filter(
        status=Proposal.Status.APPROVED, asked_at__lte=now - PROPOSAL_REMINDER_AFTER
    ).select_related("mentor", "mentee", "round__programme")
    for proposal in proposals:
        for person, answer in (
            (proposal.mentor, proposal.mentor_answer),
            (proposal.mentee, proposal.mentee_answer),
        ):
            if answer != Proposal.Answer.WAITING:
                continue
            yield Reminder(
                person,
                Kind.PROPOSAL,
                f"proposal:{proposal.pk}",
                "A suggested match is waiting for your answer",
                f"You have been suggested a match in {proposal.round.programme.name}. "
                "Please say yes or no, so that you can both move on.",
                reverse("matching:proposal_answer", args=[proposal.pk]),
            )
