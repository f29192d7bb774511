"""Pausing, restarting and ending a match: the pages the two people reach from their match
page, and coordinators from the programme's list of matches. What each step does (who may,
what it records, who is told) is matching.services' match lifecycle; these pages sit here so
every address under /matches/ and /coordinate/<programme>/matches/ is this app's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.requests import posted
from matching import services as matching_services
from matching.access import get_match_for_person
from matching.forms import ClosingSurveyForm, PauseForm
from matching.models import ClosingSurvey, Match
from programmes import duties
from programmes.access import get_programme_for_coordinator, staff_required


def _match_for_coordinator(user, slug, match_id):
    programme = get_programme_for_coordinator(user, slug)
    return get_object_or_404(
        Match.objects.select_related("programme", "mentor", "mentee"),
        pk=match_id,
        programme=programme,
    )


def _mentors_match(user, match_id):
    """Pausing is the mentor's to do: the mentee (and everyone else) gets a 404."""
    match = get_match_for_person(user, match_id)
    if match.mentor_id != user.pk:
        raise Http404("Only the mentor can pause a match")
    return match


@login_required
@require_POST
def match_pause(request, match_id):
    match = _mentors_match(request.user, match_id)
    if matching_services.match_pause(match=match, by=request.user):
        messages.success(
            request,
            f"Your match is paused. {match.mentee} can see it is paused. "
            "Restart it when you are ready.",
        )
    else:
        messages.info(request, "This match is not active, so it was not paused.")
    return redirect("mentoring:match_detail", match_id=match.pk)


@login_required
@require_POST
def match_resume(request, match_id):
    match = _mentors_match(request.user, match_id)
    if matching_services.match_resume(match=match, by=request.user):
        messages.success(request, "Your match has restarted.")
    else:
        messages.info(request, "This match is not paused, so nothing changed.")
    return redirect("mentoring:match_detail", match_id=match.pk)


def _survey_answers(form) -> dict:
    return {name: form.cleaned_data[name] for name in ("rating", "recommend", "reason", "comments")}


@login_required
def match_end(request, match_id):
    """End a live match with a closing survey, or, once it has ended, give your own."""
    match = get_match_for_person(request.user, match_id)
    if ClosingSurvey.objects.filter(match=match, person=request.user).exists():
        messages.info(request, "You have already told us how this match went. Thank you.")
        return redirect("mentoring:match_ended", match_id=match.pk)
    other = match.other_party(request.user)
    form = ClosingSurveyForm(posted(request))
    if request.method == "POST" and form.is_valid():
        answers = _survey_answers(form)
        # If the other person ended it a moment ago, the answers still count as a survey.
        if not matching_services.match_close(match=match, by=request.user, **answers):
            matching_services.closing_survey_give(match=match, person=request.user, **answers)
        return redirect("mentoring:match_ended", match_id=match.pk)
    return render(
        request,
        "mentoring/match_end.html",
        {"match": match, "other": other, "form": form, "is_live": match.is_live},
    )


def _match_yours(request, match):
    """For a coordinator's page about a match they are part of: the message saying who
    pauses or ends it instead, and where to go; None for everyone else's matches."""
    if yours := duties.not_yours(
        match.programme, request.user, duties.MATCH, match.mentor, match.mentee
    ):
        messages.error(request, yours)
        return redirect("mentoring:coordinator_matches", slug=match.programme.slug)
    return None


@staff_required
def coordinator_match_pause(request, slug, match_id):
    match = _match_for_coordinator(request.user, slug, match_id)
    if refused := _match_yours(request, match):
        return refused
    if match.status != Match.Status.ACTIVE:
        messages.info(request, "Only an active match can be paused.")
        return redirect("mentoring:coordinator_matches", slug=slug)
    form = PauseForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if matching_services.match_pause(
            match=match, by=request.user, reason=form.cleaned_data["reason"]
        ):
            messages.success(request, f"{match} is paused.")
        else:
            messages.info(request, "This match is not active, so it was not paused.")
        return redirect("mentoring:coordinator_matches", slug=slug)
    return render(
        request,
        "mentoring/match_pause.html",
        {"programme": match.programme, "match": match, "form": form},
    )


@staff_required
@require_POST
def coordinator_match_resume(request, slug, match_id):
    match = _match_for_coordinator(request.user, slug, match_id)
    if refused := _match_yours(request, match):
        return refused
    if matching_services.match_resume(match=match, by=request.user):
        messages.success(request, f"{match} has restarted.")
    else:
        messages.info(request, "This match is not paused, so nothing changed.")
    return redirect("mentoring:coordinator_matches", slug=slug)


@staff_required
def coordinator_match_end(request, slug, match_id):
    match = _match_for_coordinator(request.user, slug, match_id)
    if refused := _match_yours(request, match):
        return refused
    if not match.is_live:
        messages.info(request, "This match has already ended.")
        return redirect("mentoring:coordinator_matches", slug=slug)
    form = ClosingSurveyForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if matching_services.match_close(match=match, by=request.user, **_survey_answers(form)):
            messages.success(
                request,
                f"The match has ended. {match.mentee} will be considered in the next "
                f"matching round, never with {match.mentor} again.",
            )
        else:
            messages.info(request, "This match had already ended.")
        return redirect("mentoring:coordinator_matches", slug=slug)
    return render(
        request,
        "mentoring/coordinator_match_end.html",
        {"programme": match.programme, "match": match, "form": form},
    )
