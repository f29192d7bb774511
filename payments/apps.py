from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments: rate cards, ledger, expenses and pay days"

    def ready(self) -> None:
        from payments import receivers  # noqa: F401  (approved sessions, attended activities)
