from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = "Paid activities: panels, teaching, assessment, co-design and more"

    def ready(self) -> None:
        from activities import receivers  # noqa: F401  (an ended role gives up its places)
