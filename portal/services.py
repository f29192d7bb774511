"""Changes that reach across apps for one person: deleting their account, and withdrawing
consent to share care experience, which also takes it out of stored matching rounds."""

from django.db import transaction

from accounts import services as account_services
from accounts.audit import audit_record
from accounts.models import AuditEvent, MentorProfile, User
from matching import services as matching_services
from portal import privacy


@transaction.atomic
def mentor_consent_withdraw(*, profile: MentorProfile, by: User) -> MentorProfile:
    """Withdrawing consent erases the care experience we held, straight away: on the
    profile and in every stored matching round, together."""
    account_services.care_experience_clear(profile=profile)
    matching_services.person_scrub(user=profile.user, care_experience_only=True)
    audit_record(action=AuditEvent.Action.CONSENT_WITHDRAWN, actor=by, obj=profile)
    return profile


@transaction.atomic
def account_delete(*, user: User, request=None) -> None:
    """Erase a person's personal data: every app's part (portal.privacy, in the order it
    explains), then the account row is anonymised. The row stays, so records the law
    requires us to keep (payments) still add up without naming anyone. All or nothing: a
    failure part-way leaves the account as it was (files are deleted only once this
    commits)."""
    audit_record(action=AuditEvent.Action.ACCOUNT_DELETED, actor=user, obj=user, request=request)
    privacy.erase(user)
    account_services.account_anonymise(user=user)
