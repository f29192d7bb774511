"""Every URL of Alongside, by the app that answers it (docs/ARCHITECTURE.md)."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import views as account_views

handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"

# The first word of an address names the app that answers it; for a coordinator's pages,
# the word after /coordinate/<programme>/ does. docs/ARCHITECTURE.md has the whole table, and
# tests/test_architecture.py keeps the table and these includes in step.
urlpatterns = [
    # The home page, programmes, joining, and who belongs to a programme
    path("", include("programmes.urls")),
    # A person's dashboard, profile, settings, emails and data
    path("", include("portal.urls")),
    # Matching rounds, proposals and suggestions
    path("", include("matching.urls")),
    # A match and what happens inside it: sessions, plans, concerns, checks, pausing, ending
    path("", include("mentoring.urls")),
    # Paid activities: panels, teaching, assessment, co-design, reference groups, peer support
    path("", include("activities.urls")),
    path("", include("panel.urls")),
    # Journal, CPD records and goals
    path("", include("journal.urls")),
    path("", include("notifications.urls")),
    # Pay, expenses and payment runs
    path("", include("payments.urls")),
    # Statistics for coordinators and administrators
    path("", include("reporting.urls")),
    path("account/login/", account_views.LoginView.as_view(), name="account_login"),
    path("account/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # Retired addresses: old links and bookmarks land on the page's new address, which
    # checks who may see it as always.
    path(
        "matches/<int:match_id>/goals/",
        RedirectView.as_view(pattern_name="journal:match_goals", permanent=True),
        name="retired_match_goals",
    ),
]
