"""Staff sessions end after a while without activity. Who counts as staff comes from their
roles in programmes, read once per request with the navigation (portal.selectors.roles_of)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

from accounts.access import is_service_operator
from core.choices import Role
from portal.selectors import roles_of

LAST_SEEN = "alongside.last_seen"
# How often a busy session is written again to move its end on: once a minute is enough.
TOUCH_SECONDS = 60


def is_staff_session(user) -> bool:
    roles = roles_of(user)  # cached on the user: the navigation reads the same roles
    return Role.COORDINATOR in roles or "administrator" in roles or is_service_operator(user)


def staff_session_touch(request, *, now: int) -> None:
    """Note that a staff session was used now; it then ends STAFF_IDLE_MINUTES from now."""
    request.session[LAST_SEEN] = now
    request.session.set_expiry(settings.STAFF_IDLE_MINUTES * 60)


class StaffIdleMiddleware:
    """A coordinator, administrator or operator is signed out after STAFF_IDLE_MINUTES
    without activity: staff pages show everyone's personal information, and an office
    computer is easily left signed in. The session itself expires then too, so the rule
    holds even for a request that never reaches this code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and is_staff_session(user):
            idle = settings.STAFF_IDLE_MINUTES * 60
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN, now)
            if now - last_seen > idle:
                logout(request)
                messages.info(
                    request,
                    f"We signed you out after {settings.STAFF_IDLE_MINUTES} minutes without "
                    "activity, to keep people's information safe. Sign in again to carry on.",
                )
                return redirect_to_login(request.get_full_path())
            if LAST_SEEN not in request.session or now - last_seen >= TOUCH_SECONDS:
                staff_session_touch(request, now=now)
        return self.get_response(request)
