"""Reads across apps for one person: their roles, the navigation and the dashboard."""

from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from accounts.access import is_service_operator
from accounts.models import User
from core.choices import EXPERT_ROLES, Role
from mentoring.models import Concern, TalkRequest
from mentoring.selectors import unread_messages_count, unread_messages_subquery
from notifications.selectors import unread_count, unread_subquery
from programmes.access import panel_programmes
from programmes.models import Administrator, Application, Membership, Programme


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
        # many of their notifications and messages are new: every page pays for it, so it
        # is shared.
        flags = (
            User.objects.filter(pk=user.pk)
            .values(
                administrator=Exists(Administrator.objects.filter(person=OuterRef("pk"))),
                unread=unread_subquery(),
                unread_messages=unread_messages_subquery(),
            )
            .first()
        ) or {"administrator": False, "unread": 0, "unread_messages": 0}
        if flags["administrator"]:
            cached.add("administrator")
        user._alongside_unread = flags["unread"]
        user._alongside_unread_messages = flags["unread_messages"]
        user._alongside_roles = cached
    return cached


def navigation_for(user) -> dict:
    footer = [
        {"label": "About Alongside", "url": reverse("programmes:home")},
        {"label": "Programmes", "url": reverse("programmes:programme_list")},
        {"label": "Accessibility", "url": reverse("portal:accessibility_statement")},
        {"label": "Privacy", "url": reverse("portal:privacy_notice")},
        {"label": "Words we use", "url": reverse("portal:glossary")},
    ]
    if not user.is_authenticated:
        # Asking needs an account, so the request reaches a programme's coordinators: a
        # visitor reads how to sign in, or whom to email, on the accessibility statement.
        footer.append(
            {
                "label": "Ask for another format",
                "url": reverse("portal:accessibility_statement") + "#another-format",
            }
        )
        return {
            "main": [
                {"label": "Sign in", "url": reverse("account_login")},
                {"label": "Create an account", "url": reverse("account_signup")},
            ],
            "footer": footer,
            "staff": [],
        }
    roles = roles_of(user)
    main = [{"label": "Your dashboard", "url": reverse("portal:dashboard")}]
    if Role.MENTOR in roles or Role.MENTEE in roles:
        main.append({"label": "Your profile", "url": reverse("portal:profile")})
    if Role.MENTEE in roles and (
        Membership.objects.current()
        .filter(
            person=user,
            role=Role.MENTEE,
            programme__matching_mode=Programme.MatchingMode.MENTEE_CHOICE,
        )
        .exists()
    ):
        main.append({"label": "Choose a mentor", "url": reverse("matching:mentee_choose")})
    if Role.MENTOR in roles or Role.MENTEE in roles:
        waiting = unread_messages_count(user)
        main.append(
            {
                "label": "Messages",
                "url": reverse("mentoring:message_inbox"),
                "badge": f"{waiting} new" if waiting else "",
            }
        )
    unread = unread_count(user)
    main.append(
        {
            "label": "Notifications",
            "url": reverse("notifications:notifications"),
            "badge": f"{unread} new" if unread else "",
        }
    )
    if roles & set(EXPERT_ROLES):
        main.append({"label": "Your pay", "url": reverse("payments:pay")})
        main.append({"label": "Paid activities", "url": reverse("activities:activities")})
    if Role.MENTEE in roles:
        main.append({"label": "Your journal", "url": reverse("journal:journal_list")})
        main.append({"label": "Your goals", "url": reverse("journal:goals")})
    if Role.MENTOR in roles or Role.MENTEE in roles:
        main.append({"label": "Programme resources", "url": reverse("programmes:my_resources")})
    if Role.PANEL in roles:
        # Most sit on one panel; someone on two is told which is which.
        panels = list(panel_programmes(user).only("name", "slug").order_by("name"))
        for programme in panels:
            main.append(
                {
                    "label": "The panel" if len(panels) == 1 else f"The panel: {programme.name}",
                    "url": reverse("panel:panel_home", args=[programme.slug]),
                }
            )
    main.append({"label": "Account settings", "url": reverse("portal:account_settings")})
    footer += [
        {"label": "Ask for another format", "url": reverse("programmes:format_request")},
        {"label": "Your data", "url": reverse("portal:my_data")},
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
                            "url": reverse("programmes:coordinator_members", args=[programme.slug]),
                        },
                        {
                            "label": "Applications",
                            "url": reverse(
                                "programmes:coordinator_applications", args=[programme.slug]
                            ),
                        },
                        {
                            "label": "Invitations",
                            "url": reverse(
                                "programmes:coordinator_invitations", args=[programme.slug]
                            ),
                        },
                        {
                            "label": "Matching",
                            "url": reverse("matching:coordinator_rounds", args=[programme.slug]),
                        },
                        {
                            "label": "Matches",
                            "url": reverse("mentoring:coordinator_matches", args=[programme.slug]),
                        },
                        {
                            "label": "Sessions to approve",
                            "url": reverse("mentoring:coordinator_sessions", args=[programme.slug]),
                        },
                        {
                            "label": "Payments",
                            "url": reverse("payments:coordinator_pay", args=[programme.slug]),
                        },
                        {
                            "label": "Activities",
                            "url": reverse(
                                "activities:coordinator_activities", args=[programme.slug]
                            ),
                        },
                        {
                            "label": "The panel",
                            "url": reverse("panel:coordinator_panel", args=[programme.slug]),
                        },
                        {
                            "label": "Feedback questions",
                            "url": reverse(
                                "mentoring:coordinator_questions", args=[programme.slug]
                            ),
                        },
                        {
                            "label": "About the programme",
                            "url": reverse(
                                "programmes:coordinator_description", args=[programme.slug]
                            ),
                        },
                        {
                            "label": "Resources page",
                            "url": reverse(
                                "programmes:coordinator_resources", args=[programme.slug]
                            ),
                        },
                        {
                            "label": "Requests for another format",
                            "url": reverse(
                                "programmes:coordinator_format_requests", args=[programme.slug]
                            ),
                        },
                    ],
                }
            )
    # Panel members see their programme's statistics too (who may: reporting.access).
    if staff or Role.PANEL in roles:
        main.append({"label": "Statistics", "url": reverse("reporting:statistics")})
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
            # Requests to talk waiting for a chat, on the same terms as concerns.
            open_talk_requests=_count(TalkRequest.objects.open().not_involving(user)),
        )
    )


def _count(queryset, *, programme: str = "programme"):
    """How many rows of `queryset` belong to the outer programme, as an expression."""
    counted = (
        queryset.filter(**{programme: OuterRef("pk")})
        .order_by()
        .values(programme)
        # Rows, not ids: a count of current members then reads only the index on them.
        .annotate(count=Count("*"))
        .values("count")[:1]
    )
    return Coalesce(Subquery(counted), 0)
