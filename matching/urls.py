from django.urls import path

from matching import views

# A match's "ended" page and the coordinators' list of matches show what happened inside
# the match (sessions, checks due), so mentoring answers them: mentoring/urls.py.
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
    path(
        "coordinate/<slug:slug>/matches/<int:match_id>/pause/",
        views.coordinator_match_pause,
        name="coordinator_match_pause",
    ),
    path(
        "coordinate/<slug:slug>/matches/<int:match_id>/restart/",
        views.coordinator_match_resume,
        name="coordinator_match_resume",
    ),
    path(
        "coordinate/<slug:slug>/matches/<int:match_id>/end/",
        views.coordinator_match_end,
        name="coordinator_match_end",
    ),
    path("matches/<int:match_id>/pause/", views.match_pause, name="match_pause"),
    path("matches/<int:match_id>/restart/", views.match_resume, name="match_resume"),
    path("matches/<int:match_id>/end/", views.match_end, name="match_end"),
    path("proposals/<int:proposal_id>/", views.proposal_answer, name="proposal_answer"),
    path("suggestions/", views.mentee_choose, name="mentee_choose"),
]
