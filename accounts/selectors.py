"""Reads about people: navigation, dashboards and the 'download my data' export."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db.models import Count, Q
from django.urls import reverse

from accounts.models import AuditEvent, MenteeProfile, MentorProfile
from mentoring.choices import Role
from mentoring.models import Application, Invitation, Membership, Programme, Session


def roles_of(user) -> set[str]:
    """Every role a person holds now, across programmes, plus 'administrator'."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_alongside_roles", None)
    if cached is None:
        cached = set(
            Membership.objects.current().filter(person=user).values_list("role", flat=True)
        )
        if user.administrator_of.exists():
            cached.add("administrator")
        user._alongside_roles = cached
    return cached


def navigation_for(user) -> dict:
    footer = [
        {"label": "About Alongside", "url": reverse("home")},
        {"label": "Programmes", "url": reverse("programme_list")},
    ]
    if not user.is_authenticated:
        return {
            "main": [
                {"label": "Sign in", "url": reverse("account_login")},
                {"label": "Create an account", "url": reverse("account_signup")},
            ],
            "footer": footer,
            "staff": [],
        }
    roles = roles_of(user)
    main = [{"label": "Your dashboard", "url": reverse("dashboard")}]
    if Role.MENTOR in roles or Role.MENTEE in roles:
        main.append({"label": "Your profile", "url": reverse("profile")})
    if Role.MENTEE in roles and (
        Membership.objects.current()
        .filter(
            person=user,
            role=Role.MENTEE,
            programme__matching_mode=Programme.MatchingMode.MENTEE_CHOICE,
        )
        .exists()
    ):
        main.append({"label": "Choose a mentor", "url": reverse("mentee_choose")})
    main.append({"label": "Account settings", "url": reverse("account_settings")})
    footer += [
        {"label": "Your data", "url": reverse("my_data")},
    ]
    staff = []
    if Role.COORDINATOR in roles or "administrator" in roles:
        for programme in Programme.objects.coordinated_by(user).only("name", "slug"):
            staff.append(
                {
                    "title": programme.name,
                    "links": [
                        {
                            "label": "Members",
                            "url": reverse("coordinator_members", args=[programme.slug]),
                        },
                        {
                            "label": "Applications",
                            "url": reverse("coordinator_applications", args=[programme.slug]),
                        },
                        {
                            "label": "Invitations",
                            "url": reverse("coordinator_invitations", args=[programme.slug]),
                        },
                        {
                            "label": "Matching",
                            "url": reverse("coordinator_rounds", args=[programme.slug]),
                        },
                        {
                            "label": "Matches",
                            "url": reverse("coordinator_matches", args=[programme.slug]),
                        },
                        {
                            "label": "Sessions to approve",
                            "url": reverse("coordinator_sessions", args=[programme.slug]),
                        },
                    ],
                }
            )
    if "administrator" in roles:
        main.append({"label": "Admin", "url": reverse("admin:index")})
    return {"main": main, "footer": footer, "staff": staff}


def coordinator_programmes_summary(user) -> list[Programme]:
    """Programmes this person runs, with the counts their dashboard shows, in one query."""
    return list(
        Programme.objects.coordinated_by(user).annotate(
            pending_applications=Count(
                "applications",
                filter=Q(applications__status=Application.Status.PENDING),
                distinct=True,
            ),
            mentor_count=Count(
                "memberships",
                filter=Q(memberships__role=Role.MENTOR, memberships__ended_at__isnull=True),
                distinct=True,
            ),
            mentee_count=Count(
                "memberships",
                filter=Q(memberships__role=Role.MENTEE, memberships__ended_at__isnull=True),
                distinct=True,
            ),
            open_concerns=Count(
                "matches__concerns",
                filter=~Q(matches__concerns__status="closed"),
                distinct=True,
            ),
        )
    )


def _names(manager) -> list[str]:
    return [item.name for item in manager.all()]


def _profile_common(profile) -> dict:
    return {
        "languages": _names(profile.languages),
        "region": profile.get_region_display() if profile.region else "",
        "meeting_modes": profile.meeting_modes,
        "availability": profile.availability,
        "accessibility_needs": profile.accessibility_needs,
        "updated_at": profile.updated_at.isoformat(),
        "complete": profile.is_complete,
    }


def personal_data_export(user) -> dict:
    """Everything Alongside holds about a person, in a form they can read and keep."""
    data: dict = {
        "about": "Everything Alongside holds about you, downloaded on request.",
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
        "roles": [
            {
                "programme": m.programme.name,
                "role": m.get_role_display(),
                "joined": m.joined_at.isoformat(),
                "ended": m.ended_at.isoformat() if m.ended_at else None,
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
    }
    mentor = MentorProfile.objects.filter(user=user).first()
    if mentor:
        data["mentor_profile"] = _profile_common(mentor) | {
            "care_experience_consent_given": (
                mentor.consent_given_at.isoformat() if mentor.consent_given_at else None
            ),
            "lived_experience": _names(mentor.lived_experience),
            "looked_after_by": _names(mentor.looked_after_by),
            "happy_to_mentor_own_council": mentor.happy_to_mentor_own_council,
            "shared_with_mentee": mentor.shared_with_mentee,
            "topics_offered": _names(mentor.topics_offered),
            "topics_off_limits": _names(mentor.topics_off_limits),
            "capacity": mentor.capacity,
            "payment_preference": mentor.get_payment_preference_display(),
            "paused": mentor.paused_at.isoformat() if mentor.paused_at else None,
        }
    mentee = MenteeProfile.objects.filter(user=user).select_related("employer").first()
    if mentee:
        data["mentee_profile"] = _profile_common(mentee) | {
            "role": mentee.get_practitioner_role_display(),
            "employer": mentee.employer.name if mentee.employer else "",
            "team": mentee.team,
            "practice_areas": _names(mentee.practice_areas),
            "years_in_practice": mentee.years_in_practice,
            "learning_goals": _names(mentee.learning_goals),
        }
    data["sessions"] = [
        {
            "programme": session.match.programme.name,
            "with": (
                session.match.mentee if session.match.mentor_id == user.pk else session.match.mentor
            ).display_name,
            "started": session.starts_at.isoformat(),
            "minutes": session.duration_minutes,
            "meeting_mode": session.get_meeting_mode_display(),
            "topics": _names(session.topics),
            "preparation_minutes": (
                session.preparation_minutes if session.match.mentor_id == user.pk else None
            ),
            "note": session.note,
            "status": session.get_status_display(),
        }
        for session in Session.objects.with_details().filter(
            Q(match__mentor=user) | Q(match__mentee=user)
        )
    ]
    data["activity_log"] = [
        {"when": e.occurred_at.isoformat(), "what": e.get_action_display()}
        for e in AuditEvent.objects.filter(actor=user)[:500]
    ]
    return data
