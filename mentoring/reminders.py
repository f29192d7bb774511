"""Reminders about what happens inside a match (sessions to log, confirm and approve,
feedback, co-production checks, quiet matches), registered with the reminder scan
(notifications/reminders.py)."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from core.choices import Role
from matching.models import Match
from mentoring import feedback
from mentoring.meeting import where_in_words
from mentoring.models import PlannedSession, Session
from mentoring.selectors import quiet_since, weeks_quiet, with_last_session
from mentoring.templatetags.session_tags import minutes_in_words, plain_datetime
from notifications import reminders
from notifications.models import Kind
from notifications.reminders import Reminder
from programmes import duties
from programmes.models import Programme
from programmes.selectors import coordinators_by_programme


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@reminders.register
def sessions_to_confirm(now: datetime) -> Iterator[Reminder]:
    sessions = Session.objects.filter(
        status=Session.Status.LOGGED, match__status__in=Match.LIVE, logged_by__isnull=False
    ).select_related("match__mentor", "match__mentee", "logged_by")
    for session in sessions:
        yield Reminder(
            session.other_person(session.logged_by),
            Kind.SESSION_CONFIRM,
            f"session:{session.pk}:v{session.version}:confirm",
            "Please confirm a session",
            f"{session.logged_by.display_name} logged a session on "
            f"{timezone.localtime(session.starts_at):%-d %B}. Check the details and confirm "
            "them, or say what is wrong.",
            reverse("mentoring:session_detail", args=[session.pk]),
        )


# The day-before reminder is sent from this hour of the day before, local time: in the
# morning, not at midnight, and still the day before for a plan made late in the evening.
DAY_BEFORE_FROM_HOUR = 8


@reminders.register
def plans_tomorrow(now: datetime) -> Iterator[Reminder]:
    """Both people of a live match, the day before a planned session, from 8am in the
    programme's time zone. The key names the plan and its day: once per plan, and once
    more only if it moves to another day (a new day is worth a new reminder; a new time on
    the same day is already told by the change notification)."""
    soon = PlannedSession.objects.open().filter(
        match__status__in=Match.LIVE,
        starts_at__gt=now,
        starts_at__lt=now + timedelta(hours=48),
    )
    for plan in soon.select_related("match__programme", "match__mentor", "match__mentee"):
        programme = plan.match.programme
        local_now = timezone.localtime(now, ZoneInfo(programme.time_zone))
        day = timezone.localtime(plan.starts_at, ZoneInfo(programme.time_zone)).date()
        if day != local_now.date() + timedelta(days=1) or local_now.hour < DAY_BEFORE_FROM_HOUR:
            continue
        when = plain_datetime(plan.starts_at, programme.time_zone, now=now)
        for person in (plan.match.mentor, plan.match.mentee):
            yield Reminder(
                person,
                Kind.PLAN_REMINDER,
                f"plan:{plan.pk}:day-before:{day.isoformat()}",
                f"Your session with {plan.match.other_party(person)} is tomorrow",
                f"When: {when}, for {minutes_in_words(plan.duration_minutes)}.\n"
                f"Where: {where_in_words(plan)}\n\nIf you cannot come, cancel it from your "
                "sessions page as soon as you can, so the other person knows.",
                reverse("mentoring:match_detail", args=[plan.match_id]) + f"#plan-{plan.pk}",
            )


@reminders.register
def feedback_missing(now: datetime) -> Iterator[Reminder]:
    for role in (Role.MENTOR, Role.MENTEE):
        for session in feedback.sessions_missing_feedback(role, now=now):
            yield Reminder(
                getattr(session.match, role),
                Kind.FEEDBACK,
                f"session:{session.pk}:feedback",
                "Tell us how a session went",
                f"How did your session on {timezone.localtime(session.starts_at):%-d %B} go? "
                "It takes two minutes. The other person never sees what you say.",
                reverse("mentoring:session_feedback", args=[session.pk]),
            )


@reminders.register
def sessions_to_log(now: datetime) -> Iterator[Reminder]:
    """Active matches with no session starting in the last seven days: once per match per
    ISO week, to both people (either may log it)."""
    week_ago = now - timedelta(days=7)
    recent = Session.objects.filter(
        match=OuterRef("pk"), starts_at__gte=week_ago, starts_at__lte=now
    )
    year, week, _ = timezone.localtime(now).isocalendar()
    matches = (
        Match.objects.filter(status=Match.Status.ACTIVE, started_at__lte=week_ago)
        .filter(~Exists(recent))
        .select_related("mentor", "mentee")
    )
    for match in matches:
        for person in (match.mentor, match.mentee):
            yield Reminder(
                person,
                Kind.SESSION_LOG,
                f"match:{match.pk}:log:{year}-W{week:02d}",
                "Log last week's session",
                "If you met last week, log the session so it can be confirmed"
                + (" and you can be paid." if person.pk == match.mentor_id else ".")
                + " If you did not meet, you can ignore this.",
                reverse("mentoring:session_new", args=[match.pk]),
            )


@reminders.register
def approvals_waiting(now: datetime) -> Iterator[Reminder]:
    """Coordinators of programmes with confirmed sessions: once per programme per day.
    A coordinator's own sessions are not theirs to approve (programmes.duties), so they are
    not counted for them, and nobody is asked about their own sessions alone."""
    programmes = Programme.objects.annotate(
        waiting=Count("matches__sessions", filter=Q(matches__sessions__status="confirmed"))
    ).filter(waiting__gt=0)
    programmes = {programme.pk: programme for programme in programmes}
    # Who is in each waiting session, to leave out a coordinator's own: one query.
    people: dict[int, list[tuple[int, int]]] = {}
    for programme_id, mentor_id, mentee_id in Session.objects.filter(
        match__programme__in=programmes, status=Session.Status.CONFIRMED
    ).values_list("match__programme_id", "match__mentor_id", "match__mentee_id"):
        people.setdefault(programme_id, []).append((mentor_id, mentee_id))
    today = timezone.localdate(now)
    for programme_id, coordinators in coordinators_by_programme(programmes).items():
        programme = programmes[programme_id]
        for person in coordinators:
            waiting = sum(person.pk not in pair for pair in people.get(programme_id, []))
            if not waiting:
                continue
            yield Reminder(
                person,
                Kind.APPROVALS,
                f"programme:{programme.pk}:approvals:{today.isoformat()}",
                f"Sessions are waiting for your approval in {programme.name}",
                f"{_plural(waiting, 'session')} in {programme.name} "
                f"{'has' if waiting == 1 else 'have'} been confirmed by both people. "
                "Approve them so mentors can be paid.",
                reverse("mentoring:coordinator_sessions", args=[programme.slug]),
            )


@reminders.register
def coproduction_checks(now: datetime) -> Iterator[Reminder]:
    matches = Match.objects.filter(status=Match.Status.ACTIVE).select_related(
        "mentor", "mentee", "programme"
    )
    for due in feedback.quarterly_checks_due(matches, now=now):
        yield Reminder(
            due.person,
            Kind.COPRODUCTION_CHECK,
            f"match:{due.match.pk}:check:q{due.quarter}",
            "Three months on: how is working together going?",
            "Every three months we ask both people a few short questions about working "
            "together as equals. It takes about five minutes.",
            reverse("mentoring:coproduction_check", args=[due.match.pk]),
        )


@reminders.register
def quiet_matches(now: datetime) -> Iterator[Reminder]:
    """After the programme's quiet_weeks without a session, both people and the
    coordinators are asked how things are; after twice as long the coordinators are told
    they may end the match. Nothing is closed: people decide. Paused matches are quiet on
    purpose and left alone. The key names the date of the last session, so a new session
    starts the count again."""
    matches = [
        match
        for match in with_last_session(
            Match.objects.filter(status=Match.Status.ACTIVE).select_related(
                "mentor", "mentee", "programme"
            )
        )
        if weeks_quiet(match, now=now) >= match.programme.quiet_weeks
    ]
    coordinators = coordinators_by_programme({match.programme_id for match in matches})
    for match in matches:
        weeks = weeks_quiet(match, now=now)
        programme = match.programme
        key = f"match:{match.pk}:quiet:{timezone.localdate(quiet_since(match)).isoformat()}"
        for person in (match.mentor, match.mentee):
            yield Reminder(
                person,
                Kind.QUIET,
                key,
                f"No session for {_plural(weeks, 'week')}: how are things?",
                f"You have not logged a session for {_plural(weeks, 'week')}. If you have met, "
                "log the session. If something is in the way, your coordinator can help.",
                reverse("mentoring:match_detail", args=[match.pk]),
            )
        matches_url = reverse("mentoring:coordinator_matches", args=[programme.slug])
        for person in coordinators.get(match.programme_id, []):
            if duties.takes_part(person, match.mentor_id, match.mentee_id):
                continue  # their own match: another coordinator looks into it
            yield Reminder(
                person,
                Kind.QUIET,
                key,
                f"A match in {programme.name} has had no session for {_plural(weeks, 'week')}",
                "You may want to ask both people how things are going.",
                matches_url,
            )
            if weeks >= 2 * programme.quiet_weeks:
                yield Reminder(
                    person,
                    Kind.QUIET_WARNING,
                    key,
                    f"A match in {programme.name} has had no session for a long time",
                    f"There has been no session for {_plural(weeks, 'week')}. If it has run its "
                    "course, you can end the match from the list of matches. Nothing is ended "
                    "unless someone chooses to.",
                    matches_url,
                )
