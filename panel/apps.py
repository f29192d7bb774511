from django.apps import AppConfig


class PanelConfig(AppConfig):
    name = "panel"
    verbose_name = "Lived-experience panel: proposals, votes, decisions, You said, we did"

    def ready(self) -> None:
        from panel import receivers  # noqa: F401  (a panel member is told their role ended)
