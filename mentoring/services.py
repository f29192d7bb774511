"""Changes to programmes and who belongs to them. Each runs in one transaction and writes
its audit event inside it."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditEvent, User
from background.services import enqueue
from mentoring import duties
from mentoring.choices import Role
from mentoring.models import (
    PREPARATION_MINUTES,
    SESSION_MINUTES,
    Administrator,
    Application,
    Concern,
    ConcernAction,
    Invitation,
    Membership,
    PlannedSession,
    Programme,
    Session,
)


def check_coordinates(by: User, programme: Programme) -> None:
    """Refuse anyone who does not run `programme` (as its coordinator or an administrator)."""
    if not Programme.objects.coordinated_by(by).filter(pk=programme.pk).exists():
        raise PermissionDenied("Not your programme")


@transaction.atomic
def membership_add(*, programme: Programme, person: User, role: str, by: User | None) -> Membership:
    """Give a person a role in a programme; a role they already hold is kept as it is."""
    existing = (
        Membership.objects.current().filter(programme=programme, person=person, role=role).first()
    )
    if existing:
        return existing
    try:
        with transaction.atomic():
            membership = Membership.objects.create(programme=programme, person=person, role=role)
    except IntegrityError:
        # Two requests raced to add the same role: the constraint kept one row.
        return Membership.objects.current().get(programme=programme, person=person, role=role)
    audit_record(
        action=AuditEvent.Action.MEMBERSHIP_ADDED,
        actor=by,
        obj=membership,
        programme=programme,
        new={"person": person.pk, "role": role},
    )
    return membership


def why_not_end_role(by: User, membership: Membership) -> str:
    """Why `by` may not end `membership`, in a sentence for them, or "" when they may.
    Coordinators end mentor and mentee roles; a coordinator's role (their own included)
    only an administrator of the organisation ends. So no coordinator can shut a fellow one
    out, and a programme is never left without someone to run it: its organisation's
    administrators run every programme whatever roles end. And nobody ends the role of
    someone they are in a live match with: that would end their own match (mentoring.duties)."""
    from matching.models import Match

    programme = membership.programme
    if membership.role == Role.COORDINATOR:
        if Administrator.objects.filter(
            organisation_id=programme.organisation_id, person=by
        ).exists():
            return ""
        return (
            f"Only an administrator of {programme.organisation.name} can end a coordinator's role."
        )
    side = {Role.MENTOR: "mentor", Role.MENTEE: "mentee"}[membership.role]
    other = "mentee" if side == "mentor" else "mentor"
    if (
        Match.objects.live()
        .filter(programme=programme, **{side: membership.person, other: by})
        .exists()
    ):
        return duties.who_acts(
            programme,
            by,
            (f"{membership.person} is in a match with you", "decides whether their role ends"),
        )
    return ""


@transaction.atomic
def membership_end(*, membership: Membership, by: User) -> Membership:
    """End a person's role in a programme. Ending a mentor or mentee role also ends that
    person's live matches there in that role and withdraws their open proposals there
    (matching.services.matching_leave), so nothing of the match stays open to them."""
    programme = membership.programme
    check_coordinates(by, programme)
    if why_not := why_not_end_role(by, membership):
        raise PermissionDenied(why_not)
    updated = Membership.objects.filter(pk=membership.pk, ended_at__isnull=True).update(
        ended_at=timezone.now()
    )
    membership.refresh_from_db()
    if updated:
        audit_record(
            action=AuditEvent.Action.MEMBERSHIP_ENDED,
            actor=by,
            obj=membership,
            programme=programme,
            old={"person": membership.person_id, "role": membership.role},
        )
        if membership.role in (Role.MENTOR, Role.MENTEE):
            from matching.services import matching_leave

            matching_leave(
                person=membership.person,
                by=by,
                why="role_ended",
                programme=programme,
                role=membership.role,
            )
    return membership


@transaction.atomic
def administrator_add(*, organisation, person: User, by: User | None) -> Administrator:
    # An administrator runs their own organisation from its pages. The Django admin shows
    # every organisation's data, so it stays for the people who run the service.
    admin, created = Administrator.objects.get_or_create(organisation=organisation, person=person)
    if created:
        audit_record(
            action=AuditEvent.Action.ADMINISTRATOR_ADDED,
            actor=by,
            obj=admin,
            new={"person": person.pk, "organisation": organisation.pk},
        )
    return admin


@transaction.atomic
def invitation_create(
    *, programme: Programme, role: str, email: str = "", note: str = "", by: User
) -> Invitation:
    if role == Role.COORDINATOR:
        # Staff see personal information: only the organisation's administrators appoint
        # them, and only by name, never with a link anyone could use.
        if not Administrator.objects.filter(
            organisation_id=programme.organisation_id, person=by
        ).exists():
            raise PermissionDenied(
                "Only an administrator of the organisation invites coordinators."
            )
        if not email.strip():
            raise ValidationError(
                {"email": "A coordinator's invitation needs their email address."}
            )
    invitation = Invitation.objects.create(
        programme=programme, role=role, email=email.strip().lower(), note=note, created_by=by
    )
    audit_record(
        action=AuditEvent.Action.INVITATION_CREATED,
        actor=by,
        obj=invitation,
        programme=programme,
        new={"role": role, "for_email": bool(email)},
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    updated = Invitation.objects.filter(
        pk=invitation.pk, revoked_at__isnull=True, accepted_at__isnull=True
    ).update(revoked_at=timezone.now())
    invitation.refresh_from_db()
    if updated:
        audit_record(
            action=AuditEvent.Action.INVITATION_REVOKED,
            actor=by,
            obj=invitation,
            programme=invitation.programme,
        )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, person: User) -> Membership:
    """Use an invitation link. Each link works once, and only for its email when it has one."""
    if invitation.email and invitation.email.lower() != person.email.lower():
        raise PermissionDenied("This invitation is for a different email address.")
    # Someone else admits a person: nobody joins a programme through their own link.
    duties.check_not_own(person, invitation.created_by_id, message=duties.OWN_INVITATION)
    # The conditional update is the lock: of two tabs accepting at once, one wins.
    updated = Invitation.objects.filter(
        pk=invitation.pk,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).update(accepted_at=timezone.now(), accepted_by=person)
    if not updated:
        raise ValidationError("This invitation link has already been used, or has expired.")
    invitation.refresh_from_db()
    audit_record(
        action=AuditEvent.Action.INVITATION_ACCEPTED,
        actor=person,
        obj=invitation,
        programme=invitation.programme,
    )
    return membership_add(
        programme=invitation.programme, person=person, role=invitation.role, by=person
    )


@transaction.atomic
def application_create(
    *, programme: Programme, person: User, role: str, message: str = ""
) -> Application:
    if not programme.open_for_applications:
        raise ValidationError("This programme is not taking applications at the moment.")
    if Membership.objects.current().filter(programme=programme, person=person, role=role).exists():
        raise ValidationError("You are already a member of this programme in that role.")
    pending = Application.objects.filter(
        programme=programme, person=person, role=role, status=Application.Status.PENDING
    ).first()
    if pending:
        return pending
    try:
        with transaction.atomic():
            application = Application.objects.create(
                programme=programme, person=person, role=role, message=message
            )
    except IntegrityError:
        return Application.objects.get(
            programme=programme, person=person, role=role, status=Application.Status.PENDING
        )
    audit_record(
        action=AuditEvent.Action.APPLICATION_MADE,
        actor=person,
        obj=application,
        programme=programme,
        new={"role": role},
    )
    return application


def _application_decide(
    *, application: Application, by: User, status: str, reason: str, action: str
) -> bool:
    duties.check_not_own(by, application.person_id, message=duties.refusal(duties.APPLICATION))
    # Only a pending application can be decided, once: a second click changes nothing.
    updated = Application.objects.filter(
        pk=application.pk, status=Application.Status.PENDING
    ).update(status=status, decided_at=timezone.now(), decided_by=by, decision_reason=reason)
    application.refresh_from_db()
    if updated:
        audit_record(
            action=action,
            actor=by,
            obj=application,
            programme=application.programme,
            old={"status": Application.Status.PENDING},
            new={"status": status},
        )
    return bool(updated)


def _tell_applicant(application: Application) -> None:
    from mentoring.tasks import send_application_decision

    enqueue(send_application_decision, application.pk)


@transaction.atomic
def application_admit(*, application: Application, by: User) -> Application:
    if _application_decide(
        application=application,
        by=by,
        status=Application.Status.ADMITTED,
        reason="",
        action=AuditEvent.Action.APPLICATION_ADMITTED,
    ):
        membership_add(
            programme=application.programme,
            person=application.person,
            role=application.role,
            by=by,
        )
        _tell_applicant(application)
    return application


@transaction.atomic
def application_decline(*, application: Application, by: User, reason: str = "") -> Application:
    if _application_decide(
        application=application,
        by=by,
        status=Application.Status.DECLINED,
        reason=reason,
        action=AuditEvent.Action.APPLICATION_DECLINED,
    ):
        _tell_applicant(application)
    return application


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
    from matching.selectors import LIVE_MATCH

    if not match.is_open_to(by):
        raise PermissionDenied("Only the mentor or mentee of a match can log its sessions.")
    if match.status not in LIVE_MATCH:
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
        from payments.services import session_lines_create

        # In the same transaction: an approved session always has its ledger lines.
        session_lines_create(session=session, by=by)
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
def concern_raise(*, match, by: User, kind: str, what_happened: str) -> Concern:
    """Either person of a match tells the programme's coordinators about a safeguarding or
    wellbeing concern. They are emailed once the concern is saved."""
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
    from mentoring.tasks import send_concern_to_coordinators

    enqueue(send_concern_to_coordinators, concern.pk)
    return concern


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
    locked = Concern.objects.select_for_update().get(pk=concern.pk)
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


# Planned sessions: either person of a live match arranges one in advance; either can cancel
# it; once it has happened, logging it starts from the plan.


@transaction.atomic
def session_plan(
    *, match, by: User, starts_at, duration_minutes: int, meeting_mode: str, note: str = ""
) -> PlannedSession:
    from matching.selectors import LIVE_MATCH

    if not match.is_open_to(by):
        raise PermissionDenied("Only the mentor or mentee of a match can plan its sessions.")
    if match.status not in LIVE_MATCH:
        raise ValidationError("This match has ended, so no more sessions can be planned.")
    if not SESSION_MINUTES[0] <= duration_minutes <= SESSION_MINUTES[1]:
        raise ValidationError("A session lasts from 15 minutes to 8 hours.")
    if starts_at <= timezone.now():
        raise ValidationError("Plan a session for a time still to come.")
    return PlannedSession.objects.create(
        match=match,
        planned_by=by,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        meeting_mode=meeting_mode,
        note=note.strip(),
    )


@transaction.atomic
def plan_cancel(*, plan: PlannedSession, by: User) -> bool:
    """Either person cancels a plan not yet logged. Returns whether this call cancelled it."""
    if not plan.match.is_open_to(by):
        raise PermissionDenied("Not your planned session")
    cancelled = (
        PlannedSession.objects.open()
        .filter(pk=plan.pk)
        .update(cancelled_at=timezone.now(), cancelled_by=by)
    )
    plan.refresh_from_db()
    return bool(cancelled)


@transaction.atomic
def session_log_from_plan(*, plan: PlannedSession, by: User, **details) -> Session:
    """Log the session a plan was for. The plan is locked first, so two people logging it at
    the same moment make one session: the second is told it is already logged."""
    locked = PlannedSession.objects.select_for_update().get(pk=plan.pk)
    if locked.session_id is not None:
        raise ValidationError("This session has already been logged.")
    if locked.cancelled_at is not None:
        raise ValidationError("This planned session was cancelled.")
    session = session_log(match=locked.match, by=by, **details)
    PlannedSession.objects.filter(pk=locked.pk).update(session=session)
    plan.refresh_from_db()
    return session
