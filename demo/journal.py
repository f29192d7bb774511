"""Demo journals and learning goals, called once from `manage.py seed_demo`.

The named demo mentee (Priya) gets a year of journal entries and goals from her profile.
She has been matched with Sam for a year (demo/published_pair.py): her latest entry is about
their latest session and shared with him, and both have added notes to her goals.
The first seeded North Star pair gets entries about their own sessions, one shared with the
mentor, and goals with notes by both of them, so a mentor's view is there to try at once.

Running it again adds nothing: each person's journal and notes are written only if empty."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from core.models import PCFDomain
from demo.people import MENTEE, MENTOR
from journal import services
from journal.models import Goal, JournalEntry
from journal.selectors import matches_to_share_in, session_date
from matching.models import Match
from mentoring.models import Session

# Priya's reflections: weeks ago, PCF domain slugs, then the answers.
PRIYA_ENTRIES = [
    (
        46,
        ["values-and-ethics", "critical-reflection"],
        {
            "description": "I read back a record I wrote last year about a boy of nine. "
            "It called his mum 'non-engaging' three times.",
            "feelings": "Embarrassed, then a bit defensive.",
            "evaluation": "The facts were right. The words were not kind, and he may read "
            "them one day.",
            "analysis": "I wrote for my manager and the court, not for him.",
            "conclusion": "Our records are part of a child's story. Labels stick.",
            "bias": "I wrote about every missed meeting and none of the times she came.",
            "impact": "I now write notes as if the child is reading over my shoulder.",
        },
    ),
    (
        30,
        ["diversity-and-equality", "skills-and-interventions"],
        {
            "description": "A review for a girl of fifteen. Eight adults in the room and she "
            "sat by the door.",
            "feelings": "Uncomfortable. I could see she wanted to leave.",
            "analysis": "The meeting was set up for us, at a time that suited us.",
            "power": "We held almost all of it. She could only choose to stay quiet.",
            "differently": "Ask her beforehand who she wants there and where she wants to sit.",
            "action_plan": "Meet her before the next review and let her set the agenda.",
        },
    ),
    (
        17,
        ["rights-justice"],
        {
            "description": "Helped a young man moving to his first flat. He had no kettle "
            "and no money until his grant came through.",
            "evaluation": "We sorted the grant. Nobody had checked the basics before the move.",
            "conclusion": "Moving on is practical before it is emotional.",
            "impact": (
                "I made a moving-in checklist for the team, written with two care-experienced "
                "adults."
            ),
        },
    ),
    (
        6,
        ["critical-reflection", "professionalism"],
        {
            "description": "Supervision about a family where I felt stuck.",
            "feelings": "Tired, and worried I was missing something.",
            "analysis": "I had stopped seeing what was going well for them.",
            "bias": "No. I listed five risks and one strength.",
            "action_plan": "Write three strengths before my next visit.",
        },
    ),
    (
        1,
        ["values-and-ethics", "professionalism"],
        {
            "description": "A year of mentoring with Sam. We looked back at what has changed.",
            "feelings": "Proud, and a bit sad that the year went so fast.",
            "conclusion": "I ask young people how they want things written, before I write.",
            "differently": "Be open about what I find hard sooner, rather than showing only "
            "what goes well.",
            "power": "Sam said he felt like an equal in our sessions. I want the young "
            "people I work with to feel that in reviews.",
        },
    ),
]
# The entry Priya shared with Sam, about their latest session.
PRIYA_SHARED = PRIYA_ABOUT_A_SESSION = 4
PRIYA_OWN_GOAL = "Write records a child could read"
PRIYA_NOTES = [
    "Read back three old records and rewrote one with my team.",
    "Asked a young person what words they want us to use about them.",
]
SAM_NOTE = "We read Priya's latest review report together: it sounds like her, not a form."

# The seeded pair's reflections on their sessions, newest sessions last.
PAIR_ENTRIES = [
    {
        "description": "We went through a review meeting from the young person's side of "
        "the table.",
        "feelings": "Surprised by how much I had never noticed.",
        "analysis": "Small things, like who speaks first, set the tone for the child.",
        "conclusion": "Ask the young person how they want the meeting to start.",
        "power": "The chair held it. The young person held very little.",
        "impact": "I now ask children to open their own reviews if they want to.",
    },
    {
        "description": "Practised explaining a move to a new home in words a ten-year-old "
        "would use.",
        "evaluation": "My first go was full of jargon. The second was better.",
        # language: quoted
        "conclusion": "Say 'home', not 'placement'. Say 'family time', not 'contact'.",
        "action_plan": "Try the new words with a child I visit next week.",
    },
    {
        "description": "We talked about how it felt to read your own file as an adult.",
        "feelings": "Moved. It stayed with me all evening.",
        "bias": "Our notes describe risks in detail and strengths in a line.",
        "differently": "Write one thing the child did well in every visit note.",
        "impact": "My visit notes now start with the child's own words.",
    },
]
PAIR_SHARED = 2
MENTOR_NOTE = "Reviewed together: the last two visit notes read much more kindly."
MENTEE_NOTE = "Used the new words in a review. The young person noticed."


def _domains(slugs: list[str]) -> list[PCFDomain]:
    return list(PCFDomain.objects.filter(slug__in=slugs))


def _goals_with_notes(*, mentee: User, notes: list[tuple[User, str, Session | None]]) -> None:
    services.goals_from_profile(mentee=mentee)
    goals = list(Goal.objects.filter(mentee=mentee).order_by("created_at", "id"))
    if not goals or any(goal.notes.exists() for goal in goals):
        return
    for index, (author, text, session) in enumerate(notes):
        services.goal_note_add(
            goal=goals[index % len(goals)], author=author, text=text, session=session
        )


def _priya(stdout) -> None:
    priya = User.objects.filter(email=MENTEE.email).first()
    if priya is None:
        return
    today = timezone.localdate()
    sessions = list(
        Session.objects.filter(match__mentee=priya, match__mentor__email=MENTOR.email)
        .select_related("match__programme")
        .order_by("starts_at")
    )
    if not JournalEntry.objects.filter(mentee=priya).exists():
        for index, (weeks, domains, answers) in enumerate(PRIYA_ENTRIES):
            day = today - timedelta(weeks=weeks)
            # The others are about her own work; this one about their latest session.
            session = sessions[-1] if index == PRIYA_ABOUT_A_SESSION and sessions else None
            entry = services.journal_entry_create(
                mentee=priya,
                session=session,
                activity_date=session_date(session) if session else day,
                answers=answers,
                pcf_domains=_domains(domains),
            )
            # Shared only with a mentor she has: never with one to come (journal.models).
            if index == PRIYA_SHARED and matches_to_share_in(entry).exists():
                services.journal_entry_share(entry=entry, by=priya)
        stdout.write(f"Journal: {len(PRIYA_ENTRIES)} entries for {priya}.")
    if not Goal.objects.filter(mentee=priya, topic=None).exists():
        services.goal_add(mentee=priya, title=PRIYA_OWN_GOAL)
    notes = [(priya, text, None) for text in PRIYA_NOTES]
    sam = sessions[-1].match.mentor if sessions else None
    if sam is not None:
        notes.append((sam, SAM_NOTE, sessions[-1]))
    _goals_with_notes(mentee=priya, notes=notes)


def _seeded_pair(stdout) -> None:
    """The first seeded North Star match with sessions, by the mentee's email."""
    match = (
        Match.objects.filter(programme__slug="north-star", status=Match.Status.ACTIVE)
        .filter(sessions__isnull=False)
        .exclude(mentor__email=MENTOR.email)
        .exclude(mentee__email=MENTEE.email)
        .select_related("mentor", "mentee", "programme")
        .order_by("mentee__email")
        .distinct()
        .first()
    )
    if match is None:
        return
    mentee = match.mentee
    sessions = list(
        Session.objects.filter(match=match).select_related("match__programme").order_by("starts_at")
    )
    recent = sessions[-len(PAIR_ENTRIES) :]
    if not JournalEntry.objects.filter(mentee=mentee).exists():
        for index, (session, answers) in enumerate(zip(recent, PAIR_ENTRIES, strict=False)):
            entry = services.journal_entry_create(
                mentee=mentee,
                session=session,
                activity_date=session_date(session),
                answers=answers,
                pcf_domains=_domains(["critical-reflection", "values-and-ethics"][: index + 1]),
            )
            if index == PAIR_SHARED:
                services.journal_entry_share(entry=entry, by=mentee)
        stdout.write(
            f"Journal: entries about sessions for {mentee}, one shared with {match.mentor}."
        )
    latest = recent[-1] if recent else None
    _goals_with_notes(
        mentee=mentee,
        notes=[(match.mentor, MENTOR_NOTE, latest), (mentee, MENTEE_NOTE, None)],
    )


def seed_journal(stdout) -> None:
    """Demo journals and goals. Safe to run again: it only adds what is missing."""
    _priya(stdout)
    _seeded_pair(stdout)
