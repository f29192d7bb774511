from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments: rate cards, ledger, expenses and payment runs"

    def ready(self) -> None:
        from payments import receivers  # noqa: F401  (approved sessions, attended activities)
