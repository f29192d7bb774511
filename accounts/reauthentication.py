"""Asking people to show it is them again before pages a thief would want: bank details
and the download of everything we hold about them.

allauth's own pages (email, password, two-factor) always ask. These ask only when the
person has not shown it is them in the last few minutes (ACCOUNT_REAUTHENTICATION_TIMEOUT),
by signing in or by confirming again. Someone with two-factor shows it with the code from
their app: a password alone is what a thief who phished it would have. Asking is allauth's
flow: ReauthenticationRequired sends the person to the page the adapter names first (the
code for people with two-factor, see AccountAdapter.get_reauthentication_methods), and a
form posted meanwhile is kept and sent again once they have confirmed."""

import time
from functools import wraps

from allauth.account import app_settings
from allauth.account.authentication import get_authentication_records
from allauth.core.exceptions import ReauthenticationRequired
from django.contrib.auth.decorators import login_required

from accounts.access import has_two_factor

# How a person can show it is them, by the methods allauth records.
WITHOUT_TWO_FACTOR = {"password", "code", "mfa"}
WITH_TWO_FACTOR = {"mfa"}


def recently_confirmed(request) -> bool:
    """Whether the person signed in, or confirmed it is them, recently enough, in a way
    that counts for them (their code, when they have two-factor)."""
    user = request.user
    if not user.is_authenticated:
        return False
    methods = WITH_TWO_FACTOR if has_two_factor(user) else WITHOUT_TWO_FACTOR
    times = [
        record.get("at", 0)
        for record in get_authentication_records(request, user)
        if record.get("method") in methods
    ]
    return bool(times) and time.time() - max(times) < app_settings.REAUTHENTICATION_TIMEOUT


def recent_confirmation_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not recently_confirmed(request):
            raise ReauthenticationRequired()
        return view(request, *args, **kwargs)

    return wrapped
