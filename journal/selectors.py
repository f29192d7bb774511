"""Reads for the journal, the CPD record and learning goals. The get_* helpers answer 404
for anything the person may not see, so nothing about other people's journals leaks."""

from datetime import date
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from core.choices import Role
from core.models import Topic
from journal.models import REFLECTION_QUESTIONS, Goal, GoalNote, JournalEntry
from matching.access import get_match_for_person
from matching.models import Match
from mentoring.models import Session
from programmes.models import Membership

# Social Work England asks for CPD to be recorded by 30 November each year.
CPD_DEADLINE = (11, 30)
CPD_REMINDER_FROM = (11, 1)


def cpd_deadline_near(today: date) -> date | None:
    """The CPD recording deadline when it is close enough to remind people: from
    1 November to 30 November it is 30 November that year; otherwise None."""
    deadline = date(today.year, *CPD_DEADLINE)
    if date(today.year, *CPD_REMINDER_FROM) <= today <= deadline:
        return deadline
    return None


# The journal


def get_entry_for_mentee(user, entry_id: int) -> JournalEntry:
    """One of the person's own entries; 404 for everyone else."""
    return get_object_or_404(JournalEntry.objects.with_details().written_by(user), pk=entry_id)


def get_entry_shared_with(user, entry_id: int) -> JournalEntry:
    """An entry a mentee shared with this mentor; 404 once unshared, and for everyone else."""
    return get_object_or_404(JournalEntry.objects.with_details().shared_with(user), pk=entry_id)


def entries_of(mentee):
    return JournalEntry.objects.with_details().written_by(mentee)


def entries_shared_with(mentor, *, mentee=None):
    entries = JournalEntry.objects.with_details().shared_with(mentor)
    if mentee is not None:
        entries = entries.filter(mentee=mentee)
    return entries.order_by("-activity_date", "-id")


def sessions_for_journal(mentee):
    """Sessions a mentee can write about: those of their own matches, newest first."""
    return (
        Session.objects.filter(match__mentee=mentee)
        .select_related("match__mentor", "match__programme")
        .order_by("-starts_at", "-id")
    )


def session_date(session: Session) -> date:
    return session.starts_at.astimezone(ZoneInfo(session.match.programme.time_zone)).date()


def matches_to_share_in(entry: JournalEntry):
    """The matches an entry would be shared in now: the match of the session it is about,
    or else the mentee's live matches; in each, both people still hold their roles."""
    if entry.session_id:
        matches = Match.objects.filter(pk=entry.session.match_id)
    else:
        matches = Match.objects.live().filter(mentee=entry.mentee_id)
    mentor_role = Membership.objects.current().filter(
        programme=OuterRef("programme"), person=OuterRef("mentor"), role=Role.MENTOR
    )
    return (
        matches.open_to(entry.mentee)
        .filter(Exists(mentor_role))
        .select_related("mentor")
        .order_by("pk")
    )


def mentors_who_can_see(entry: JournalEntry) -> list:
    """For the mentee's own page: who can read a shared entry, or who it would be shared
    with now."""
    if not entry.is_shared:
        mentors = {match.mentor for match in matches_to_share_in(entry)}
    else:
        mentors = {
            match.mentor
            for match in entry.shared_in.select_related("mentor")
            if JournalEntry.objects.shared_with(match.mentor).filter(pk=entry.pk).exists()
        }
    return sorted(mentors, key=lambda person: str(person))


# The CPD record: each entry in the fields Social Work England's CPD record asks for.

CPD_COLUMNS = [
    ("activity_type", "Type of activity"),
    ("date", "Date"),
    ("description", "Description and why it is relevant to my practice"),
    ("learned", "What I learned"),
    ("impact", "Impact on my practice and on the people I work with"),
    ("pcf_domains", "PCF domains"),
    # Social Work England asks for peer reflection: with whom, when, what was discussed. A
    # mentoring session is one; an entry about anything else leaves these empty.
    ("peer_with", "Peer reflection: with whom"),
    ("peer_when", "Peer reflection: when"),
    ("peer_discussed", "Peer reflection: what we discussed"),
]
PEER_COLUMNS = {"peer_with", "peer_when", "peer_discussed"}
# Which answers in the journal fill each part of the record. Feelings stay in the journal.
CPD_SOURCES = {
    "description": ["description", "evaluation", "analysis"],
    "learned": ["conclusion", "assumptions", "bias", "power", "mentoring_power", "differently"],
    "impact": ["impact", "action_plan"],
}
# The answers a person may put in the record, in the journal's order.
CPD_ANSWERS = [name for name, *_ in REFLECTION_QUESTIONS if name != "feelings"]


def _joined(entry: JournalEntry, fields: list[str], chosen) -> str:
    return "\n\n".join(
        value.strip()
        for value in (getattr(entry, name) for name in fields if name in chosen)
        if value.strip()
    )


def cpd_record(entry: JournalEntry, answers: set[str] | None = None) -> dict[str, str]:
    """One entry in the record's boxes. `answers` are the names of the answers the person
    chose to put in (every answer when None); the others stay in the journal."""
    chosen = set(CPD_ANSWERS) if answers is None else set(answers) & set(CPD_ANSWERS)
    session = entry.session
    peer = {"peer_with": "", "peer_when": "", "peer_discussed": ""}
    if session is not None:
        peer = {
            "peer_with": f"{session.match.mentor}, my mentor (an expert by experience)",
            "peer_when": session_date(session).isoformat(),
            "peer_discussed": _joined(entry, ["description"], chosen),
        }
    return {
        "activity_type": entry.activity_type,
        "date": entry.activity_date.isoformat(),
        **{part: _joined(entry, fields, chosen) for part, fields in CPD_SOURCES.items()},
        "pcf_domains": "; ".join(domain.name for domain in entry.pcf_domains.all()),
        **peer,
    }


# Learning goals


def goals_of(mentee):
    notes = GoalNote.objects.select_related("author", "session__match__programme")
    return (
        Goal.objects.filter(mentee=mentee)
        .select_related("topic")
        .prefetch_related(Prefetch("notes", queryset=notes))
    )


def profile_topics_without_goals(mentee) -> list[Topic]:
    """The learning goals on a mentee's profile that are not goals here yet."""
    return list(
        Topic.objects.filter(menteeprofile__user=mentee)
        .exclude(goals__mentee=mentee)
        .order_by("name")
    )


def get_live_match_for_person(user, match_id: int) -> Match:
    """A live match of the person's own, as its mentor or mentee; 404 otherwise."""
    match = get_match_for_person(user, match_id)
    if not match.is_live:
        raise Http404("Match not live")
    return match


def get_goal_for_mentee(mentee, goal_id) -> Goal | None:
    """One of the mentee's goals, or None for an id that is not theirs or not an id."""
    text = str(goal_id)
    if not text.isdecimal() or len(text) > 18:
        return None
    return Goal.objects.filter(mentee=mentee, pk=int(text)).first()


def live_mentee_matches(mentee):
    return Match.objects.live().filter(mentee=mentee).select_related("mentor")


def is_mentor_of(mentor, mentee) -> bool:
    """The mentor of a live match with `mentee`, while they hold the mentor role there."""
    return Match.objects.live().filter(Q(mentor=mentor, mentee=mentee)).open_to(mentor).exists()
