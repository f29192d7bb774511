from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Reminders and notifications"

    def ready(self) -> None:
        from notifications import reminders

        # Each app's reminders.py registers its rules (notifications/reminders.py).
        reminders.autodiscover()
