"""Request and response rules that hold for every page."""

from django.conf import settings
from django.http import HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers


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
