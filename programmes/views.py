from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.adapter import PENDING_INVITATION_KEY
from accounts.audit import audit_record
from accounts.models import AuditEvent, MenteeProfile, MentorProfile
from core.choices import Role
from core.readability import reading_age, reading_age_words
from core.requests import posted
from programmes import duties, services
from programmes.access import (
    get_membership_for_coordinator,
    get_programme_for_coordinator,
    is_administrator_of,
    staff_required,
)
from programmes.forms import (
    ApplicationForm,
    DeclineForm,
    DescriptionForm,
    FormatRequestForm,
    InductionForm,
    InvitationForm,
    ResourcesForm,
    TermForm,
)
from programmes.language import check_text, warn_words
from programmes.models import (
    Application,
    FormatRequest,
    Invitation,
    Membership,
    OrganisationTerm,
    Programme,
)
from programmes.selectors import member_rows


def home(request):
    return render(request, "programmes/home.html")


def programme_list(request):
    programmes = Programme.objects.filter(open_for_applications=True).select_related("organisation")
    return render(request, "programmes/programme_list.html", {"programmes": programmes})


@login_required
def programme_apply(request, slug):
    programme = get_object_or_404(Programme, slug=slug, open_for_applications=True)
    form = ApplicationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.application_create(
                programme=programme,
                person=request.user,
                role=form.cleaned_data["role"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            form.add_error("role", error)
        else:
            messages.success(
                request,
                f"Thank you for applying to {programme.name}. A coordinator will look at your "
                "application and we will email you when they decide.",
            )
            return redirect("portal:dashboard")
    return render(request, "programmes/apply.html", {"programme": programme, "form": form})


def invitation_accept(request, token):
    invitation = get_object_or_404(Invitation.objects.select_related("programme"), token=token)
    if not invitation.is_usable:
        request.session.pop(PENDING_INVITATION_KEY, None)
        return render(request, "programmes/invitation_unusable.html", {"invitation": invitation})
    if not request.user.is_authenticated:
        # Remember the link so we can come back to it after sign-up and email checks.
        request.session[PENDING_INVITATION_KEY] = token
        return render(request, "programmes/invitation.html", {"invitation": invitation})
    wrong_person = bool(invitation.email) and invitation.email != request.user.email.lower()
    if duties.takes_part(request.user, invitation.created_by_id):
        request.session.pop(PENDING_INVITATION_KEY, None)
        return render(
            request,
            "programmes/invitation.html",
            {"invitation": invitation, "own_invitation": duties.OWN_INVITATION},
        )
    if request.method == "POST" and not wrong_person:
        try:
            services.invitation_accept(invitation=invitation, person=request.user)
        except (ValidationError, PermissionDenied):
            return render(
                request, "programmes/invitation_unusable.html", {"invitation": invitation}
            )
        finally:
            request.session.pop(PENDING_INVITATION_KEY, None)
        messages.success(
            request,
            f"Welcome to {invitation.programme.name}. Next, fill in your profile so we can find "
            "you a good match.",
        )
        return redirect("portal:profile")
    return render(
        request,
        "programmes/invitation.html",
        {"invitation": invitation, "wrong_person": wrong_person},
    )


@staff_required
def coordinator_members(request, slug):
    programme = get_programme_for_coordinator(request.user, slug)
    role = request.GET.get("role", "")
    memberships = (
        Membership.objects.current()
        .filter(programme=programme)
        .select_related("person")
        .order_by("person__display_name", "role")
    )
    if role in Role.values:
        memberships = memberships.filter(role=role)
    page = Paginator(memberships, 50).get_page(request.GET.get("page"))
    rows = member_rows(page)
    return render(
        request,
        "programmes/coordinator/members.html",
        {
            "programme": programme,
            "rows": rows,
            "page": page,
            "role": role,
            "roles": Role.choices,
        },
    )


@staff_required
def coordinator_member_detail(request, slug, person_id):
    programme = get_programme_for_coordinator(request.user, slug)
    memberships = get_membership_for_coordinator(programme, person_id)
    person = memberships[0].person
    roles = {m.role for m in memberships}
    mentor_profile = (
        MentorProfile.objects.filter(user=person)
        .prefetch_related(
            "languages",
            "topics_offered",
            "topics_off_limits",
            "lived_experience",
            "looked_after_by",
        )
        .first()
        if Role.MENTOR in roles
        else None
    )
    mentee_profile = (
        MenteeProfile.objects.filter(user=person)
        .select_related("employer")
        .prefetch_related("languages", "practice_areas", "learning_goals")
        .first()
        if Role.MENTEE in roles
        else None
    )
    for membership in memberships:
        membership.why_not_end = services.why_not_end_role(request.user, membership)
    # Looking at someone's profile is a sensitive action, so it is logged.
    audit_record(
        action=AuditEvent.Action.PROFILE_VIEWED,
        actor=request.user,
        obj=person,
        programme=programme,
        request=request,
    )
    return render(
        request,
        "programmes/coordinator/member_detail.html",
        {
            "programme": programme,
            "person": person,
            "memberships": memberships,
            "mentor_profile": mentor_profile,
            "mentee_profile": mentee_profile,
            # An expert by experience may be asked onto the lived-experience panel (panel/).
            "may_join_panel": Role.MENTOR in roles and Role.PANEL not in roles,
        },
    )


@staff_required
@require_POST
def coordinator_membership_end(request, slug, membership_id):
    programme = get_programme_for_coordinator(request.user, slug)
    membership = get_object_or_404(
        Membership.objects.current().select_related("person"), pk=membership_id, programme=programme
    )
    if why_not := services.why_not_end_role(request.user, membership):
        messages.error(request, why_not)
        return redirect(
            "programmes:coordinator_member_detail",
            slug=programme.slug,
            person_id=membership.person_id,
        )
    services.membership_end(membership=membership, by=request.user)
    messages.success(
        request,
        f"{membership.person} no longer has this role in {programme.name}: "
        f"{membership.get_role_display()}.",
    )
    return redirect("programmes:coordinator_members", slug=programme.slug)


@staff_required
def coordinator_applications(request, slug):
    programme = get_programme_for_coordinator(request.user, slug)
    applications = Application.objects.filter(programme=programme).select_related("person")
    return render(
        request,
        "programmes/coordinator/applications.html",
        {
            "programme": programme,
            "pending": applications.filter(status=Application.Status.PENDING),
            "decided": applications.exclude(status=Application.Status.PENDING).order_by(
                "-decided_at"
            )[:20],
        },
    )


@staff_required
def coordinator_application_detail(request, slug, application_id):
    programme = get_programme_for_coordinator(request.user, slug)
    application = get_object_or_404(
        Application.objects.select_related("person", "decided_by"),
        pk=application_id,
        programme=programme,
    )
    form = DeclineForm(posted(request))
    yours = duties.takes_part(request.user, application.person_id) and duties.who_acts(
        programme, request.user, duties.APPLICATION
    )
    if request.method == "POST" and yours:
        messages.error(request, yours)
        return redirect(
            "programmes:coordinator_application_detail",
            slug=programme.slug,
            application_id=application.pk,
        )
    if request.method == "POST" and application.status == Application.Status.PENDING:
        if request.POST.get("decision") == "admit":
            services.application_admit(application=application, by=request.user)
            messages.success(
                request,
                f"{application.person} has joined {programme.name} as: "
                f"{application.get_role_display()}. We have emailed them.",
            )
            return redirect("programmes:coordinator_applications", slug=programme.slug)
        if request.POST.get("decision") == "decline" and form.is_valid():
            services.application_decline(
                application=application, by=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, f"You declined {application.person}'s application.")
            warn_words(request, form.cleaned_data["reason"], programme=programme)
            return redirect("programmes:coordinator_applications", slug=programme.slug)
    return render(
        request,
        "programmes/coordinator/application_detail.html",
        {"programme": programme, "application": application, "form": form, "yours": yours},
    )


@staff_required
def coordinator_invitations(request, slug):
    programme = get_programme_for_coordinator(request.user, slug)
    form = InvitationForm(
        posted(request),
        can_invite_coordinators=is_administrator_of(request.user, programme.organisation),
    )
    if request.method == "POST" and form.is_valid():
        invitation = services.invitation_create(
            programme=programme,
            role=form.cleaned_data["role"],
            email=form.cleaned_data["email"],
            note=form.cleaned_data["note"],
            by=request.user,
        )
        link = request.build_absolute_uri(
            reverse("programmes:invitation_accept", args=[invitation.token])
        )
        messages.success(request, f"Invitation created. Send this link to the person: {link}")
        warn_words(request, form.cleaned_data["note"], programme=programme)
        return redirect("programmes:coordinator_invitations", slug=programme.slug)
    invitations = Invitation.objects.filter(programme=programme).select_related(
        "accepted_by", "created_by"
    )[:100]
    return render(
        request,
        "programmes/coordinator/invitations.html",
        {"programme": programme, "form": form, "invitations": invitations},
    )


@staff_required
@require_POST
def coordinator_invitation_revoke(request, slug, invitation_id):
    programme = get_programme_for_coordinator(request.user, slug)
    invitation = get_object_or_404(Invitation, pk=invitation_id, programme=programme)
    with transaction.atomic():
        services.invitation_revoke(invitation=invitation, by=request.user)
    messages.success(request, "The invitation is cancelled. The link no longer works.")
    return redirect("programmes:coordinator_invitations", slug=programme.slug)


@staff_required
def coordinator_induction_record(request, slug, membership_id):
    """Record that a mentor had their induction: until then, rounds leave them out."""
    programme = get_programme_for_coordinator(request.user, slug)
    membership = get_object_or_404(
        Membership.objects.current().select_related("person", "induction_recorded_by"),
        pk=membership_id,
        programme=programme,
        role=Role.MENTOR,
    )
    back = redirect(
        "programmes:coordinator_member_detail", slug=programme.slug, person_id=membership.person_id
    )
    yours = duties.not_yours(programme, request.user, duties.INDUCTION, membership.person)
    if membership.is_inducted and request.method == "POST":
        messages.info(request, f"{membership.person}'s induction was already recorded.")
        return back
    form = InductionForm(posted(request), initial={"inducted_on": timezone.localdate()})
    if request.method == "POST" and yours:
        messages.error(request, yours)
        return back
    if request.method == "POST" and form.is_valid():
        try:
            recorded = services.induction_record(
                membership=membership, by=request.user, inducted_on=form.cleaned_data["inducted_on"]
            )
        except ValidationError as error:
            form.add_error("inducted_on", error)
        else:
            if recorded:
                messages.success(
                    request,
                    f"{membership.person}'s induction is recorded. The next matching round "
                    "can suggest them. We have told them.",
                )
            else:
                messages.info(request, f"{membership.person}'s induction was already recorded.")
            return back
    return render(
        request,
        "programmes/coordinator/induction.html",
        {"programme": programme, "membership": membership, "form": form, "yours": yours},
    )


def _resources_programme(user, slug) -> Programme:
    """A programme whose resources the person may read: one they are a member of, or run."""
    return get_object_or_404(Programme.objects.visible_to(user), slug=slug)


@login_required
def resources(request, slug):
    programme = _resources_programme(request.user, slug)
    return render(
        request,
        "programmes/resources.html",
        {
            "programme": programme,
            "runs_it": Programme.objects.coordinated_by(request.user)
            .filter(pk=programme.pk)
            .exists(),
        },
    )


@login_required
def my_resources(request):
    """The navigation's link: straight to the resources of a member's one programme, or a
    list when they are in several."""
    programmes = list(
        Programme.objects.filter(
            pk__in=Membership.objects.current()
            .filter(person=request.user, role__in=[Role.MENTOR, Role.MENTEE])
            .values("programme")
        )
    )
    if not programmes:
        raise Http404("Not a member of any programme")
    if len(programmes) == 1:
        return redirect("programmes:resources", slug=programmes[0].slug)
    return render(request, "programmes/my_resources.html", {"programmes": programmes})


@staff_required
def coordinator_resources(request, slug):
    programme = get_programme_for_coordinator(request.user, slug)
    form = ResourcesForm(posted(request), initial={"resources": programme.resources})
    if request.method == "POST" and form.is_valid():
        if services.resources_update(
            programme=programme, by=request.user, text=form.cleaned_data["resources"].strip()
        ):
            messages.success(
                request,
                f"The resources page is saved. Every member of {programme.name} can read it.",
            )
            warn_words(request, form.cleaned_data["resources"], programme=programme)
        else:
            messages.info(request, "You did not change anything, so nothing was saved.")
        return redirect("programmes:coordinator_resources", slug=programme.slug)
    return render(
        request, "programmes/coordinator/resources.html", {"programme": programme, "form": form}
    )


@staff_required
def coordinator_description(request, slug):
    programme = get_programme_for_coordinator(request.user, slug)
    form = DescriptionForm(posted(request), initial={"description": programme.description})
    if request.method == "POST" and form.is_valid():
        if services.description_update(
            programme=programme, by=request.user, text=form.cleaned_data["description"]
        ):
            messages.success(
                request,
                f"Saved. Anyone looking for a programme to join now reads this about "
                f"{programme.name}.",
            )
            warn_words(request, form.cleaned_data["description"], programme=programme)
        else:
            messages.info(request, "You did not change anything, so nothing was saved.")
        return redirect("programmes:coordinator_description", slug=programme.slug)
    return render(
        request, "programmes/coordinator/description.html", {"programme": programme, "form": form}
    )


FORMAT_OVER_THE_LIMIT = (
    "You have sent a lot of requests in a short time. Wait an hour, then send this one "
    "again. What you typed is still here."
)


@login_required
def format_request(request):
    """Ask for a page or document in another format. It goes to the coordinators of each
    programme the person belongs to (services.format_request_make)."""
    programmes = list(
        Programme.objects.filter(
            pk__in=Membership.objects.current().filter(person=request.user).values("programme_id")
        ).order_by("name")
    )
    form = FormatRequestForm(posted(request))
    if request.method == "POST" and programmes:
        # Only a request that could be sent counts towards the limit: a mistake is free.
        if form.is_valid() and not ratelimit.consume(
            request, action="format_request", user=request.user
        ):
            form.add_error("about", FORMAT_OVER_THE_LIMIT)
        elif form.is_valid():
            services.format_request_make(person=request.user, **form.cleaned_data)
            messages.success(
                request,
                "Your request has gone to the coordinators of your programme. "
                "They will get in touch with you.",
            )
            return redirect("portal:dashboard")
    return render(
        request,
        "programmes/format_request.html",
        {
            "form": form,
            "programmes": programmes,
            "contact_email": settings.SERVICE_CONTACT_EMAIL,
        },
    )


@staff_required
def coordinator_format_requests(request, slug):
    programme = get_programme_for_coordinator(request.user, slug)
    requests = FormatRequest.objects.filter(programme=programme).select_related(
        "person", "handled_by"
    )
    return render(
        request,
        "programmes/coordinator/format_requests.html",
        {
            "programme": programme,
            "waiting": requests.waiting(),
            "handled": requests.handled().order_by("-handled_at")[:20],
        },
    )


@staff_required
@require_POST
def coordinator_format_request_handled(request, slug, request_id):
    programme = get_programme_for_coordinator(request.user, slug)
    format_request = get_object_or_404(FormatRequest, pk=request_id, programme=programme)
    if services.format_request_handle(request=format_request, by=request.user):
        messages.success(
            request, f"Marked as handled: {format_request.person.display_name}'s request."
        )
    else:
        messages.info(request, "Someone had already marked this request as handled.")
    return redirect("programmes:coordinator_format_requests", slug=programme.slug)


@staff_required
def coordinator_language(request, slug):
    """The organisation's own words to avoid: coordinators and administrators of the
    organisation list, add and remove them. The checker adds them to the shared list for
    text written in the organisation's programmes."""
    programme = get_programme_for_coordinator(request.user, slug)
    form = TermForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            term = services.term_add(programme=programme, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Added \u2018{term.word}\u2019. Coordinators of {programme.organisation.name} "
                "now see a suggestion when they use it.",
            )
            return redirect("programmes:coordinator_language", slug=programme.slug)
    terms = OrganisationTerm.objects.filter(organisation_id=programme.organisation_id)
    return render(
        request,
        "programmes/coordinator/language.html",
        {"programme": programme, "form": form, "terms": terms},
    )


@staff_required
@require_POST
def coordinator_language_remove(request, slug, term_id):
    programme = get_programme_for_coordinator(request.user, slug)
    term = get_object_or_404(
        OrganisationTerm, pk=term_id, organisation_id=programme.organisation_id
    )
    services.term_remove(programme=programme, term=term, by=request.user)
    messages.success(request, f"Removed \u2018{term.word}\u2019 from your list.")
    return redirect("programmes:coordinator_language", slug=programme.slug)


@staff_required
@require_POST
def coordinator_language_check(request, slug):
    """The same check before saving, for js/language-check.js: the words found in the text
    posted, with their kinder words, and its reading age. Nothing is saved."""
    programme = get_programme_for_coordinator(request.user, slug)
    text = request.POST.get("text", "")[:20000]
    findings = check_text(text, programme=programme)
    return JsonResponse(
        {
            "reading_age": reading_age_words(reading_age(text)),
            "findings": [
                {
                    "term": f.term,
                    "alternative": f.alternative,
                    "why": f.why,
                    "position": f.position,
                    "sentence": f.sentence(),
                }
                for f in findings
            ],
        }
    )
