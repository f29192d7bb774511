from django.urls import path

from programmes import views

# The home page, and addresses starting /programmes/ and /join/, and
# /coordinate/<programme>/members/, /memberships/, /applications/, /invitations/,
# /resources/, /language/ (words to avoid) and /another-format/ (asking for a page or
# document in another format).
app_name = "programmes"

urlpatterns = [
    path("", views.home, name="home"),
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/resources/", views.my_resources, name="my_resources"),
    path("programmes/<slug:slug>/apply/", views.programme_apply, name="programme_apply"),
    path("programmes/<slug:slug>/resources/", views.resources, name="resources"),
    path("join/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("another-format/", views.format_request, name="format_request"),
    path(
        "coordinate/<slug:slug>/another-format/",
        views.coordinator_format_requests,
        name="coordinator_format_requests",
    ),
    path(
        "coordinate/<slug:slug>/another-format/<int:request_id>/handled/",
        views.coordinator_format_request_handled,
        name="coordinator_format_request_handled",
    ),
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
        "coordinate/<slug:slug>/memberships/<int:membership_id>/induction/",
        views.coordinator_induction_record,
        name="coordinator_induction_record",
    ),
    path(
        "coordinate/<slug:slug>/resources/",
        views.coordinator_resources,
        name="coordinator_resources",
    ),
    path(
        "coordinate/<slug:slug>/about/",
        views.coordinator_description,
        name="coordinator_description",
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
    path(
        "coordinate/<slug:slug>/language/",
        views.coordinator_language,
        name="coordinator_language",
    ),
    path(
        "coordinate/<slug:slug>/language/<int:term_id>/remove/",
        views.coordinator_language_remove,
        name="coordinator_language_remove",
    ),
    path(
        "coordinate/<slug:slug>/language/check/",
        views.coordinator_language_check,
        name="coordinator_language_check",
    ),
]
