"""The Django admin, for the people who run the service. It never signs anyone in itself:
everyone signs in on the one sign-in page, with its rate limits and two-factor, and the admin
asks the same question as every staff page (accounts.access.two_factor_gate)."""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from accounts.access import is_service_operator, two_factor_gate, used_two_factor


class AdminSite(admin.AdminSite):
    site_header = "Alongside administration"
    site_title = "Alongside admin"

    def has_permission(self, request) -> bool:
        return is_service_operator(request.user) and used_two_factor(request)

    def gate(self, request):
        """None when this request may use the admin; otherwise the way in, or a 404 for
        people who are not operators (the admin is not there for them)."""
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("account_login"))
        if not is_service_operator(request.user):
            raise Http404("Not an operator of the service")
        return two_factor_gate(request)

    def admin_view(self, view, cacheable=False):
        def inner(request, *args, **kwargs):
            return self.gate(request) or view(request, *args, **kwargs)

        if not cacheable:
            inner = never_cache(inner)
        if not getattr(view, "csrf_exempt", False):
            inner = csrf_protect(inner)
        return update_wrapper(inner, view)

    def login(self, request, extra_context=None):
        """Whatever is posted here, nobody is signed in: people go to the sign-in page, and
        once signed in, on to where they were going (where the gate above applies)."""
        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("admin:index", current_app=self.name)
        if not request.user.is_authenticated:
            return redirect_to_login(target, reverse("account_login"))
        return redirect(target)
