"""The lived-experience panel's pages: its home, proposals and votes, the propose and
publish forms, "You said, we did" for every member; the coordinator's panel page and the
decide form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from core.choices import Role
from core.requests import add_refusal, posted
from panel import services
from panel.access import get_programme_for_reader, get_proposal
from panel.forms import AddMemberForm, DecideForm, EntryForm, ProposalForm, VoteForm
from panel.models import Vote
from panel.selectors import entries_of, panel_candidates, panel_seats, proposals_of
from programmes import duties
from programmes.access import (
    get_programme_for_coordinator,
    get_programme_for_panel,
    panel_programmes,
    role_required,
    staff_required,
)

# The panel's members


@role_required(Role.PANEL)
def panel_home(request, slug):
    programme = get_programme_for_panel(request.user, slug)
    proposals = list(proposals_of(programme))
    return render(
        request,
        "panel/home.html",
        {
            "programme": programme,
            "open_proposals": [p for p in proposals if p.is_open],
            "decided_proposals": [p for p in proposals if not p.is_open],
            "seats": panel_seats(programme),
        },
    )


@role_required(Role.PANEL)
def proposal_new(request, slug):
    programme = get_programme_for_panel(request.user, slug)
    form = ProposalForm(posted(request), programme=programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.proposal_make(
                programme=programme,
                by=request.user,
                about=data["about"],
                change=data["change"],
                why=data["why"],
                question_text=data["question_text"],
                asks_in=data["asks_in"],
                who=data["who"],
                question=data["question"],
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, "Your proposal is open for the panel's votes.")
            return redirect("panel:proposal_detail", slug=programme.slug, proposal_id=proposal.pk)
    return render(request, "panel/proposal_new.html", {"programme": programme, "form": form})


@role_required(Role.PANEL)
def proposal_detail(request, slug, proposal_id):
    programme = get_programme_for_panel(request.user, slug)
    proposal = get_proposal(programme, proposal_id)
    mine = Vote.objects.filter(proposal=proposal, person=request.user).first()
    initial = {"vote": "for" if mine.in_favour else "against"} if mine else {}
    form = VoteForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.vote_cast(
                proposal=proposal, by=request.user, in_favour=form.cleaned_data["vote"] == "for"
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Your vote is saved. You can change it while it is open.")
        return redirect("panel:proposal_detail", slug=programme.slug, proposal_id=proposal.pk)
    return render(
        request,
        "panel/proposal_detail.html",
        {"programme": programme, "proposal": proposal, "form": form, "my_vote": mine},
    )


@role_required(Role.PANEL)
def entry_new(request, slug):
    programme = get_programme_for_panel(request.user, slug)
    initial = {}
    if proposal_id := request.GET.get("proposal", "").strip():
        initial["proposal"] = proposal_id if proposal_id.isdigit() else None
    form = EntryForm(posted(request), programme=programme, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.entry_publish(
                programme=programme,
                by=request.user,
                said=data["said"],
                did=data["did"],
                proposal=data["proposal"],
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, "Your entry is published. Every member can read it.")
            return redirect("panel:you_said_we_did", slug=programme.slug)
    return render(request, "panel/entry_new.html", {"programme": programme, "form": form})


@login_required
def you_said_we_did(request, slug):
    programme = get_programme_for_reader(request.user, slug)
    return render(
        request,
        "panel/you_said_we_did.html",
        {
            "programme": programme,
            "entries": entries_of(programme),
            "on_panel": panel_programmes(request.user).filter(pk=programme.pk).exists(),
        },
    )


# Coordinators


@staff_required
def coordinator_panel(request, slug):
    programme = get_programme_for_coordinator(request.user, slug)
    candidates = panel_candidates(programme)
    form = AddMemberForm(posted(request), candidates=candidates)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]
        try:
            services.panel_member_add(programme=programme, person=person, by=request.user)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, f"{person} now sits on the panel. We told them.")
            return redirect("panel:coordinator_panel", slug=programme.slug)
    proposals = list(proposals_of(programme))
    for proposal in proposals:
        proposal.not_yours = duties.not_yours(
            programme, request.user, services.OWN_PROPOSAL, proposal.proposed_by
        )
    return render(
        request,
        "panel/coordinator_panel.html",
        {
            "programme": programme,
            "form": form,
            "has_candidates": candidates.exists(),
            "open_proposals": [p for p in proposals if p.is_open],
            "decided_proposals": [p for p in proposals if not p.is_open],
            "seats": panel_seats(programme),
        },
    )


@staff_required
def coordinator_proposal(request, slug, proposal_id):
    programme = get_programme_for_coordinator(request.user, slug)
    proposal = get_proposal(programme, proposal_id)
    not_yours = duties.not_yours(
        programme, request.user, services.OWN_PROPOSAL, proposal.proposed_by
    )
    form = DecideForm(posted(request), proposal=proposal)
    if request.method == "POST" and (not proposal.is_open or not_yours):
        messages.error(request, not_yours or "This proposal is decided already.")
        return redirect("panel:coordinator_proposal", slug=programme.slug, proposal_id=proposal.pk)
    if request.method == "POST" and form.is_valid():
        accept = form.cleaned_data["outcome"] == "accept"
        try:
            decided = services.proposal_decide(
                proposal=proposal,
                by=request.user,
                accept=accept,
                decision=form.cleaned_data["decision"],
                question_text=form.cleaned_data.get("question_text") or None,
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            if decided:
                messages.success(
                    request,
                    f"The proposal is {'accepted' if accept else 'declined'}. "
                    "We told the panel and the person who proposed it.",
                )
            else:
                messages.error(request, "This proposal is decided already.")
            return redirect("panel:coordinator_panel", slug=programme.slug)
    return render(
        request,
        "panel/coordinator_proposal.html",
        {
            "programme": programme,
            "proposal": proposal,
            "form": form,
            "not_yours": not_yours,
        },
    )
