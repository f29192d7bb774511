from django.urls import path

from matching import views

# Addresses starting /coordinate/<programme>/matching/ and /coordinate/<programme>/proposals/,
# /proposals/ and /suggestions/. Every page about a match, including pausing and ending it,
# is mentoring's (mentoring/urls.py).
app_name = "matching"

urlpatterns = [
    path("coordinate/<slug:slug>/matching/", views.coordinator_rounds, name="coordinator_rounds"),
    path(
        "coordinate/<slug:slug>/matching/settings/",
        views.coordinator_matching_settings,
        name="coordinator_matching_settings",
    ),
    path(
        "coordinate/<slug:slug>/matching/<int:round_id>/",
        views.coordinator_round_detail,
        name="coordinator_round_detail",
    ),
    path(
        "coordinate/<slug:slug>/matching/<int:round_id>/progress/",
        views.coordinator_round_progress,
        name="coordinator_round_progress",
    ),
    path(
        "coordinate/<slug:slug>/matching/<int:round_id>/export/",
        views.coordinator_round_export,
        name="coordinator_round_export",
    ),
    path(
        "coordinate/<slug:slug>/matching/<int:round_id>/rerun/",
        views.coordinator_round_rerun,
        name="coordinator_round_rerun",
    ),
    path(
        "coordinate/<slug:slug>/matching/<int:round_id>/approve/",
        views.coordinator_round_approve,
        name="coordinator_round_approve",
    ),
    path(
        "coordinate/<slug:slug>/matching/<int:round_id>/approve-all/",
        views.coordinator_round_approve_all,
        name="coordinator_round_approve_all",
    ),
    path(
        "coordinate/<slug:slug>/matching/<int:round_id>/approvals/<int:batch_id>/",
        views.coordinator_round_approval,
        name="coordinator_round_approval",
    ),
    path(
        "coordinate/<slug:slug>/matching/<int:round_id>/unmatched/",
        views.coordinator_round_unmatched,
        name="coordinator_round_unmatched",
    ),
    path(
        "coordinate/<slug:slug>/proposals/<int:proposal_id>/approve/",
        views.coordinator_proposal_approve,
        name="coordinator_proposal_approve",
    ),
    path(
        "coordinate/<slug:slug>/proposals/<int:proposal_id>/reject/",
        views.coordinator_proposal_reject,
        name="coordinator_proposal_reject",
    ),
    path(
        "coordinate/<slug:slug>/proposals/<int:proposal_id>/swap/",
        views.coordinator_proposal_swap,
        name="coordinator_proposal_swap",
    ),
    path("proposals/<int:proposal_id>/", views.proposal_answer, name="proposal_answer"),
    path("suggestions/", views.mentee_choose, name="mentee_choose"),
]
