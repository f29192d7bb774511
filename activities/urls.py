from django.urls import path

from activities import views

# Addresses starting /activities/ and /coordinate/<programme>/activities/.
app_name = "activities"

urlpatterns = [
    # An expert by experience's activities
    path("activities/", views.activities, name="activities"),
    path("activities/<int:activity_id>/", views.activity_detail, name="activity_detail"),
    path(
        "activities/<int:activity_id>/calendar.ics",
        views.activity_calendar,
        name="activity_calendar",
    ),
    # Coordinators: their own programmes only
    path(
        "coordinate/<slug:slug>/activities/",
        views.coordinator_activities,
        name="coordinator_activities",
    ),
    path(
        "coordinate/<slug:slug>/activities/new/",
        views.coordinator_activity_new,
        name="coordinator_activity_new",
    ),
    path(
        "coordinate/<slug:slug>/activities/<int:activity_id>/",
        views.coordinator_activity,
        name="coordinator_activity",
    ),
    path(
        "coordinate/<slug:slug>/activities/<int:activity_id>/cancel/",
        views.coordinator_activity_cancel,
        name="coordinator_activity_cancel",
    ),
    path(
        "coordinate/<slug:slug>/activities/<int:activity_id>/attendance/",
        views.coordinator_attendance,
        name="coordinator_attendance",
    ),
]
