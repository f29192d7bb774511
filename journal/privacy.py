"""What the journal holds about a person: their entries, their goals with everyone's notes on
them, and the notes they wrote on others' goals (see portal/privacy.py for how every app's
privacy module is composed)."""

from accounts.models import User
from accounts.privacy import names
from journal.models import QUESTION_LABELS, Goal, GoalNote, JournalEntry


def export(user: User) -> dict:
    def entry(item: JournalEntry) -> dict:
        return {
            "activity_date": item.activity_date.isoformat(),
            "about_session": item.session.starts_at.isoformat() if item.session else None,
            **{
                str(QUESTION_LABELS[name]): getattr(item, name)
                for name in QUESTION_LABELS
                if getattr(item, name)
            },
            "pcf_domains": names(item.pcf_domains),
            "shared_with_mentor": item.shared_at.isoformat() if item.shared_at else None,
            "written": item.created_at.isoformat(),
        }

    def note(item: GoalNote) -> dict:
        return {
            "by": "you" if item.author_id == user.pk else getattr(item.author, "display_name", ""),
            "note": item.text,
            "written": item.created_at.isoformat(),
        }

    return {
        "journal": [
            entry(item)
            for item in JournalEntry.objects.filter(mentee=user)
            .select_related("session")
            .prefetch_related("pcf_domains")
        ],
        "goals": [
            {
                "goal": goal.title,
                "status": goal.get_status_display(),
                "notes": [note(item) for item in goal.notes.all()],
            }
            for goal in Goal.objects.filter(mentee=user).prefetch_related("notes__author")
        ],
        "goal_notes_you_wrote_for_others": [
            note(item) for item in GoalNote.objects.filter(author=user).exclude(goal__mentee=user)
        ],
    }


def erase(user: User) -> None:
    """The journal and goals are the person's own: they go, with every note on the goals."""
    JournalEntry.objects.filter(mentee=user).delete()
    Goal.objects.filter(mentee=user).delete()
