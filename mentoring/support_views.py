"""Support pages: a mentor's check-in after a session, asking a coordinator for a chat
(without a match, or "I'm finding this hard" as a mentee), and the coordinators' list of
requests to talk. The rules are in mentoring/support.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from core.requests import add_refusal, posted
from mentoring import support
from mentoring.access import (
    get_match_for_mentee,
    get_programme_for_member,
    get_session_for_mentor,
    get_talk_request_for_coordinator,
)
from mentoring.forms import CheckInForm, TalkRecordForm, TalkRequestForm
from mentoring.models import TalkRequest
from programmes.access import get_programme_for_coordinator, staff_required


@login_required
def session_check_in(request, session_id):
    session = get_session_for_mentor(request.user, session_id)
    done = support.check_in_of(session, request.user)
    allowed = support.can_check_in(session, request.user)
    form = CheckInForm(posted(request) if allowed and done is None else None)
    if request.method == "POST" and allowed and done is None and form.is_valid():
        try:
            check_in = support.check_in_give(
                session=session,
                by=request.user,
                feeling=form.cleaned_data["feeling"],
                note=form.cleaned_data["note"],
                wants_chat=form.cleaned_data["wants_chat"],
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            if check_in.talk_request_id:
                messages.success(
                    request, "Thank you. A coordinator will get in touch for a chat soon."
                )
            else:
                messages.success(request, "Thank you. Only you can see what you said.")
            return redirect("mentoring:session_check_in", session_id=session.pk)
    elif request.method == "POST" and done is not None:
        messages.info(request, "You have already told us how this session was for you.")
    return render(
        request,
        "mentoring/check_in.html",
        {
            "session": session,
            "match": session.match,
            "programme": session.match.programme,
            "form": form,
            "done": done,
            "allowed": allowed,
        },
    )


def _ask(request, *, programme, match, template):
    # Someone who had no match when they followed the link may have one now: the page says
    # where to ask instead, and offers no form.
    can_ask = match is not None or programme in support.programmes_without_match(request.user)
    form = TalkRequestForm(posted(request) if can_ask else None)
    if request.method == "POST" and can_ask and form.is_valid():
        try:
            made = support.talk_request_ask(
                programme=programme, by=request.user, match=match, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            if made is None:
                messages.info(
                    request,
                    "You have already asked for a chat. A coordinator will get in touch soon.",
                )
            else:
                messages.success(
                    request, "Thank you. We have told your coordinators. One will be in touch soon."
                )
            if match is None:
                return redirect("portal:dashboard")
            return redirect("mentoring:match_detail", match_id=match.pk)
    asked = TalkRequest.objects.filter(person=request.user, programme=programme)
    asked = asked.filter(match=match) if match is not None else asked.filter(match__isnull=True)
    return render(
        request,
        template,
        {
            "programme": programme,
            "match": match,
            "form": form,
            "asked": asked,
            "can_ask": can_ask,
        },
    )


@login_required
def talk_ask(request, slug):
    programme = get_programme_for_member(request.user, slug)
    return _ask(request, programme=programme, match=None, template="mentoring/talk_ask.html")


@login_required
def finding_it_hard(request, match_id):
    match = get_match_for_mentee(request.user, match_id)
    return _ask(
        request, programme=match.programme, match=match, template="mentoring/finding_it_hard.html"
    )


@staff_required
def coordinator_talk(request, slug):
    programme = get_programme_for_coordinator(request.user, slug)
    requests = list(support.talk_requests_open(programme, request.user)[:200])
    return render(
        request,
        "mentoring/coordinator/talk.html",
        {"programme": programme, "talk_requests": requests},
    )


@staff_required
def coordinator_talk_detail(request, slug, request_id):
    programme = get_programme_for_coordinator(request.user, slug)
    talk = get_talk_request_for_coordinator(programme, request_id, request.user)
    form = TalkRecordForm(posted(request), initial={"talked_on": timezone.localdate().isoformat()})
    if request.method == "POST" and talk.talked_on is None and form.is_valid():
        try:
            recorded = support.talk_record(
                request=talk, by=request.user, talked_on=form.cleaned_data["talked_on"]
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            if recorded:
                messages.success(request, f"Saved. We have told {talk.person} you talked.")
            else:
                messages.info(request, "Someone else has already recorded this chat.")
            return redirect("mentoring:coordinator_talk", slug=programme.slug)
    elif request.method == "POST" and talk.talked_on is not None:
        messages.info(request, "This chat has already been recorded.")
    return render(
        request,
        "mentoring/coordinator/talk_detail.html",
        {"programme": programme, "talk": talk, "form": form},
    )
