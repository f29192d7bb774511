"""Agreements in the demo: the first few live matches of North Star's demo round have filled
in their agreement, and one of them has changed it since, so its history shows both people.
Sam and Priya, the published pair, have a story of their own (demo/published_pair.py)."""

from __future__ import annotations

from demo.people import MENTEE, MENTOR
from matching.models import Match
from mentoring.agreements import agreement_save
from mentoring.models import AgreementVersion
from programmes.models import Programme

FIRST = {
    "how_we_meet": "Online every other Wednesday at 6pm, for an hour. If one of us has to "
    "cancel, we send a message the day before.",
    "off_limits": "My own family. I will say if something else comes up.",
    "between_us": "What we say about our teams and our own lives stays between us.",
    "when_to_tell": "If either of us is struggling for more than a few weeks, we will talk to "
    "a coordinator together.",
}
CHANGED = {
    "how_we_meet": "Online every Wednesday at 6pm for the next two months, then every "
    "other week. If one of us has to cancel, we send a message the day before."
}


def demo_agreements_ensure(*, programme: Programme, count: int = 3) -> int:
    """Agreements for `count` live matches that have none. Returns how many were filled."""
    matches = (
        Match.objects.live()
        .filter(programme=programme)
        .exclude(mentor__email=MENTOR.email)
        .exclude(mentee__email=MENTEE.email)
        .select_related("mentor", "mentee", "programme")
        .order_by("mentee__email")[:count]
    )
    filled = 0
    for index, match in enumerate(matches):
        if AgreementVersion.objects.filter(match=match).exists():
            continue
        agreement_save(match=match, by=match.mentor, based_on=0, **FIRST)
        if index == 0:
            agreement_save(match=match, by=match.mentee, based_on=1, **(FIRST | CHANGED))
        filled += 1
    return filled
