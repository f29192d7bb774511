"""Sign-in audit: Django's and allauth's signals are the only hooks. (The staff idle clock
starts at sign-in too: portal/signals.py.)"""

from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.audit import audit_record
from accounts.models import AuditEvent


@receiver(user_logged_in)
def record_sign_in(sender, request, user, **kwargs) -> None:
    audit_record(action=AuditEvent.Action.SIGN_IN, actor=user, obj=user, request=request)


@receiver(user_logged_out)
def record_sign_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(action=AuditEvent.Action.SIGN_OUT, actor=user, obj=user, request=request)


@receiver(user_login_failed)
def record_sign_in_failure(sender, credentials, request=None, **kwargs) -> None:
    email = (credentials or {}).get("email") or (credentials or {}).get("username") or ""
    # Link the failure to the account when one exists, but never store what was typed as
    # a password, and never an email address that belongs to nobody.
    user = get_user_model().objects.filter(email__iexact=email).first() if email else None
    audit_record(
        action=AuditEvent.Action.SIGN_IN_FAILED,
        obj=user,
        new={"account_exists": user is not None},
        request=request,
    )


@receiver(authenticator_added)
def record_code_used_at_set_up(sender, request, user, authenticator, **kwargs) -> None:
    """Setting up an authenticator app means typing a code from it, so this sign-in has used
    the second factor: staff pages open without asking for another code straight away."""
    if request is not None and authenticator.type == Authenticator.Type.TOTP:
        # allauth records each sign-in step this way; there is no public function for it.
        from allauth.account.internal.flows.login import record_authentication

        record_authentication(
            request, user, "mfa", id=authenticator.pk, type=authenticator.type, set_up=True
        )
