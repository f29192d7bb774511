"""Reads about people: navigation, dashboards and the 'download my data' export."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from accounts.access import is_service_operator
from accounts.models import AuditEvent, MenteeProfile, MentorProfile, User
from core.choices import Role
from mentoring.models import Concern, Session
from notifications.selectors import unread_count, unread_subquery
from programmes.models import Administrator, Application, Invitation, Membership, Programme


def roles_of(user) -> set[str]:
    """Every role a person holds now, across programmes, plus 'administrator'."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_alongside_roles", None)
    if cached is None:
        cached = set(
            Membership.objects.current().filter(person=user).values_list("role", flat=True)
        )
        # One query says whether they run an organisation and, for the navigation, how
        # many of their notifications are new: every page pays for it, so it is shared.
        flags = (
            User.objects.filter(pk=user.pk)
            .values(
                administrator=Exists(Administrator.objects.filter(person=OuterRef("pk"))),
                unread=unread_subquery(),
            )
            .first()
        ) or {"administrator": False, "unread": 0}
        if flags["administrator"]:
            cached.add("administrator")
        user._alongside_unread = flags["unread"]
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
    unread = unread_count(user)
    main.append(
        {
            "label": "Notifications",
            "url": reverse("notifications"),
            "badge": f"{unread} new" if unread else "",
        }
    )
    if Role.MENTOR in roles:
        main.append({"label": "Your pay", "url": reverse("pay")})
    if Role.MENTEE in roles:
        main.append({"label": "Your journal", "url": reverse("journal_list")})
        main.append({"label": "Your goals", "url": reverse("goals")})
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
                        {
                            "label": "Payments",
                            "url": reverse("coordinator_pay", args=[programme.slug]),
                        },
                    ],
                }
            )
    if staff:
        main.append({"label": "Statistics", "url": reverse("statistics")})
    if is_service_operator(user):
        main.append({"label": "Admin", "url": reverse("admin:index")})
    return {"main": main, "footer": footer, "staff": staff}


def coordinator_programmes_summary(user) -> list[Programme]:
    """Programmes this person runs, with the counts their dashboard shows, in one query.
    Each count is its own subquery, so no count can pick up another's join or filter."""
    current = Membership.objects.current()
    return list(
        Programme.objects.coordinated_by(user).annotate(
            # Not their own application: someone else decides it (programmes.duties).
            pending_applications=_count(
                Application.objects.filter(status=Application.Status.PENDING).exclude(person=user)
            ),
            mentor_count=_count(current.filter(role=Role.MENTOR)),
            mentee_count=_count(current.filter(role=Role.MENTEE)),
            # Not concerns about a match the person is part of: those are for another
            # coordinator (programmes.duties).
            open_concerns=_count(
                Concern.objects.open().not_involving(user), programme="match__programme"
            ),
        )
    )


def _count(queryset, *, programme: str = "programme"):
    """How many rows of `queryset` belong to the outer programme, as an expression."""
    counted = (
        queryset.filter(**{programme: OuterRef("pk")})
        .order_by()
        .values(programme)
        .annotate(count=Count("pk"))
        .values("count")[:1]
    )
    return Coalesce(Subquery(counted), 0)


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
    data.update(_mentoring_export(user))
    data.update(_journal_and_notifications_export(user))
    from payments.selectors import personal_data as payments_data

    data.update(payments_data(user))
    data["activity_log"] = [
        {"when": e.occurred_at.isoformat(), "what": e.get_action_display()}
        for e in AuditEvent.objects.filter(actor=user)[:500]
    ]
    return data


def _other_name(match, user) -> str:
    return (match.mentee if match.mentor_id == user.pk else match.mentor).display_name


def _mentoring_export(user) -> dict:
    """Matches, closing surveys, concerns, feedback and co-production checks of this person:
    what they said, never what the other person said about them."""
    from matching.models import ClosingSurvey, Match
    from mentoring.models import Concern, CoproductionCheck, SessionFeedback

    mine = Q(mentor=user) | Q(mentee=user)
    return {
        "matches": [
            {
                "programme": match.programme.name,
                "with": _other_name(match, user),
                "as": "mentor" if match.mentor_id == user.pk else "mentee",
                "status": match.get_status_display(),
                "started": match.started_at.isoformat(),
                "ended": match.ended_at.isoformat() if match.ended_at else None,
            }
            for match in Match.objects.filter(mine).select_related("programme", "mentor", "mentee")
        ],
        "closing_surveys": [
            {
                "match_with": _other_name(survey.match, user),
                "how_it_went": survey.get_rating_display(),
                "would_recommend": survey.get_recommend_display(),
                "why_it_ended": survey.get_reason_display(),
                "comments": survey.comments,
                "given": survey.created_at.isoformat(),
            }
            for survey in ClosingSurvey.objects.filter(person=user).select_related(
                "match__mentor", "match__mentee"
            )
        ],
        "concerns_raised": [
            {
                "match_with": _other_name(concern.match, user),
                "kind": concern.get_kind_display(),
                "what_happened": concern.what_happened,
                "status": concern.get_status_display(),
                "raised": concern.created_at.isoformat(),
            }
            for concern in Concern.objects.filter(raised_by=user).select_related(
                "match__mentor", "match__mentee"
            )
        ],
        "session_feedback_given": [
            {
                "session": feedback.session.starts_at.isoformat(),
                "answers": {
                    str(SessionFeedback._meta.get_field(name).verbose_name): getattr(
                        feedback, f"get_{name}_display"
                    )()
                    for name in ("useful", "listened_to", "plain_language")
                    + SessionFeedback.MENTOR_QUESTIONS
                    if getattr(feedback, name) is not None
                },
                "comments": feedback.comments,
                "given": feedback.created_at.isoformat(),
            }
            for feedback in SessionFeedback.objects.filter(person=user).select_related("session")
        ],
        "coproduction_checks_given": [
            {
                "match_with": _other_name(check.match, user),
                "when": check.get_occasion_display(),
                "answers": {
                    str(CoproductionCheck._meta.get_field(name).verbose_name): getattr(
                        check, f"get_{name}_display"
                    )()
                    for name in ("equality", "diversity", "accessibility", "reciprocity", "rung")
                },
                "comments": check.comments,
                "given": check.created_at.isoformat(),
            }
            for check in CoproductionCheck.objects.filter(person=user).select_related(
                "match__mentor", "match__mentee"
            )
        ],
    }


def _journal_and_notifications_export(user) -> dict:
    """The person's journal, goals (with everyone's notes on them), the notes they wrote on
    others' goals, notifications and email choices."""
    from journal.models import QUESTION_LABELS, Goal, GoalNote, JournalEntry
    from notifications.models import EmailOptOut, Notification

    def entry(item: JournalEntry) -> dict:
        return {
            "activity_date": item.activity_date.isoformat(),
            "about_session": item.session.starts_at.isoformat() if item.session else None,
            **{
                str(QUESTION_LABELS[name]): getattr(item, name)
                for name in QUESTION_LABELS
                if getattr(item, name)
            },
            "pcf_domains": _names(item.pcf_domains),
            "shared_with_mentor": item.shared_at.isoformat() if item.shared_at else None,
            "written": item.created_at.isoformat(),
        }

    def note(item: GoalNote) -> dict:
        return {
            "by": "you" if item.author_id == user.pk else getattr(item.author, "display_name", ""),
            "note": item.text,
            "written": item.created_at.isoformat(),
        }

    return {
        "journal": [
            entry(item)
            for item in JournalEntry.objects.filter(mentee=user)
            .select_related("session")
            .prefetch_related("pcf_domains")
        ],
        "goals": [
            {
                "goal": goal.title,
                "status": goal.get_status_display(),
                "notes": [note(item) for item in goal.notes.all()],
            }
            for goal in Goal.objects.filter(mentee=user).prefetch_related("notes__author")
        ],
        "goal_notes_you_wrote_for_others": [
            note(item) for item in GoalNote.objects.filter(author=user).exclude(goal__mentee=user)
        ],
        "notifications": [
            {
                "what": item.title,
                "sent": item.created_at.isoformat(),
                "read": item.read_at.isoformat() if item.read_at else None,
            }
            for item in Notification.objects.filter(person=user)
        ],
        "emails_you_turned_off": [
            item.get_kind_display() for item in EmailOptOut.objects.filter(person=user)
        ],
    }
