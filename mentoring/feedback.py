"""When feedback and co-production checks are due. One rule each, read by the dashboard, the
reminder tasks and the forms, so what a person is asked for is the same everywhere."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, When
from django.utils import timezone

from core.choices import Role
from mentoring.models import CoproductionCheck, ProgrammeQuestion, Session, SessionFeedback
from mentoring.questions import programme_answers_save

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


def checks_due_for(person, *, now: datetime | None = None, matches=None) -> list[CheckDue]:
    """This person's own quarterly checks that are due, one per active match at most.
    Pass `matches` (their live matches, already loaded) to save a query."""
    from matching.selectors import live_matches_of

    if not person.is_authenticated:
        return []
    if matches is None:
        matches = live_matches_of(person)
    return [
        due
        for due in quarterly_checks_due(matches, now=now)
        if due.role == role_in_match(due.match, person)
    ]


# ---------------------------------------------------------------------------------------------
# What one person is asked now, for one match or one session.

# A closing check is asked for three months after a match ends, then let go, as a missed
# quarterly check is: nobody should find a pile of old questions on their dashboard.
CLOSING_WINDOW = QUARTER


def check_occasion(due: CheckDue) -> str:
    """Quarter 0 is the check at closing, as in CoproductionCheck.quarter."""
    if due.quarter == 0:
        return CoproductionCheck.Occasion.CLOSING
    return CoproductionCheck.Occasion.QUARTERLY


def _closing_check_due(match, role: str, *, now: datetime) -> bool:
    return (
        match.status == "closed"
        and match.ended_at is not None
        and match.ended_at >= now - CLOSING_WINDOW
        and not CoproductionCheck.objects.filter(
            match=match, role=role, occasion=CoproductionCheck.Occasion.CLOSING
        ).exists()
    )


def check_due(match, person, *, now: datetime | None = None) -> CheckDue | None:
    """The co-production check this person is asked for on this match now: the quarterly one
    while it is active, the closing one once it has ended, or None."""
    now = now or timezone.now()
    role = role_in_match(match, person)
    if role is None:
        return None
    if match.status == "closed":
        return CheckDue(match, role, 0) if _closing_check_due(match, role, now=now) else None
    due = [d for d in quarterly_checks_due([match], now=now) if d.role == role]
    return due[0] if due else None


def _side_missing(model, role: str, **filters):
    return ~Exists(model.objects.filter(match=OuterRef("pk"), role=role, **filters))


def closed_matches_waiting_for(person, *, now: datetime | None = None) -> list:
    """Matches of this person that ended in the last three months, where they still have
    their closing survey or their closing check to give, in one query. Each carries
    `survey_missing` and `check_missing`."""
    from matching.models import ClosingSurvey, Match

    if not person.is_authenticated:
        return []
    now = now or timezone.now()
    closing = {"occasion": CoproductionCheck.Occasion.CLOSING}
    matches = (
        Match.objects.open_to(person)
        .filter(status=Match.Status.CLOSED, ended_at__gte=now - CLOSING_WINDOW)
        .annotate(
            survey_missing=~Exists(
                ClosingSurvey.objects.filter(match=OuterRef("pk"), person=person)
            ),
            check_missing=Case(
                When(mentor=person, then=_side_missing(CoproductionCheck, Role.MENTOR, **closing)),
                default=_side_missing(CoproductionCheck, Role.MENTEE, **closing),
                output_field=BooleanField(),
            ),
        )
        .filter(Q(survey_missing=True) | Q(check_missing=True))
        .select_related("programme", "mentor", "mentee")
        .order_by("-ended_at", "-pk")
    )
    return list(matches)


def feedback_open_session_ids(match, person, *, now: datetime | None = None) -> set[int]:
    """Ids of the sessions of this match that this person may give feedback on now: the
    rule of can_give_feedback, for a whole list in one query."""
    now = now or timezone.now()
    role = role_in_match(match, person)
    if role is None:
        return set()
    return set(
        Session.objects.filter(match=match, status__in=FEEDBACK_STATUSES, starts_at__lte=now)
        .filter(~_has_feedback(role))
        .values_list("pk", flat=True)
    )


# ---------------------------------------------------------------------------------------------
# Writes. Answers are never shown to the other person of the match: only coordinators see
# them, added together, in the statistics ("What people say", reporting/), where
# the one suppression rule hides any figure fewer than 8 people are behind.

FEEDBACK_QUESTIONS = ("useful", "listened_to", "plain_language")
PRINCIPLES = ("equality", "diversity", "accessibility", "reciprocity")


def _already_given(session: Session, role: str) -> bool:
    return SessionFeedback.objects.filter(session=session, role=role).exists()


@transaction.atomic
def feedback_give(
    *,
    session: Session,
    by,
    useful: int,
    listened_to: int,
    plain_language: int,
    equal_partner: int | None = None,
    expertise_valued: int | None = None,
    paid_fairly: int | None = None,
    comments: str = "",
    own_answers: dict[int, int] | None = None,
) -> bool:
    """One side's feedback on a session, with its ratings of the programme's own questions
    (`own_answers`, {question id: rating}). The side comes from the match, never from what was
    sent. Returns False when this side has already answered: a double click, or two tabs,
    lands on the unique constraint and changes nothing."""
    role = role_in_match(session.match, by)
    if role is None or not session.match.is_open_to(by):
        raise PermissionDenied("Not your session")
    if _already_given(session, role):
        return False
    if not can_give_feedback(session, by):
        raise ValidationError("This session is not open for feedback.")
    answers = {"useful": useful, "listened_to": listened_to, "plain_language": plain_language}
    if role == Role.MENTOR:
        answers |= {
            "equal_partner": equal_partner,
            "expertise_valued": expertise_valued,
            "paid_fairly": paid_fairly,
        }
        if None in answers.values():
            raise ValidationError("Answer every question.")
    try:
        with transaction.atomic():
            given = SessionFeedback.objects.create(
                session=session,
                programme_id=session.match.programme_id,
                person=by,
                role=role,
                comments=comments,
                **answers,
            )
    except IntegrityError:
        return False
    programme_answers_save(
        programme_id=session.match.programme_id,
        asks_in=ProgrammeQuestion.AsksIn.FEEDBACK,
        role=role,
        answers=own_answers or {},
        feedback=given,
    )
    return True


@transaction.atomic
def coproduction_check_give(
    *,
    match,
    by,
    quarter: int,
    equality: int,
    diversity: int,
    accessibility: int,
    reciprocity: int,
    rung: int,
    comments: str = "",
    own_answers: dict[int, int] | None = None,
) -> bool:
    """One side's co-production check for the quarter it was asked for (0: at closing), with
    its ratings of the programme's own questions. Returns False when this side has already
    answered it."""
    role = role_in_match(match, by)
    if role is None or not match.is_open_to(by):
        raise PermissionDenied("Not your match")
    due = check_due(match, by)
    if due is None or due.quarter != quarter:
        raise ValidationError("This check is not due any more.")
    try:
        with transaction.atomic():
            given = CoproductionCheck.objects.create(
                match=match,
                programme_id=match.programme_id,
                person=by,
                role=role,
                occasion=check_occasion(due),
                quarter=quarter,
                equality=equality,
                diversity=diversity,
                accessibility=accessibility,
                reciprocity=reciprocity,
                rung=rung,
                comments=comments,
            )
    except IntegrityError:
        return False
    programme_answers_save(
        programme_id=match.programme_id,
        asks_in=ProgrammeQuestion.AsksIn.CHECK,
        role=role,
        answers=own_answers or {},
        coproduction_check=given,
    )
    return True


def dashboard_asks(person, *, matches=None, now: datetime | None = None) -> dict:
    """What a person's dashboard asks of them: feedback on sessions, co-production checks
    (every three months and at closing), and closing surveys of matches that ended.
    `matches` are their live matches, if already loaded."""
    now = now or timezone.now()
    closed = closed_matches_waiting_for(person, now=now)
    closing_checks = [
        CheckDue(match, role_in_match(match, person), 0) for match in closed if match.check_missing
    ]
    return {
        "feedback_due": list(feedback_due(person, now=now)),
        "checks_due": checks_due_for(person, now=now, matches=matches) + closing_checks,
        "surveys_due": [match for match in closed if match.survey_missing],
    }
