"""What accounts holds about a person, for "download my data" and for deleting an account
(portal composes every app's privacy module; see portal/privacy.py)."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from accounts.models import AuditEvent, MenteeProfile, MentorProfile, User


def names(manager) -> list[str]:
    """The names of the topics, languages or areas a many-to-many field holds."""
    return [item.name for item in manager.all()]


def _profile_common(profile) -> dict:
    return {
        "languages": names(profile.languages),
        "region": profile.get_region_display() if profile.region else "",
        "meeting_modes": profile.meeting_modes,
        "availability": profile.availability,
        "accessibility_needs": profile.accessibility_needs,
        "updated_at": profile.updated_at.isoformat(),
        "complete": profile.is_complete,
    }


def export(user: User) -> dict:
    """The account, its profiles and what the person did, as the audit log recorded it."""
    data: dict = {
        "account": {
            "name": user.display_name,
            "email": user.email,
            "joined": user.date_joined.isoformat(),
            "last_sign_in": user.last_login.isoformat() if user.last_login else None,
            "email_addresses": [
                {"email": e.email, "verified": e.verified, "primary": e.primary}
                for e in EmailAddress.objects.filter(user=user)
            ],
            "two_factor_methods": [
                a.get_type_display() for a in Authenticator.objects.filter(user=user)
            ],
        },
    }
    mentor = MentorProfile.objects.filter(user=user).first()
    if mentor:
        data["mentor_profile"] = _profile_common(mentor) | {
            "care_experience_consent_given": (
                mentor.consent_given_at.isoformat() if mentor.consent_given_at else None
            ),
            "lived_experience": names(mentor.lived_experience),
            "looked_after_by": names(mentor.looked_after_by),
            "happy_to_mentor_own_council": mentor.happy_to_mentor_own_council,
            "shared_with_mentee": mentor.shared_with_mentee,
            "topics_offered": names(mentor.topics_offered),
            "topics_off_limits": names(mentor.topics_off_limits),
            "capacity": mentor.capacity,
            "paused": mentor.paused_at.isoformat() if mentor.paused_at else None,
        }
    mentee = MenteeProfile.objects.filter(user=user).select_related("employer").first()
    if mentee:
        data["mentee_profile"] = _profile_common(mentee) | {
            "role": mentee.get_practitioner_role_display(),
            "employer": mentee.employer.name if mentee.employer else "",
            "team": mentee.team,
            "practice_areas": names(mentee.practice_areas),
            "years_in_practice": mentee.years_in_practice,
            "learning_goals": names(mentee.learning_goals),
        }
    data["activity_log"] = [
        {"when": e.occurred_at.isoformat(), "what": e.get_action_display()}
        for e in AuditEvent.objects.filter(actor=user)[:500]
    ]
    return data


def erase(user: User) -> None:
    """Profiles, email addresses and authenticators go. The account row itself is anonymised
    after every app has erased its part (services.account_anonymise): they find the person
    through it; the audit log and payment records keep pointing at it."""
    MentorProfile.objects.filter(user=user).delete()
    MenteeProfile.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
