"""Sam and Priya, the published mentor and mentee logins, matched a year ago: the whole loop
in one pair, so whoever signs in as either of them finds a match with a history.

Their coordinator proposed them as a pair a year ago (the engine scored and explained it as
a round would), approved it, and both said yes. Since then: a session every few weeks, each
confirmed by the other and approved, but the latest, which waits for the coordinator; the
next one planned, online, with a link; their agreement, filled in by Sam and changed by
Priya; messages through the year, the latest one not yet read by Priya; feedback from both
after every session; a co-production check each quarter, Priya's latest still to give; Sam's
check-in after one session; and the kind words Priya wrote, which Sam put in his record of
contribution. Priya's journal and goals
(demo/journal.py) and Sam's pay (demo/payments.py) follow from these sessions.

Everything goes through the services and is then dated back to when it happened. Safe to
run again: each part is made only if the pair has none of it. If either of them is already
matched with someone else, or waits for an answer, the pair is left alone."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError

from accounts.models import User
from core.choices import Role
from core.models import Topic
from demo.mentoring import answers_dated, feedback_answers, feedback_row, own_answers_add
from demo.messages import conversation_send
from demo.people import MENTEE, MENTOR, SEED
from matching import services as matching_services
from matching.models import Match, MatchingRound, Proposal
from mentoring.agreements import agreement_save
from mentoring.feedback import PRINCIPLES, QUARTER
from mentoring.models import (
    AgreementVersion,
    CheckIn,
    CoproductionCheck,
    KindWords,
    Message,
    PlannedSession,
    Session,
    SessionFeedback,
)
from mentoring.services import (
    kind_words_choose,
    kind_words_write,
    session_approve,
    session_confirm,
    session_log,
    session_plan,
)
from mentoring.support import check_in_give
from programmes.models import Programme

MATCHED_WEEKS_AGO = 52
# Wednesday afternoons suit them both (Sam: Tuesday and Thursday evenings, Wednesday
# afternoon, Saturday morning; Priya: Wednesday and Thursday afternoons).
WEDNESDAY = 2


@dataclass(frozen=True)
class Meeting:
    weeks_ago: int
    logged_by: str  # "mentor" or "mentee"
    minutes: int
    mode: str
    topics: tuple[str, ...]
    note: str = ""


SESSIONS = (
    Meeting(
        51,
        "mentor",
        60,
        "online",
        ("being-heard-in-reviews",),
        "Our first meeting. We said what we each want from this and started our agreement.",
    ),
    Meeting(
        48,
        "mentee",
        60,
        "online",
        ("being-heard-in-reviews",),
        "Sam told me how his reviews felt at fourteen. We looked at how I open mine.",
    ),
    Meeting(
        45,
        "mentor",
        75,
        "online",
        ("language-that-cares",),
        "We read a report of Priya's together, as the young person it was about would.",
    ),
    Meeting(
        41,
        "mentor",
        60,
        "phone",
        ("moving-to-adulthood",),
        "What helped when I got my first flat, and what nobody told me.",
    ),
    Meeting(
        37,
        "mentee",
        60,
        "online",
        ("language-that-cares",),
        "Words that label and words that describe. I kept a list of the ones to drop.",
    ),
    Meeting(
        33,
        "mentor",
        90,
        "online",
        ("being-heard-in-reviews", "moving-to-adulthood"),
        "Planning a review with a young woman about to move to her own flat: who she wants there.",
    ),
    Meeting(29, "mentor", 60, "online", ("moving-to-adulthood",), ""),
    Meeting(
        25,
        "mentee",
        60,
        "online",
        ("language-that-cares",),
        "How it feels to read your own file as an adult.",
    ),
    Meeting(
        21,
        "mentor",
        75,
        "online",
        ("being-heard-in-reviews",),
        "Priya chaired her first review with the young person opening it.",
    ),
    Meeting(17, "mentor", 60, "phone", ("moving-to-adulthood",), ""),
    Meeting(
        13,
        "mentee",
        60,
        "online",
        ("language-that-cares",),
        "Rewrote the team's moving-in letter together, in plain words.",
    ),
    Meeting(
        9,
        "mentor",
        60,
        "online",
        ("being-heard-in-reviews",),
        "When I got it wrong with a family, and what I did next.",
    ),
    Meeting(
        6,
        "mentor",
        75,
        "online",
        ("moving-to-adulthood", "language-that-cares"),
        "Sam helped me plan how to explain a move to a boy of nine.",
    ),
    Meeting(3, "mentee", 60, "online", ("language-that-cares",), ""),
    Meeting(
        1,
        "mentor",
        60,
        "online",
        ("being-heard-in-reviews",),
        "Looking back on a year, and what we want from the next one.",
    ),
)
PREPARATION_MINUTES = (15, 30, 20)
# The session Sam checked in after, and what he said: for himself, no chat asked.
CHECK_IN_AFTER = 1
CHECK_IN_NOTE = "Talking about my own reviews brought a lot back, but in a good way."

PLANNED_IN_DAYS = 6
PLANNED_LINK = "https://meet.example.org/north-star-sam-and-priya"
PLANNED_NOTE = "Bring the draft of the moving-in letter."

AGREEMENT = {
    "how_we_meet": "Online on a Wednesday afternoon every three or four weeks, for an hour. "
    "If one of us cannot make it, we send a message the day before.",
    "off_limits": "Sam's birth family. Priya's own family.",
    "between_us": "What we say about Priya's team and about our own lives stays between us.",
    "when_to_tell": "If either of us is struggling for more than a few weeks, or a child "
    "could be at risk, we tell Jo, our coordinator.",
}
AGREEMENT_CHANGED = {
    "how_we_meet": "Online on a Wednesday afternoon every three or four weeks, for an hour, "
    "and by phone when Priya is out on visits. If one of us cannot make it, we send a "
    "message the day before."
}

# Who writes, what, and how many days ago; the last one is not read yet.
CONVERSATION = (
    (
        "mentor",
        "Hello Priya, I'm Sam. Thank you for saying yes. Does Wednesday afternoon "
        "suit you for a first chat online?",
        362,
    ),
    ("mentee", "Hello Sam. Yes, Wednesday at 2pm is good. I'm a bit nervous, to be honest.", 362),
    ("mentor", "So am I! We can just get to know each other first.", 361),
    (
        "mentee",
        "Thank you for today. I read my report again tonight with your questions in mind.",
        314,
    ),
    ("mentor", "Can we move next week's session by an hour? I have a hospital appointment.", 190),
    ("mentee", "Of course, 3pm is fine.", 190),
    (
        "mentee",
        "I chaired the review the way we planned. She opened it herself. It went so much better.",
        146,
    ),
    ("mentor", "That's brilliant. Well done to both of you.", 146),
    (
        "mentee",
        "Thank you for last week. I've been thinking about what you said about getting it wrong.",
        60,
    ),
    ("mentor", "Looking forward to next week. I'll bring the letter I mentioned.", 1),
)

KIND_WORDS = (
    "Sam showed me how my words land with the young people I write about. I open reviews "
    "differently now, and I ask before I write. He was honest with me and never made me "
    "feel judged."
)

FEEDBACK_COMMENTS = {
    0: ("It helped to hear it from the other side of the table.", ""),
    8: (
        "Good to be asked what I think rather than just told.",
        "I felt listened to, and Priya tried the ideas straight away.",
    ),
}
# Sam's and Priya's usual answers (1 to 5): mostly good, some middling.
SCORES = (5, 5, 4, 5, 4, 3, 5)


def _people() -> tuple[User | None, User | None]:
    found = {
        user.email: user for user in User.objects.filter(email__in=[MENTOR.email, MENTEE.email])
    }
    return found.get(MENTOR.email), found.get(MENTEE.email)


def published_pair_ensure(
    *, programme: Programme, coordinator: User, now: datetime
) -> Match | None:
    """Sam and Priya's match and its year. Returns the match, or None when it cannot be made."""
    sam, priya = _people()
    if sam is None or priya is None:
        return None
    match = _match_ensure(programme, coordinator, sam, priya, now)
    if match is None:
        return None
    sessions = _sessions_ensure(match, coordinator, now)
    _agreement_ensure(match, now)
    _plan_ensure(match, now)
    _feedback_ensure(match, sessions, now)
    _checks_ensure(match, now)
    _check_in_ensure(match, sessions)
    _messages_ensure(match, now)
    _kind_words_ensure(match, now)
    return match


def _match_ensure(programme, coordinator, sam, priya, now) -> Match | None:
    match = Match.objects.filter(programme=programme, mentor=sam, mentee=priya).first()
    if match is not None:
        return match
    try:
        proposal = matching_services.pair_propose(
            programme=programme, mentee=priya, mentor_id=sam.pk, by=coordinator
        )
    except ValidationError:
        return None  # one of them is matched or asked already: their story is their own
    matching_services.proposal_approve(proposal=proposal, by=coordinator)
    # Asked back then: nobody is emailed now.
    Proposal.objects.filter(pk=proposal.pk).update(asked_at=now)
    for person in (sam, priya):
        matching_services.proposal_answer(proposal=proposal, person=person, accept=True)
    matched = now - timedelta(weeks=MATCHED_WEEKS_AGO)
    proposed = matched - timedelta(days=4)
    MatchingRound.objects.filter(pk=proposal.round_id).update(
        created_at=proposed, started_at=proposed, finished_at=proposed
    )
    Proposal.objects.filter(pk=proposal.pk).update(
        created_at=proposed, reviewed_at=proposed, asked_at=proposed
    )
    Match.objects.filter(pk=proposal.match.pk).update(started_at=matched)
    return Match.objects.select_related("mentor", "mentee", "programme").get(proposal=proposal)


def _starts_at(match: Match, meeting: Meeting, now: datetime) -> datetime:
    zone = ZoneInfo(match.programme.time_zone)
    day = (now - timedelta(weeks=meeting.weeks_ago)).astimezone(zone).date()
    day -= timedelta(days=(day.weekday() - WEDNESDAY) % 7)
    hour = 15 if meeting.weeks_ago == 25 else 14  # the one Sam moved by an hour
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=zone)


def _sessions_ensure(match: Match, coordinator: User, now: datetime) -> list[Session]:
    existing = list(Session.objects.filter(match=match).order_by("starts_at"))
    if existing:
        return existing
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    made = []
    for number, meeting in enumerate(SESSIONS):
        logger = match.mentor if meeting.logged_by == Role.MENTOR else match.mentee
        session = session_log(
            match=match,
            by=logger,
            starts_at=_starts_at(match, meeting, now),
            duration_minutes=meeting.minutes,
            meeting_mode=meeting.mode,
            topics=[topics[slug] for slug in meeting.topics if slug in topics],
            preparation_minutes=PREPARATION_MINUTES[number % len(PREPARATION_MINUTES)],
            note=meeting.note,
        )
        session_confirm(session=session, by=match.other_party(logger))
        if number < len(SESSIONS) - 1:
            # The latest waits for the coordinator, as a week-old session may.
            session_approve(session=session, by=coordinator)
        made.append(session)
    return made


def _agreement_ensure(match: Match, now: datetime) -> None:
    if AgreementVersion.objects.filter(match=match).exists():
        return
    first = agreement_save(match=match, by=match.mentor, based_on=0, **AGREEMENT)
    changed = agreement_save(
        match=match, by=match.mentee, based_on=1, **(AGREEMENT | AGREEMENT_CHANGED)
    )
    for version, weeks in ((first, 51), (changed, 40)):
        if version is not None:
            AgreementVersion.objects.filter(pk=version.pk).update(
                created_at=now - timedelta(weeks=weeks)
            )


def _plan_ensure(match: Match, now: datetime) -> None:
    if PlannedSession.objects.filter(match=match).exists():
        return
    zone = ZoneInfo(match.programme.time_zone)
    day = (now + timedelta(days=PLANNED_IN_DAYS)).astimezone(zone).date()
    session_plan(
        match=match,
        by=match.mentor,
        starts_at=datetime(day.year, day.month, day.day, 14, 0, tzinfo=zone),
        duration_minutes=60,
        meeting_mode="online",
        meeting_link=PLANNED_LINK,
        note=PLANNED_NOTE,
    )


def _feedback_ensure(match: Match, sessions: list[Session], now: datetime) -> None:
    if SessionFeedback.objects.filter(session__match=match).exists():
        return
    rng = random.Random(f"{SEED}-published-pair")
    rows, when = [], []
    for number, session in enumerate(sessions):
        comments = FEEDBACK_COMMENTS.get(number, ("", ""))
        for index, (role, person) in enumerate(
            ((Role.MENTEE, match.mentee), (Role.MENTOR, match.mentor))
        ):
            answers = feedback_answers(role, lambda: rng.choice(SCORES))
            rows.append(feedback_row(session, match, role, person, answers, comments[index]))
            when.append(session.starts_at + timedelta(hours=3 + 20 * index))
    answers_dated(SessionFeedback, rows, when, now=now)
    own = random.Random(f"{SEED}-published-pair-own-questions")
    own_answers_add(rows, lambda: own.choice(SCORES))


def _checks_ensure(match: Match, now: datetime) -> None:
    if CoproductionCheck.objects.filter(match=match).exists():
        return
    rng = random.Random(f"{SEED}-published-pair-checks")
    quarters = (now - match.started_at) // QUARTER
    rows, when = [], []
    for quarter in range(1, quarters + 1):
        for role, person in ((Role.MENTOR, match.mentor), (Role.MENTEE, match.mentee)):
            if quarter == quarters and role == Role.MENTEE:
                continue  # Priya's latest check is still to give
            rows.append(
                CoproductionCheck(
                    match=match,
                    programme_id=match.programme_id,
                    person=person,
                    role=role,
                    occasion="quarterly",
                    quarter=quarter,
                    rung=min(7, 4 + quarter),
                    **{name: rng.choice(SCORES) for name in PRINCIPLES},
                )
            )
            when.append(match.started_at + quarter * QUARTER + timedelta(days=2))
    answers_dated(CoproductionCheck, rows, when, now=now)


def _check_in_ensure(match: Match, sessions: list[Session]) -> None:
    if len(sessions) <= CHECK_IN_AFTER or CheckIn.objects.filter(session__match=match).exists():
        return
    session = sessions[CHECK_IN_AFTER]
    check_in = check_in_give(session=session, by=match.mentor, feeling="good", note=CHECK_IN_NOTE)
    CheckIn.objects.filter(pk=check_in.pk).update(created_at=session.starts_at + timedelta(hours=2))


def _messages_ensure(match: Match, now: datetime) -> None:
    if not Message.objects.filter(match=match).exists():
        conversation_send(match, CONVERSATION, now=now)


def _kind_words_ensure(match: Match, now: datetime) -> None:
    if KindWords.objects.filter(match=match).exists():
        return
    kind_words = kind_words_write(match=match, by=match.mentee, words=KIND_WORDS)
    kind_words_choose(kind_words=kind_words, by=match.mentor, in_record=True)
    KindWords.objects.filter(pk=kind_words.pk).update(written_at=now - timedelta(weeks=2))
