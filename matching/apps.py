from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Matching"

    def ready(self) -> None:
        from matching import receivers  # noqa: F401  (a role that ends ends its matches)
