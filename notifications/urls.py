from django.urls import path

from notifications import views

# Addresses starting /notifications/. What a person is emailed about is one of their own
# settings, so that page is portal's (/my/emails/).
app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path(
        "notifications/<int:notification_id>/open/",
        views.notification_open,
        name="notification_open",
    ),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
