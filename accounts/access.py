"""Who may see what. Every view fetches its objects through these helpers, which answer
404 for anything the person may not see, so nothing about other programmes leaks."""

from functools import wraps

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode

from matching.models import Match, open_to
from mentoring.choices import Role
from mentoring.models import Administrator, Concern, Membership, Programme, Session

TWO_FACTOR_MESSAGE = (
    "Staff pages show people's personal information, so you need to set up two-factor "
    "authentication first. It takes about two minutes with an authenticator app."
)
CODE_MESSAGE = (
    "Staff pages show people's personal information. Type the code from your authenticator "
    "app to open them."
)


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


def service_operators():
    """The people who run the Alongside service (see is_service_operator)."""
    from accounts.models import User

    return User.objects.filter(is_active=True, is_staff=True, is_superuser=True)


def is_service_operator(user) -> bool:
    """Someone who runs the Alongside service itself (made with `createsuperuser`), the only
    people the Django admin is for. Organisations' administrators are not operators."""
    return user.is_authenticated and user.is_active and user.is_staff and user.is_superuser


def has_two_factor(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def two_factor_setup_url(next_url: str) -> str:
    return f"{reverse('mfa_activate_totp')}?{urlencode({'next': next_url})}"


def used_two_factor(request) -> bool:
    """Whether this sign-in used the code from the person's authenticator app: when they
    signed in, when asked again since, or when they set the app up. allauth records each
    step of a sign-in in the session; having an authenticator is not the same as using it."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def two_factor_gate(request):
    """The one rule for every staff page, staff download and the Django admin: None when this
    sign-in may open them, otherwise where to go first (set up an authenticator app, or type
    its code). Callers decide who counts as staff; this decides whether the session does."""
    if not has_two_factor(request.user):
        messages.info(request, TWO_FACTOR_MESSAGE)
        return redirect(two_factor_setup_url(request.get_full_path()))
    if not used_two_factor(request):
        messages.info(request, CODE_MESSAGE)
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
    return None


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


def get_programme_for_coordinator(user, slug: str) -> Programme:
    return get_object_or_404(Programme.objects.coordinated_by(user), slug=slug)


def get_membership_for_coordinator(programme: Programme, person_id: int) -> list[Membership]:
    memberships = list(
        Membership.objects.current()
        .filter(programme=programme, person_id=person_id)
        .select_related("person")
    )
    if not memberships:
        raise Http404("Not a member of this programme")
    return memberships


def get_match_for_person(user, match_id: int):
    """A match its mentor or mentee may open, while they hold that role in the match's
    programme (matching.models.open_to); 404 for everyone else, staff included, and for
    someone whose role there has ended."""
    return get_object_or_404(
        Match.objects.select_related("programme", "mentor", "mentee").open_to(user),
        pk=match_id,
    )


def get_session_for_person(user, session_id: int):
    """A session of a match the person may open (get_match_for_person); 404 otherwise."""
    return get_object_or_404(
        Session.objects.with_details().filter(open_to(user, prefix="match__")),
        pk=session_id,
    )


def get_plan_for_person(user, plan_id: int):
    """A planned session of a match the person may open (get_match_for_person); 404
    otherwise."""
    from mentoring.models import PlannedSession

    return get_object_or_404(
        PlannedSession.objects.select_related(
            "match__programme", "match__mentor", "match__mentee", "planned_by"
        ).filter(open_to(user, prefix="match__")),
        pk=plan_id,
    )


def get_session_for_coordinator(programme: Programme, session_id: int):
    return get_object_or_404(
        Session.objects.with_details(), pk=session_id, match__programme=programme
    )


def get_concern_for_raiser(user, match_id: int, concern_id: int):
    """A concern the person raised themselves; 404 for everyone else, the other person of
    the match included: a concern may be about them."""
    return get_object_or_404(
        Concern.objects.select_related("match__programme", "match__mentor", "match__mentee"),
        pk=concern_id,
        match_id=match_id,
        raised_by=user,
    )


def get_concern_for_coordinator(programme: Programme, concern_id: int, user):
    """A concern of the programme for one who runs it; 404 for a concern about a match
    they are part of themselves (mentoring.duties): another coordinator handles it."""
    return get_object_or_404(
        Concern.objects.select_related("match__mentor", "match__mentee", "raised_by").not_involving(
            user
        ),
        pk=concern_id,
        match__programme=programme,
    )
