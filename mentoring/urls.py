from django.urls import path

from mentoring import (
    agreement_views,
    kind_words_views,
    match_views,
    message_views,
    question_views,
    support_views,
    views,
)

# Addresses starting /matches/, /sessions/, /planned/, /messages/, /talk/, and
# /coordinate/<programme>/matches/, /concerns/, /sessions/, /talk/ and /questions/: a match, its
# lifecycle pages, what happens inside it, asking a coordinator for a chat (support_views.py),
# and the programme's own feedback and check questions (question_views.py).
app_name = "mentoring"

urlpatterns = [
    path("matches/<int:match_id>/", views.match_detail, name="match_detail"),
    path("matches/<int:match_id>/ended/", views.match_ended, name="match_ended"),
    path("messages/", message_views.message_inbox, name="message_inbox"),
    path("matches/<int:match_id>/messages/", message_views.match_messages, name="match_messages"),
    path(
        "matches/<int:match_id>/messages/<int:message_id>/concern/",
        message_views.message_attach,
        name="message_attach",
    ),
    path("matches/<int:match_id>/agreement/", agreement_views.agreement, name="agreement"),
    path(
        "matches/<int:match_id>/agreement/history/",
        agreement_views.agreement_history,
        name="agreement_history",
    ),
    path("matches/<int:match_id>/pause/", match_views.match_pause, name="match_pause"),
    path("matches/<int:match_id>/restart/", match_views.match_resume, name="match_resume"),
    path("matches/<int:match_id>/end/", match_views.match_end, name="match_end"),
    path(
        "matches/<int:match_id>/kind-words/",
        kind_words_views.kind_words_write,
        name="kind_words_write",
    ),
    path("coordinate/<slug:slug>/matches/", views.coordinator_matches, name="coordinator_matches"),
    path(
        "coordinate/<slug:slug>/matches/<int:match_id>/pause/",
        match_views.coordinator_match_pause,
        name="coordinator_match_pause",
    ),
    path(
        "coordinate/<slug:slug>/matches/<int:match_id>/restart/",
        match_views.coordinator_match_resume,
        name="coordinator_match_resume",
    ),
    path(
        "coordinate/<slug:slug>/matches/<int:match_id>/end/",
        match_views.coordinator_match_end,
        name="coordinator_match_end",
    ),
    path("matches/<int:match_id>/sessions/new/", views.session_new, name="session_new"),
    path("matches/<int:match_id>/sessions/plan/", views.session_plan, name="session_plan"),
    path("planned/<int:plan_id>/calendar.ics", views.plan_calendar, name="plan_calendar"),
    path("planned/<int:plan_id>/change/", views.plan_change, name="plan_change"),
    path("planned/<int:plan_id>/cancel/", views.plan_cancel, name="plan_cancel"),
    path("planned/<int:plan_id>/missed/", views.plan_missed, name="plan_missed"),
    path(
        "coordinate/<slug:slug>/planned/<int:plan_id>/",
        views.coordinator_plan_missed,
        name="coordinator_plan_missed",
    ),
    path(
        "coordinate/<slug:slug>/planned/<int:plan_id>/confirm/",
        views.coordinator_plan_missed_confirm,
        name="coordinator_plan_missed_confirm",
    ),
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
    path("sessions/<int:session_id>/feedback/", views.session_feedback, name="session_feedback"),
    path("matches/<int:match_id>/check/", views.coproduction_check, name="coproduction_check"),
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
    path(
        "sessions/<int:session_id>/check-in/",
        support_views.session_check_in,
        name="session_check_in",
    ),
    path("matches/<int:match_id>/hard/", support_views.finding_it_hard, name="finding_it_hard"),
    path("talk/<slug:slug>/", support_views.talk_ask, name="talk_ask"),
    path("coordinate/<slug:slug>/talk/", support_views.coordinator_talk, name="coordinator_talk"),
    path(
        "coordinate/<slug:slug>/questions/",
        question_views.coordinator_questions,
        name="coordinator_questions",
    ),
    path(
        "coordinate/<slug:slug>/questions/<int:question_id>/retire/",
        question_views.coordinator_question_retire,
        name="coordinator_question_retire",
    ),
    path(
        "coordinate/<slug:slug>/talk/<int:request_id>/",
        support_views.coordinator_talk_detail,
        name="coordinator_talk_detail",
    ),
]
