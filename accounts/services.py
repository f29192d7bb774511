"""Changes to a person's own account and profiles."""

import uuid

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditEvent, MenteeProfile, MentorProfile, User


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


def care_experience_clear(*, profile: MentorProfile) -> MentorProfile:
    """Clear the care experience a mentor shared on their profile. Only part of withdrawing
    consent: their stored matching rounds hold it too (portal.services.mentor_consent_withdraw
    does both, with the audit row)."""
    profile.consent_given_at = None
    profile.shared_with_mentee = ""
    profile.happy_to_mentor_own_council = False
    profile.save(
        update_fields=["consent_given_at", "shared_with_mentee", "happy_to_mentor_own_council"]
    )
    profile_completion_note(profile)
    profile.lived_experience.clear()
    profile.looked_after_by.clear()
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


def account_anonymise(*, user: User) -> None:
    """The last step of deleting an account (portal.services.account_delete), once every app
    has erased its part: the row stays, anonymised, so records the law requires us to keep
    (payments) still add up without naming anyone, and nobody can sign in as it."""
    user.email = f"deleted-{uuid.uuid4().hex}@deleted.invalid"
    user.display_name = "Deleted person"
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.deleted_at = timezone.now()
    user.set_unusable_password()
    user.save()
