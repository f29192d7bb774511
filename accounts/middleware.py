"""Request and response rules that hold for every page."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers

from accounts.access import is_service_operator
from accounts.selectors import roles_of
from core.choices import Role


class PrivateResponsesMiddleware:
    """Pages for a signed-in person, and every download, hold personal information: pay,
    bank details, concerns, statistics. Nothing may keep a copy, neither the browser's cache
    (a shared computer in a library or an office) nor a proxy on the way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or "attachment" in response.get("Content-Disposition", ""):
            add_never_cache_headers(response)
        return response


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


class RequestSizeMiddleware:
    """Refuse a request body bigger than MAX_REQUEST_MB before anything reads it: Django
    caps form fields but not files, so without this a single upload could fill the disk.
    First in the list, because the CSRF check reads the body of every POST."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_MB * 1024 * 1024:
            # The rest of the body is never read; the server closes the connection after.
            page = loader.get_template("413.html").render({"limit_mb": settings.MAX_UPLOAD_MB})
            return HttpResponse(page, status=413)
        return self.get_response(request)
