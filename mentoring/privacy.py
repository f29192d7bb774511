"""What mentoring holds about a person: sessions, concerns they raised, and the feedback and
co-production checks they gave (see portal/privacy.py for how every app's privacy module is
composed)."""

from django.db.models import Q

from accounts.models import User
from accounts.privacy import names
from matching.privacy import other_name
from mentoring.models import (
    CheckIn,
    Concern,
    CoproductionCheck,
    Session,
    SessionFeedback,
    TalkRequest,
)


def export(user: User) -> dict:
    """Sessions of their matches, and what they said, never what the other person said about
    them."""
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
        "check_ins": [
            {
                "session": check_in.session.starts_at.isoformat(),
                "how_it_was": check_in.get_feeling_display(),
                "note": check_in.note,
                "asked_for_a_chat": check_in.talk_request_id is not None,
                "given": check_in.created_at.isoformat(),
            }
            for check_in in CheckIn.objects.filter(mentor=user).select_related("session")
        ],
        "requests_to_talk": [
            {
                "programme": talk.programme.name,
                "why": talk.get_reason_display(),
                "note": talk.note,
                "asked": talk.created_at.isoformat(),
                "talked_on": talk.talked_on.isoformat() if talk.talked_on else None,
                "talked_with": talk.talked_by.display_name if talk.talked_by else None,
            }
            for talk in TalkRequest.objects.filter(person=user).select_related(
                "programme", "talked_by"
            )
        ],
    }


def erase(user: User) -> None:
    """Feedback and co-production checks stay in the totals, without the person or their
    words: free text can name people. Sessions and concerns belong to the match and stay.
    Check-ins and requests to talk are deleted."""
    SessionFeedback.objects.filter(person=user).update(person=None, comments="")
    CoproductionCheck.objects.filter(person=user).update(person=None, comments="")
    # Check-ins and requests to talk are the person's own and counted nowhere: they go.
    CheckIn.objects.filter(mentor=user).delete()
    TalkRequest.objects.filter(person=user).delete()
