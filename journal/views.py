from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.choices import Role
from core.requests import posted
from core.spreadsheets import csv_response, csv_text
from journal import services
from journal.forms import CpdChoiceForm, CpdFilterForm, GoalForm, GoalNoteForm, JournalEntryForm
from journal.models import REFLECTION_QUESTIONS
from journal.selectors import (
    CPD_COLUMNS,
    PEER_COLUMNS,
    cpd_deadline_near,
    cpd_record,
    entries_of,
    entries_shared_with,
    get_entry_for_mentee,
    get_entry_shared_with,
    get_goal_for_mentee,
    get_live_match_for_person,
    goals_of,
    live_mentee_matches,
    mentors_who_can_see,
    profile_topics_without_goals,
    sessions_for_journal,
)
from mentoring.models import Session
from programmes.access import role_required

mentee_required = role_required(Role.MENTEE)
mentor_required = role_required(Role.MENTOR)


def _answers(entry) -> list[tuple[str, str]]:
    """The questions the entry answers, in order, with the answers given."""
    return [
        (label, getattr(entry, name))
        for name, label, _ in REFLECTION_QUESTIONS
        if getattr(entry, name).strip()
    ]


# The mentee's own journal


@mentee_required
def journal_list(request):
    entries = entries_of(request.user)
    return render(
        request,
        "journal/list.html",
        {
            "entries": entries,
            # Each live match, for the prompt that it is all right to say it is hard.
            "live_matches": list(live_mentee_matches(request.user)),
            "cpd_deadline": cpd_deadline_near(timezone.localdate()),
        },
    )


def _save_entry(form, *, mentee, entry=None):
    data = form.cleaned_data
    details = {
        "activity_date": data["activity_date"],
        "answers": form.answers(),
        "pcf_domains": data.get("pcf_domains") or [],
        "session": data.get("session_obj"),
    }
    if entry is None:
        return services.journal_entry_create(mentee=mentee, **details)
    return services.journal_entry_update(entry=entry, **details)


@mentee_required
def journal_new(request):
    sessions = list(sessions_for_journal(request.user))
    initial = {}
    chosen = request.GET.get("session", "")
    if any(str(session.pk) == chosen for session in sessions):
        initial["session"] = chosen
    form = JournalEntryForm(posted(request), initial=initial, sessions=sessions)
    if request.method == "POST" and form.is_valid():
        try:
            entry = _save_entry(form, mentee=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your journal entry is saved. Only you can see it.")
            return redirect("journal:journal_detail", entry_id=entry.pk)
    return render(request, "journal/entry_form.html", {"form": form, "entry": None})


@mentee_required
def journal_edit(request, entry_id):
    entry = get_entry_for_mentee(request.user, entry_id)
    sessions = list(sessions_for_journal(request.user))
    form = JournalEntryForm(
        posted(request), initial=JournalEntryForm.initial_for(entry), sessions=sessions
    )
    if request.method == "POST" and form.is_valid():
        try:
            _save_entry(form, mentee=request.user, entry=entry)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your changes are saved.")
            return redirect("journal:journal_detail", entry_id=entry.pk)
    return render(request, "journal/entry_form.html", {"form": form, "entry": entry})


@mentee_required
def journal_detail(request, entry_id):
    entry = get_entry_for_mentee(request.user, entry_id)
    mentors = mentors_who_can_see(entry)
    return render(
        request,
        "journal/detail.html",
        {"entry": entry, "answers": _answers(entry), "mentors": mentors},
    )


@mentee_required
@require_POST
def journal_share(request, entry_id):
    entry = get_entry_for_mentee(request.user, entry_id)
    action = request.POST.get("action")
    if action == "share":
        try:
            shared = services.journal_entry_share(entry=entry, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if shared:
                messages.success(request, "Shared. Your mentor can now read this entry.")
            else:
                messages.info(request, "This entry was already shared with your mentor.")
    elif action == "unshare":
        if services.journal_entry_unshare(entry=entry, by=request.user):
            messages.success(request, "This entry is private again. Only you can see it.")
        else:
            messages.info(request, "This entry was already private.")
    else:
        messages.error(request, "Choose whether to share this entry or keep it private.")
    return redirect("journal:journal_detail", entry_id=entry.pk)


@mentee_required
def journal_delete(request, entry_id):
    entry = get_entry_for_mentee(request.user, entry_id)
    if request.method == "POST":
        services.journal_entry_delete(entry=entry, by=request.user)
        messages.success(request, "The journal entry is deleted.")
        return redirect("journal:journal_list")
    return render(request, "journal/delete.html", {"entry": entry})


# What mentees shared with their mentor


@mentor_required
def journal_shared_with_me(request):
    entries = entries_shared_with(request.user)
    return render(request, "journal/shared_list.html", {"entries": entries})


@mentor_required
def journal_shared_detail(request, entry_id):
    entry = get_entry_shared_with(request.user, entry_id)
    return render(
        request, "journal/shared_detail.html", {"entry": entry, "answers": _answers(entry)}
    )


# The CPD record


def _cpd_forms(request):
    """The date filter and the choice of entries, both read from the address."""
    entries = entries_of(request.user)
    filter_form = CpdFilterForm(
        request.GET if request.GET.keys() & {"date_from", "date_to"} else None
    )
    if filter_form.is_bound and filter_form.is_valid():
        if filter_form.cleaned_data["date_from"]:
            entries = entries.filter(activity_date__gte=filter_form.cleaned_data["date_from"])
        if filter_form.cleaned_data["date_to"]:
            entries = entries.filter(activity_date__lte=filter_form.cleaned_data["date_to"])
    entries = list(entries)
    return filter_form, entries


def _cpd_choice_page(request, *, filter_form, entries, choice_form):
    return render(
        request,
        "journal/cpd.html",
        {
            "filter_form": filter_form,
            "choice_form": choice_form,
            "entries": entries,
            "date_from": request.GET.get("date_from", "") if filter_form.is_valid() else "",
            "date_to": request.GET.get("date_to", "") if filter_form.is_valid() else "",
            "cpd_deadline": cpd_deadline_near(timezone.localdate()),
        },
    )


@mentee_required
def journal_cpd(request):
    filter_form, entries = _cpd_forms(request)
    choice_form = CpdChoiceForm(entries=entries)
    return _cpd_choice_page(
        request, filter_form=filter_form, entries=entries, choice_form=choice_form
    )


def _chosen_entries(request):
    """The ticked entries of this mentee's own, or the choice page with an error."""
    filter_form, entries = _cpd_forms(request)
    choice_form = CpdChoiceForm(request.GET, entries=entries)
    if not choice_form.is_valid():
        page = _cpd_choice_page(
            request, filter_form=filter_form, entries=entries, choice_form=choice_form
        )
        return None, page
    chosen = set(choice_form.cleaned_data["entry"])
    # Oldest first, as a record of the year reads; each with the answers chosen for it.
    picked = sorted(
        (entry for entry in entries if str(entry.pk) in chosen),
        key=lambda entry: (entry.activity_date, entry.pk),
    )
    return [(entry, choice_form.answers_for(entry)) for entry in picked], None


@mentee_required
def journal_cpd_print(request):
    entries, error_page = _chosen_entries(request)
    if error_page:
        return error_page
    records = []
    for entry, answers in entries:
        record = cpd_record(entry, answers)
        records.append(
            {
                "entry": entry,
                "rows": [
                    (title, record[key])
                    for key, title in CPD_COLUMNS
                    if key != "date" and key not in PEER_COLUMNS
                ],
                "peer": [(title, record[key]) for key, title in CPD_COLUMNS if key in PEER_COLUMNS]
                if entry.session_id
                else [],
            }
        )
    return render(
        request, "journal/cpd_print.html", {"records": records, "today": timezone.localdate()}
    )


@mentee_required
def journal_cpd_download(request):
    entries, error_page = _chosen_entries(request)
    if error_page:
        return error_page
    services.cpd_record_exported(
        mentee=request.user, entries=[entry for entry, _ in entries], request=request
    )
    records = (cpd_record(entry, answers) for entry, answers in entries)
    text = csv_text(
        [title for _, title in CPD_COLUMNS],
        ([record[key] for key, _ in CPD_COLUMNS] for record in records),
    )
    return csv_response(text, f"cpd-record-{timezone.localdate():%Y-%m-%d}.csv")


# Learning goals


def _note_form(request, goal, *, sessions=(), label=None, sent=True):
    prefix = f"note-{goal.pk}"
    data = request.POST if sent and request.POST.get("note_for") == str(goal.pk) else None
    return GoalNoteForm(data, prefix=prefix, sessions=sessions, label=label)


@mentee_required
def goals(request):
    mentee = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    goal_form = GoalForm(request.POST if action == "add_goal" else None)
    if action == "add_goal" and goal_form.is_valid():
        services.goal_add(mentee=mentee, title=goal_form.cleaned_data["title"])
        messages.success(request, "Your goal is added.")
        return redirect("journal:goals")
    if action == "from_profile":
        added = services.goals_from_profile(mentee=mentee)
        if added:
            messages.success(request, "The learning goals from your profile are added.")
        else:
            messages.info(request, "All the learning goals on your profile are here already.")
        return redirect("journal:goals")
    if action in {"achieve", "add_note"}:
        goal = get_goal_for_mentee(mentee, request.POST.get("goal") or request.POST.get("note_for"))
        if goal is None:
            messages.error(request, "We could not find that goal. Choose one from the list.")
            return redirect("journal:goals")
        if action == "achieve":
            if services.goal_achieve(goal=goal, by=mentee):
                messages.success(request, f"Well done. “{goal.title}” is marked as achieved.")
            else:
                messages.info(request, "That goal was already marked as achieved.")
            return redirect("journal:goals")
    elif request.method == "POST" and action != "add_goal":
        messages.error(request, "Choose what you want to do.")
        return redirect("journal:goals")
    goal_list = list(goals_of(mentee))
    for goal in goal_list:
        goal.note_form = form = _note_form(request, goal, sent=action == "add_note")
        if form.is_bound and form.is_valid():
            try:
                services.goal_note_add(goal=goal, author=mentee, text=form.cleaned_data["text"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Your note is added.")
                return redirect("journal:goals")
    return render(
        request,
        "journal/goals.html",
        {
            "goals": goal_list,
            "goal_form": goal_form,
            "has_errors": bool(goal_form.errors)
            or any(goal.note_form.errors for goal in goal_list),
            "profile_topics": profile_topics_without_goals(mentee),
            "matches": live_mentee_matches(mentee),
        },
    )


@login_required
def match_goals(request, match_id):
    """A mentee's goals, for the two people of a live match. The mentor adds progress
    notes here; the mentee can too."""
    match = get_live_match_for_person(request.user, match_id)
    is_mentor = request.user.pk == match.mentor_id
    sessions = list(
        Session.objects.filter(match=match)
        .select_related("match__mentor", "match__programme")
        .order_by("-starts_at", "-id")
    )
    if (
        request.method == "POST"
        and get_goal_for_mentee(match.mentee, request.POST.get("note_for")) is None
    ):
        messages.error(request, "We could not find that goal. Choose one from the list.")
        return redirect("journal:match_goals", match_id=match.pk)
    label = (
        "Add a progress note: what did you review together?"
        if is_mentor
        else "Add a note on your progress"
    )
    goal_list = list(goals_of(match.mentee))
    for goal in goal_list:
        goal.note_form = _note_form(request, goal, sessions=sessions, label=label)
        form = goal.note_form
        if form.is_bound and form.is_valid():
            try:
                services.goal_note_add(
                    goal=goal,
                    author=request.user,
                    text=form.cleaned_data["text"],
                    session=form.session_chosen(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Your note is added.")
                return redirect("journal:match_goals", match_id=match.pk)
    return render(
        request,
        "journal/match_goals.html",
        {
            "match": match,
            "is_mentor": is_mentor,
            "other": match.other_party(request.user),
            "goals": goal_list,
            "has_errors": any(goal.note_form.errors for goal in goal_list),
        },
    )
