"""What mentoring holds about a person: sessions and planned sessions, concerns they
raised, the feedback and co-production checks they gave, kind words, and the messages of
their matches (see portal/privacy.py for how every app's privacy module is composed)."""

from django.db.models import Q

from accounts.models import User
from accounts.privacy import names
from matching.privacy import other_name
from mentoring.models import (
    Concern,
    CoproductionCheck,
    KindWords,
    Message,
    PlannedSession,
    Session,
    SessionFeedback,
)


def export(user: User) -> dict:
    """Sessions of their matches, and what they said, never what the other person said about
    them."""
    attached = set(
        Message.objects.attached()
        .filter(Q(match__mentor=user) | Q(match__mentee=user))
        .values_list("pk", flat=True)
    )
    return {
        "sessions": [
            {
                "programme": session.match.programme.name,
                "with": other_name(session.match, user),
                "started": session.starts_at.isoformat(),
                "minutes": session.duration_minutes,
                "meeting_mode": session.get_meeting_mode_display(),
                "topics": names(session.topics),
                "preparation_minutes": (
                    session.preparation_minutes if session.match.mentor_id == user.pk else None
                ),
                "note": session.note,
                "status": session.get_status_display(),
            }
            for session in Session.objects.with_details().filter(
                Q(match__mentor=user) | Q(match__mentee=user)
            )
        ],
        # Planned sessions, with where the two of them meet: shared by both, like sessions.
        "planned_sessions": [
            {
                "programme": plan.match.programme.name,
                "with": other_name(plan.match, user),
                "starts": plan.starts_at.isoformat(),
                "minutes": plan.duration_minutes,
                "meeting_mode": plan.get_meeting_mode_display(),
                "place": plan.place,
                "meeting_link": plan.meeting_link,
                "note": plan.note,
                "cancelled": plan.cancelled_at.isoformat() if plan.cancelled_at else None,
            }
            for plan in PlannedSession.objects.filter(
                Q(match__mentor=user) | Q(match__mentee=user)
            ).select_related("match__programme", "match__mentor", "match__mentee")
        ],
        "concerns_raised": [
            {
                "match_with": other_name(concern.match, user),
                "kind": concern.get_kind_display(),
                "what_happened": concern.what_happened,
                "status": concern.get_status_display(),
                "raised": concern.created_at.isoformat(),
            }
            for concern in Concern.objects.filter(raised_by=user).select_related(
                "match__mentor", "match__mentee"
            )
        ],
        # Both sides of their conversations: what they wrote, and what was written to them.
        "messages": [
            {
                "match_with": other_name(message.match, user),
                "from": "you" if message.sender_id == user.pk else other_name(message.match, user),
                "sent": message.sent_at.isoformat(),
                "text": message.text,
                "shown_to_coordinators_with_a_concern": message.pk in attached,
            }
            for message in Message.objects.filter(
                Q(match__mentor=user) | Q(match__mentee=user)
            ).select_related("match__mentor", "match__mentee")
        ],
        "session_feedback_given": [
            {
                "session": feedback.session.starts_at.isoformat(),
                "answers": {
                    str(SessionFeedback._meta.get_field(name).verbose_name): getattr(
                        feedback, f"get_{name}_display"
                    )()
                    for name in ("useful", "listened_to", "plain_language")
                    + SessionFeedback.MENTOR_QUESTIONS
                    if getattr(feedback, name) is not None
                },
                "comments": feedback.comments,
                "given": feedback.created_at.isoformat(),
            }
            for feedback in SessionFeedback.objects.filter(person=user).select_related("session")
        ],
        "kind_words_written": [
            {
                "about": str(words.match.mentor),
                "words": words.words,
                "written": words.written_at.isoformat(),
            }
            for words in KindWords.objects.filter(match__mentee=user).select_related(
                "match__mentor"
            )
        ],
        "kind_words_received": [
            {
                "words": words.words,
                "written": words.written_at.isoformat(),
                "in_your_record": words.in_record,
            }
            for words in KindWords.objects.filter(match__mentor=user)
        ],
        "coproduction_checks_given": [
            {
                "match_with": other_name(check.match, user),
                "when": check.get_occasion_display(),
                "answers": {
                    str(CoproductionCheck._meta.get_field(name).verbose_name): getattr(
                        check, f"get_{name}_display"
                    )()
                    for name in ("equality", "diversity", "accessibility", "reciprocity", "rung")
                },
                "comments": check.comments,
                "given": check.created_at.isoformat(),
            }
            for check in CoproductionCheck.objects.filter(person=user).select_related(
                "match__mentor", "match__mentee"
            )
        ],
    }


def erase(user: User) -> None:
    """Feedback and co-production checks stay in the totals, without the person or their
    words: free text can name people. Sessions and concerns belong to the match and stay.

    The messages they wrote are deleted, except one attached to a concern: it is part of a
    safeguarding record, as the concern's own words are, so it stays with the concern,
    without their name. What the other person wrote to them is the other person's, and
    stays for the other person until the retention period ends."""
    Message.objects.filter(sender=user).exclude(
        pk__in=Message.objects.attached().values("pk")
    ).delete()
    Message.objects.filter(sender=user).update(sender=None)
    SessionFeedback.objects.filter(person=user).update(person=None, comments="")
    # Kind words are the mentee's own, written for the mentor's record: gone when either goes.
    KindWords.objects.filter(Q(match__mentee=user) | Q(match__mentor=user)).delete()
    CoproductionCheck.objects.filter(person=user).update(person=None, comments="")
