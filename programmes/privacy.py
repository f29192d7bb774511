"""What programmes hold about a person: roles, applications, invitations used and requests
for another format (see
portal/privacy.py for how every app's privacy module is composed)."""

from django.utils import timezone

from accounts.models import User
from core.choices import Role
from programmes.models import Administrator, Application, FormatRequest, Invitation, Membership


def export(user: User) -> dict:
    return {
        "roles": [
            {
                "programme": m.programme.name,
                "role": m.get_role_display(),
                "joined": m.joined_at.isoformat(),
                "ended": m.ended_at.isoformat() if m.ended_at else None,
                # Mentors only: the day of their induction, once a coordinator recorded it.
                **(
                    {"induction": m.inducted_on.isoformat() if m.inducted_on else None}
                    if m.role == Role.MENTOR
                    else {}
                ),
            }
            for m in Membership.objects.filter(person=user).select_related("programme")
        ],
        "applications": [
            {
                "programme": a.programme.name,
                "role": a.get_role_display(),
                "message": a.message,
                "status": a.get_status_display(),
                "made": a.created_at.isoformat(),
            }
            for a in Application.objects.filter(person=user).select_related("programme")
        ],
        "invitations_used": [
            {"programme": i.programme.name, "role": i.get_role_display()}
            for i in Invitation.objects.filter(accepted_by=user).select_related("programme")
        ],
        "requests_for_another_format": [
            {
                "programme": r.programme.name,
                "need": r.get_need_display(),
                "details": r.need_details,
                "page_or_document": r.about,
                "how_to_reach_you": r.contact,
                "sent": r.created_at.isoformat(),
                "handled": r.handled_at.isoformat() if r.handled_at else None,
            }
            for r in FormatRequest.objects.filter(person=user).select_related("programme")
        ],
    }


def erase(user: User) -> None:
    """Every role ends now (the memberships stay, as history without a name); what they wrote
    when applying and the address an invitation went to go; they run no organisation. Their
    requests for another format go: what they needed can say something about their health."""
    FormatRequest.objects.filter(person=user).delete()
    Application.objects.filter(person=user).update(message="")
    Invitation.objects.filter(accepted_by=user).update(email="")
    Membership.objects.current().filter(person=user).update(ended_at=timezone.now())
    Administrator.objects.filter(person=user).delete()
