from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and privacy"

    def ready(self) -> None:
        from accounts import signals  # noqa: F401  (connects the sign-in audit receivers)


class AlongsideAdminConfig(admin_apps.AdminConfig):
    """The Django admin with Alongside's own site (accounts/admin_site.py). Named in
    INSTALLED_APPS; `default = False` keeps AccountsConfig this module's app."""

    default = False
    default_site = "accounts.admin_site.AdminSite"
