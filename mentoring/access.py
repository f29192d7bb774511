"""Sessions, plans and concerns a person may open; 404 for everything else."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from matching.models import open_to
from mentoring.models import Concern, Session
from programmes.models import Programme


def get_session_for_person(user, session_id: int):
    """A session of a match the person may open (get_match_for_person); 404 otherwise."""
    return get_object_or_404(
        Session.objects.with_details().filter(open_to(user, prefix="match__")),
        pk=session_id,
    )


def get_plan_for_person(user, plan_id: int):
    """A planned session of a match the person may open (get_match_for_person); 404
    otherwise."""
    from mentoring.models import PlannedSession

    return get_object_or_404(
        PlannedSession.objects.select_related(
            "match__programme", "match__mentor", "match__mentee", "planned_by"
        ).filter(open_to(user, prefix="match__")),
        pk=plan_id,
    )


def get_session_for_coordinator(programme: Programme, session_id: int):
    return get_object_or_404(
        Session.objects.with_details(), pk=session_id, match__programme=programme
    )


def get_concern_for_raiser(user, match_id: int, concern_id: int):
    """A concern the person raised themselves; 404 for everyone else, the other person of
    the match included: a concern may be about them."""
    return get_object_or_404(
        Concern.objects.select_related("match__programme", "match__mentor", "match__mentee"),
        pk=concern_id,
        match_id=match_id,
        raised_by=user,
    )


def get_concern_for_coordinator(programme: Programme, concern_id: int, user):
    """A concern of the programme for one who runs it; 404 for a concern about a match
    they are part of themselves (programmes.duties): another coordinator handles it."""
    return get_object_or_404(
        Concern.objects.select_related(
            "match__programme", "match__mentor", "match__mentee", "raised_by"
        ).not_involving(user),
        pk=concern_id,
        match__programme=programme,
    )


def get_plan_for_coordinator(programme: Programme, plan_id: int):
    """A planned session of the programme that its mentor said the mentee did not come to;
    404 for any other plan, and for another programme's."""
    from mentoring.models import PlannedSession

    return get_object_or_404(
        PlannedSession.objects.select_related(
            "match__programme", "match__mentor", "match__mentee", "missed_confirmed_by"
        ).filter(missed_reported_at__isnull=False),
        pk=plan_id,
        match__programme=programme,
    )


def get_kind_words_for_mentor(user, kind_words_id: int):
    """Kind words written for this person as mentor; 404 for anyone else, coordinators and
    the mentee who wrote them included (the mentee changes them from the match)."""
    from mentoring.models import KindWords

    return get_object_or_404(
        KindWords.objects.select_related("match"), pk=kind_words_id, match__mentor=user
    )


def get_message_for_person(user, match_id: int, message_id: int):
    """A message of a match the person may open (get_match_for_person), whoever sent it;
    404 otherwise, coordinators and administrators included: they read a message only
    once one of the pair attaches it to a concern (get_concern_for_coordinator)."""
    from mentoring.models import Message

    return get_object_or_404(
        Message.objects.select_related(
            "sender", "match__programme", "match__mentor", "match__mentee"
        ).filter(open_to(user, prefix="match__")),
        pk=message_id,
        match_id=match_id,
    )


def get_session_for_mentor(user, session_id: int):
    """A session of a match the person may open, for its mentor only: a check-in is the
    mentor's own, so the mentee (and everyone else) gets a 404."""
    session = get_session_for_person(user, session_id)
    if session.match.mentor_id != user.pk:
        raise Http404("Not the mentor of this session")
    return session


def get_match_for_mentee(user, match_id: int):
    """A match the person may open, for its mentee only (get_match_for_person)."""
    from matching.access import get_match_for_person

    match = get_match_for_person(user, match_id)
    if match.mentee_id != user.pk:
        raise Http404("Not the mentee of this match")
    return match


def get_programme_for_member(user, slug: str) -> Programme:
    """A programme where the person is a current mentor or mentee; 404 for any other, so
    nobody learns of programmes they are not in. Whether they have a match there is the
    page's to say (mentoring.support.programmes_without_match)."""
    from core.choices import Role
    from programmes.models import Membership

    return get_object_or_404(
        Programme.objects.filter(
            memberships__in=Membership.objects.current().filter(
                person=user, role__in=[Role.MENTOR, Role.MENTEE]
            )
        ).distinct(),
        slug=slug,
    )


def get_talk_request_for_coordinator(programme: Programme, request_id: int, user):
    """A request to talk of the programme for one who runs it; 404 for one about them or a
    match they are part of (programmes.duties): another coordinator picks it up."""
    from mentoring.models import TalkRequest

    return get_object_or_404(
        TalkRequest.objects.select_related(
            "person", "talked_by", "match__mentor", "match__mentee", "programme"
        ).not_involving(user),
        pk=request_id,
        programme=programme,
    )


def get_question_for_coordinator(programme: Programme, question_id: int):
    """One of the programme's own questions; another programme's answers 404."""
    from mentoring.models import ProgrammeQuestion

    return get_object_or_404(ProgrammeQuestion, pk=question_id, programme=programme)
