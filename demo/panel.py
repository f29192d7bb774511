"""North Star's lived-experience panel in the demo: Sam and two more of its experts by
experience sit on it. One proposal was accepted (a new feedback question, asked since), one
is open with votes, one was declined with its reason; and two "You said, we did" entries.
Made once, through the panel's services: a panel the demo's visitors change is kept."""

from __future__ import annotations

from core.choices import Role
from demo.payments import seeded_mentors
from demo.people import MENTOR
from mentoring.models import ProgrammeQuestion
from panel import services
from panel.models import Proposal
from programmes.models import Membership, Programme

# The feedback question the panel proposed and a coordinator accepted: asked of mentees.
PANEL_QUESTION = "My mentor explained things in a way I understood"


def _panel(programme: Programme) -> list:
    """Sam, then the two busiest mentors of North Star's demo matches: they have said how to
    be paid (demo/payments.py), so the panel meeting they attend is paid in the runs."""
    sam = Membership.objects.get(programme=programme, person__email=MENTOR.email, role=Role.MENTOR)
    return [sam.person, *seeded_mentors(programme)[:2]]


def demo_panel_ensure(*, programme: Programme, coordinator) -> None:
    if Proposal.objects.filter(programme=programme).exists():
        return
    sam, ash, bea = _panel(programme)
    for person in (sam, ash, bea):
        services.panel_member_add(programme=programme, person=person, by=coordinator)

    accepted = services.proposal_make(
        programme=programme,
        by=ash,
        about=Proposal.About.QUESTION_NEW,
        change="Ask mentees after each session whether they understood their mentor.",
        why="Some mentors worry that they talk too fast. This would tell them kindly.",
        question_text=PANEL_QUESTION,
        asks_in=ProgrammeQuestion.AsksIn.FEEDBACK,
        who=ProgrammeQuestion.Who.MENTEE,
    )
    for person in (sam, ash, bea):
        services.vote_cast(proposal=accepted, by=person, in_favour=True)
    services.proposal_decide(
        proposal=accepted,
        by=coordinator,
        accept=True,
        decision="Mentees are asked this after every session from now on.",
    )

    declined = services.proposal_make(
        programme=programme,
        by=bea,
        about=Proposal.About.OTHER,
        change="Pay mentors for the time it takes to travel to a session.",
        why="Some of us travel an hour each way to meet in person.",
    )
    services.vote_cast(proposal=declined, by=sam, in_favour=True)
    services.vote_cast(proposal=declined, by=bea, in_favour=True)
    services.proposal_decide(
        proposal=declined,
        by=coordinator,
        accept=False,
        decision=(
            "We cannot pay for travel time this year. We do pay fares, and we will look at "
            "this again in April."
        ),
    )

    still_open = services.proposal_make(
        programme=programme,
        by=sam,
        about=Proposal.About.RESOURCES,
        change="Add a short guide on what to do if a session goes badly.",
        why="New mentors have asked me who to call when something goes wrong.",
    )
    services.vote_cast(proposal=still_open, by=sam, in_favour=True)
    services.vote_cast(proposal=still_open, by=ash, in_favour=True)
    services.vote_cast(proposal=still_open, by=bea, in_favour=False)

    entries = [
        services.entry_publish(
            programme=programme,
            by=ash,
            said="Mentors said they could not tell if mentees understood them.",
            did="Mentees are now asked about it after each session.",
            proposal=accepted,
        ),
        services.entry_publish(
            programme=programme,
            by=sam,
            said="Some of you said pay came too late.",
            did="Pay day is now every two weeks, not every month.",
        ),
    ]
    # Members are told now, inside the seed's transaction, so the demo's notifications are
    # all made before seed_notifications turns their emails off (demo addresses are made
    # up); the task queued for each entry then finds everyone told already.
    for entry in entries:
        services.entry_readers_tell(entry_id=entry.pk)
