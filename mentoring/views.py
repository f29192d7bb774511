from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.audit import audit_record
from accounts.models import AuditEvent
from core.requests import posted
from matching.access import get_match_for_person
from matching.models import ClosingSurvey, Match
from mentoring import agreements, feedback, services, support
from mentoring.access import (
    get_concern_for_coordinator,
    get_concern_for_raiser,
    get_plan_for_coordinator,
    get_plan_for_person,
    get_session_for_coordinator,
    get_session_for_person,
)
from mentoring.calendar import plan_calendar_file, session_calendar_file
from mentoring.forms import (
    ConcernActionForm,
    ConcernForm,
    CoproductionCheckForm,
    DisputeForm,
    FeedbackForm,
    MissedTurnDownForm,
    PlanForm,
    SessionForm,
)
from mentoring.models import Concern, PlannedSession, Session, SessionFeedback
from mentoring.selectors import (
    messages_attached_to,
    messages_waiting_in,
    missed_to_confirm,
    quiet_flag,
    sessions_approvable_by,
    sessions_to_approve,
    with_last_session,
)
from programmes import duties
from programmes.access import get_programme_for_coordinator, staff_required
from programmes.models import Programme

# Coordinator pages


# Sessions: the two people of a match log and confirm them; coordinators approve them.


def _session_form(request, *, match, session=None):
    is_mentor = request.user.pk == match.mentor_id
    initial = SessionForm.initial_for(session, match.programme) if session else None
    return SessionForm(
        posted(request),
        initial=initial,
        programme=match.programme,
        is_mentor=is_mentor,
    )


def _session_details(form) -> dict:
    data = form.cleaned_data
    return {
        "starts_at": data["starts_at"],
        "duration_minutes": data["duration_minutes"],
        "meeting_mode": data["meeting_mode"],
        "topics": data["topics"],
        "preparation_minutes": data.get("preparation_minutes"),
        "note": data["note"],
    }


@login_required
def match_detail(request, match_id):
    match = get_match_for_person(request.user, match_id)
    sessions = Session.objects.with_details().filter(match=match)
    return render(
        request,
        "mentoring/match_detail.html",
        {
            "plans": PlannedSession.objects.open().filter(match=match),
            # Cancelled plans still to come, with the calendar file that takes them out.
            "cancelled": PlannedSession.objects.filter(
                match=match, cancelled_at__isnull=False, starts_at__gte=timezone.now()
            )[:10],
            "missed": PlannedSession.objects.filter(
                match=match, missed_reported_at__isnull=False
            ).order_by("-starts_at")[:10],
            "now": timezone.now(),
            "match": match,
            "programme": match.programme,
            "other": match.other_party(request.user),
            "sessions": sessions,
            "is_live": match.is_live,
            "feedback_open": feedback.feedback_open_session_ids(match, request.user),
            "check_due": feedback.check_due(match, request.user),
            "messages_waiting": messages_waiting_in(match, request.user),
            "agreement": agreements.agreement_current(match),
        },
    )


@login_required
def session_new(request, match_id):
    match = get_match_for_person(request.user, match_id)
    if not match.is_live:
        messages.info(request, "This match has ended, so no more sessions can be logged.")
        return redirect("mentoring:match_detail", match_id=match.pk)
    # Logging a planned session starts from the plan. Another match's plan, or one already
    # logged or cancelled, is simply not used.
    plan = (
        PlannedSession.objects.open()
        .filter(match=match, pk=request.GET["plan"], starts_at__lte=timezone.now())
        .first()
        if request.GET.get("plan", "").isdecimal() and len(request.GET["plan"]) < 12
        else None
    )
    form = _session_form(request, match=match, session=plan)
    if request.method == "POST" and form.is_valid():
        try:
            details = _session_details(form)
            session = (
                services.session_log_from_plan(plan=plan, by=request.user, **details)
                if plan
                else services.session_log(match=match, by=request.user, **details)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            other = match.other_party(request.user)
            messages.success(request, f"Session logged. We have asked {other} to confirm it.")
            return redirect("mentoring:session_detail", session_id=session.pk)
    return render(
        request,
        "mentoring/session_form.html",
        {
            "match": match,
            "programme": match.programme,
            "form": form,
            "session": None,
            "plan": plan,
            "agreement_filled": agreements.agreement_is_filled(match),
        },
    )


def _plan_details(form) -> dict:
    data = form.cleaned_data
    return {
        "starts_at": data["starts_at"],
        "duration_minutes": data["duration_minutes"],
        "meeting_mode": data["meeting_mode"],
        "place": data["place"],
        "meeting_link": data["meeting_link"],
        "note": data["note"],
    }


@login_required
def session_plan(request, match_id):
    match = get_match_for_person(request.user, match_id)
    if not match.is_live:
        messages.info(request, "This match has ended, so no more sessions can be planned.")
        return redirect("mentoring:match_detail", match_id=match.pk)
    form = PlanForm(posted(request), programme=match.programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_plan(match=match, by=request.user, **_plan_details(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Session planned. We have told {match.other_party(request.user)}. Add it to "
                "your calendar from the list below. After it has happened, log it from here.",
            )
            return redirect("mentoring:match_detail", match_id=match.pk)
    return _plan_page(request, match, form, plan=None)


def _plan_page(request, match, form, *, plan):
    """The form that plans a session (plan None) or changes one, with whether the two have
    filled their agreement."""
    return render(
        request,
        "mentoring/session_plan.html",
        {
            "match": match,
            "programme": match.programme,
            "form": form,
            "plan": plan,
            "agreement_filled": agreements.agreement_is_filled(match),
        },
    )


@login_required
def plan_change(request, plan_id):
    """Either person changes a planned session still to happen; the other is told."""
    plan = get_plan_for_person(request.user, plan_id)
    match = plan.match
    if not (plan.is_open and match.is_live):
        messages.info(
            request, "This planned session was cancelled or logged, so it can no longer be changed."
        )
        return redirect("mentoring:match_detail", match_id=match.pk)
    form = PlanForm(
        posted(request),
        initial=PlanForm.initial_for(plan, match.programme),
        programme=match.programme,
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.plan_change(plan=plan, by=request.user, **_plan_details(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            other = match.other_party(request.user)
            if changed:
                messages.success(
                    request,
                    f"Session changed. We have told {other}. If you added it to your calendar, "
                    "download the calendar file again to update it.",
                )
            else:
                messages.info(request, "Nothing was changed.")
            return redirect("mentoring:match_detail", match_id=match.pk)
    return _plan_page(request, match, form, plan=plan)


@login_required
def plan_calendar(request, plan_id):
    plan = get_plan_for_person(request.user, plan_id)
    response = HttpResponse(
        plan_calendar_file(plan, for_person=request.user), content_type="text/calendar"
    )
    response["Content-Disposition"] = f'attachment; filename="planned-session-{plan.pk}.ics"'
    return response


@login_required
@require_POST
def plan_cancel(request, plan_id):
    plan = get_plan_for_person(request.user, plan_id)
    if services.plan_cancel(plan=plan, by=request.user):
        messages.success(
            request,
            f"The planned session is cancelled. We have told {plan.match.other_party(request.user)}"
            ". If it is in your calendar, download the calendar file below to take it out.",
        )
    else:
        messages.info(request, "This planned session was already logged or cancelled.")
    return redirect("mentoring:match_detail", match_id=plan.match_id)


@login_required
@require_POST
def plan_missed(request, plan_id):
    """The mentor says the mentee did not come; a coordinator confirms it."""
    plan = get_plan_for_person(request.user, plan_id)
    if request.user.pk != plan.match.mentor_id:
        raise Http404("Only the mentor says the mentee did not come")
    try:
        reported = services.plan_missed_report(plan=plan, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if reported:
            messages.success(
                request,
                f"Noted that {plan.match.mentee} did not come. A coordinator will check it; once "
                "they confirm it, you are paid the programme's fee for a cancelled session.",
            )
        else:
            messages.info(request, "This planned session was already logged, cancelled or noted.")
    return redirect("mentoring:match_detail", match_id=plan.match_id)


@login_required
def session_edit(request, session_id):
    session = get_session_for_person(request.user, session_id)
    match = session.match
    if not session.can_be_changed:
        messages.info(request, "This session has been approved, so it can no longer be changed.")
        return redirect("mentoring:session_detail", session_id=session.pk)
    form = _session_form(request, match=match, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(session=session, by=request.user, **_session_details(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            other = session.other_person(request.user)
            messages.success(request, f"Session changed. We have asked {other} to confirm it.")
            return redirect("mentoring:session_detail", session_id=session.pk)
    return render(
        request,
        "mentoring/session_form.html",
        {"match": match, "programme": match.programme, "form": form, "session": session},
    )


@login_required
def session_detail(request, session_id):
    session = get_session_for_person(request.user, session_id)
    action = request.POST.get("action") if request.method == "POST" else None
    form = DisputeForm(request.POST if action == "dispute" else None)
    if action == "confirm" and session.can_be_confirmed_by(request.user):
        seen = request.POST.get("version", "")
        if seen.isdecimal() and services.session_confirm(
            session=session, by=request.user, version=int(seen)
        ):
            messages.success(
                request,
                "Thank you. The session is confirmed and goes to your coordinator for approval.",
            )
            return redirect("mentoring:match_detail", match_id=session.match_id)
        session.refresh_from_db()
        messages.warning(
            request,
            "The details of this session changed while you were reading them. "
            "Check them again below, then confirm.",
        )
    if action == "dispute" and session.can_be_disputed_by(request.user) and form.is_valid():
        services.session_dispute(
            session=session, by=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(
            request,
            f"Thank you. We have told {session.logged_by or 'the other person'} what is wrong, "
            "so they can change it.",
        )
        return redirect("mentoring:match_detail", match_id=session.match_id)
    if request.method == "POST" and action not in {"confirm", "dispute"}:
        messages.error(request, "Choose whether the session is right or wrong.")
    elif request.method == "POST" and action == "confirm" and session.status != "logged":
        messages.info(request, "This session does not need your confirmation any more.")
    return render(
        request,
        "mentoring/session_detail.html",
        {
            "session": session,
            "match": session.match,
            "programme": session.match.programme,
            "other": session.other_person(request.user),
            "form": form,
            "can_confirm": session.can_be_confirmed_by(request.user),
            "can_dispute": session.can_be_disputed_by(request.user),
            "can_give_feedback": feedback.can_give_feedback(session, request.user),
            "can_check_in": support.can_check_in(session, request.user),
        },
    )


@login_required
def session_calendar(request, session_id):
    session = get_session_for_person(request.user, session_id)
    response = HttpResponse(session_calendar_file(session), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response


@staff_required
def coordinator_sessions(request, slug):
    programme = get_programme_for_coordinator(request.user, slug)
    if request.method == "POST":
        chosen = request.POST.getlist("session")
        ids = [int(value) for value in chosen if value.isdigit() and len(value) < 19]
        if not ids:
            messages.error(request, "Tick at least one session to approve.")
        else:
            # Sessions of the coordinator's own stay for someone else (programmes.duties).
            sessions = list(sessions_approvable_by(programme, request.user).filter(pk__in=ids))
            count = services.sessions_approve(sessions=sessions, by=request.user)
            messages.success(request, f"You approved {count} session{'s' if count != 1 else ''}.")
        return redirect("mentoring:coordinator_sessions", slug=programme.slug)
    queue = sessions_to_approve(programme, request.user)
    page = Paginator(queue, 100).get_page(request.GET.get("page"))
    missed = missed_to_confirm(programme, request.user)
    return render(
        request,
        "mentoring/coordinator/sessions.html",
        {
            "programme": programme,
            "page": page,
            "sessions": page.object_list,
            "yours": any(session.yours for session in page.object_list)
            and duties.notes(programme, request.user, duties.SESSION),
            "missed": missed,
            "missed_yours": any(plan.yours for plan in missed)
            and duties.notes(programme, request.user, duties.MISSED),
        },
    )


@staff_required
@require_POST
def coordinator_session_approve(request, slug, session_id):
    programme = get_programme_for_coordinator(request.user, slug)
    session = get_session_for_coordinator(programme, session_id)
    match = session.match
    if yours := duties.not_yours(
        programme, request.user, duties.SESSION, match.mentor_id, match.mentee_id
    ):
        messages.error(request, yours)
    elif services.session_approve(session=session, by=request.user):
        messages.success(
            request, f"Approved the session of {session.match.mentor} and {session.match.mentee}."
        )
    else:
        messages.info(request, "That session was not waiting for approval.")
    return redirect("mentoring:coordinator_sessions", slug=programme.slug)


# Missed sessions: the mentor said the mentee did not come; a coordinator confirms it.


@staff_required
def coordinator_plan_missed(request, slug, plan_id):
    programme = get_programme_for_coordinator(request.user, slug)
    plan = get_plan_for_coordinator(programme, plan_id)
    match = plan.match
    yours = duties.not_yours(
        programme, request.user, duties.MISSED, match.mentor_id, match.mentee_id
    )
    form = MissedTurnDownForm(posted(request))
    if request.method == "POST" and yours:
        messages.error(request, yours)
        return redirect("mentoring:coordinator_plan_missed", slug=programme.slug, plan_id=plan.pk)
    if request.method == "POST" and form.is_valid():
        try:
            done = services.plan_missed_turn_down(
                plan=plan, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if done:
                messages.success(request, f"Not confirmed. {match.mentor} has been told why.")
            else:
                messages.info(request, "This missed session had already been decided.")
            return redirect("mentoring:coordinator_sessions", slug=programme.slug)
    return render(
        request,
        "mentoring/coordinator/plan_missed.html",
        {"programme": programme, "plan": plan, "match": match, "form": form, "yours": yours},
    )


@staff_required
@require_POST
def coordinator_plan_missed_confirm(request, slug, plan_id):
    programme = get_programme_for_coordinator(request.user, slug)
    plan = get_plan_for_coordinator(programme, plan_id)
    match = plan.match
    if yours := duties.not_yours(
        programme, request.user, duties.MISSED, match.mentor_id, match.mentee_id
    ):
        messages.error(request, yours)
        return redirect("mentoring:coordinator_plan_missed", slug=programme.slug, plan_id=plan.pk)
    if services.plan_missed_confirm(plan=plan, by=request.user):
        messages.success(
            request,
            f"Confirmed that {match.mentee} did not come. {match.mentor} is paid the "
            "programme's fee for a cancelled session, if it has one.",
        )
    else:
        messages.info(request, "This missed session had already been decided.")
    return redirect("mentoring:coordinator_sessions", slug=programme.slug)


# Concerns. Raising one works whatever state the match is in: a worry does not wait.


@login_required
def concern_new(request, match_id):
    match = get_match_for_person(request.user, match_id)
    # From a message's "show this to a coordinator": that message is chosen already.
    asked = request.GET.get("message", "")
    known = asked.isascii() and asked.isdigit() and len(asked) < 19  # fits a database id
    initial = {"message": int(asked)} if known else {}
    form = ConcernForm(posted(request), initial=initial, match=match, person=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.concern_raise(
                match=match,
                by=request.user,
                kind=form.cleaned_data["kind"],
                what_happened=form.cleaned_data["what_happened"],
                message=form.cleaned_data.get("message"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Thank you. Your concern has gone to your coordinators.")
            return redirect("mentoring:concern_detail", match_id=match.pk, concern_id=concern.pk)
    # Only the concerns this person raised: the other person's may be about them.
    raised = Concern.objects.filter(match=match, raised_by=request.user)
    # Either of the two may also run the programme: the form says it never reaches them.
    staff = [
        person
        for person in (match.mentor, match.mentee)
        if Programme.objects.coordinated_by(person).filter(pk=match.programme_id).exists()
    ]
    return render(
        request,
        "mentoring/concern_form.html",
        {
            "match": match,
            "programme": match.programme,
            "form": form,
            "raised": raised,
            "staff_in_match": staff,
            # Nobody but the two of them runs the programme: the form says who is told.
            "nobody_else": bool(staff)
            and not duties.others_who_run(match.programme, match.mentor, match.mentee).exists(),
        },
    )


@login_required
def concern_detail(request, match_id, concern_id):
    concern = get_concern_for_raiser(request.user, match_id, concern_id)
    # The coordinators' notes are theirs: the person who raised it sees where it stands.
    return render(
        request,
        "mentoring/concern_detail.html",
        {
            "concern": concern,
            "match": concern.match,
            "programme": concern.match.programme,
            "attached": messages_attached_to(concern),
        },
    )


@staff_required
def coordinator_concerns(request, slug):
    programme = get_programme_for_coordinator(request.user, slug)
    # Never a concern about a match the coordinator is part of (programmes.duties).
    concerns = Concern.objects.filter(match__programme=programme).not_involving(request.user)
    concerns = concerns.for_queue()
    page = Paginator(concerns, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "mentoring/coordinator/concerns.html",
        {"programme": programme, "page": page, "concerns": page.object_list},
    )


@staff_required
def coordinator_concern_detail(request, slug, concern_id):
    programme = get_programme_for_coordinator(request.user, slug)
    concern = get_concern_for_coordinator(programme, concern_id, request.user)
    form = ConcernActionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.concern_record_action(
                concern=concern,
                by=request.user,
                note=form.cleaned_data["note"],
                new_status=form.cleaned_data["new_status"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Saved what you did.")
            return redirect(
                "mentoring:coordinator_concern_detail", slug=programme.slug, concern_id=concern.pk
            )
    # Reading a concern is a sensitive action: every view is in the audit log.
    with transaction.atomic():
        audit_record(
            action=AuditEvent.Action.CONCERN_VIEWED,
            actor=request.user,
            obj=concern,
            programme=programme,
            request=request,
        )
    actions = concern.actions.select_related("coordinator")
    return render(
        request,
        "mentoring/coordinator/concern_detail.html",
        {
            "programme": programme,
            "concern": concern,
            "actions": actions,
            "form": form,
            # The only messages of the pair a coordinator ever reads: those attached here.
            "attached": messages_attached_to(concern),
        },
    )


# Feedback after each session and the co-production check. Only the two people of a match
# answer, each for their own side; coordinators see the answers only added together.


def _feedback_closed_reason(session, person) -> str:
    if SessionFeedback.objects.filter(
        session=session, role=feedback.role_in_match(session.match, person)
    ).exists():
        return "given"
    if session.status == Session.Status.DISPUTED:
        return "disputed"
    return "not_yet"


@login_required
def session_feedback(request, session_id):
    session = get_session_for_person(request.user, session_id)
    match = session.match
    other = session.other_person(request.user)
    if not feedback.can_give_feedback(session, request.user):
        reason = _feedback_closed_reason(session, request.user)
        if request.method == "POST" and reason == "given":
            messages.info(request, "You have already given feedback on this session. Thank you.")
            return redirect("mentoring:match_detail", match_id=match.pk)
        return render(
            request,
            "mentoring/feedback_closed.html",
            {
                "session": session,
                "match": match,
                "programme": match.programme,
                "other": other,
                "reason": reason,
            },
        )
    form = FeedbackForm(
        posted(request), is_mentor=request.user.pk == match.mentor_id, programme=match.programme
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = feedback.feedback_give(session=session, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if saved:
                messages.success(
                    request,
                    "Thank you for your feedback. It helps your coordinators make mentoring "
                    "work for everyone.",
                )
            else:
                messages.info(request, "You had already given feedback on this session. Thank you.")
            return redirect("mentoring:match_detail", match_id=match.pk)
    return render(
        request,
        "mentoring/feedback_form.html",
        {
            "session": session,
            "match": match,
            "programme": match.programme,
            "other": other,
            "form": form,
        },
    )


@login_required
def coproduction_check(request, match_id):
    match = get_match_for_person(request.user, match_id)
    other = match.other_party(request.user)
    due = feedback.check_due(match, request.user)
    if due is None:
        if request.method == "POST":
            messages.info(request, "There is no co-production check to answer just now.")
            return redirect("mentoring:match_detail", match_id=match.pk)
        return render(
            request,
            "mentoring/coproduction_check_none.html",
            {"match": match, "programme": match.programme, "other": other},
        )
    form = CoproductionCheckForm(posted(request), programme=match.programme, role=due.role)
    if request.method == "POST" and form.is_valid():
        try:
            saved = feedback.coproduction_check_give(
                match=match, by=request.user, quarter=due.quarter, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if saved:
                messages.success(
                    request,
                    "Thank you for answering the co-production check. It helps your "
                    "coordinators see how equal matches feel.",
                )
            else:
                messages.info(request, "You had already answered this check. Thank you.")
            return redirect("mentoring:match_detail", match_id=match.pk)
    return render(
        request,
        "mentoring/coproduction_check.html",
        {
            "match": match,
            "programme": match.programme,
            "other": other,
            "due": due,
            "form": form,
        },
    )


# Pages about a whole match that show what happened inside it (a co-production check due,
# weeks without a session). They live here, beside sessions, so that matching never reads
# them; their URLs are matching's (matching/urls.py).


@login_required
def match_ended(request, match_id):
    match = get_match_for_person(request.user, match_id)
    if match.is_live:
        return redirect("mentoring:match_detail", match_id=match.pk)
    return render(
        request,
        "mentoring/match_ended.html",
        {
            "match": match,
            "is_mentee": match.mentee_id == request.user.pk,
            "mentee_chooses": match.programme.matching_mode == Programme.MatchingMode.MENTEE_CHOICE,
            "other": match.other_party(request.user),
            "survey_given": ClosingSurvey.objects.filter(match=match, person=request.user).exists(),
            "closing_check_due": feedback.check_due(match, request.user) is not None,
        },
    )


MATCHES_PER_PAGE = 50
MATCH_LISTS = {
    Match.Status.ACTIVE: "Active",
    Match.Status.PAUSED: "Paused",
    Match.Status.CLOSED: "Ended",
}


@staff_required
def coordinator_matches(request, slug):
    """The programme's matches, one status at a time, a page of 50 at a time."""
    programme = get_programme_for_coordinator(request.user, slug)
    show = request.GET.get("show")
    if show not in MATCH_LISTS:
        show = Match.Status.ACTIVE
    in_programme = Match.objects.filter(programme=programme)
    counts = dict(
        in_programme.order_by()
        .values_list("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    page = Paginator(
        with_last_session(in_programme.filter(status=show))
        .annotate(yours=duties.yours(request.user, "mentor", "mentee"))
        .select_related("mentor", "mentee")
        .prefetch_related(
            Prefetch("closing_surveys", queryset=ClosingSurvey.objects.select_related("person"))
        )
        .order_by("-started_at", "-id"),
        MATCHES_PER_PAGE,
    ).get_page(request.GET.get("page"))
    now = timezone.now()
    for match in page:
        # "No session for 9 weeks" beside an active match quiet for the programme's limit.
        match.quiet_for = quiet_flag(match, quiet_weeks=programme.quiet_weeks, now=now)
    return render(
        request,
        "mentoring/matches.html",
        {
            "programme": programme,
            "show": show,
            "lists": [
                {"status": status, "label": label, "count": counts.get(status, 0)}
                for status, label in MATCH_LISTS.items()
            ],
            "page": page,
            "yours": any(match.yours for match in page)
            and duties.notes(programme, request.user, duties.MATCH),
        },
    )
