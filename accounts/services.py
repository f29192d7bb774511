"""Changes to a person's own account and profiles."""

import uuid

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditEvent, MenteeProfile, MentorProfile, User
from matching import services as matching_services
from programmes.models import Application, Invitation, Membership


def mentor_profile_for(user: User) -> MentorProfile:
    profile, _ = MentorProfile.objects.get_or_create(user=user)
    return profile


def mentee_profile_for(user: User) -> MenteeProfile:
    profile, _ = MenteeProfile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def profile_save(*, form, by: User) -> MentorProfile | MenteeProfile:
    """Save a profile form as it stands: incomplete profiles are kept as drafts."""
    changed = sorted(form.changed_data)
    profile = form.save()
    profile_completion_note(profile)
    audit_record(
        action=AuditEvent.Action.PROFILE_UPDATED,
        actor=by,
        obj=profile,
        new={"fields_changed": changed, "complete": profile.is_complete},
    )
    return profile


def profile_completion_note(profile) -> None:
    """Keep `completed_at` in step with whether the profile is complete: set the first time
    it is, cleared if it becomes a draft again."""
    complete = profile.is_complete
    if complete and profile.completed_at is None:
        profile.completed_at = timezone.now()
    elif not complete and profile.completed_at is not None:
        profile.completed_at = None
    else:
        return
    type(profile).objects.filter(pk=profile.pk).update(completed_at=profile.completed_at)


@transaction.atomic
def mentor_consent_give(*, profile: MentorProfile, by: User) -> MentorProfile:
    if profile.consent_given_at is None:
        profile.consent_given_at = timezone.now()
        profile.save(update_fields=["consent_given_at"])
        profile_completion_note(profile)
        audit_record(action=AuditEvent.Action.CONSENT_GIVEN, actor=by, obj=profile)
    return profile


@transaction.atomic
def mentor_consent_withdraw(*, profile: MentorProfile, by: User) -> MentorProfile:
    """Withdrawing consent erases the care experience we held, straight away."""
    profile.consent_given_at = None
    profile.shared_with_mentee = ""
    profile.happy_to_mentor_own_council = False
    profile.save(
        update_fields=["consent_given_at", "shared_with_mentee", "happy_to_mentor_own_council"]
    )
    profile_completion_note(profile)
    profile.lived_experience.clear()
    profile.looked_after_by.clear()
    matching_services.person_scrub(user=profile.user, care_experience_only=True)
    audit_record(action=AuditEvent.Action.CONSENT_WITHDRAWN, actor=by, obj=profile)
    return profile


@transaction.atomic
def mentor_pause(*, profile: MentorProfile, by: User) -> MentorProfile:
    if MentorProfile.objects.filter(pk=profile.pk, paused_at__isnull=True).update(
        paused_at=timezone.now()
    ):
        audit_record(action=AuditEvent.Action.PAUSED, actor=by, obj=profile)
    profile.refresh_from_db()
    return profile


@transaction.atomic
def mentor_unpause(*, profile: MentorProfile, by: User) -> MentorProfile:
    if MentorProfile.objects.filter(pk=profile.pk, paused_at__isnull=False).update(paused_at=None):
        audit_record(action=AuditEvent.Action.UNPAUSED, actor=by, obj=profile)
    profile.refresh_from_db()
    return profile


def _matching_end_for(user: User) -> None:
    """Someone who leaves is proposed to nobody and matched with nobody any more; the
    other person goes back into the pool. Through the match-ending service, as when a role
    ends: the pair excluded, audit rows, the other person told. Their roles have ended."""
    from matching.services import matching_leave

    matching_leave(person=user, by=user, why="account_deleted")


@transaction.atomic
def _voice_anonymise(user: User) -> None:
    """Feedback, checks and closing surveys stay in the totals, without the person or their
    words: free text can name people."""
    from matching.models import ClosingSurvey
    from mentoring.models import CoproductionCheck, SessionFeedback

    SessionFeedback.objects.filter(person=user).update(person=None, comments="")
    CoproductionCheck.objects.filter(person=user).update(person=None, comments="")
    ClosingSurvey.objects.filter(person=user).update(comments="")


def _private_records_delete(user: User) -> None:
    """The journal and goals are the person's own, and notifications are only for them.
    Bank details, the earnings alert, receipts and what they wrote about expenses go too;
    what they were paid stays (the law says payment records are kept), under the
    anonymised account, until payments.services.payment_records_anonymise."""
    from journal.models import Goal, JournalEntry
    from notifications.models import EmailOptOut, Notification
    from payments.models import EarningsAlert, PaymentPreference
    from payments.services import expenses_of_deleted_person_clear

    PaymentPreference.objects.filter(mentor=user).delete()
    EarningsAlert.objects.filter(mentor=user).delete()
    expenses_of_deleted_person_clear(person=user)
    JournalEntry.objects.filter(mentee=user).delete()
    Goal.objects.filter(mentee=user).delete()
    Notification.objects.filter(person=user).delete()
    EmailOptOut.objects.filter(person=user).delete()


@transaction.atomic
def account_delete(*, user: User, request=None) -> None:
    """Erase a person's personal data. The account row stays, anonymised, so records the
    law requires us to keep (payments, once they exist) still add up without naming anyone.
    All or nothing: a failure part-way leaves the account as it was (files are deleted only
    once this commits)."""
    audit_record(action=AuditEvent.Action.ACCOUNT_DELETED, actor=user, obj=user, request=request)
    MentorProfile.objects.filter(user=user).delete()
    MenteeProfile.objects.filter(user=user).delete()
    Application.objects.filter(person=user).update(message="")
    Invitation.objects.filter(accepted_by=user).update(email="")
    Membership.objects.current().filter(person=user).update(ended_at=timezone.now())
    _matching_end_for(user)
    matching_services.person_scrub(user=user)
    _voice_anonymise(user)
    _private_records_delete(user)
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.administrator_of.all().delete()
    user.email = f"deleted-{uuid.uuid4().hex}@deleted.invalid"
    user.display_name = "Deleted person"
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.deleted_at = timezone.now()
    user.set_unusable_password()
    user.save()
