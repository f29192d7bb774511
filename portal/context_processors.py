from django.contrib.auth.models import AnonymousUser

from portal.selectors import navigation_for


def navigation(request) -> dict:
    # Error pages can render before the authentication middleware has run.
    return {"nav": navigation_for(getattr(request, "user", AnonymousUser()))}
