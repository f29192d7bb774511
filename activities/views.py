"""Pages about paid activities: an expert by experience's list, answer and calendar file;
a coordinator's list, new activity, invitations and attendance."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from activities import services
from activities.access import (
    get_activity_for_coordinator,
    get_activity_for_mentor,
    get_place_for_coordinator,
)
from activities.calendar import activity_calendar_file
from activities.forms import ActivityForm, AnswerForm, CancelForm, InviteForm
from activities.models import Place
from activities.selectors import activity_places, mentor_activities, programme_activities
from core.requests import posted
from programmes import duties
from programmes.access import (
    expert_required,
    get_programme_for_coordinator,
    panel_of,
    staff_required,
)
from programmes.language import warn_words

# Experts by experience


@expert_required
def activities(request):
    return render(request, "activities/activities.html", mentor_activities(request.user))


@expert_required
def activity_detail(request, activity_id: int):
    activity = get_activity_for_mentor(request.user, activity_id)
    place = activity.places_taken.filter(person=request.user).first()
    can_answer = services.can_answer(activity, request.user)
    initial = {"answer": place.answer} if place and place.answer in ("yes", "no") else {}
    form = AnswerForm(posted(request), initial=initial)
    if request.method == "POST" and not can_answer:
        messages.error(
            request,
            "This activity is cancelled, so it takes no more answers."
            if activity.is_cancelled
            else "This activity has started, so answers can no longer change.",
        )
        return redirect("activities:activity_detail", activity_id=activity.pk)
    if request.method == "POST" and form.is_valid():
        yes = form.cleaned_data["answer"] == "yes"
        try:
            services.place_answer(activity=activity, person=request.user, yes=yes)
        except ValidationError as error:
            form.add_error("answer", error.messages)
        except PermissionDenied as error:
            raise Http404("Cannot answer") from error
        else:
            if yes:
                messages.success(
                    request,
                    f"Thank you. You have a place on {activity.title}. Add it to your "
                    "calendar below.",
                )
            else:
                messages.success(
                    request,
                    f"Thank you. Your coordinator can see you cannot take part in "
                    f"{activity.title}.",
                )
            return redirect("activities:activity_detail", activity_id=activity.pk)
    taken = activity.places_taken.taken().count()
    return render(
        request,
        "activities/activity_detail.html",
        {
            "activity": activity,
            "place": place,
            "form": form,
            "can_answer": can_answer,
            "places_left": max(activity.places - taken, 0),
        },
    )


@expert_required
def activity_calendar(request, activity_id: int):
    activity = get_activity_for_mentor(request.user, activity_id)
    response = HttpResponse(activity_calendar_file(activity), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="activity-{activity.pk}.ics"'
    return response


# Coordinators


@staff_required
def coordinator_activities(request, slug):
    programme = get_programme_for_coordinator(request.user, slug)
    return render(
        request,
        "activities/coordinator/activities.html",
        {"programme": programme, **programme_activities(programme)},
    )


@staff_required
def coordinator_activity_new(request, slug):
    programme = get_programme_for_coordinator(request.user, slug)
    mentors = services.mentors_of(programme).order_by("display_name", "pk")
    form = ActivityForm(
        posted(request),
        programme=programme,
        mentors=mentors,
        panel=panel_of(programme),
        initial={"date": timezone.localdate(), "preparation_minutes": 0, "places": 2},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = services.activity_create(
                programme=programme,
                by=request.user,
                kind=data["kind"],
                kind_name=data["kind_name"],
                title=data["title"],
                description=data["description"],
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                preparation_minutes=data["preparation_minutes"] or 0,
                online=data["how"] == "online",
                place=data["place"],
                places=data["places"],
                who=data["who"],
                invite=list(data["people"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"{activity.title} is saved. Those who can take part are told."
            )
            warn_words(request, data["title"], data["description"], programme=programme)
            return redirect(
                "activities:coordinator_activity", slug=programme.slug, activity_id=activity.pk
            )
    return render(
        request,
        "activities/coordinator/activity_form.html",
        {"programme": programme, "form": form},
    )


@staff_required
def coordinator_activity(request, slug, activity_id: int):
    programme = get_programme_for_coordinator(request.user, slug)
    activity = get_activity_for_coordinator(programme, activity_id)
    places = activity_places(activity)
    invited = {place.person_id for place in places}
    not_invited = services.mentors_of(programme).exclude(pk__in=invited)
    form = InviteForm(
        posted(request),
        mentors=not_invited.order_by("display_name", "pk"),
        panel=panel_of(programme),
    )
    if request.method == "POST" and form.is_valid():
        try:
            count = services.activity_invite(
                activity=activity, people=list(form.cleaned_data["people"]), by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Invited {count}. They are told, and can say yes or no.")
            return redirect(
                "activities:coordinator_activity", slug=programme.slug, activity_id=activity.pk
            )
    yours = duties.not_yours(
        programme, request.user, duties.ACTIVITY, *services.taking_part(activity)
    )
    return render(
        request,
        "activities/coordinator/activity.html",
        {
            "programme": programme,
            "activity": activity,
            "places": places,
            "yes": [place for place in places if place.answer == Place.Answer.YES],
            "form": form,
            "can_invite": services.can_cancel(activity) and not_invited.exists(),
            "can_cancel": services.can_cancel(activity),
            "yours": yours,
            "cancel_yours": duties.not_yours(
                programme, request.user, duties.ACTIVITY_CANCEL, *services.taking_part(activity)
            ),
        },
    )


@staff_required
def coordinator_activity_cancel(request, slug, activity_id: int):
    """A short confirmation page: why it is cancelled, then one button (a POST)."""
    programme = get_programme_for_coordinator(request.user, slug)
    activity = get_activity_for_coordinator(programme, activity_id)
    back = redirect("activities:coordinator_activity", slug=programme.slug, activity_id=activity.pk)
    if activity.is_cancelled:
        messages.info(request, f"{activity.title} is already cancelled.")
        return back
    if activity.has_started:
        messages.error(request, "This activity has started, so it can no longer be cancelled.")
        return back
    mine = duties.not_yours(
        programme, request.user, duties.ACTIVITY_CANCEL, *services.taking_part(activity)
    )
    if mine:
        messages.error(request, mine)
        return back
    form = CancelForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            cancelled = services.activity_cancel(
                activity=activity, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                form.add_error(None, error)
            else:
                messages.error(request, " ".join(error.messages))
                return back
        except PermissionDenied:
            # Someone said yes meanwhile who is this coordinator.
            messages.error(
                request, duties.who_acts(programme, request.user, duties.ACTIVITY_CANCEL)
            )
            return back
        else:
            if cancelled:
                messages.success(
                    request,
                    f"{activity.title} is cancelled. Everyone who said yes or had not answered "
                    "is told, with your reason.",
                )
            else:
                messages.info(request, f"{activity.title} was already cancelled.")
            return back
    told = activity.places_taken.filter(answer__in=[Place.Answer.YES, Place.Answer.WAITING])
    return render(
        request,
        "activities/coordinator/activity_cancel.html",
        {
            "programme": programme,
            "activity": activity,
            "form": form,
            "yes_count": told.filter(answer=Place.Answer.YES).count(),
            "waiting_count": told.filter(answer=Place.Answer.WAITING).count(),
        },
    )


@staff_required
@require_POST
def coordinator_attendance(request, slug, activity_id: int):
    programme = get_programme_for_coordinator(request.user, slug)
    activity = get_activity_for_coordinator(programme, activity_id)
    back = redirect("activities:coordinator_activity", slug=programme.slug, activity_id=activity.pk)
    place_id = request.POST.get("place", "")
    attended = request.POST.get("attended", "")
    if not (place_id.isdigit() and len(place_id) < 19) or attended not in ("yes", "no"):
        messages.error(request, "Choose attended or did not attend for one person.")
        return back
    place = get_place_for_coordinator(activity, int(place_id))
    if duties.takes_part(request.user, *services.taking_part(activity)):
        messages.error(request, duties.who_acts(programme, request.user, duties.ACTIVITY))
        return back
    try:
        recorded = services.attendance_record(
            place=place, by=request.user, attended=attended == "yes"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return back
    if not recorded:
        messages.info(request, f"Attendance for {place.person} had already been recorded.")
    elif attended == "yes":
        messages.success(
            request,
            f"{place.person} attended. Their pay is added and goes on the next pay day.",
        )
    else:
        messages.success(request, f"{place.person} did not attend. They are not paid for it.")
    return back
