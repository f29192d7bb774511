"""Changes to journal entries and learning goals. Each runs in one transaction.

Journal writes are private to the mentee and are not audited; exporting the CPD record is,
as every export of personal data is."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditEvent, User
from journal.models import REFLECTION_QUESTIONS, Goal, GoalNote, JournalEntry
from journal.selectors import is_mentor_of, matches_to_share_in, profile_topics_without_goals
from matching.models import Match
from mentoring.models import Session

ANSWER_FIELDS = [name for name, _, _ in REFLECTION_QUESTIONS]


def _check_session(*, mentee: User, session: Session | None) -> None:
    if session is not None and session.match.mentee_id != mentee.pk:
        raise ValidationError("You can only write about sessions of your own matches.")


def _check_date(activity_date: date) -> None:
    if activity_date > timezone.localdate():
        raise ValidationError("The date cannot be in the future.")


@transaction.atomic
def journal_entry_create(
    *,
    mentee: User,
    activity_date: date,
    answers: dict[str, str],
    pcf_domains=(),
    session: Session | None = None,
) -> JournalEntry:
    _check_session(mentee=mentee, session=session)
    _check_date(activity_date)
    entry = JournalEntry.objects.create(
        mentee=mentee,
        session=session,
        activity_date=activity_date,
        **{name: answers.get(name, "") for name in ANSWER_FIELDS},
    )
    entry.pcf_domains.set(pcf_domains)
    return entry


@transaction.atomic
def journal_entry_update(
    *,
    entry: JournalEntry,
    activity_date: date,
    answers: dict[str, str],
    pcf_domains=(),
    session: Session | None = None,
) -> JournalEntry:
    _check_session(mentee=entry.mentee, session=session)
    _check_date(activity_date)
    entry.session = session
    entry.activity_date = activity_date
    for name in ANSWER_FIELDS:
        setattr(entry, name, answers.get(name, ""))
    entry.save()
    entry.pcf_domains.set(pcf_domains)
    return entry


@transaction.atomic
def journal_entry_share(*, entry: JournalEntry, by: User) -> bool:
    """Share an entry with the mentor: of the session's match, or of the mentee's live
    matches now. Those matches are recorded, so nobody who mentors them later can read it.
    Returns False if it was shared already."""
    if entry.mentee_id != by.pk:
        raise ValidationError("Only the person who wrote an entry can share it.")
    matches = list(matches_to_share_in(entry))
    if not matches:
        raise ValidationError(
            "You do not have a mentor right now, so there is nobody to share this with."
        )
    # A conditional update, so a double click keeps the first sharing time.
    shared = JournalEntry.objects.filter(pk=entry.pk, shared_at__isnull=True).update(
        shared_at=timezone.now()
    )
    if shared:
        entry.shared_in.set(matches)
    return bool(shared)


@transaction.atomic
def journal_entry_unshare(*, entry: JournalEntry, by: User) -> bool:
    """Make an entry private again. Returns False if it was private already."""
    if entry.mentee_id != by.pk:
        raise ValidationError("Only the person who wrote an entry can stop sharing it.")
    unshared = JournalEntry.objects.filter(pk=entry.pk, shared_at__isnull=False).update(
        shared_at=None
    )
    entry.shared_in.clear()
    return bool(unshared)


@transaction.atomic
def journal_entry_delete(*, entry: JournalEntry, by: User) -> None:
    if entry.mentee_id != by.pk:
        raise ValidationError("Only the person who wrote an entry can delete it.")
    entry.delete()


@transaction.atomic
def cpd_record_exported(*, mentee: User, entries: list[JournalEntry], request=None) -> None:
    """Note in the audit log that a mentee downloaded part of their journal."""
    audit_record(
        action=AuditEvent.Action.DATA_EXPORTED,
        actor=mentee,
        obj=mentee,
        new={"what": "CPD record", "entries": [entry.pk for entry in entries]},
        request=request,
    )


# Learning goals


@transaction.atomic
def goal_add(*, mentee: User, title: str) -> Goal:
    title = title.strip()
    if not title:
        raise ValidationError("Write your goal in a few words.")
    return Goal.objects.create(mentee=mentee, title=title)


@transaction.atomic
def goals_from_profile(*, mentee: User) -> list[Goal]:
    """A goal for each learning goal on the mentee's profile that is not a goal yet."""
    added = []
    for topic in profile_topics_without_goals(mentee):
        try:
            # Two requests at once may both try; the constraint keeps one goal per topic.
            with transaction.atomic():
                added.append(Goal.objects.create(mentee=mentee, topic=topic, title=topic.name))
        except IntegrityError:
            continue
    return added


@transaction.atomic
def goal_achieve(*, goal: Goal, by: User) -> bool:
    if goal.mentee_id != by.pk:
        raise ValidationError("Only the person whose goal it is can mark it achieved.")
    done = Goal.objects.filter(pk=goal.pk, status=Goal.Status.WORKING).update(
        status=Goal.Status.ACHIEVED, achieved_at=timezone.now()
    )
    return bool(done)


@transaction.atomic
def goal_note_add(
    *, goal: Goal, author: User, text: str, session: Session | None = None
) -> GoalNote:
    """A progress note, by the mentee or by their mentor in a live match. Notes are never
    changed once written."""
    if author.pk != goal.mentee_id and not is_mentor_of(author, goal.mentee_id):
        raise ValidationError("Only the mentee and their mentor can add notes to this goal.")
    if (
        session is not None
        and not Match.objects.filter(pk=session.match_id, mentee=goal.mentee_id).exists()
    ):
        raise ValidationError("Choose a session of this mentee's matches.")
    text = text.strip()
    if not text:
        raise ValidationError("Write a note.")
    return GoalNote.objects.create(goal=goal, author=author, text=text, session=session)
