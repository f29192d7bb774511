from django.urls import path

from journal import views

# Addresses starting /journal/ and /goals/.
app_name = "journal"

urlpatterns = [
    path("journal/", views.journal_list, name="journal_list"),
    path("journal/new/", views.journal_new, name="journal_new"),
    path("journal/<int:entry_id>/", views.journal_detail, name="journal_detail"),
    path("journal/<int:entry_id>/edit/", views.journal_edit, name="journal_edit"),
    path("journal/<int:entry_id>/share/", views.journal_share, name="journal_share"),
    path("journal/<int:entry_id>/delete/", views.journal_delete, name="journal_delete"),
    # What mentees chose to share with their mentor
    path("journal/shared/", views.journal_shared_with_me, name="journal_shared_with_me"),
    path(
        "journal/shared/<int:entry_id>/",
        views.journal_shared_detail,
        name="journal_shared_detail",
    ),
    # The CPD record
    path("journal/cpd/", views.journal_cpd, name="journal_cpd"),
    path("journal/cpd/print/", views.journal_cpd_print, name="journal_cpd_print"),
    path("journal/cpd/download/", views.journal_cpd_download, name="journal_cpd_download"),
    # Learning goals
    path("goals/", views.goals, name="goals"),
    path("goals/<int:match_id>/", views.match_goals, name="match_goals"),
]
