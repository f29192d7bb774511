from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The top layer: a person's dashboard, navigation, profile pages, settings, their data
    and deleting their account, composed from the apps below, which never import it."""

    name = "portal"
    verbose_name = "A person's own pages"

    def ready(self) -> None:
        from portal import signals  # noqa: F401  (starts the staff idle clock at sign-in)
