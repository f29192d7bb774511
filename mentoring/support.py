"""Support: requests to talk and mentors' check-ins after sessions (DESIGN.md, section 5).

A request to talk asks a coordinator for a chat, with no concern needed. It comes from a
mentor's check-in after a session, from a mentor or mentee who has no match, or from a mentee
who says "I'm finding this hard". Coordinators of the programme are told; one of them, never
someone the request is about (programmes.duties), records that they talked, and the person
who asked is told. Concerns stay apart: they are for safeguarding (mentoring.services).

A check-in is the mentor's own. Coordinators see only the request to talk it makes when the
mentor asks for a chat, never the check-ins that did not ask, nor how many there were."""

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditEvent, User
from core.choices import Role
from matching.models import Match
from mentoring.models import CheckIn, Session, TalkRequest
from notifications.models import Kind
from notifications.services import notify
from programmes import duties
from programmes.models import Membership, Programme
from programmes.services import check_coordinates

# A check-in is offered on the dashboard for this long after the session, then never again:
# it is optional, so it asks once and does not nag.
CHECK_IN_OFFERED_FOR = timedelta(days=7)

# The sentence pages and the refusal share (programmes.duties).
TALK = ("This request is about you or a match you are part of", "picks it up")


# Reads


def can_check_in(session: Session, person) -> bool:
    """Whether `person` may give the check-in for `session`: they are its mentor, and they
    logged or confirmed it. Whether they already did is the database's to say."""
    return person.pk == session.match.mentor_id and person.pk in (
        session.logged_by_id,
        session.confirmed_by_id,
    )


def check_in_of(session: Session, person) -> CheckIn | None:
    return CheckIn.objects.filter(session=session, mentor=person).first()


def check_in_offered(person, *, now: datetime | None = None) -> Session | None:
    """The one session a mentor's dashboard offers a check-in for: their latest, from the
    last week, that they logged or confirmed and have not checked in on. One at most."""
    now = now or timezone.now()
    return (
        Session.objects.with_details()
        .filter(match__in=Match.objects.open_to(person).filter(mentor=person))
        .filter(Q(logged_by=person) | Q(confirmed_by=person))
        .filter(starts_at__gte=now - CHECK_IN_OFFERED_FOR, starts_at__lte=now)
        .exclude(Exists(CheckIn.objects.filter(session=OuterRef("pk"), mentor=person)))
        .order_by("-starts_at", "-pk")
        .first()
    )


def programmes_without_match(person) -> list[Programme]:
    """Programmes where `person` is a current mentor or mentee with no live match there:
    where they can ask a coordinator for a chat from their dashboard."""
    if not getattr(person, "is_authenticated", False):
        return []
    live = Match.objects.live().filter(
        Q(mentor=person) | Q(mentee=person), programme=OuterRef("pk")
    )
    return list(
        Programme.objects.filter(
            memberships__in=Membership.objects.current().filter(
                person=person, role__in=[Role.MENTOR, Role.MENTEE]
            )
        )
        .exclude(Exists(live))
        .distinct()
        .order_by("name")
    )


def talk_requests_open(programme: Programme, by):
    """Open requests to talk in `programme` that `by` may pick up, oldest first."""
    return (
        TalkRequest.objects.open()
        .filter(programme=programme)
        .not_involving(by)
        .select_related("person", "match__mentor", "match__mentee")
        .order_by("created_at", "pk")
    )


def talk_recipients(request: TalkRequest) -> list[User]:
    """Who is told of a new request: the programme's coordinators, or when they are all part
    of it (programmes.duties), the organisation's administrators. Only open accounts."""
    people = [request.person_id]
    if request.match_id:
        people += [request.match.mentor_id, request.match.mentee_id]
    return duties.told_of(request.programme, *people)


# Writes


def _talk_request_make(
    *, programme: Programme, by: User, reason: str, match=None, note: str = ""
) -> TalkRequest | None:
    """Save a request and tell the coordinators. None when the same request is already
    open: the unique constraints keep one open request per person and route."""
    try:
        with transaction.atomic():
            request = TalkRequest.objects.create(
                programme=programme, person=by, reason=reason, match=match, note=note.strip()
            )
    except IntegrityError:
        return None
    audit_record(
        action=AuditEvent.Action.TALK_REQUESTED,
        actor=by,
        obj=request,
        programme=programme,
        # Never the note: the audit log is read more widely than the request.
        new={"reason": reason, "match": request.match_id},
    )
    for person in talk_recipients(request):
        notify(
            person=person,
            kind=Kind.TALK_REQUESTED,
            event_key=f"talk:{request.pk}",
            title=f"Someone in {programme.name} would like a chat",
            body=(
                f"Someone in {programme.name} has asked a coordinator for a chat. It is not "
                "a concern. Please get in touch with them soon, then record that you talked."
                "\n\nFor their privacy, we do not say here who asked."
            ),
            url=reverse("mentoring:coordinator_talk_detail", args=[programme.slug, request.pk]),
        )
    return request


@transaction.atomic
def check_in_give(
    *, session: Session, by: User, feeling: str, note: str = "", wants_chat: bool = False
) -> CheckIn:
    """The mentor answers "How was that for you?" after a session they logged or
    confirmed, once. When they ask for a chat, a request to talk (with their note) goes to
    the coordinators; otherwise nobody else ever reads it."""
    match = session.match
    if not match.is_open_to(by) or not can_check_in(session, by):
        raise PermissionDenied("Only the mentor checks in, once they logged or confirmed it.")
    if feeling not in CheckIn.Feeling.values:
        raise ValidationError({"feeling": "Choose how the session was for you."})
    note = note.strip()
    # The unique constraint answers a double click or a second tab: one check-in a session.
    try:
        with transaction.atomic():
            check_in = CheckIn.objects.create(
                session=session, mentor=by, feeling=feeling, note=note
            )
    except IntegrityError:
        raise ValidationError("You have already told us how this session was for you.") from None
    if wants_chat:
        talk = _talk_request_make(
            programme=match.programme,
            by=by,
            reason=TalkRequest.Reason.CHECK_IN,
            match=match,
            note=note,
        )
        CheckIn.objects.filter(pk=check_in.pk).update(talk_request=talk)
        check_in.talk_request = talk
    return check_in


@transaction.atomic
def talk_request_ask(
    *, programme: Programme, by: User, match=None, note: str = ""
) -> TalkRequest | None:
    """A mentor or mentee asks for a chat. With `match`, it is a mentee saying "I'm finding
    this hard" about it; without, someone who has no match in `programme`. None when they
    already have the same request open (they are told, and nothing is sent twice)."""
    if match is not None:
        if not match.is_open_to(by) or by.pk != match.mentee_id:
            raise PermissionDenied("Only the mentee of a match says this here.")
        reason = TalkRequest.Reason.FINDING_IT_HARD
        programme = match.programme
    else:
        if programme not in programmes_without_match(by):
            raise PermissionDenied("Only a mentor or mentee with no match asks here.")
        reason = TalkRequest.Reason.NO_MATCH
    if len(note) > 2000:
        raise ValidationError({"note": "Keep it to 2000 characters or fewer."})
    return _talk_request_make(programme=programme, by=by, reason=reason, match=match, note=note)


@transaction.atomic
def talk_record(*, request: TalkRequest, by: User, talked_on: date) -> bool:
    """A coordinator of the programme, never one the request is about, records the day they
    talked. Once: only the update that finds it open counts, so two coordinators at once
    record one chat and the person is told once. Returns whether this call recorded it."""
    programme = request.programme
    check_coordinates(by, programme)
    people = [request.person_id]
    if request.match_id:
        people += [request.match.mentor_id, request.match.mentee_id]
    duties.check_not_own(by, *people, message=duties.refusal(TALK))
    if talked_on > timezone.localdate():
        raise ValidationError({"talked_on": "The day you talked cannot be in the future."})
    if talked_on < timezone.localtime(request.created_at).date():
        raise ValidationError({"talked_on": "The day you talked cannot be before they asked."})
    recorded = (
        TalkRequest.objects.open().filter(pk=request.pk).update(talked_on=talked_on, talked_by=by)
    )
    request.refresh_from_db()
    if recorded:
        audit_record(
            action=AuditEvent.Action.TALK_RECORDED,
            actor=by,
            obj=request,
            programme=programme,
            new={"talked_on": talked_on.isoformat()},
        )
        notify(
            person=request.person,
            kind=Kind.TALK_PICKED_UP,
            event_key=f"talk:{request.pk}:picked-up",
            title=f"{by.display_name or 'A coordinator'} picked up your request for a chat",
            body=(
                f"You asked the coordinators of {programme.name} for a chat. "
                f"{by.display_name or 'A coordinator'} has recorded that you talked. If you "
                "would like another chat, you can ask again at any time."
            ),
            url=reverse("portal:dashboard"),
        )
    return bool(recorded)
