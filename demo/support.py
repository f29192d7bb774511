"""Demo requests to talk: a mentor who asked for a chat in their check-in after a session,
and a mentee who said they are finding it hard, so the coordinators' list of requests to
talk has something to show. Made through the support services, once."""

from datetime import datetime

from django.db.models import Q

from demo.people import MENTEE, MENTOR
from matching.models import Match
from mentoring.models import CheckIn, Session, TalkRequest
from mentoring.support import check_in_give, talk_request_ask
from programmes.models import Programme


def demo_support_ensure(*, programme: Programme, now: datetime) -> None:
    if TalkRequest.objects.filter(programme=programme).exists():
        return
    matches = list(
        Match.objects.filter(programme=programme, status=Match.Status.ACTIVE)
        .exclude(mentor__email=MENTOR.email)
        .exclude(mentee__email=MENTEE.email)
        .select_related("programme", "mentor", "mentee")
        .order_by("-mentee__email")[:2]
    )
    if len(matches) < 2:
        return
    first, second = matches
    session = (
        Session.objects.filter(match=first, starts_at__lte=now)
        .filter(Q(logged_by=first.mentor) | Q(confirmed_by=first.mentor))
        .order_by("-starts_at")
        .first()
    )
    if session is not None and not CheckIn.objects.filter(session=session).exists():
        check_in_give(
            session=session,
            by=first.mentor,
            feeling="mixed",
            note="We talked about family time and it brought back a lot for me. "
            "I am fine, but I would like a chat.",
            wants_chat=True,
        )
    talk_request_ask(
        programme=programme,
        by=second.mentee,
        match=second,
        note="I am finding it hard to hear how my decisions felt from the other side.",
    )
