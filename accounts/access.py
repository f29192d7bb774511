"""Two-factor: whether this sign-in used its second factor, and who runs the service
itself. Who runs a programme is programmes.access."""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

TWO_FACTOR_MESSAGE = (
    "Staff pages show people's personal information, so you need to set up two-factor "
    "authentication first. It takes about two minutes with an authenticator app."
)
CODE_MESSAGE = (
    "Staff pages show people's personal information. Type the code from your authenticator "
    "app to open them."
)


def service_operators():
    """The people who run the Alongside service (see is_service_operator)."""
    from accounts.models import User

    return User.objects.filter(is_active=True, is_staff=True, is_superuser=True)


def is_service_operator(user) -> bool:
    """Someone who runs the Alongside service itself (made with `createsuperuser`), the only
    people the Django admin is for. Organisations' administrators are not operators."""
    return user.is_authenticated and user.is_active and user.is_staff and user.is_superuser


def has_two_factor(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def two_factor_setup_url(next_url: str) -> str:
    return f"{reverse('mfa_activate_totp')}?{urlencode({'next': next_url})}"


def used_two_factor(request) -> bool:
    """Whether this sign-in used the code from the person's authenticator app: when they
    signed in, when asked again since, or when they set the app up. allauth records each
    step of a sign-in in the session; having an authenticator is not the same as using it."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def two_factor_gate(request):
    """The one rule for every staff page, staff download and the Django admin: None when this
    sign-in may open them, otherwise where to go first (set up an authenticator app, or type
    its code). Callers decide who counts as staff; this decides whether the session does."""
    if not has_two_factor(request.user):
        messages.info(request, TWO_FACTOR_MESSAGE)
        return redirect(two_factor_setup_url(request.get_full_path()))
    if not used_two_factor(request):
        messages.info(request, CODE_MESSAGE)
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
    return None
