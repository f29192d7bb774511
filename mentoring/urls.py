from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from mentoring import views

handler403 = "mentoring.errors.permission_denied"
handler404 = "mentoring.errors.page_not_found"
handler500 = "mentoring.errors.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", account_views.dashboard, name="dashboard"),
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/<slug:slug>/apply/", views.programme_apply, name="programme_apply"),
    path("join/<str:token>/", views.invitation_accept, name="invitation_accept"),
    # A person's own profile, settings and data
    path("profile/", account_views.profile, name="profile"),
    path("profile/mentor/", account_views.mentor_profile_edit, name="mentor_profile_edit"),
    path("profile/mentor/consent/", account_views.mentor_consent, name="mentor_consent"),
    path(
        "profile/mentor/consent/withdraw/",
        account_views.mentor_consent_withdraw,
        name="mentor_consent_withdraw",
    ),
    path(
        "profile/mentor/experience/",
        account_views.mentor_experience_edit,
        name="mentor_experience_edit",
    ),
    path("profile/mentor/pause/", account_views.mentor_pause, name="mentor_pause"),
    path("profile/mentee/", account_views.mentee_profile_edit, name="mentee_profile_edit"),
    path("my/settings/", account_views.account_settings, name="account_settings"),
    path("my/data/", account_views.my_data, name="my_data"),
    path("my/data/download/", account_views.my_data_download, name="my_data_download"),
    path("my/delete/", account_views.account_delete, name="account_delete"),
    # Coordinators: their own programmes only
    path("coordinate/<slug:slug>/members/", views.coordinator_members, name="coordinator_members"),
    path(
        "coordinate/<slug:slug>/members/<int:person_id>/",
        views.coordinator_member_detail,
        name="coordinator_member_detail",
    ),
    path(
        "coordinate/<slug:slug>/memberships/<int:membership_id>/end/",
        views.coordinator_membership_end,
        name="coordinator_membership_end",
    ),
    path(
        "coordinate/<slug:slug>/applications/",
        views.coordinator_applications,
        name="coordinator_applications",
    ),
    path(
        "coordinate/<slug:slug>/applications/<int:application_id>/",
        views.coordinator_application_detail,
        name="coordinator_application_detail",
    ),
    path(
        "coordinate/<slug:slug>/invitations/",
        views.coordinator_invitations,
        name="coordinator_invitations",
    ),
    path(
        "coordinate/<slug:slug>/invitations/<int:invitation_id>/cancel/",
        views.coordinator_invitation_revoke,
        name="coordinator_invitation_revoke",
    ),
    # Sessions of a match: its mentor and mentee only
    path("matches/<int:match_id>/", views.match_detail, name="match_detail"),
    path("matches/<int:match_id>/sessions/new/", views.session_new, name="session_new"),
    path("matches/<int:match_id>/sessions/plan/", views.session_plan, name="session_plan"),
    path("planned/<int:plan_id>/calendar.ics", views.plan_calendar, name="plan_calendar"),
    path("planned/<int:plan_id>/cancel/", views.plan_cancel, name="plan_cancel"),
    # Concerns: the person who raised one, and the programme's coordinators
    path("matches/<int:match_id>/concerns/new/", views.concern_new, name="concern_new"),
    path(
        "matches/<int:match_id>/concerns/<int:concern_id>/",
        views.concern_detail,
        name="concern_detail",
    ),
    path(
        "coordinate/<slug:slug>/concerns/",
        views.coordinator_concerns,
        name="coordinator_concerns",
    ),
    path(
        "coordinate/<slug:slug>/concerns/<int:concern_id>/",
        views.coordinator_concern_detail,
        name="coordinator_concern_detail",
    ),
    path("sessions/<int:session_id>/", views.session_detail, name="session_detail"),
    path("sessions/<int:session_id>/edit/", views.session_edit, name="session_edit"),
    # Feedback and the co-production check: each person of the match, for their own side
    path("sessions/<int:session_id>/feedback/", views.session_feedback, name="session_feedback"),
    path("matches/<int:match_id>/check/", views.coproduction_check, name="coproduction_check"),
    path("coordinate/<slug:slug>/voice/", views.coordinator_voice, name="coordinator_voice"),
    path(
        "sessions/<int:session_id>/calendar.ics",
        views.session_calendar,
        name="session_calendar",
    ),
    path(
        "coordinate/<slug:slug>/sessions/",
        views.coordinator_sessions,
        name="coordinator_sessions",
    ),
    path(
        "coordinate/<slug:slug>/sessions/<int:session_id>/approve/",
        views.coordinator_session_approve,
        name="coordinator_session_approve",
    ),
    path("", include("matching.urls")),
    path("", include("journal.urls")),
    path("", include("notifications.urls")),
    path("", include("payments.urls")),
    path("", include("mentoring.statistics.urls")),
    path("account/login/", account_views.LoginView.as_view(), name="account_login"),
    path("account/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
