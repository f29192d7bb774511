"""The one way to write an audit event. Call it inside the transaction of the change."""

from typing import Any

from allauth.account.adapter import get_adapter
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models

from accounts.models import AuditEvent

# Never stored in an audit row, whatever a caller passes.
_SECRET_KEYS = {"password", "password1", "password2", "secret", "token", "code", "key"}


_JSON_TYPES = (str, int, float, bool, type(None), list, dict)


def _clean(values: dict[str, Any] | None) -> dict[str, Any]:
    """Secrets hidden; amounts and dates written as text ("12.50", "2026-04-06"), exactly."""
    if not values:
        return {}
    return {
        key: (
            "[hidden]"
            if key.lower() in _SECRET_KEYS
            else value
            if isinstance(value, _JSON_TYPES)
            else str(value)
        )
        for key, value in values.items()
    }


def client_address(request) -> str | None:
    """The person's address, found as the sign-in rate limits find it (allauth reads the
    trusted proxies' header, see settings), or None when it cannot be told: an audit row
    is still written without it."""
    try:
        return get_adapter(request).get_client_ip(request)
    except (PermissionDenied, ImproperlyConfigured):
        return None


def audit_record(
    *,
    action: str,
    actor=None,
    obj: models.Model | None = None,
    programme=None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    request=None,
) -> AuditEvent:
    ip = client_address(request) if request is not None else None
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        programme=programme,
        old_values=_clean(old),
        new_values=_clean(new),
        ip_address=ip,
    )
