"""A person's own pages: the dashboard, their profile, settings, their data and deleting
their account. Each reads from or changes several apps, so they live at the top."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import services
from accounts.access import has_two_factor
from accounts.audit import audit_record
from accounts.forms import (
    ConsentForm,
    DeleteAccountForm,
    MenteeProfileForm,
    MentorExperienceForm,
    MentorProfileForm,
)
from accounts.models import AuditEvent, MenteeProfile, MentorProfile
from accounts.reauthentication import recent_confirmation_required
from core.choices import EXPERT_ROLES, Role
from core.glossary import TERMS
from core.requests import posted
from journal.selectors import cpd_deadline_near
from matching.selectors import live_matches_of, proposals_waiting_for
from mentoring import services as mentoring_services
from mentoring.access import get_kind_words_for_mentor
from mentoring.agreements import agreement_filled
from mentoring.feedback import dashboard_asks
from mentoring.selectors import sessions_waiting_for
from mentoring.support import check_in_offered, programmes_without_match
from notifications import services as notification_services
from notifications.forms import EmailChoicesForm
from notifications.models import Kind
from notifications.selectors import email_kinds_unwanted
from payments.selectors import (
    kept_after_deletion,
    mentor_pay_card,
    preference_current,
    slow_payment_counts,
)
from portal import contribution, privacy, statements
from portal import services as portal_services
from portal.selectors import coordinator_programmes_summary, roles_of
from programmes.access import is_staff_person, role_required
from programmes.models import Application, Membership


@login_required
def dashboard(request):
    user = request.user
    roles = roles_of(user)
    memberships = (
        Membership.objects.current()
        .filter(person=user)
        .exclude(role=Role.COORDINATOR)
        .select_related("programme")
    )
    context = {
        "roles": roles,
        "memberships": memberships,
        "applications": Application.objects.filter(
            person=user, status=Application.Status.PENDING
        ).select_related("programme"),
        "mentor_profile": None,
        "mentee_profile": None,
        "staff": is_staff_person(user),
        "needs_two_factor": False,
        "coordinated": [],
        "proposals_waiting": proposals_waiting_for(user),
        "matches": live_matches_of(user),
        "sessions_waiting": sessions_waiting_for(user),
    }
    # Feedback, co-production checks and closing surveys this person still has to give.
    context.update(dashboard_asks(user, matches=context["matches"]))
    # Live matches whose agreement is filled in: the others are asked to fill it.
    context["agreements_filled"] = agreement_filled([match.pk for match in context["matches"]])
    # Support: one check-in to offer after a session, and a chat for people with no match.
    context["check_in_offered"] = check_in_offered(user) if Role.MENTOR in roles else None
    context["talk_programmes"] = programmes_without_match(user)
    if Role.MENTOR in roles:
        context["mentor_profile"] = services.mentor_profile_for(user)
    # Experts by experience, mentors and panel members alike, are paid and have a record.
    if roles & set(EXPERT_ROLES):
        context["pay"] = mentor_pay_card(user)
    if Role.MENTEE in roles:
        context["mentee_profile"] = services.mentee_profile_for(user)
        # From 1 to 30 November: the CPD recording deadline, for the journal card.
        context["cpd_deadline"] = cpd_deadline_near(timezone.localdate())
    if context["staff"]:
        context["needs_two_factor"] = not has_two_factor(user)
        if not context["needs_two_factor"]:
            context["coordinated"] = coordinator_programmes_summary(user)
            slow = slow_payment_counts(p.pk for p in context["coordinated"])
            for programme in context["coordinated"]:
                programme.slow_payments = slow.get(programme.pk, 0)
    return render(request, "portal/dashboard.html", context)


@login_required
def profile(request):
    roles = roles_of(request.user)
    is_mentor = Role.MENTOR in roles
    context = {
        "mentor_profile": services.mentor_profile_for(request.user) if is_mentor else None,
        "mentee_profile": (
            services.mentee_profile_for(request.user) if Role.MENTEE in roles else None
        ),
        # The pay pages' log is the one record of how a mentor is paid; the profile shows it.
        "payment_choice": preference_current(request.user) if is_mentor else None,
        # Mentor roles still waiting for induction say so (includes/induction_status.html).
        "memberships": (
            Membership.objects.current()
            .filter(person=request.user, role=Role.MENTOR)
            .select_related("programme")
            if is_mentor
            else []
        ),
    }
    return render(request, "portal/profile.html", context)


def _edit_profile(
    request, *, form_class, profile, template, saved_message, draft_aware=True, **context
):
    """Show and save a profile form. A draft-aware form says whether the whole profile is
    complete yet; a form for optional extras always confirms what it saved."""
    form = form_class(posted(request), instance=profile)
    if request.method == "POST" and form.is_valid():
        saved = services.profile_save(form=form, by=request.user)
        if saved.is_complete or not draft_aware:
            messages.success(request, saved_message)
        else:
            messages.success(
                request,
                "Your profile is saved as a draft. Fill in what is still missing when you can.",
            )
        return redirect("portal:profile")
    return render(request, template, {"form": form, "profile": profile, **context})


@role_required(Role.MENTOR)
def mentor_profile_edit(request):
    return _edit_profile(
        request,
        form_class=MentorProfileForm,
        profile=services.mentor_profile_for(request.user),
        template="portal/profile_form.html",
        heading="Your mentor profile",
        purpose="We use this to suggest practitioners you could mentor.",
        saved_message="Your profile is saved and complete. A coordinator can now match you.",
    )


@role_required(Role.MENTOR)
def mentor_consent(request):
    profile = services.mentor_profile_for(request.user)
    form = ConsentForm(posted(request))
    if request.method == "POST" and form.is_valid():
        services.mentor_consent_give(profile=profile, by=request.user)
        messages.success(
            request, "Thank you. You can now add your care experience, if you want to."
        )
        return redirect("portal:mentor_experience_edit")
    return render(request, "portal/mentor_consent.html", {"form": form, "profile": profile})


@role_required(Role.MENTOR)
@require_POST
def mentor_consent_withdraw(request):
    profile = services.mentor_profile_for(request.user)
    portal_services.mentor_consent_withdraw(profile=profile, by=request.user)
    messages.success(
        request,
        "You have withdrawn your consent. We have deleted the care experience you shared.",
    )
    return redirect("portal:profile")


@role_required(Role.MENTOR)
def mentor_experience_edit(request):
    profile = services.mentor_profile_for(request.user)
    if not profile.has_consented:
        return redirect("portal:mentor_consent")
    return _edit_profile(
        request,
        form_class=MentorExperienceForm,
        profile=profile,
        template="portal/mentor_experience_form.html",
        saved_message="Your care experience is saved. Only coordinators can see it.",
        draft_aware=False,
    )


@role_required(Role.MENTOR)
def mentor_pause(request):
    profile = services.mentor_profile_for(request.user)
    if request.method == "POST":
        if profile.is_paused:
            services.mentor_unpause(profile=profile, by=request.user)
            messages.success(request, "Welcome back. You can be matched with new mentees again.")
        else:
            services.mentor_pause(profile=profile, by=request.user)
            messages.success(
                request,
                "You are paused. You will not be matched with anyone new until you come back.",
            )
        return redirect("portal:dashboard")
    return render(request, "portal/mentor_pause.html", {"profile": profile})


@login_required
def account_settings(request):
    return render(
        request,
        "portal/settings.html",
        {"has_two_factor": has_two_factor(request.user), "staff": is_staff_person(request.user)},
    )


@login_required
@recent_confirmation_required
def my_data(request):
    # Asked here too, before the download link is shown: a link that downloads a file
    # cannot show the "confirm it is you" page.
    return render(request, "portal/my_data.html")


@login_required
@recent_confirmation_required
def my_data_download(request):
    with transaction.atomic():
        data = privacy.export(request.user)
        audit_record(
            action=AuditEvent.Action.DATA_EXPORTED,
            actor=request.user,
            obj=request.user,
            request=request,
        )
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    filename = f"alongside-my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def account_delete(request):
    form = DeleteAccountForm(posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        portal_services.account_delete(user=user, request=request)
        logout(request)
        messages.success(request, "Your account and personal information have been deleted.")
        return redirect("programmes:home")
    has_profiles = (
        MentorProfile.objects.filter(user=request.user).exists()
        or MenteeProfile.objects.filter(user=request.user).exists()
    )
    return render(
        request,
        "portal/delete_account.html",
        {"form": form, "has_profiles": has_profiles, "payments": kept_after_deletion(request.user)},
    )


@role_required(Role.MENTEE)
def mentee_profile_edit(request):
    return _edit_profile(
        request,
        form_class=MenteeProfileForm,
        profile=services.mentee_profile_for(request.user),
        template="portal/profile_form.html",
        heading="Your mentee profile",
        purpose="We use this to suggest a mentor who fits what you want to learn.",
        saved_message="Your profile is saved and complete. A coordinator can now match you.",
    )


@login_required
def email_choices(request):
    unwanted = email_kinds_unwanted(request.user)
    form = EmailChoicesForm(
        posted(request), initial={"wanted": [k for k in Kind.values if k not in unwanted]}
    )
    if request.method == "POST" and form.is_valid():
        notification_services.email_choices_set(person=request.user, unwanted=form.unwanted())
        messages.success(request, "Your email choices are saved.")
        return redirect("portal:email_choices")
    return render(request, "portal/email_choices.html", {"form": form})


# A record of contribution, for experts by experience (portal/contribution.py).


def _record_or_404(user):
    if not contribution.has_record(user):
        raise Http404("Only experts by experience have a record of contribution")
    return contribution.record_for(user)


@login_required
def contribution_page(request):
    record = _record_or_404(request.user)
    return render(request, "portal/contribution.html", {"record": record})


@login_required
def contribution_download(request):
    record = _record_or_404(request.user)
    response = HttpResponse(contribution.record_pdf(record), content_type="application/pdf")
    filename = f"alongside-record-of-contribution-{record.made_on:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def contribution_words(request, kind_words_id):
    kind_words = get_kind_words_for_mentor(request.user, kind_words_id)
    include = request.POST.get("in_record") == "yes"
    mentoring_services.kind_words_choose(kind_words=kind_words, by=request.user, in_record=include)
    if include:
        messages.success(request, "Those words are in your record now.")
    else:
        messages.success(request, "Those words are no longer in your record.")
    return redirect("portal:contribution")


# The statements people expect on every service: linked from the footer of every page, for
# everyone, signed in or not.


def accessibility_statement(request):
    return render(
        request,
        "portal/accessibility.html",
        {"reviewed": statements.ACCESSIBILITY_REVIEWED, **statements.kept_for()},
    )


def privacy_notice(request):
    return render(
        request,
        "portal/privacy.html",
        {"reviewed": statements.PRIVACY_REVIEWED, **statements.kept_for()},
    )


def glossary(request):
    return render(
        request,
        "portal/glossary.html",
        {"terms": sorted(TERMS, key=lambda term: term.word.lower())},
    )
