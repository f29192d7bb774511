from django.urls import path

from notifications import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path(
        "notifications/<int:notification_id>/open/",
        views.notification_open,
        name="notification_open",
    ),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("my/emails/", views.email_choices, name="email_choices"),
]
