"""Every URL of Alongside, by the app that answers it (docs/ARCHITECTURE.md)."""

from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"

urlpatterns = [
    # The home page, programmes, joining, and who belongs to a programme
    path("", include("programmes.urls")),
    # A person's dashboard, profile, settings and data
    path("", include("portal.urls")),
    # Matching rounds, proposals and matches
    path("", include("matching.urls")),
    # Sessions, plans, concerns, feedback and checks inside a match
    path("", include("mentoring.urls")),
    path("", include("journal.urls")),
    path("", include("notifications.urls")),
    path("", include("payments.urls")),
    # Statistics for coordinators and administrators
    path("", include("reporting.urls")),
    path("account/login/", account_views.LoginView.as_view(), name="account_login"),
    path("account/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
