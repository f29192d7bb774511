"""What happened inside the demo's matches: a year of sessions, one match ended and one
concern raised, sessions planned ahead, and feedback and co-production checks. Everything
goes through the services, for the matches of the demo round only: Sam and Priya, the
published pair, have a story of their own (demo/published_pair.py)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from accounts.models import User
from core.choices import Role
from core.models import Topic
from demo.people import MENTEE, MENTOR, SEED
from matching import services as matching_services
from matching.models import Match
from mentoring.feedback import FEEDBACK_STATUSES, PRINCIPLES, QUARTER
from mentoring.models import (
    Concern,
    CoproductionCheck,
    PlannedSession,
    ProgrammeAnswer,
    ProgrammeQuestion,
    Session,
    SessionFeedback,
)
from mentoring.questions import programme_question_add
from mentoring.services import (
    concern_raise,
    concern_record_action,
    session_approve,
    session_confirm,
    session_log,
    session_plan,
)
from programmes.models import Programme

# ---------------------------------------------------------------------------------------------
# Sessions of the demo's matches: a year of them, monthly at first and fortnightly lately,
# mostly approved, the latest of each waiting for the coordinator, and one still waiting for
# the other person to confirm.

MATCH_WEEKS_AGO = 52
SESSION_WEEKS_AGO = (50, 46, 42, 38, 34, 30, 26, 22, 18, 14, 10, 7, 5, 3, 1)
SESSION_NOTES = (
    "We went through a recent review meeting from the young person's side of the table.",
    "Talked about how to explain moving to a new home in words a ten-year-old would use.",
    "Practised writing a record as if the child would read it one day.",
    "",
)
# Local start times, (hour, minute): evenings for most, one lunchtime call.
SESSION_TIMES = ((18, 0), (17, 30), (12, 30), (19, 0))


def demo_sessions_ensure(*, programme: Programme, coordinator: User, now: datetime) -> int:
    """Sessions for the matches of the demo round, made through the session services, for
    each match that has none yet. Sam and Priya's are written out in demo/published_pair.py.
    Returns how many sessions were added."""
    zone = ZoneInfo(programme.time_zone)
    matches = (
        Match.objects.filter(programme=programme, status=Match.Status.ACTIVE)
        .exclude(mentor__email=MENTOR.email)
        .exclude(mentee__email=MENTEE.email)
        .select_related("mentor", "mentee", "programme")
        .order_by("mentee__email")
    )
    added = 0
    for index, match in enumerate(matches):
        if Session.objects.filter(match=match).exists():
            continue
        # The match began before its first session, as it would have.
        Match.objects.filter(pk=match.pk).update(started_at=now - timedelta(weeks=MATCH_WEEKS_AGO))
        goals = list(Topic.objects.filter(menteeprofile__user=match.mentee).order_by("name")[:2])
        for number, weeks in enumerate(SESSION_WEEKS_AGO):
            hour, minute = SESSION_TIMES[(index + number) % len(SESSION_TIMES)]
            day = (now - timedelta(weeks=weeks, days=index % 3)).astimezone(zone).date()
            starts_at = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
            latest = number == len(SESSION_WEEKS_AGO) - 1
            logger = match.mentee if (index + number) % 3 == 0 else match.mentor
            other = match.other_party(logger)
            session = session_log(
                match=match,
                by=logger,
                starts_at=starts_at,
                duration_minutes=(60, 75, 90, 45)[(index + number) % 4],
                meeting_mode=("online", "online", "phone", "in_person")[(index + number) % 4],
                topics=goals,
                preparation_minutes=(15, 30, 20)[number % 3] if logger == match.mentor else 0,
                note=SESSION_NOTES[(index + number) % len(SESSION_NOTES)],
            )
            added += 1
            if latest and index == 0:
                continue  # waiting for the other person to confirm
            session_confirm(session=session, by=other)
            if not latest:
                session_approve(session=session, by=coordinator)
    return added


# One demo match ended, with both people's closing surveys, and a concern a mentor raised
# that the coordinator is dealing with.
ENDING = {"rating": 4, "recommend": "yes", "reason": "goals_reached"}
ENDING_COMMENTS = (
    "We did what we set out to do. I feel more confident chairing reviews now.",
    "It was good to see the change in how reports are written. Happy to mentor again.",
)
CONCERN_TEXT = (
    "My mentee mentioned they are off sick with stress and finding the workload too much. "
    "I am worried about them and said I would let you know."
)
CONCERN_ACTION = "Called the mentee and their manager. Agreed a lighter workload for a month."


def demo_endings_ensure(*, programme: Programme, coordinator: User, now: datetime) -> None:
    """Close the last demo match (once) and raise one concern (once), through the services."""
    matches = list(
        Match.objects.filter(programme=programme, sessions__isnull=False)
        .exclude(mentor__email=MENTOR.email)
        .exclude(mentee__email=MENTEE.email)
        .distinct()
        .select_related("mentor", "mentee", "programme")
        .order_by("mentee__email")
    )
    if len(matches) < 3:
        return
    ending = matches[-1]
    if not Match.objects.filter(programme=programme, status=Match.Status.CLOSED).exists():
        for session in ending.sessions.filter(status=Session.Status.CONFIRMED):
            session_approve(session=session, by=coordinator)
        matching_services.match_close(
            match=ending, by=ending.mentee, comments=ENDING_COMMENTS[0], **ENDING
        )
        matching_services.closing_survey_give(
            match=ending, person=ending.mentor, comments=ENDING_COMMENTS[1], **ENDING
        )
        Match.objects.filter(pk=ending.pk).update(ended_at=now - timedelta(days=4))
    if not Concern.objects.filter(match__programme=programme).exists():
        worried = matches[1]
        concern = concern_raise(
            match=worried,
            by=worried.mentor,
            kind=Concern.Kind.WELLBEING,
            what_happened=CONCERN_TEXT,
        )
        # The coordinator read it back then: nobody is emailed now.
        Concern.objects.filter(pk=concern.pk).update(emailed_at=now)
        concern_record_action(
            concern=concern,
            by=coordinator,
            note=CONCERN_ACTION,
            new_status=Concern.Status.IN_PROGRESS,
        )


# ---------------------------------------------------------------------------------------------
# Feedback after the demo's sessions and co-production checks: mostly positive, some
# lukewarm, a few comments. The match whose latest session waits for confirmation keeps that
# session's feedback and its latest check unanswered, so its two people find both forms on
# their dashboard. Of the ended match, only the person who ended it has given the last check.

FEEDBACK_QUESTIONS = ("useful", "listened_to", "plain_language")
MENTOR_QUESTIONS = ("equal_partner", "expertise_valued", "paid_fairly")
FEEDBACK_SCORES = {5: 40, 4: 38, 3: 14, 2: 6, 1: 2}
FEEDBACK_COMMENTS = (
    "Really useful. I am going to change how I start home visits.",
    "We ran out of time, but what we covered was good.",
    "It helped to hear how a review felt from the other side of the table.",
    "I felt listened to, and I was not made to feel silly for asking.",
    "A bit rushed today. The call kept dropping.",
    "Good to be asked what I think rather than just told.",
)


def feedback_answers(role: str, draw) -> dict[str, int]:
    """One side's answers to the session questions, each drawn by `draw()` in the form's
    order: the mentor answers three more."""
    questions = FEEDBACK_QUESTIONS + (MENTOR_QUESTIONS if role == Role.MENTOR else ())
    return {name: draw() for name in questions}


def feedback_row(session, match, role, person, answers: dict, comments: str):
    return SessionFeedback(
        session=session,
        programme_id=match.programme_id,
        person=person,
        role=role,
        comments=comments,
        **answers,
    )


# North Star's own feedback question, added by its coordinator half a year ago: the seeded
# feedback since then answers it, so the statistics have figures for it.
OWN_QUESTION = "I came away with something to think about"
OWN_QUESTION_WEEKS_AGO = 26


def demo_questions_ensure(*, programme: Programme, coordinator: User, now: datetime) -> None:
    """The programme's own feedback question, once, dated half a year back."""
    if ProgrammeQuestion.objects.filter(programme=programme).exists():
        return
    question = programme_question_add(
        programme=programme,
        asks_in=ProgrammeQuestion.AsksIn.FEEDBACK,
        who=ProgrammeQuestion.Who.BOTH,
        text=OWN_QUESTION,
        by=coordinator,
    )
    ProgrammeQuestion.objects.filter(pk=question.pk).update(
        added_at=now - timedelta(weeks=OWN_QUESTION_WEEKS_AGO)
    )


def own_answers_add(rows: list[SessionFeedback], draw) -> None:
    """Answers to the programme's own feedback questions, for the feedback rows (saved and
    dated by answers_dated) given while each question was asked of that side. Each answer
    is drawn by `draw()`, in the rows' order."""
    if not rows:
        return
    questions = list(
        ProgrammeQuestion.objects.filter(
            programme_id=rows[0].programme_id, asks_in=ProgrammeQuestion.AsksIn.FEEDBACK
        )
    )
    ProgrammeAnswer.objects.bulk_create(
        ProgrammeAnswer(question=question, feedback=row, value=draw())
        for row in rows
        for question in questions
        if question.who in (ProgrammeQuestion.Who.BOTH, row.role)
        and row.created_at >= question.added_at
        and (question.retired_at is None or row.created_at < question.retired_at)
    )


def answers_dated(model, rows: list, when: list[datetime], *, now: datetime) -> None:
    """Save feedback or check answers as given back then: created_at is set on insert, so
    each row is dated afterwards, never later than a few minutes ago."""
    model.objects.bulk_create(rows)
    for row, at in zip(rows, when, strict=True):
        row.created_at = min(at, now - timedelta(minutes=5))
    model.objects.bulk_update(rows, ["created_at"])


def demo_feedback_ensure(*, programme: Programme, now: datetime) -> None:
    """Session feedback and quarterly and closing co-production checks for the demo's
    matches, for each match that has none yet. Each match draws from its own generator,
    seeded with its mentee's email, so every run makes the same answers."""
    matches = list(
        Match.objects.filter(programme=programme, sessions__isnull=False)
        .exclude(mentor__email=MENTOR.email)
        .exclude(mentee__email=MENTEE.email)
        .distinct()
        .select_related("mentor", "mentee")
        .order_by("mentee__email")
    )
    # Whoever has a session to confirm is the pair the accessibility crawl follows.
    waiting = set(
        Session.objects.filter(match__in=matches, status=Session.Status.LOGGED).values_list(
            "match_id", flat=True
        )
    )
    for match in matches:
        if match.pk in waiting and match.status == Match.Status.ACTIVE:
            # Old enough for a check every three months, whatever the sessions above did.
            Match.objects.filter(pk=match.pk, started_at__gt=now - QUARTER).update(
                started_at=now - QUARTER - timedelta(weeks=1)
            )
            match.refresh_from_db(fields=["started_at"])

    def score(rng: random.Random) -> int:
        return rng.choices(list(FEEDBACK_SCORES), weights=list(FEEDBACK_SCORES.values()))[0]

    for match in matches:
        rng = random.Random(f"{SEED}-feedback-{match.mentee.email}")
        sides = ((Role.MENTOR, match.mentor), (Role.MENTEE, match.mentee))
        if not SessionFeedback.objects.filter(session__match=match).exists():
            sessions = list(
                Session.objects.filter(
                    match=match, status__in=FEEDBACK_STATUSES, starts_at__lte=now
                ).order_by("starts_at", "pk")
            )
            rows, when = [], []
            for number, session in enumerate(sessions):
                latest = number == len(sessions) - 1
                for role, person in sides:
                    skip = rng.random() < (0.3 if latest else 0.1)
                    answers = feedback_answers(role, partial(score, rng))
                    comment = rng.choice(FEEDBACK_COMMENTS) if rng.random() < 0.15 else ""
                    after = timedelta(hours=rng.randint(2, 48))
                    if skip or (latest and match.pk in waiting):
                        continue
                    rows.append(feedback_row(session, match, role, person, answers, comment))
                    when.append(session.starts_at + after)
            answers_dated(SessionFeedback, rows, when, now=now)
            # Their own generator, so the answers above and the checks below stay as they were.
            own = random.Random(f"{SEED}-own-questions-{match.mentee.email}")
            own_answers_add(rows, partial(score, own))
        if not CoproductionCheck.objects.filter(match=match).exists():
            until = match.ended_at or now
            quarters = max(0, (until - match.started_at) // QUARTER)
            rows, when = [], []
            for quarter in [*range(1, quarters + 1), 0]:
                if quarter == 0 and match.status != Match.Status.CLOSED:
                    continue
                for role, person in sides:
                    answers = {name: score(rng) for name in PRINCIPLES}
                    rung = rng.choices(range(3, 8), weights=(1, 2, 3, 6, 5))[0]
                    skip = rng.random() < 0.1
                    last_quarter = quarter == quarters and match.status == Match.Status.ACTIVE
                    if quarter == 0:
                        # The mentee ended it and answered; the mentor is still asked.
                        skip = role == Role.MENTOR
                    elif last_quarter and match.pk in waiting:
                        skip = True
                    if skip:
                        continue
                    rows.append(
                        CoproductionCheck(
                            match=match,
                            programme_id=match.programme_id,
                            person=person,
                            role=role,
                            occasion="closing" if quarter == 0 else "quarterly",
                            quarter=quarter,
                            rung=rung,
                            **answers,
                        )
                    )
                    late = timedelta(days=rng.randint(0, 6))
                    given = (
                        until + timedelta(days=1)
                        if quarter == 0
                        else match.started_at + quarter * QUARTER + late
                    )
                    when.append(given)
            answers_dated(CoproductionCheck, rows, when, now=now)


def demo_plans_ensure(*, programme: Programme, now: datetime) -> None:
    """The next session of each of the first two demo matches, planned in advance (once)."""
    if PlannedSession.objects.filter(match__programme=programme).exists():
        return
    zone = ZoneInfo(programme.time_zone)
    matches = (
        Match.objects.filter(programme=programme, status=Match.Status.ACTIVE)
        .exclude(mentor__email=MENTOR.email)
        .exclude(mentee__email=MENTEE.email)
        .select_related("programme")
        .order_by("mentee__email")[:2]
    )
    for index, match in enumerate(matches):
        day = (now + timedelta(days=6 + index)).astimezone(zone).date()
        session_plan(
            match=match,
            by=match.mentor,
            starts_at=datetime(day.year, day.month, day.day, 18, 0, tzinfo=zone),
            duration_minutes=60,
            meeting_mode=("online", "in_person")[index],
            place=("", "The library café, 12 High Street")[index],
            meeting_link=("https://meet.example.org/north-star-mentoring", "")[index],
            note=("Bring the notes from last time.", "")[index],
        )
