"""Everything that changes an activity or a place on one. Each service runs in one
transaction and writes its audit row there; people are told through notify()."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditEvent, User
from activities.models import (
    ACTIVITY_MINUTES,
    CANCEL_REASON,
    PLACES,
    PREPARATION_MINUTES,
    Activity,
    ActivityKind,
    Place,
)
from activities.signals import activity_cancelled, attendance_recorded
from core.locks import lock_row
from notifications.models import Kind
from notifications.services import notify
from programmes import duties
from programmes.access import experts_of
from programmes.models import Programme
from programmes.services import check_coordinates


def mentors_of(programme: Programme):
    """The people who may take part in the programme's activities: its current experts by
    experience, mentors and panel members (programmes.access.experts_of)."""
    return experts_of(programme)


def _is_mentor_of(person: User, programme: Programme) -> bool:
    return mentors_of(programme).filter(pk=person.pk).exists()


def taking_part(activity: Activity) -> list[int]:
    """Who takes part in an activity: the people who said yes. None of them records who
    attended it (programmes.duties)."""
    return list(activity.places_taken.taken().values_list("person_id", flat=True))


@transaction.atomic
def activity_create(
    *,
    programme: Programme,
    by: User,
    kind: str,
    title: str,
    starts_at: datetime,
    duration_minutes: int,
    places: int,
    who: str,
    online: bool = False,
    place: str = "",
    kind_name: str = "",
    description: str = "",
    preparation_minutes: int = 0,
    invite: list[User] | tuple = (),
) -> Activity:
    """A coordinator of the programme makes an activity, and invites `invite` in the same
    transaction (activity_invite: more can be invited later). Everyone of the programme
    is told of an open call."""
    check_coordinates(by, programme)
    errors = {}
    if kind not in ActivityKind.values:
        errors["kind"] = "Choose what kind of activity it is."
    kind_name = kind_name.strip() if kind == ActivityKind.OTHER else ""
    if kind == ActivityKind.OTHER and not kind_name:
        errors["kind_name"] = "Give this kind of activity a name, like 'Podcast recording'."
    if not title.strip():
        errors["title"] = "Enter a title, like 'Interview panel for a senior social worker'."
    if not ACTIVITY_MINUTES[0] <= duration_minutes <= ACTIVITY_MINUTES[1]:
        errors["duration_minutes"] = "An activity lasts from 15 to 720 minutes (12 hours)."
    if not PREPARATION_MINUTES[0] <= preparation_minutes <= PREPARATION_MINUTES[1]:
        errors["preparation_minutes"] = "Preparation time is from 0 to 480 minutes (8 hours)."
    if not PLACES[0] <= places <= PLACES[1]:
        errors["places"] = "An activity has from 1 to 100 places."
    if who not in Activity.Who.values:
        errors["who"] = "Choose who can take part."
    place = "" if online else place.strip()
    if not online and not place:
        errors["place"] = "Say where it is, or choose online."
    if errors:
        raise ValidationError(errors)
    activity = Activity.objects.create(
        programme=programme,
        kind=kind,
        kind_name=kind_name[:80],
        title=title.strip()[:120],
        description=description.strip()[:2000],
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        preparation_minutes=preparation_minutes,
        online=online,
        place=place[:300],
        places=places,
        who=who,
        created_by=by,
    )
    audit_record(
        action=AuditEvent.Action.ACTIVITY_CREATED,
        actor=by,
        obj=activity,
        programme=programme,
        new={
            "kind": kind,
            "starts_at": starts_at,
            "duration_minutes": duration_minutes,
            "places": places,
            "who": who,
        },
    )
    if invite:
        activity_invite(activity=activity, people=list(invite), by=by)
    if who == Activity.Who.OPEN:
        invited = [person.pk for person in invite]
        others = mentors_of(programme).exclude(pk__in=[by.pk, *invited])
        _tell(activity, list(others), open_call=True)
    return activity


def _tell(activity: Activity, people, *, open_call: bool) -> None:
    when = timezone.localtime(activity.starts_at)
    for person in people:
        notify(
            person=person,
            kind=Kind.ACTIVITY,
            event_key=f"activity:{activity.pk}:asked:{person.pk}",
            title=(
                f"A paid activity is open to you: {activity.title}"
                if open_call
                else f"You are invited to a paid activity: {activity.title}"
            ),
            body=(
                f"{activity.kind_label} in {activity.programme.name} on "
                f"{when:%-d %B %Y} at {when:%H:%M}. It is paid. Open it to say yes or no."
            ),
            url=reverse("activities:activity_detail", args=[activity.pk]),
        )


@transaction.atomic
def activity_invite(*, activity: Activity, people: list[User], by: User) -> int:
    """Invite experts by experience of the programme to an activity; each gets a place row
    waiting for their answer and is told. Inviting someone again changes nothing. Returns
    how many were newly invited."""
    check_coordinates(by, activity.programme)
    if activity.is_cancelled:
        raise ValidationError("This activity is cancelled, so nobody more can be invited.")
    if activity.has_started:
        raise ValidationError("This activity has started, so nobody more can be invited.")
    allowed = set(mentors_of(activity.programme).values_list("pk", flat=True))
    strangers = [person for person in people if person.pk not in allowed]
    if strangers:
        raise ValidationError(
            {"people": "Only experts by experience of this programme can be invited."}
        )
    already = set(activity.places_taken.values_list("person_id", flat=True))
    new = [person for person in people if person.pk not in already]
    # ignore_conflicts: a second coordinator inviting the same person at once adds nothing.
    Place.objects.bulk_create(
        [Place(activity=activity, person=person, invited_by=by) for person in new],
        ignore_conflicts=True,
    )
    if new:
        audit_record(
            action=AuditEvent.Action.ACTIVITY_INVITED,
            actor=by,
            obj=activity,
            programme=activity.programme,
            new={"people": [person.pk for person in new]},
        )
        _tell(activity, new, open_call=False)
    return len(new)


def can_answer(activity: Activity, person: User) -> bool:
    """Whether `person` may say yes or no: a current expert by experience of the programme,
    invited (or on an open call), before the activity starts, unless it is cancelled."""
    if activity.is_cancelled or activity.has_started:
        return False
    if not _is_mentor_of(person, activity.programme):
        return False
    if activity.who == Activity.Who.OPEN:
        return True
    mine = activity.places_taken.filter(person=person)
    return mine.exclude(answer=Place.Answer.ROLE_ENDED).exists()


@transaction.atomic
def place_answer(*, activity: Activity, person: User, yes: bool) -> Place:
    """A person says yes or no to an activity. Saying yes takes one of its places: people
    answering at once queue on the activity's row, so no more say yes than there are
    places. An answer can be changed until the activity starts."""
    # Answers to one activity take turns: each counts the places taken after the one
    # before it has committed, so the last place goes to one person only.
    # Read afresh under the lock: a cancellation committed meanwhile closes answers.
    lock_row(activity)
    activity.refresh_from_db(fields=["cancelled_at", "cancelled_by", "cancel_reason"])
    if not _is_mentor_of(person, activity.programme):
        raise PermissionDenied("Not an expert by experience of this programme")
    if activity.is_cancelled:
        raise ValidationError("This activity is cancelled, so it takes no more answers.")
    if activity.has_started:
        raise ValidationError("This activity has started, so answers can no longer change.")
    place = activity.places_taken.filter(person=person).first()
    if place is None:
        if activity.who != Activity.Who.OPEN:
            raise PermissionDenied("Not invited")
        place = Place.objects.create(activity=activity, person=person)
    if place.answer == Place.Answer.ROLE_ENDED:
        raise PermissionDenied("Role ended")
    answer = Place.Answer.YES if yes else Place.Answer.NO
    if answer == place.answer:
        return place
    if yes and activity.places_taken.taken().exclude(pk=place.pk).count() >= activity.places:
        raise ValidationError(
            {
                "answer": f"All {activity.places} places are taken. Your coordinator can tell "
                "you about the next one."
            }
        )
    old = place.answer
    place.answer = answer
    place.answered_at = timezone.now()
    place.save(update_fields=["answer", "answered_at"])
    audit_record(
        action=AuditEvent.Action.ACTIVITY_ANSWERED,
        actor=person,
        obj=place,
        programme=activity.programme,
        old={"answer": old},
        new={"answer": answer},
    )
    return place


@transaction.atomic
def attendance_record(*, place: Place, by: User, attended: bool) -> bool:
    """A coordinator records whether someone who said yes attended, once the activity has
    started. Once only: of fifty clicks at once, the one conditional update that finds it
    unrecorded counts, and only it tells payments to pay the place (which pays once
    anyway, by the database). Nobody records attendance for an activity they take part in
    (programmes.duties)."""
    activity = place.activity
    check_coordinates(by, activity.programme)
    duties.check_not_own(by, *taking_part(activity), message=duties.refusal(duties.ACTIVITY))
    if activity.is_cancelled:
        raise ValidationError("This activity was cancelled, so nobody attended it.")
    if not activity.has_started:
        raise ValidationError("Attendance can be recorded once the activity has started.")
    value = Place.Attendance.ATTENDED if attended else Place.Attendance.ABSENT
    updated = Place.objects.filter(
        pk=place.pk, answer=Place.Answer.YES, attendance=Place.Attendance.NOT_RECORDED
    ).update(attendance=value, attendance_by=by, attendance_at=timezone.now())
    place.refresh_from_db()
    if not updated:
        if place.answer != Place.Answer.YES:
            raise ValidationError("Only someone who said yes can be recorded as attending.")
        return False
    audit_record(
        action=AuditEvent.Action.ACTIVITY_ATTENDANCE,
        actor=by,
        obj=place,
        programme=activity.programme,
        new={"attendance": value, "person": place.person_id},
    )
    if attended:
        # In the same transaction: payments adds the person's ledger lines
        # (payments/receivers.py), so an attended place always has them.
        attendance_recorded.send(sender=Place, place=place, by=by)
    return True


def can_cancel(activity: Activity) -> bool:
    """Whether the activity can still be cancelled: not yet, and not started."""
    return not activity.is_cancelled and not activity.has_started


@transaction.atomic
def activity_cancel(*, activity: Activity, by: User, reason: str) -> bool:
    """A coordinator of the programme cancels an activity that has not started, saying why.
    Everyone who said yes, and everyone invited who had not answered, is told with the
    reason. Once only: of twenty clicks at once, the one conditional update that finds it
    still on counts, and only it tells payments (activities.signals.activity_cancelled),
    which pays each person who said yes the cancellation fee when it is short notice.
    Nobody cancels an activity they take part in (programmes.duties). Returns whether this
    call cancelled it."""
    check_coordinates(by, activity.programme)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": "Say why it is cancelled. The people invited are sent what you write."}
        )
    if len(reason) > CANCEL_REASON:
        raise ValidationError(
            {"reason": f"Write the reason in {CANCEL_REASON} characters or fewer."}
        )
    # Answers queue on the activity's row (place_answer), so who said yes cannot change
    # between this check and the cancellation.
    lock_row(activity)
    duties.check_not_own(by, *taking_part(activity), message=duties.refusal(duties.ACTIVITY_CANCEL))
    now = timezone.now()
    cancelled = Activity.objects.filter(
        pk=activity.pk, cancelled_at__isnull=True, starts_at__gt=now
    ).update(cancelled_at=now, cancelled_by=by, cancel_reason=reason)
    activity.refresh_from_db()
    if not cancelled:
        if activity.is_cancelled:
            return False
        raise ValidationError("This activity has started, so it can no longer be cancelled.")
    audit_record(
        action=AuditEvent.Action.ACTIVITY_CANCELLED,
        actor=by,
        obj=activity,
        programme=activity.programme,
        new={"reason": reason, "starts_at": activity.starts_at},
    )
    # In the same transaction: payments pays the fee to those who said yes when it is short
    # notice (payments/receivers.py), so a cancellation always has its fees.
    activity_cancelled.send(sender=Activity, activity=activity, by=by)
    when = timezone.localtime(activity.starts_at)
    told = activity.places_taken.filter(
        answer__in=[Place.Answer.YES, Place.Answer.WAITING]
    ).select_related("person")
    for place in told:
        notify(
            person=place.person,
            kind=Kind.ACTIVITY,
            event_key=f"activity:{activity.pk}:cancelled:{place.person_id}",
            title=f"Cancelled: {activity.title}",
            body=(
                f"{activity.kind_label} in {activity.programme.name} on "
                f"{when:%-d %B %Y} at {when:%H:%M} is cancelled. If you added it to your "
                "calendar, open the activity and download the calendar file again to take "
                f"it out. The reason given: {reason}"
            ),
            url=reverse("activities:activity_detail", args=[activity.pk]),
        )
    return True


def places_give_up(
    *, person: User, programme: Programme, by: User | None, kinds: list[str] | None = None
) -> int:
    """Someone's role in a programme ended: their places on activities still to come (of
    `kinds` only, when given) are given up, so they can be offered to others. Attended
    places stay, as does their pay. Runs inside the role's ending (activities/receivers.py)."""
    places = Place.objects.filter(
        person=person,
        activity__programme=programme,
        activity__starts_at__gt=timezone.now(),
        answer__in=[Place.Answer.WAITING, Place.Answer.YES],
    )
    if kinds is not None:
        places = places.filter(activity__kind__in=kinds)
    ids = list(places.values_list("pk", flat=True))
    if ids:
        Place.objects.filter(pk__in=ids).update(
            answer=Place.Answer.ROLE_ENDED, answered_at=timezone.now()
        )
        audit_record(
            action=AuditEvent.Action.ACTIVITY_ANSWERED,
            actor=by,
            obj=person,
            programme=programme,
            new={"answer": Place.Answer.ROLE_ENDED, "places": ids},
        )
    return len(ids)
