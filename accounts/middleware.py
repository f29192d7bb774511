"""Request and response rules that hold for every page."""

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
