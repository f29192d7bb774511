"""When feedback and co-production checks are due. One rule each, read by the dashboard, the
reminder tasks and the forms, so what a person is asked for is the same everywhere."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from mentoring.choices import Role
from mentoring.models import CoproductionCheck, Session, SessionFeedback

# Feedback is asked for sessions of the last four weeks: older memories are not worth much,
# and nobody should face a backlog.
FEEDBACK_WINDOW = timedelta(days=28)
# A session can be given feedback once it has happened, unless someone said it is wrong.
FEEDBACK_STATUSES = [Session.Status.LOGGED, Session.Status.CONFIRMED, Session.Status.APPROVED]
# A quarter of a match: 13 weeks.
QUARTER = timedelta(weeks=13)


def role_in_match(match, person) -> str | None:
    if person.pk == match.mentor_id:
        return Role.MENTOR
    if person.pk == match.mentee_id:
        return Role.MENTEE
    return None


def _has_feedback(role: str):
    return Exists(SessionFeedback.objects.filter(session=OuterRef("pk"), role=role))


def sessions_missing_feedback(role: str, *, now: datetime | None = None):
    """Sessions of live matches, from the last four weeks, that `role`'s side has not given
    feedback on. For the reminder task: one row per session, the person is match.<role>."""
    now = now or timezone.now()
    return (
        Session.objects.filter(
            status__in=FEEDBACK_STATUSES,
            starts_at__lte=now,
            starts_at__gte=now - FEEDBACK_WINDOW,
            match__status__in=["active", "paused"],
        )
        .filter(~_has_feedback(role))
        .select_related("match__programme", "match__mentor", "match__mentee")
    )


def feedback_due(person, *, now: datetime | None = None):
    """Sessions this person has still to give feedback on, oldest first."""
    if not person.is_authenticated:
        return Session.objects.none()
    now = now or timezone.now()
    return (
        Session.objects.filter(
            status__in=FEEDBACK_STATUSES,
            starts_at__lte=now,
            starts_at__gte=now - FEEDBACK_WINDOW,
            match__status__in=["active", "paused"],
        )
        .filter(
            (Q(match__mentor=person) & ~_has_feedback(Role.MENTOR))
            | (Q(match__mentee=person) & ~_has_feedback(Role.MENTEE))
        )
        .select_related("match__programme", "match__mentor", "match__mentee")
        .order_by("starts_at", "pk")
    )


def can_give_feedback(session: Session, person, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    role = role_in_match(session.match, person)
    return (
        role is not None
        and session.status in FEEDBACK_STATUSES
        and session.starts_at <= now
        and not SessionFeedback.objects.filter(session=session, role=role).exists()
    )


def quarter_of(match, *, now: datetime | None = None) -> int:
    """How many whole quarters (13 weeks) the match has run: 0 in its first quarter."""
    now = now or timezone.now()
    return max(0, (now - match.started_at) // QUARTER)


@dataclass(frozen=True)
class CheckDue:
    match: object
    role: str
    quarter: int

    @property
    def person(self):
        return self.match.mentor if self.role == Role.MENTOR else self.match.mentee


def quarterly_checks_due(matches, *, now: datetime | None = None) -> list[CheckDue]:
    """For active matches, each side's check for the quarter just finished, unless given.
    Only the latest quarter is asked for: a missed one is let go, never piled up."""
    now = now or timezone.now()
    wanted = {}
    for match in matches:
        if match.status != "active":
            continue
        quarter = quarter_of(match, now=now)
        if quarter >= 1:
            wanted[match.pk] = (match, quarter)
    given = set(
        CoproductionCheck.objects.filter(
            match_id__in=wanted, occasion=CoproductionCheck.Occasion.QUARTERLY
        ).values_list("match_id", "role", "quarter")
    )
    return [
        CheckDue(match, role, quarter)
        for match, quarter in wanted.values()
        for role in (Role.MENTOR, Role.MENTEE)
        if (match.pk, role, quarter) not in given
    ]


def checks_due_for(person, *, now: datetime | None = None) -> list[CheckDue]:
    """This person's own quarterly checks that are due, one per active match at most."""
    from matching.selectors import live_matches_of

    if not person.is_authenticated:
        return []
    return [
        due
        for due in quarterly_checks_due(live_matches_of(person), now=now)
        if due.person.pk == person.pk
    ]
