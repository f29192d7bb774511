import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.audit import audit_record
from accounts.models import AuditEvent, MenteeProfile, MentorProfile
from core.choices import Role
from core.requests import posted
from matching import selectors, services
from matching.forms import (
    AnswerForm,
    MatchingSettingsForm,
    RejectForm,
    ReviewFilterForm,
    SwapForm,
)
from matching.models import ApprovalBatch, MatchingRound, Proposal, open_to
from matching.selectors import reason_labels, reason_words, round_in_words, round_progress
from programmes import duties
from programmes.access import get_programme_for_coordinator, role_required, staff_required
from programmes.models import Membership, Programme


def _round_for(user, slug, round_id, *, approvals: bool = False) -> MatchingRound:
    """The coordinator's round; with `approvals`, also whether it has approvals of many pairs
    to report on (selectors.rounds_to_review), in the same query."""
    programme = get_programme_for_coordinator(user, slug)
    rounds = selectors.rounds_to_review() if approvals else MatchingRound.objects.all()
    matching_round = get_object_or_404(
        rounds.select_related("started_by"), pk=round_id, programme=programme
    )
    matching_round.programme = programme
    return matching_round


def _proposal_for(user, slug, proposal_id):
    programme = get_programme_for_coordinator(user, slug)
    return get_object_or_404(
        Proposal.objects.select_related("round", "mentor", "mentee"),
        pk=proposal_id,
        round__programme=programme,
    )


@staff_required
def coordinator_rounds(request, slug):
    programme = get_programme_for_coordinator(request.user, slug)
    if request.method == "POST":
        matching_round = services.round_start(programme=programme, by=request.user)
        messages.success(request, "The matching round has started.")
        return redirect("matching:coordinator_round_detail", slug=slug, round_id=matching_round.pk)
    # The labels are for putting one round's reasons into words: not for a list.
    rounds = (
        MatchingRound.objects.filter(programme=programme, kind=MatchingRound.Kind.ROUND)
        .select_related("started_by")
        .defer("labels")[:50]
    )
    return render(request, "matching/rounds.html", {"programme": programme, "rounds": rounds})


# The query-string keys of the review queue, kept when a form sends the coordinator back.
QUEUE_KEYS = ("status", "fit", "look", "q", "sort", "page")


def _back_to_queue(matching_round: MatchingRound, query: str | None) -> str:
    """The queue's address with the filters and page the coordinator came from, and nothing
    else from `query`."""
    given = QueryDict(query or "")
    kept = QueryDict(mutable=True)
    for key in QUEUE_KEYS:
        if given.get(key):
            kept[key] = given[key][:100]
    address = reverse(
        "matching:coordinator_round_detail", args=[matching_round.programme.slug, matching_round.pk]
    )
    return f"{address}?{kept.urlencode()}" if kept else address


@staff_required
def coordinator_round_detail(request, slug, round_id):
    """A round, and its proposals as a review queue: a page at a time, filtered, searched and
    sorted, one row per pair with its main reason and the rest on demand."""
    matching_round = _round_for(request.user, slug, round_id, approvals=True)
    programme = matching_round.programme
    facts = selectors.round_facts(matching_round)
    best = facts["best_score"]
    form = ReviewFilterForm(request.GET)
    filters = form.filters()
    context = {
        "programme": programme,
        "round": matching_round,
        "facts": facts,
        "form": form,
        "filters": filters,
        "ignored": form.ignored(),
        "reviewing": matching_round.status == MatchingRound.Status.FINISHED
        and not matching_round.rerun_of_id,
    }
    if context["reviewing"]:
        queue = selectors.review_queue(matching_round, filters=filters, best=best)
        summary = selectors.review_summary(matching_round, reader=request.user, best=best)
        page = selectors.review_page(
            queue,
            request.GET.get("page"),
            total=None if filters.narrow else summary["total"],  # counted already
        )
        proposals = selectors.review_rows(
            matching_round, page.object_list, reader=request.user, best=best, labels=facts["labels"]
        )
        context |= {
            "page": page,
            "proposals": proposals,
            "summary": summary,
            "waiting_here": [
                p.pk for p in proposals if p.status == Proposal.Status.PROPOSED and not p.yours
            ],
            "batches": selectors.approval_batches_shown(matching_round, reader=request.user),
            "yours": any(p.yours for p in proposals)
            and duties.notes(programme, request.user, duties.PROPOSAL),
        }
    return render(request, "matching/round_detail.html", context)


@staff_required
@require_POST
def coordinator_round_approve_all(request, slug, round_id):
    """Approve every waiting pair on a page of the queue, or every one with a strong fit, in
    the background; the queue then shows how far it has got."""
    matching_round = _round_for(request.user, slug, round_id, approvals=True)
    back = _back_to_queue(matching_round, request.POST.get("back"))
    scope = request.POST.get("scope")
    if scope not in ApprovalBatch.Scope.values:
        messages.error(request, "Choose which pairs to approve.")
        return redirect(back)
    chosen = request.POST.getlist("proposal")[: selectors.REVIEW_PAGE_SIZE]
    ids = [int(v) for v in chosen if v.isascii() and v.isdigit() and len(v) < 19]
    batch = services.approval_batch_start(
        matching_round=matching_round, by=request.user, scope=scope, proposal_ids=ids
    )
    if batch is None:
        messages.info(
            request,
            "There are no pairs waiting for review there that you can approve. Pairs that "
            "are yours are left for someone else.",
        )
    return redirect(back)


@staff_required
def coordinator_round_approval(request, slug, round_id, batch_id):
    """How far approving a batch of pairs has got: the queue's progress box on a page of its
    own, for anyone without JavaScript, and for the box to ask while it runs."""
    matching_round = _round_for(request.user, slug, round_id)
    batch = get_object_or_404(
        matching_round.approval_batches.select_related("by").defer("proposal_ids"), pk=batch_id
    )
    return render(
        request,
        "matching/approval.html",
        {"programme": matching_round.programme, "round": matching_round, "batch": batch},
    )


@staff_required
def coordinator_round_unmatched(request, slug, round_id):
    """The mentees a round left without a match, grouped by why, a group and a page at a
    time."""
    matching_round = _round_for(request.user, slug, round_id)
    groups = selectors.unmatched_groups(matching_round)
    chosen = next((g for g in groups if g["key"] == request.GET.get("reason")), None)
    chosen = chosen or (groups[0] if groups else None)
    page = rows = None
    if chosen:
        page = selectors.unmatched_page(matching_round, chosen, request.GET.get("page"))
        rows = selectors.unmatched_rows(page.object_list, labels=matching_round.labels)
    return render(
        request,
        "matching/round_unmatched.html",
        {
            "programme": matching_round.programme,
            "round": matching_round,
            "groups": groups,
            "chosen": chosen,
            "page": page,
            "rows": rows,
            "total": sum(g["count"] for g in groups),
        },
    )


@staff_required
def coordinator_round_progress(request, slug, round_id):
    """Where a round is while it runs: a small page that says it (for people without
    JavaScript, whose "Check again" opens it), and with ?format=json the same words for
    round-progress.js to put in the page's live region. Reads the round's row only."""
    matching_round = _round_for(request.user, slug, round_id)
    if request.GET.get("format") == "json":
        return JsonResponse(round_progress(matching_round))
    return render(
        request,
        "matching/round_progress.html",
        {"programme": matching_round.programme, "round": matching_round},
    )


@staff_required
def coordinator_round_export(request, slug, round_id):
    matching_round = _round_for(request.user, slug, round_id)
    with transaction.atomic():
        audit_record(
            action=AuditEvent.Action.ROUND_EXPORTED,
            actor=request.user,
            obj=matching_round,
            programme=matching_round.programme,
            request=request,
        )
    snapshot, result = matching_round.snapshot_read(), matching_round.result_read()
    body = {
        "round": matching_round.pk,
        "input": snapshot,
        "output": result,
        "output_in_words": round_in_words(snapshot=snapshot, result=result),
    }
    response = HttpResponse(
        json.dumps(body, indent=1, sort_keys=True), content_type="application/json"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{matching_round.programme.slug}-round-{matching_round.pk}.json"'
    )
    return response


@staff_required
@require_POST
def coordinator_round_rerun(request, slug, round_id):
    matching_round = _round_for(request.user, slug, round_id)
    rerun = services.round_rerun(matching_round=matching_round, by=request.user)
    messages.success(request, "The round is being solved again from the same information.")
    return redirect("matching:coordinator_round_detail", slug=slug, round_id=rerun.pk)


@staff_required
@require_POST
def coordinator_round_approve(request, slug, round_id):
    matching_round = _round_for(request.user, slug, round_id)
    chosen = request.POST.getlist("proposal")
    ids = [int(value) for value in chosen if value.isdigit() and len(value) < 19]
    # Proposals of the coordinator's own stay for someone else (programmes.duties).
    proposals = matching_round.proposals.filter(
        pk__in=ids, status=Proposal.Status.PROPOSED
    ).exclude(duties.taking_part(request.user, "mentor", "mentee"))
    if not ids:
        messages.error(request, "Tick at least one proposal to approve.")
    else:
        count = services.proposals_approve(proposals=list(proposals), by=request.user)
        messages.success(
            request,
            f"You approved {count} proposal{'s' if count != 1 else ''}. "
            "We have asked each pair for their answer.",
        )
    return redirect("matching:coordinator_round_detail", slug=slug, round_id=round_id)


@staff_required
@require_POST
def coordinator_proposal_approve(request, slug, proposal_id):
    proposal = _proposal_for(request.user, slug, proposal_id)
    if yours := duties.not_yours(
        proposal.programme, request.user, duties.PROPOSAL, proposal.mentor, proposal.mentee
    ):
        messages.error(request, yours)
    elif services.proposal_approve(proposal=proposal, by=request.user):
        messages.success(
            request,
            f"Approved. We have asked {proposal.mentor} and {proposal.mentee} for their answer.",
        )
    return redirect("matching:coordinator_round_detail", slug=slug, round_id=proposal.round_id)


@staff_required
def coordinator_proposal_reject(request, slug, proposal_id):
    proposal = _proposal_for(request.user, slug, proposal_id)
    if yours := duties.not_yours(
        proposal.programme, request.user, duties.PROPOSAL, proposal.mentor, proposal.mentee
    ):
        messages.error(request, yours)
        return redirect("matching:coordinator_round_detail", slug=slug, round_id=proposal.round_id)
    form = RejectForm(posted(request))
    if request.method == "POST" and form.is_valid():
        services.proposal_reject(
            proposal=proposal, by=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(
            request, f"Rejected. {proposal.mentee} is waiting again for the next round."
        )
        return redirect("matching:coordinator_round_detail", slug=slug, round_id=proposal.round_id)
    return render(
        request,
        "matching/proposal_reject.html",
        {"programme": proposal.round.programme, "proposal": proposal, "form": form},
    )


@staff_required
def coordinator_proposal_swap(request, slug, proposal_id):
    proposal = _proposal_for(request.user, slug, proposal_id)
    if yours := duties.not_yours(
        proposal.programme, request.user, duties.PROPOSAL, proposal.mentor, proposal.mentee
    ):
        messages.error(request, yours)
        return redirect("matching:coordinator_round_detail", slug=slug, round_id=proposal.round_id)
    candidates = services.swap_candidates(proposal=proposal)
    labels = proposal.round.labels
    for candidate in candidates:
        candidate["words"] = reason_words(
            candidate["reasons"],
            reader="coordinator",
            mentor=candidate["name"],
            mentee=proposal.mentee.display_name,
            labels=labels,
        )
    form = SwapForm(posted(request), candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            replacement = services.proposal_swap(
                proposal=proposal, mentor_id=form.cleaned_data["mentor"], by=request.user
            )
        except ValidationError as error:
            form.add_error("mentor", error)
        else:
            messages.success(
                request, f"{replacement.mentor} is now proposed for {replacement.mentee}."
            )
            return redirect(
                "matching:coordinator_round_detail", slug=slug, round_id=proposal.round_id
            )
    return render(
        request,
        "matching/proposal_swap.html",
        {
            "programme": proposal.round.programme,
            "proposal": proposal,
            "candidates": candidates,
            "form": form,
        },
    )


@staff_required
def coordinator_matching_settings(request, slug):
    programme = get_programme_for_coordinator(request.user, slug)
    form = MatchingSettingsForm(posted(request), instance=programme)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            old = {"weights": programme.matching_weights}
            saved = form.save()
            audit_record(
                action=AuditEvent.Action.SETTINGS_CHANGED,
                actor=request.user,
                obj=saved,
                programme=saved,
                old=old,
                new={"weights": saved.matching_weights, "mode": saved.matching_mode},
            )
        messages.success(request, "Matching settings saved. They apply from the next round.")
        return redirect("matching:coordinator_rounds", slug=slug)
    return render(request, "matching/settings.html", {"programme": programme, "form": form})


@login_required
def proposal_answer(request, proposal_id):
    # Its mentor or mentee, while they hold that role in the programme (open_to).
    proposal = get_object_or_404(
        Proposal.objects.select_related("mentor", "mentee", "round__programme"),
        open_to(request.user, programme="round__programme"),
        pk=proposal_id,
        status__in=[Proposal.Status.APPROVED, Proposal.Status.ACCEPTED, Proposal.Status.DECLINED],
    )
    is_mentor = proposal.mentor_id == request.user.pk
    my_answer = proposal.mentor_answer if is_mentor else proposal.mentee_answer
    form = AnswerForm(posted(request))
    if request.method == "POST" and form.is_valid() and request.POST.get("answer") in {"yes", "no"}:
        accept = request.POST["answer"] == "yes"
        proposal = services.proposal_answer(
            proposal=proposal,
            person=request.user,
            accept=accept,
            reason=form.cleaned_data["reason"],
        )
        if not accept:
            messages.success(
                request, "Thank you for letting us know. We will look for another match."
            )
        elif proposal.status == Proposal.Status.ACCEPTED:
            messages.success(request, "You both said yes. Your match has started.")
        else:
            other = proposal.other_party(request.user)
            messages.success(request, f"Thank you. We will let you know when {other} has answered.")
        return redirect("portal:dashboard")
    other = proposal.other_party(request.user)
    context = {
        "proposal": proposal,
        "is_mentor": is_mentor,
        "my_answer": my_answer,
        "other": other,
        "form": form,
        # Written for whoever reads: a mentee never reads the mentor's care experience.
        "why": reason_words(
            proposal.reasons,
            reader="mentor" if is_mentor else "mentee",
            mentor=proposal.mentor.display_name,
            mentee=proposal.mentee.display_name,
            labels=proposal.round.labels,
        ),
        "mentor_profile": MentorProfile.objects.filter(user=proposal.mentor)
        .prefetch_related("languages", "topics_offered")
        .first(),
        "mentee_profile": MenteeProfile.objects.filter(user=proposal.mentee)
        .select_related("employer")
        .prefetch_related("languages", "learning_goals", "practice_areas")
        .first(),
    }
    return render(request, "matching/proposal_answer.html", context)


@role_required(Role.MENTEE)
def mentee_choose(request):
    """Mentee-choice programmes: the best few mentors for this practitioner, to ask one."""
    memberships = (
        Membership.objects.current()
        .filter(
            person=request.user,
            role=Role.MENTEE,
            programme__matching_mode=Programme.MatchingMode.MENTEE_CHOICE,
        )
        .select_related("programme")
    )
    if request.method == "POST":
        membership = next(
            (m for m in memberships if m.programme.slug == request.POST.get("programme")), None
        )
        mentor = request.POST.get("mentor", "")
        if membership is None or not mentor.isdigit() or len(mentor) > 18:
            messages.error(request, "Choose one of the mentors suggested below.")
            return redirect("matching:mentee_choose")
        try:
            proposal = services.mentee_request(
                programme=membership.programme, mentee=request.user, mentor_id=int(mentor)
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("matching:mentee_choose")
        messages.success(
            request, f"We have asked {proposal.mentor}. We will tell you when they answer."
        )
        return redirect("portal:dashboard")
    waiting = set(
        Proposal.objects.open()
        .filter(mentee=request.user)
        .values_list("round__programme_id", flat=True)
    )
    labels = reason_labels()
    programmes = [
        {
            "programme": m.programme,
            "waiting": m.programme_id in waiting,
            "suggestions": (
                []
                if m.programme_id in waiting
                else [
                    {
                        **suggestion,
                        # Written to the mentee: never the mentor's care experience.
                        "words": reason_words(
                            suggestion["reasons"],
                            reader="mentee",
                            mentor=suggestion["name"],
                            mentee=request.user.display_name,
                            labels=labels,
                        ),
                    }
                    for suggestion in services.mentee_suggestions(
                        programme=m.programme, mentee=request.user
                    )
                ]
            ),
        }
        for m in memberships
    ]
    return render(request, "matching/choose.html", {"programmes": programmes})
