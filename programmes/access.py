"""Who runs what. Staff pages and programme objects are fetched through these helpers,
which answer 404 for anything the person may not see, so nothing about other programmes
leaks. Whether a sign-in used its second factor is decided in accounts.access."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import two_factor_gate
from accounts.models import User
from core.choices import Role
from programmes.models import Administrator, Membership, Programme


def is_administrator(user) -> bool:
    return user.is_authenticated and Administrator.objects.filter(person=user).exists()


def is_administrator_of(user, organisation) -> bool:
    return (
        user.is_authenticated
        and Administrator.objects.filter(organisation=organisation, person=user).exists()
    )


def is_coordinator(user) -> bool:
    return (
        user.is_authenticated
        and Membership.objects.current().filter(person=user, role=Role.COORDINATOR).exists()
    )


def is_staff_person(user) -> bool:
    return is_administrator(user) or is_coordinator(user)


def staff_required(view):
    """For coordinator and administrator pages: staff only, and only with a sign-in that used
    the second factor. Everyone else gets a 404, as if the page were not there."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_staff_person(request.user):
            raise Http404("Not a staff member")
        return two_factor_gate(request) or view(request, *args, **kwargs)

    return wrapped


def role_required(role: str):
    """For pages that only make sense to people holding a role in some programme."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not Membership.objects.current().filter(person=request.user, role=role).exists():
                raise Http404("Role not held")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def expert_required(view):
    """For pages of experts by experience, mentors and panel members alike (paid
    activities): everyone else gets a 404."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_expert(request.user):
            raise Http404("Not an expert by experience")
        return view(request, *args, **kwargs)

    return wrapped


def get_programme_for_coordinator(user, slug: str) -> Programme:
    return get_object_or_404(Programme.objects.coordinated_by(user), slug=slug)


def expert_programmes(user):
    """The programmes where the person is an expert by experience now (a mentor, or on
    the lived-experience panel): its paid activities and their pay are open to them.
    Ending the role ends access."""
    if not user.is_authenticated:
        return Programme.objects.none()
    return Programme.objects.filter(
        pk__in=Membership.objects.current().experts().filter(person=user).values("programme")
    )


def is_expert(user) -> bool:
    """Whether the person is an expert by experience of any programme now."""
    return (
        user.is_authenticated
        and Membership.objects.current().experts().filter(person=user).exists()
    )


def experts_of(programme: Programme):
    """The people who are experts by experience of the programme now, each once."""
    return User.objects.filter(
        pk__in=Membership.objects.current().experts().filter(programme=programme).values("person")
    )


def panel_programmes(user):
    """The programmes whose lived-experience panel the person sits on now."""
    if not user.is_authenticated:
        return Programme.objects.none()
    return Programme.objects.filter(
        memberships__person=user,
        memberships__role=Role.PANEL,
        memberships__ended_at__isnull=True,
    ).distinct()


def panel_of(programme: Programme):
    """The people who sit on the programme's lived-experience panel now."""
    return User.objects.filter(
        pk__in=Membership.objects.current()
        .filter(programme=programme, role=Role.PANEL)
        .values("person")
    )


def get_programme_for_panel(user, slug: str) -> Programme:
    """A programme whose panel the person sits on now; 404 otherwise (ending the role ends
    access)."""
    return get_object_or_404(panel_programmes(user), slug=slug)


def get_membership_for_coordinator(programme: Programme, person_id: int) -> list[Membership]:
    memberships = list(
        Membership.objects.current()
        .filter(programme=programme, person_id=person_id)
        .select_related("person", "induction_recorded_by")
    )
    if not memberships:
        raise Http404("Not a member of this programme")
    return memberships
