"""Who may see a programme's statistics: the one rule every statistics view uses.

Its coordinators and its organisation's administrators (staff, with their two-factor rule),
and the current members of its lived-experience panel. Panel members are experts by
experience, not staff: every figure is suppressed (reporting.suppression) and none names
anyone, so they need no second factor. Only staff see the "all programmes" scope. Anything
else answers 404, as if it were not there; ending a panel role ends access.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import two_factor_gate
from programmes.access import is_staff_person, panel_programmes
from programmes.models import Programme

ALL = "all"


def statistics_programmes(user):
    """Every programme whose statistics the person may see: those they run, and those
    whose panel they sit on now."""
    if not user.is_authenticated:
        return Programme.objects.none()
    run = Programme.objects.coordinated_by(user).values("pk")
    sits_on = panel_programmes(user).values("pk")
    return Programme.objects.filter(Q(pk__in=run) | Q(pk__in=sits_on))


def statistics_required(view):
    """Statistics pages: staff, with a sign-in that used the second factor, or a current
    panel member. Everyone else gets a 404."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if is_staff_person(request.user):
            return two_factor_gate(request) or view(request, *args, **kwargs)
        if not panel_programmes(request.user).exists():
            raise Http404("No statistics to see")
        return view(request, *args, **kwargs)

    return wrapped


def get_scope_for_user(user, scope: str) -> tuple[list[Programme], str]:
    """The programmes a scope covers, and its name; 404 for a programme not theirs. The
    "all" scope is the programmes a person runs: staff only."""
    if scope == ALL:
        programmes = list(Programme.objects.coordinated_by(user).order_by("name"))
        if not programmes:
            raise Http404("No programmes")
        return programmes, "All programmes you run" if len(programmes) > 1 else programmes[0].name
    programme = get_object_or_404(statistics_programmes(user), slug=scope)
    return [programme], programme.name


def is_panel_only(user) -> bool:
    """Someone who sees statistics as a panel member and runs no programme: the pages
    explain the figures to them."""
    return not is_staff_person(user)
