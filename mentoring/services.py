"""Changes inside a match: sessions, concerns and plans. Each runs in one transaction and
writes its audit event inside it. Approving a session tells payments through a signal
(mentoring.signals.session_approved), so mentoring never imports payments."""

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditEvent, User
from background.services import enqueue
from core.locks import lock_row
from matching.models import Match
from mentoring.meeting import check_where, where_in_words
from mentoring.models import (
    MESSAGE_CHARACTERS,
    PREPARATION_MINUTES,
    SESSION_MINUTES,
    Concern,
    ConcernAction,
    ConcernMessage,
    KindWords,
    Message,
    PlannedSession,
    Session,
)
from mentoring.selectors import concern_recipients
from mentoring.signals import plan_cancelled, plan_missed, session_approved
from mentoring.templatetags.session_tags import minutes_in_words, plain_datetime
from notifications.models import Kind
from notifications.services import notifications_read_about, notify
from programmes import duties
from programmes.services import check_coordinates

# Sessions: logged by one person of a match, confirmed by the other, approved by a
# coordinator. Every state change is a conditional update on the status it expects, so a
# double click, a second tab or two people acting at once change a session only once.

# Statuses a session can still be changed from; an approved one is on its way to payment.
CHANGEABLE = [Session.Status.LOGGED, Session.Status.CONFIRMED, Session.Status.DISPUTED]


def _session_values(session: Session) -> dict:
    return {
        "starts_at": session.starts_at.isoformat(),
        "duration_minutes": session.duration_minutes,
        "meeting_mode": session.meeting_mode,
        "preparation_minutes": session.preparation_minutes,
    }


def _check_details(*, match, by: User, starts_at, duration_minutes: int, preparation_minutes: int):

    if not match.is_open_to(by):
        raise PermissionDenied("Only the mentor or mentee of a match can log its sessions.")
    if not match.is_live:
        raise ValidationError("This match has ended, so no more sessions can be logged.")
    if not SESSION_MINUTES[0] <= duration_minutes <= SESSION_MINUTES[1]:
        raise ValidationError("A session lasts from 15 minutes to 8 hours.")
    if not PREPARATION_MINUTES[0] <= preparation_minutes <= PREPARATION_MINUTES[1]:
        raise ValidationError("Preparation time is from 0 to 240 minutes.")
    if starts_at > timezone.now():
        raise ValidationError("Log a session once it has happened.")


@transaction.atomic
def session_log(
    *,
    match,
    by: User,
    starts_at,
    duration_minutes: int,
    meeting_mode: str,
    topics=(),
    preparation_minutes: int = 0,
    note: str = "",
) -> Session:
    """Either person of a match logs a session; the other one is then asked to confirm it.
    Only the mentor gives preparation time: it is part of what they are paid for."""
    if by.pk != match.mentor_id:
        preparation_minutes = 0
    _check_details(
        match=match,
        by=by,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        preparation_minutes=preparation_minutes,
    )
    session = Session.objects.create(
        match=match,
        logged_by=by,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        meeting_mode=meeting_mode,
        preparation_minutes=preparation_minutes,
        note=note,
    )
    session.topics.set(topics)
    audit_record(
        action=AuditEvent.Action.SESSION_LOGGED,
        actor=by,
        obj=session,
        programme=match.programme,
        new=_session_values(session),
    )
    return session


@transaction.atomic
def session_update(
    *,
    session: Session,
    by: User,
    starts_at,
    duration_minutes: int,
    meeting_mode: str,
    topics=(),
    preparation_minutes: int | None = None,
    note: str = "",
) -> Session:
    """Change a session's details. It goes back to waiting for confirmation, now by the
    other person: a confirmation is for the details as they were when confirmed."""
    match = session.match
    if by.pk != match.mentor_id or preparation_minutes is None:
        preparation_minutes = session.preparation_minutes  # only the mentor gives this
    _check_details(
        match=match,
        by=by,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        preparation_minutes=preparation_minutes,
    )
    old = _session_values(session) | {"status": session.status}
    # Conditional on a changeable status: a coordinator approving at the same moment
    # either approves the old details (and this edit is refused) or finds the session
    # back at "logged" and approves nothing. Never approved details that changed after.
    updated = Session.objects.filter(pk=session.pk, status__in=CHANGEABLE).update(
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        meeting_mode=meeting_mode,
        preparation_minutes=preparation_minutes,
        note=note,
        logged_by=by,
        status=Session.Status.LOGGED,
        dispute_reason="",
        confirmed_by=None,
        confirmed_at=None,
        version=F("version") + 1,
    )
    if not updated:
        raise ValidationError("This session has been approved, so it can no longer be changed.")
    session.refresh_from_db()
    session.topics.set(topics)
    audit_record(
        action=AuditEvent.Action.SESSION_UPDATED,
        actor=by,
        obj=session,
        programme=match.programme,
        old=old,
        new=_session_values(session) | {"status": session.status},
    )
    return session


def _check_other_person(session: Session, by: User) -> None:
    match = session.match
    if not match.is_open_to(by):
        raise PermissionDenied("Not your session")
    if by.pk == session.logged_by_id:
        raise PermissionDenied("The other person of the match confirms a session.")


@transaction.atomic
def session_confirm(*, session: Session, by: User, version: int | None = None) -> bool:
    """The other person of the match says the session happened as logged. Returns whether
    this call confirmed it. `version` is the one the person saw: if the details changed
    since, nothing is confirmed."""
    _check_other_person(session, by)
    # Conditional on "logged", on who logged it and on the version seen: a second click,
    # or a confirmation racing an edit (by either person), does nothing rather than
    # confirming details the confirmer has not seen.
    seen = {} if version is None else {"version": version}
    updated = (
        Session.objects.filter(pk=session.pk, status=Session.Status.LOGGED, **seen)
        .exclude(logged_by=by)
        .update(status=Session.Status.CONFIRMED, confirmed_by=by, confirmed_at=timezone.now())
    )
    session.refresh_from_db()
    if updated:
        audit_record(
            action=AuditEvent.Action.SESSION_CONFIRMED,
            actor=by,
            obj=session,
            programme=session.match.programme,
            old={"status": Session.Status.LOGGED},
            new={"status": Session.Status.CONFIRMED},
        )
    return bool(updated)


@transaction.atomic
def session_dispute(*, session: Session, by: User, reason: str) -> bool:
    """The other person says the session is wrong, and why. It leaves the approval queue
    until the details are changed (which asks for a new confirmation)."""
    _check_other_person(session, by)
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say what is wrong, so it can be put right.")
    old_status = session.status
    # Conditional, so a coordinator approving at the same moment either approves first
    # (and this does nothing) or finds it disputed and approves nothing.
    updated = (
        Session.objects.filter(
            pk=session.pk, status__in=[Session.Status.LOGGED, Session.Status.CONFIRMED]
        )
        .exclude(logged_by=by)
        .update(status=Session.Status.DISPUTED, dispute_reason=reason)
    )
    session.refresh_from_db()
    if updated:
        audit_record(
            action=AuditEvent.Action.SESSION_DISPUTED,
            actor=by,
            obj=session,
            programme=session.match.programme,
            old={"status": old_status},
            new={"status": Session.Status.DISPUTED},
        )
        from notifications.services import notify_session_disputed

        notify_session_disputed(session=session, by=by)
    return bool(updated)


@transaction.atomic
def session_approve(*, session: Session, by: User) -> bool:
    """A coordinator of the programme approves a confirmed session, which adds the mentor's
    ledger lines. Approving twice, or at once from two tabs, approves it once: only the
    update that finds it confirmed counts, and the pay-once constraints back it up."""
    programme = session.match.programme
    check_coordinates(by, programme)
    duties.check_not_own(
        by,
        session.match.mentor_id,
        session.match.mentee_id,
        message=duties.refusal(duties.SESSION),
    )
    updated = Session.objects.filter(pk=session.pk, status=Session.Status.CONFIRMED).update(
        status=Session.Status.APPROVED, approved_by=by, approved_at=timezone.now()
    )
    session.refresh_from_db()
    if updated:
        audit_record(
            action=AuditEvent.Action.SESSION_APPROVED,
            actor=by,
            obj=session,
            programme=programme,
            old={"status": Session.Status.CONFIRMED},
            new={"status": Session.Status.APPROVED},
        )
        # In the same transaction: payments adds the mentor's ledger lines
        # (payments/receivers.py), so an approved session always has them.
        session_approved.send(sender=Session, session=session, by=by)
    return bool(updated)


@transaction.atomic
def sessions_approve(*, sessions, by: User) -> int:
    return sum(session_approve(session=session, by=by) for session in sessions)


# Concerns: either person of a match raises one at any time, even once the match has ended;
# it goes straight to the programme's coordinators, who record what they did.


def _concern_values(concern: Concern) -> dict:
    # Never what happened: the audit log is read more widely than the concern itself.
    return {"match": concern.match_id, "kind": concern.kind, "status": concern.status}


@transaction.atomic
def concern_raise(
    *, match, by: User, kind: str, what_happened: str, message: Message | None = None
) -> Concern:
    """Either person of a match tells the programme's coordinators about a safeguarding or
    wellbeing concern, with one of the match's messages attached if they choose. They are
    emailed once the concern is saved."""
    # Whatever state the match is in, but only while the person holds their role in the
    # programme: someone whose role ended can no longer open the match (docs/sessions.md).
    if not match.is_open_to(by):
        raise PermissionDenied("Only the mentor or mentee of a match can raise a concern.")
    if kind not in Concern.Kind.values:
        raise ValidationError("Choose what kind of concern this is.")
    what_happened = what_happened.strip()
    if not what_happened:
        raise ValidationError("Say what happened, so a coordinator can help.")
    concern = Concern.objects.create(
        match=match, raised_by=by, kind=kind, what_happened=what_happened
    )
    audit_record(
        action=AuditEvent.Action.CONCERN_RAISED,
        actor=by,
        obj=concern,
        programme=match.programme,
        new=_concern_values(concern),
    )
    if message is not None:
        # Told with the concern itself: the coordinators' one notice covers both.
        _message_attach(message=message, concern=concern, by=by)
    from mentoring.tasks import send_concern_to_coordinators

    enqueue(send_concern_to_coordinators, concern.pk)
    return concern


@transaction.atomic
def concern_coordinators_tell(*, concern_id: int) -> int:
    """Tell a programme's coordinators a concern was raised (see concern_recipients for
    who, when they cannot), at most once: a second run finds it already claimed and tells
    nobody. It says only that there is a concern: who raised it and what it is about stay
    behind sign-in, in the app as in the email. Emailed whatever they chose, since a
    concern must be read within one working day. Returns how many people were told."""
    # The claim and the notifications commit together: if either fails, neither is kept
    # and a retry of the task starts again.
    claimed = Concern.objects.filter(pk=concern_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return 0
    concern = Concern.objects.select_related("match__programme__organisation").get(pk=concern_id)
    programme = concern.match.programme
    organisation = programme.organisation
    recipients, escalated = concern_recipients(concern)
    privacy = "For their privacy, we do not say here who raised it or what it is about."
    if escalated:
        kind = Kind.CONCERN_UNREAD
        title = f"A concern raised in {programme.name} needs someone to read it"
        body = (
            f"Someone in {programme.name} has raised a concern, but nobody who runs "
            f"{programme.name} can read it: its coordinator is part of the match, and "
            f"{organisation.name} has no administrator in Alongside.\n\n"
            f"Please make someone at {organisation.name} an administrator, or another "
            f"coordinator of {programme.name}, straight away. They can then sign in and read "
            f"it. It should be read within one working day.\n\n{privacy}"
        )
        url = reverse("admin:index")
    else:
        kind = Kind.CONCERN_RAISED
        title = f"A concern was raised in {programme.name}"
        body = (
            f"Someone in {programme.name} has raised a concern with the coordinators. Please "
            f"read it within one working day.\n\n{privacy}"
        )
        url = reverse("mentoring:coordinator_concern_detail", args=[programme.slug, concern.pk])
    for person in recipients:
        notify(
            person=person,
            kind=kind,
            event_key=f"concern:{concern.pk}",
            title=title,
            body=body,
            url=url,
        )
    return len(recipients)


@transaction.atomic
def concern_record_action(
    *, concern: Concern, by: User, note: str, new_status: str
) -> ConcernAction:
    """A coordinator of the programme records what they did and where the concern stands.
    Never one who is part of the match: another coordinator or an administrator handles it."""
    programme = concern.match.programme
    check_coordinates(by, programme)
    duties.check_not_own(
        by,
        concern.match.mentor_id,
        concern.match.mentee_id,
        message=duties.refusal(duties.CONCERN),
    )
    if new_status not in Concern.Status.values:
        raise ValidationError("Choose where the concern stands now.")
    note = note.strip()
    if not note:
        raise ValidationError("Say what you did, so others can follow it.")
    # Locked so two coordinators acting at once each see the status the other left, and
    # the audit row's old status is the one this action really changed.
    locked = lock_row(concern)
    old = {"status": locked.status}
    action = ConcernAction.objects.create(
        concern=locked, coordinator=by, note=note, new_status=new_status
    )
    Concern.objects.filter(pk=concern.pk).update(status=new_status)
    concern.refresh_from_db()
    audit_record(
        action=AuditEvent.Action.CONCERN_UPDATED,
        actor=by,
        obj=concern,
        programme=programme,
        old=old,
        new={"status": new_status},
    )
    return action


# Planned sessions: either person of a live match arranges one in advance, with a place or a
# meeting link; either can change it or cancel it, and the other person is told each time;
# once it has happened, logging it starts from the plan.


def _check_plan(*, match, by: User, starts_at, duration_minutes: int) -> None:
    if not match.is_open_to(by):
        raise PermissionDenied("Only the mentor or mentee of a match can plan its sessions.")
    if not match.is_live:
        raise ValidationError("This match has ended, so no more sessions can be planned.")
    if not SESSION_MINUTES[0] <= duration_minutes <= SESSION_MINUTES[1]:
        raise ValidationError("A session lasts from 15 minutes to 8 hours.")
    if starts_at <= timezone.now():
        raise ValidationError({"date": "Plan a session for a time still to come."})


def _plan_values(plan: PlannedSession) -> dict:
    return {
        "starts_at": plan.starts_at,
        "duration_minutes": plan.duration_minutes,
        "meeting_mode": plan.meeting_mode,
        "place": plan.place,
        "meeting_link": plan.meeting_link,
        "note": plan.note,
    }


def _when(plan: PlannedSession) -> str:
    return plain_datetime(plan.starts_at, plan.match.programme.time_zone)


def _plan_details(plan: PlannedSession) -> str:
    """When and where, in plain words, for the notification and its email."""
    return (
        f"When: {_when(plan)}, for {minutes_in_words(plan.duration_minutes)}.\n"
        f"Where: {where_in_words(plan)}"
    )


def _plan_tell(*, plan: PlannedSession, by: User, event: str, title: str, body: str) -> None:
    """Tell the other person of the match, in the app and by email if they chose it. The
    note is left out: it is on the page, behind sign-in."""
    match = plan.match
    notify(
        person=match.other_party(by),
        kind=Kind.PLAN,
        event_key=f"plan:{plan.pk}:{event}"[:100],
        title=title,
        body=body,
        url=reverse("mentoring:match_detail", args=[match.pk]) + f"#plan-{plan.pk}",
    )


@transaction.atomic
def session_plan(
    *,
    match,
    by: User,
    starts_at,
    duration_minutes: int,
    meeting_mode: str,
    place: str = "",
    meeting_link: str = "",
    note: str = "",
) -> PlannedSession:
    """Either person of a live match plans a session; the other is told when and where."""
    _check_plan(match=match, by=by, starts_at=starts_at, duration_minutes=duration_minutes)
    where = check_where(meeting_mode=meeting_mode, place=place, meeting_link=meeting_link)
    plan = PlannedSession.objects.create(
        match=match,
        planned_by=by,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        meeting_mode=meeting_mode,
        note=note.strip(),
        **where,
    )
    _plan_tell(
        plan=plan,
        by=by,
        event="planned",
        title=f"{by.display_name} planned a session with you: {_when(plan)}",
        body=f"{_plan_details(plan)}\n\nAdd it to your calendar from your sessions page. If "
        "the time does not suit you, you can change it or cancel it there.",
    )
    return plan


@transaction.atomic
def plan_change(
    *,
    plan: PlannedSession,
    by: User,
    starts_at,
    duration_minutes: int,
    meeting_mode: str,
    place: str = "",
    meeting_link: str = "",
    note: str = "",
) -> bool:
    """Either person changes a plan still open: its time, length, mode, place or link, or
    note. The other person is told, and its calendar event's SEQUENCE goes up, so a
    calendar that has it replaces it. Returns whether anything changed."""
    match = plan.match
    _check_plan(match=match, by=by, starts_at=starts_at, duration_minutes=duration_minutes)
    where = check_where(meeting_mode=meeting_mode, place=place, meeting_link=meeting_link)
    # Locked, so a change racing a cancellation, a log or another change sees what the
    # other left: it never brings a cancelled plan back, and each change gets its own
    # SEQUENCE number and its own notification.
    locked = lock_row(plan)
    if not locked.is_open:
        raise ValidationError(
            "This planned session was cancelled or logged, so it can no longer be changed."
        )
    old = _plan_values(locked)
    new = {
        "starts_at": starts_at,
        "duration_minutes": duration_minutes,
        "meeting_mode": meeting_mode,
        "note": note.strip(),
        **where,
    }
    if new == old:
        plan.refresh_from_db()
        return False
    PlannedSession.objects.filter(pk=plan.pk).update(
        **new, sequence=F("sequence") + 1, changed_at=timezone.now()
    )
    plan.refresh_from_db()
    moved = old["starts_at"] != plan.starts_at
    before = (
        f"\n\nIt was {plain_datetime(old['starts_at'], match.programme.time_zone)}."
        if moved
        else ""
    )
    _plan_tell(
        plan=plan,
        by=by,
        event=f"changed:{plan.sequence}",
        title=f"{by.display_name} changed your planned session: now {_when(plan)}"
        if moved
        else f"{by.display_name} changed your session of {_when(plan)}",
        body=f"{_plan_details(plan)}{before}\n\nIf you added it to your calendar, download "
        "it again from your sessions page and your calendar updates it.",
    )
    return True


@transaction.atomic
def plan_cancel(*, plan: PlannedSession, by: User) -> bool:
    """Either person cancels a plan not yet logged, and the other is told. Returns whether
    this call cancelled it."""
    if not plan.match.is_open_to(by):
        raise PermissionDenied("Not your planned session")
    now = timezone.now()
    cancelled = (
        PlannedSession.objects.open()
        .filter(pk=plan.pk)
        .update(cancelled_at=now, cancelled_by=by, sequence=F("sequence") + 1, changed_at=now)
    )
    plan.refresh_from_db()
    if cancelled:
        # In the same transaction, once: payments pays the mentor the programme's
        # cancellation fee when someone else cancelled at short notice (payments/receivers.py).
        plan_cancelled.send(sender=PlannedSession, plan=plan, by=by)
        _plan_tell(
            plan=plan,
            by=by,
            event="cancelled",
            title=f"{by.display_name} cancelled the session of {_when(plan)}",
            body=f"{by.display_name} cancelled your session planned for {_when(plan)}. If you "
            "added it to your calendar, your sessions page has a calendar file that takes it "
            "out.",
        )
    return bool(cancelled)


@transaction.atomic
def plan_missed_report(*, plan: PlannedSession, by: User) -> bool:
    """The mentor says the mentee did not come to a planned session that has started. A
    coordinator confirms it (plan_missed_confirm), which is what pays the mentor. Returns
    whether this call recorded it."""
    match = plan.match
    if not match.is_open_to(by) or by.pk != match.mentor_id:
        raise PermissionDenied("Only the mentor says the mentee did not come.")
    if plan.starts_at > timezone.now():
        raise ValidationError("This session has not started yet. You can cancel it instead.")
    # Conditional on the plan still being open: logging it, cancelling it or a second click
    # at the same moment leaves exactly one of them.
    reported = (
        PlannedSession.objects.open()
        .filter(pk=plan.pk, starts_at__lte=timezone.now())
        .update(missed_reported_at=timezone.now())
    )
    plan.refresh_from_db()
    if reported:
        audit_record(
            action=AuditEvent.Action.PLAN_MISSED_REPORTED,
            actor=by,
            obj=plan,
            programme=match.programme,
            new={"starts_at": plan.starts_at.isoformat()},
        )
    return bool(reported)


def _check_missed_decider(plan: PlannedSession, by: User) -> None:
    check_coordinates(by, plan.match.programme)
    duties.check_not_own(
        by, plan.match.mentor_id, plan.match.mentee_id, message=duties.refusal(duties.MISSED)
    )


@transaction.atomic
def plan_missed_confirm(*, plan: PlannedSession, by: User) -> bool:
    """A coordinator, never one of the pair, confirms the mentee did not come. Once: only
    the update that finds it reported and not yet confirmed counts, and only it tells
    payments, whose partial unique index pays one fee whatever happens."""
    _check_missed_decider(plan, by)
    confirmed = (
        PlannedSession.objects.missed_to_confirm()
        .filter(pk=plan.pk)
        .update(missed_confirmed_at=timezone.now(), missed_confirmed_by=by)
    )
    plan.refresh_from_db()
    if confirmed:
        audit_record(
            action=AuditEvent.Action.PLAN_MISSED_CONFIRMED,
            actor=by,
            obj=plan,
            programme=plan.match.programme,
        )
        plan_missed.send(sender=PlannedSession, plan=plan, by=by)
    return bool(confirmed)


@transaction.atomic
def plan_missed_turn_down(*, plan: PlannedSession, by: User, reason: str) -> bool:
    """A coordinator does not confirm it (the mentee says they came, say): the plan is open
    again, so the pair can log it or cancel it, and the mentor is told why."""
    _check_missed_decider(plan, by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why, so the mentor understands."})
    reopened = (
        PlannedSession.objects.missed_to_confirm()
        .filter(pk=plan.pk)
        .update(missed_reported_at=None)
    )
    plan.refresh_from_db()
    if reopened:
        match = plan.match
        audit_record(
            action=AuditEvent.Action.PLAN_MISSED_TURNED_DOWN,
            actor=by,
            obj=plan,
            programme=match.programme,
        )
        when = timezone.localtime(plan.starts_at, ZoneInfo(match.programme.time_zone))
        notify(
            person=match.mentor,
            kind=Kind.PAYMENT,
            event_key=f"plan:{plan.pk}:missed-turned-down:{timezone.now():%Y%m%d%H%M%S%f}",
            title="A coordinator did not confirm that your mentee missed a session",
            body=(
                f"You said {match.mentee} did not come to the session planned for "
                f"{when:%-d %B %Y at %H:%M}. {by} did not confirm it, and said: "
                f"{reason[:600]}\n\nIf the session happened, log it from your match page. "
                "If not, cancel it there."
            ),
            url=reverse("mentoring:match_detail", args=[match.pk]),
        )
    return bool(reopened)


@transaction.atomic
def session_log_from_plan(*, plan: PlannedSession, by: User, **details) -> Session:
    """Log the session a plan was for. The plan is locked first, so two people logging it at
    the same moment make one session: the second is told it is already logged."""
    locked = lock_row(plan)
    if locked.session_id is not None:
        raise ValidationError("This session has already been logged.")
    if locked.cancelled_at is not None:
        raise ValidationError("This planned session was cancelled.")
    if locked.missed_reported_at is not None:
        raise ValidationError("The mentor said the mentee did not come to this session.")
    session = session_log(match=locked.match, by=by, **details)
    PlannedSession.objects.filter(pk=locked.pk).update(session=session)
    plan.refresh_from_db()
    return session


# Kind words: what a mentee writes for their mentor's record of contribution.

KIND_WORDS_MAX = 600


@transaction.atomic
def kind_words_write(*, match, by: User, words: str) -> KindWords:
    """The mentee's few words about their mentor, new or changed. Changed words leave the
    mentor's record until the mentor chooses them again: they never carry words there that
    they have not read. The mentor is told once per change."""
    if by.pk != match.mentee_id or not match.is_open_to(by):
        raise PermissionDenied("Only the mentee of this match writes kind words for it")
    words = words.strip()
    if not words:
        raise ValidationError("Write a few words, or go back without saving.")
    if len(words) > KIND_WORDS_MAX:
        raise ValidationError(f"Keep it to {KIND_WORDS_MAX} characters or fewer.")
    kind_words = KindWords.objects.filter(match=match).first()
    if kind_words is None:
        kind_words = KindWords.objects.create(match=match, words=words)
    else:
        lock_row(kind_words)
        if kind_words.words == words:
            return kind_words
        kind_words.words, kind_words.in_record = words, False
        kind_words.written_at = timezone.now()
        kind_words.save(update_fields=["words", "in_record", "written_at"])
    notify(
        person=match.mentor,
        kind=Kind.KIND_WORDS,
        event_key=f"kind-words:{kind_words.pk}:{kind_words.written_at:%Y%m%d%H%M%S%f}",
        title=f"{match.mentee} wrote a few words about your mentoring",
        body=(
            f"{match.mentee} wrote about what your mentoring meant to them. Read them on "
            "your record of contribution, and choose whether they go in it."
        ),
        url=reverse("portal:contribution"),
    )
    return kind_words


@transaction.atomic
def kind_words_choose(*, kind_words: KindWords, by: User, in_record: bool) -> None:
    """The mentor chooses whether the words go in their record. Only the mentor may."""
    lock_row(kind_words)
    if by.pk != kind_words.match.mentor_id:
        raise PermissionDenied("Only the mentor chooses what goes in their record")
    if kind_words.in_record != in_record:
        kind_words.in_record = in_record
        kind_words.save(update_fields=["in_record"])


# Messages: the two people of a live match write to each other. The other person is told in
# the app and by email (never the message itself); nobody else reads them, except a message
# one of the two attaches to a concern, which the concern's coordinators then read.


def message_check_text(text: str) -> str:
    """The message as it is saved, or ValidationError saying what to change."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write your message before you send it."})
    if len(text) > MESSAGE_CHARACTERS:
        raise ValidationError(
            {
                "text": f"Your message is {len(text):,} characters long. Make it "
                f"{MESSAGE_CHARACTERS:,} characters or fewer, or send it in two parts."
            }
        )
    return text


@transaction.atomic
def message_send(*, match, by: User, text: str) -> Message:
    """One of the pair writes to the other, while the match is live. The other person is
    told once for each run of messages they have not read yet, not for every message."""
    if not match.is_open_to(by):
        raise PermissionDenied("Only the mentor or mentee of a match can write in it.")
    text = message_check_text(text)
    # Locked so two messages sent at once take turns: the second sees the first, so the
    # other person is told once, and a match ending at the same moment is seen as ended.
    match = lock_row(match)
    if not match.is_live:
        raise ValidationError(
            "This match has ended, so no more messages can be sent. You can still read them."
        )
    waiting = Message.objects.filter(match=match, sender=by, read_at__isnull=True).exists()
    message = Message.objects.create(match=match, sender=by, text=text)
    if not waiting:
        other = match.other_party(by)
        sender_role = "mentor" if by.pk == match.mentor_id else "mentee"
        # Never the message, nor who wrote it in words an email could pass on: an email can
        # be read by others. Only that there is one, and where to read it.
        notify(
            person=other,
            kind=Kind.MESSAGE,
            event_key=f"message:{message.pk}",
            title="You have a new message in Alongside",
            body=(
                f"Your {sender_role} sent you a message in Alongside. To keep your "
                "conversation private, we never put messages in emails. Sign in to read it "
                "and reply."
            ),
            url=reverse("mentoring:match_messages", args=[match.pk]),
        )
    return message


def messages_read(*, match, by: User) -> int:
    """The person opened the conversation: what the other person sent them is read, and so
    are the notifications that told them of it. Returns how many messages were new."""
    read = (
        Message.objects.filter(match=match, read_at__isnull=True)
        .exclude(sender=by)
        .update(read_at=timezone.now())
    )
    if read:
        notifications_read_about(
            person=by,
            kind=Kind.MESSAGE,
            url=reverse("mentoring:match_messages", args=[match.pk]),
        )
    return read


def _message_attach(*, message: Message, concern: Concern, by: User) -> bool:
    if message.match_id != concern.match_id:
        raise ValidationError("That message is not from this match.")
    _, attached = ConcernMessage.objects.get_or_create(
        concern=concern, message=message, defaults={"attached_by": by}
    )
    if attached:
        # Which message, never what it says: the audit log is read more widely.
        audit_record(
            action=AuditEvent.Action.MESSAGE_ATTACHED,
            actor=by,
            obj=concern,
            programme=concern.match.programme,
            new={"message": message.pk},
        )
    return attached


@transaction.atomic
def message_attach(*, message: Message, concern: Concern, by: User) -> bool:
    """One of the pair attaches a message of the match to a concern they raised, so the
    coordinators who handle it read that message. Returns whether it was new; attaching it
    twice changes nothing. The coordinators are told, as for the concern itself."""
    match = concern.match
    if concern.raised_by_id != by.pk or not match.is_open_to(by):
        raise PermissionDenied("Only the person who raised a concern can add to it.")
    if concern.status == Concern.Status.CLOSED:
        raise ValidationError(
            "That concern is closed. Raise a new concern with this message instead."
        )
    attached = _message_attach(message=message, concern=concern, by=by)
    if attached:
        programme = match.programme
        recipients, escalated = concern_recipients(concern)
        # When nobody who runs the programme can read it, the concern's own notice has
        # already asked the people who run Alongside to find someone.
        for person in [] if escalated else recipients:
            notify(
                person=person,
                kind=Kind.CONCERN_RAISED,
                event_key=f"concern:{concern.pk}:message:{message.pk}",
                title=f"A message was added to a concern in {programme.name}",
                body=(
                    f"Someone in {programme.name} added a message to a concern they raised. "
                    "Please read it within one working day.\n\nFor their privacy, we do "
                    "not say here who raised it or what it is about."
                ),
                url=reverse(
                    "mentoring:coordinator_concern_detail", args=[programme.slug, concern.pk]
                ),
            )
    return attached


@transaction.atomic
def messages_delete_old(*, now: datetime | None = None) -> int:
    """Delete the messages of matches that ended more than MESSAGES_KEPT_DAYS ago, except
    those attached to a concern, which stay with the concern. Returns how many went. Running
    it twice deletes nothing more. One audit row per match, with the count."""
    now = now or timezone.now()
    due = Message.objects.past_keeping(now=now)
    per_match = Counter(due.values_list("match_id", flat=True))
    if not per_match:
        return 0
    Message.objects.filter(pk__in=due.values("pk")).delete()
    for match in Match.objects.filter(pk__in=per_match).select_related("programme"):
        audit_record(
            action=AuditEvent.Action.MESSAGES_DELETED,
            obj=match,
            programme=match.programme,
            new={"messages": per_match[match.pk], "kept_days": settings.MESSAGES_KEPT_DAYS},
        )
    return sum(per_match.values())
