from django.urls import path

from reporting import views

# Addresses starting /statistics/ (and the retired /coordinate/<programme>/voice/).
app_name = "reporting"

urlpatterns = [
    path("statistics/", views.statistics, name="statistics"),
    path(
        "statistics/<slug:scope>/<slug:section>/",
        views.statistics_section,
        name="statistics_section",
    ),
    path(
        "statistics/<slug:scope>/<slug:section>/<slug:table>.csv",
        views.statistics_csv,
        name="statistics_csv",
    ),
    path(
        "statistics/<slug:scope>/<slug:section>.json",
        views.statistics_json,
        name="statistics_json",
    ),
    # The old "What people say" page: its links now land on the statistics section.
    path("coordinate/<slug:slug>/voice/", views.coordinator_voice, name="coordinator_voice"),
]
