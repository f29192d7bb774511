from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from accounts.audit import audit_record
from accounts.models import AuditEvent, User
from background.services import enqueue
from core.choices import Role
from notifications.models import Kind, Notification
from notifications.services import notify
from programmes import duties
from programmes.models import (
    Administrator,
    Application,
    FormatRequest,
    Invitation,
    Membership,
    OrganisationTerm,
    Programme,
)
from programmes.signals import role_ended, role_ending


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
    someone they are in a live match with: that would end their own match (programmes.duties;
    matching answers through the role_ending signal, programmes/signals.py)."""
    programme = membership.programme
    if membership.role == Role.COORDINATOR:
        if Administrator.objects.filter(
            organisation_id=programme.organisation_id, person=by
        ).exists():
            return ""
        return (
            f"Only an administrator of {programme.organisation.name} can end a coordinator's role."
        )
    for _receiver, why_not in role_ending.send(sender=Membership, membership=membership, by=by):
        if why_not:
            return why_not
    return ""


@transaction.atomic
def membership_end(*, membership: Membership, by: User) -> Membership:
    """End a person's role in a programme. Ending a mentor or mentee role also ends that
    person's live matches there in that role and withdraws their open proposals there
    (matching.services.matching_leave, through the role_ended signal), so nothing of the
    match stays open to them."""
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
        if membership.role in (Role.MENTOR, Role.MENTEE, Role.PANEL):
            # In this transaction: matching ends what the role held open, activities gives
            # up places still to come, and the panel tells a panel member their seat ended
            # (programmes/signals.py).
            role_ended.send(sender=Membership, membership=membership, by=by)
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
    from programmes.tasks import send_application_decision

    enqueue(send_application_decision, application.pk)


@transaction.atomic
def application_decision_tell(*, application_id: int) -> bool:
    """Tell an applicant what was decided, at most once: a second run finds the decision
    already marked as told and does nothing. The notification is emailed whatever the
    applicant chose (it is the answer they are waiting for), through notify()'s email
    lease, so a mail server that fails is tried again and the email is never sent twice."""
    # The claim and the notification commit together: if either fails, neither is kept
    # and a retry of the task starts again.
    claimed = Application.objects.filter(
        pk=application_id,
        decision_emailed_at__isnull=True,
        status__in=[Application.Status.ADMITTED, Application.Status.DECLINED],
    ).update(decision_emailed_at=timezone.now())
    if not claimed:
        return False
    application = Application.objects.select_related("person", "programme").get(pk=application_id)
    if not application.person.is_active:
        return False
    programme = application.programme.name
    if application.status == Application.Status.ADMITTED:
        title = f"Welcome to {programme}"
        body = (
            f"Good news: you are now part of {programme}, in this role: "
            f"{application.get_role_display().lower()}.\n\n"
            "Next, fill in your profile so we can find you a good match."
        )
        url = reverse("portal:profile")
    else:
        title = f"Your application to {programme}"
        opening = (
            f"Thank you for applying to {programme}. This time, the coordinator has not been "
            "able to offer you a place."
        )
        closing = "You can apply to another programme."
        said = ""
        if application.decision_reason:
            # Shortened only when it would not fit in a notification, so the rest still shows.
            longest = Notification._meta.get_field("body").max_length
            room = longest - len(f"{opening}\n\nThey said: \n\n{closing}")
            said = f"They said: {Truncator(application.decision_reason).chars(room)}\n\n"
        body = f"{opening}\n\n{said}{closing}"
        url = reverse("programmes:programme_list")
    notify(
        person=application.person,
        kind=Kind.APPLICATION_DECISION,
        event_key=f"application:{application.pk}:decision",
        title=title,
        body=body,
        url=url,
    )
    return True


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


# Induction: a mentor is matched only once a coordinator of the programme records it
# (programmes.models.INDUCTED).


@transaction.atomic
def induction_record(*, membership: Membership, by: User, inducted_on) -> bool:
    """A coordinator records the day a mentor's induction happened. True when this recorded
    it; False when it was already recorded (a double click, two coordinators at once): the
    first record stands."""
    programme = membership.programme
    check_coordinates(by, programme)
    duties.check_not_own(by, membership.person_id, message=duties.refusal(duties.INDUCTION))
    if membership.role != Role.MENTOR:
        raise ValidationError("Only mentors have an induction to record.")
    if inducted_on > timezone.localdate():
        raise ValidationError("Record an induction once it has happened.")
    # Conditional on a current, not yet inducted role: the race between two coordinators
    # (or a role ended meanwhile) records once or not at all.
    recorded = Membership.objects.filter(
        pk=membership.pk, ended_at__isnull=True, inducted_on__isnull=True
    ).update(
        inducted_on=inducted_on, induction_recorded_by=by, induction_recorded_at=timezone.now()
    )
    if not recorded:
        return False
    audit_record(
        action=AuditEvent.Action.INDUCTION_RECORDED,
        actor=by,
        obj=membership,
        programme=programme,
        new={"person": membership.person_id, "inducted_on": inducted_on.isoformat()},
    )
    notify(
        person=membership.person,
        kind=Kind.INDUCTION,
        event_key=f"induction:{membership.pk}",
        title=f"Your induction for {programme.name} is recorded",
        body=(
            "Thank you for coming. You can now be suggested as a mentor when the coordinators "
            "look for matches. There is nothing more you need to do."
        ),
        url=reverse("portal:dashboard"),
    )
    membership.refresh_from_db()
    return True


@transaction.atomic
def resources_update(*, programme: Programme, by: User, text: str) -> bool:
    """A coordinator changes the programme's resources page. False when nothing changed."""
    check_coordinates(by, programme)
    old = Programme.objects.filter(pk=programme.pk).values_list("resources", flat=True).get()
    if old == text:
        return False
    Programme.objects.filter(pk=programme.pk).update(
        resources=text, resources_changed_at=timezone.now(), resources_changed_by=by
    )
    audit_record(
        action=AuditEvent.Action.RESOURCES_CHANGED,
        actor=by,
        obj=programme,
        programme=programme,
        old={"length": len(old)},
        new={"length": len(text)},
    )
    programme.refresh_from_db()
    return True


def description_update(*, programme: Programme, by: User, text: str) -> bool:
    """A coordinator changes what people read about the programme before they join (the
    list of programmes and its apply page). False when nothing changed."""
    check_coordinates(by, programme)
    text = " ".join(text.split())
    old = Programme.objects.filter(pk=programme.pk).values_list("description", flat=True).get()
    if old == text:
        return False
    Programme.objects.filter(pk=programme.pk).update(description=text)
    audit_record(
        action=AuditEvent.Action.SETTINGS_CHANGED,
        actor=by,
        obj=programme,
        programme=programme,
        old={"description": old},
        new={"description": text},
    )
    programme.refresh_from_db()
    return True


# Requests for another format


def format_recipients(request: FormatRequest) -> list[User]:
    """Who is told of a request: the programme's coordinators, or when the person asking is
    its only coordinator, the organisation's administrators. Only open accounts."""
    return duties.told_of(request.programme, request.person_id)


@transaction.atomic
def format_request_make(
    *, person: User, need: str, need_details: str, about: str, contact: str
) -> list[FormatRequest]:
    """Ask for a page or document in another format: one request for each programme the
    person belongs to, each told to that programme's coordinators only. The notification
    says nothing of what they need (it can say something about their health, and an email
    can be read by others): the coordinators read it after signing in."""
    programmes = Programme.objects.filter(
        pk__in=Membership.objects.current().filter(person=person).values("programme_id")
    ).order_by("name")
    made = []
    for programme in programmes:
        request = FormatRequest.objects.create(
            programme=programme,
            person=person,
            need=need,
            need_details=need_details,
            about=about,
            contact=contact,
        )
        audit_record(
            action=AuditEvent.Action.FORMAT_REQUESTED,
            actor=person,
            obj=request,
            programme=programme,
            new={"need": need},
        )
        for coordinator in format_recipients(request):
            notify(
                person=coordinator,
                kind=Kind.FORMAT_REQUEST,
                event_key=f"format-request:{request.pk}",
                title=f"Someone in {programme.name} asked for something in another format",
                body=(
                    f"A member of {programme.name} asked for a page or document in another "
                    "format. Sign in to see what they need and how to reach them. When it is "
                    "done, mark it as handled."
                ),
                url=reverse("programmes:coordinator_format_requests", args=[programme.slug]),
            )
        made.append(request)
    return made


@transaction.atomic
def format_request_handle(*, request: FormatRequest, by: User) -> bool:
    """Mark a request as handled, once: two coordinators pressing at the same moment make
    one change and one audit row (the conditional update). Returns whether this call did."""
    check_coordinates(by, request.programme)
    changed = FormatRequest.objects.filter(pk=request.pk, handled_at__isnull=True).update(
        handled_at=timezone.now(), handled_by=by
    )
    if changed:
        audit_record(
            action=AuditEvent.Action.FORMAT_REQUEST_HANDLED,
            actor=by,
            obj=request,
            programme=request.programme,
        )
    return bool(changed)


# Words to avoid, for an organisation


@transaction.atomic
def term_add(
    *, programme: Programme, by: User, word: str, alternative: str, why: str
) -> OrganisationTerm:
    """A coordinator adds a word to avoid for every programme of their organisation."""
    check_coordinates(by, programme)
    word = " ".join(word.split())
    organisation = programme.organisation
    if OrganisationTerm.objects.filter(organisation=organisation, word__iexact=word).exists():
        raise ValidationError({"word": "This word is already on your list."})
    try:
        # The unique constraint refuses a word added at the same moment by someone else.
        with transaction.atomic():
            term = OrganisationTerm.objects.create(
                organisation=organisation,
                word=word,
                alternative=" ".join(alternative.split()),
                why=" ".join(why.split()),
                created_by=by,
            )
    except IntegrityError:
        raise ValidationError({"word": "This word is already on your list."}) from None
    audit_record(
        action=AuditEvent.Action.TERM_ADDED,
        actor=by,
        obj=term,
        programme=programme,
        new={"word": term.word, "alternative": term.alternative},
    )
    return term


@transaction.atomic
def term_remove(*, programme: Programme, term: OrganisationTerm, by: User) -> None:
    check_coordinates(by, programme)
    if term.organisation_id != programme.organisation_id:
        raise PermissionDenied("Not your organisation's word")
    audit_record(
        action=AuditEvent.Action.TERM_REMOVED,
        actor=by,
        obj=term,
        programme=programme,
        old={"word": term.word, "alternative": term.alternative},
    )
    term.delete()
