"""What mentoring holds about a person: sessions and planned sessions, concerns they
raised, the feedback and co-production checks they gave, kind words, the messages of their
matches and the agreements of their matches (see portal/privacy.py for how every app's
privacy module is composed).

Agreements: the download holds every version of the agreement of each of their matches,
whoever wrote it, as both people can read them all. Deleting the account deletes every
version of those agreements, the other person's words included. An agreement is written by
the two people together, about both of them (what is off limits can say a lot about
someone), and it is only of use while the match is live; by this step the person's matches
have ended (matching erases first), so the other person could no longer change it anyway.
Nobody else ever reads it, so nothing else needs it kept."""

from django.db.models import Prefetch, Q

from accounts.models import User
from accounts.privacy import names
from matching.privacy import other_name
from mentoring.models import (
    AgreementVersion,
    CheckIn,
    Concern,
    CoproductionCheck,
    KindWords,
    Message,
    PlannedSession,
    ProgrammeAnswer,
    Session,
    SessionFeedback,
    TalkRequest,
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
                }
                | _own_answers(feedback),
                "comments": feedback.comments,
                "given": feedback.created_at.isoformat(),
            }
            for feedback in SessionFeedback.objects.filter(person=user)
            .select_related("session")
            .prefetch_related(_OWN_ANSWERS)
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
                }
                | _own_answers(check),
                "comments": check.comments,
                "given": check.created_at.isoformat(),
            }
            for check in CoproductionCheck.objects.filter(person=user)
            .select_related("match__mentor", "match__mentee")
            .prefetch_related(_OWN_ANSWERS)
        ],
        "agreements": [
            {
                "match_with": other_name(version.match, user),
                "version": version.number,
                "written_by": (
                    "you"
                    if version.written_by_id == user.pk
                    else version.written_by.display_name
                    if version.written_by
                    else ""
                ),
                "written": version.created_at.isoformat(),
                **{
                    str(AgreementVersion._meta.get_field(name).verbose_name): getattr(version, name)
                    for name in AgreementVersion.FIELDS
                },
            }
            for version in AgreementVersion.objects.filter(_theirs(user))
            .select_related("match__mentor", "match__mentee", "written_by")
            .order_by("match_id", "number")
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


# Their ratings of the programme's own questions, with the feedback or check they came with.
_OWN_ANSWERS = Prefetch("own_answers", ProgrammeAnswer.objects.select_related("question"))


def _own_answers(given) -> dict[str, str]:
    return {answer.question.text: answer.get_value_display() for answer in given.own_answers.all()}


def _theirs(user: User) -> Q:
    return Q(match__mentor=user) | Q(match__mentee=user)


def erase(user: User) -> None:
    """Feedback and co-production checks stay in the totals, without the person or their
    words: free text can name people. Their ratings of the programme's own questions stay
    with them (ProgrammeAnswer hangs off the feedback or check), so without the person too.
    Sessions and concerns belong to the match and stay.

    The messages they wrote are deleted, except one attached to a concern: it is part of a
    safeguarding record, as the concern's own words are, so it stays with the concern,
    without their name. What the other person wrote to them is the other person's, and
    stays for the other person until the retention period ends. Agreements of their
    matches, their check-ins and requests to talk are deleted."""
    Message.objects.filter(sender=user).exclude(
        pk__in=Message.objects.attached().values("pk")
    ).delete()
    Message.objects.filter(sender=user).update(sender=None)
    SessionFeedback.objects.filter(person=user).update(person=None, comments="")
    # Kind words are the mentee's own, written for the mentor's record: gone when either goes.
    KindWords.objects.filter(Q(match__mentee=user) | Q(match__mentor=user)).delete()
    CoproductionCheck.objects.filter(person=user).update(person=None, comments="")
    # Every version of the agreements of their matches: see the note at the top.
    AgreementVersion.objects.filter(_theirs(user)).delete()
    # Check-ins and requests to talk are the person's own and counted nowhere: they go.
    CheckIn.objects.filter(mentor=user).delete()
    TalkRequest.objects.filter(person=user).delete()
