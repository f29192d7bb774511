from django.contrib import messages
from django.shortcuts import redirect

from accounts.access import TWO_FACTOR_MESSAGE, has_two_factor, two_factor_setup_url


class AdminTwoFactorMiddleware:
    """The Django admin is a staff page too: nobody reaches it without two-factor set up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.path.startswith("/admin/")
            and user is not None
            and user.is_authenticated
            and user.is_staff
            and not has_two_factor(user)
        ):
            messages.info(request, TWO_FACTOR_MESSAGE)
            return redirect(two_factor_setup_url(request.get_full_path()))
        return self.get_response(request)
