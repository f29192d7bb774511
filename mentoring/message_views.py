"""Messages between the two people of a match: the conversation page, with its form, a list
of a person's conversations, and attaching a message to a concern. Only the mentor and the
mentee of the match open them (matching.access.get_match_for_person): coordinators and
administrators get a 404, and read a message only once one of the pair attaches it to a
concern (the coordinator's concern page)."""

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from core.requests import posted
from matching.access import get_match_for_person
from mentoring import services
from mentoring.access import get_message_for_person
from mentoring.forms import MessageAttachForm, MessageForm
from mentoring.models import Concern, Message
from mentoring.selectors import conversations_of, unread_messages_recount

# The latest messages on the page; earlier ones a page at a time.
PAGE_SIZE = 50
OVER_THE_LIMIT = (
    "You have sent a lot of messages in a short time. Wait a minute, then send this one "
    "again. It is still here."
)


@login_required
def message_inbox(request):
    return render(
        request, "mentoring/message_inbox.html", {"conversations": conversations_of(request.user)}
    )


@login_required
def match_messages(request, match_id):
    match = get_match_for_person(request.user, match_id)
    form = MessageForm(posted(request))
    if request.method == "POST" and match.is_live and form.is_valid():
        # Only a message that could be sent counts towards the limit: a mistake is free.
        if not ratelimit.consume(request, action="message_send", user=request.user):
            form.add_error("text", OVER_THE_LIMIT)
        else:
            try:
                services.message_send(match=match, by=request.user, text=form.cleaned_data["text"])
            except ValidationError as error:
                form.add_error(None, error)
                # It refuses a match that ended after this page read it as live.
                match.refresh_from_db(fields=["status", "ended_at"])
            else:
                messages.success(request, "Your message was sent.")
                return redirect("mentoring:match_messages", match_id=match.pk)
    # What the person typed, if the match ended before it could be sent: the page shows it
    # back so it can be copied, as it no longer offers the form.
    unsent = form.data.get("text", "").strip() if form.is_bound and not match.is_live else ""
    newest_first = Message.objects.filter(match=match).select_related("sender")
    page = Paginator(newest_first.order_by("-sent_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    shown = list(reversed(page.object_list))
    # Those that were new to this person, marked as such on this one showing.
    new = {m.pk for m in shown if m.read_at is None and m.sender_id != request.user.pk}
    if services.messages_read(match=match, by=request.user):
        unread_messages_recount(request.user)
    return render(
        request,
        "mentoring/match_messages.html",
        {
            "match": match,
            "programme": match.programme,
            "other": match.other_party(request.user),
            "shown": shown,
            "page": page,
            "new": new,
            "form": form,
            "is_live": match.is_live,
            "unsent": unsent,
            "kept_days": settings.MESSAGES_KEPT_DAYS,
        },
    )


@login_required
def message_attach(request, match_id, message_id):
    """Attach a message to one of the person's open concerns about this match, or raise a
    new concern with it (the concern form, with the message chosen)."""
    message = get_message_for_person(request.user, match_id, message_id)
    match = message.match
    concerns = Concern.objects.open().filter(match=match, raised_by=request.user)
    form = MessageAttachForm(posted(request), concerns=concerns)
    if request.method == "POST" and form.is_valid():
        concern = form.cleaned_data["concern"]
        try:
            services.message_attach(message=message, concern=concern, by=request.user)
        except ValidationError as error:
            form.add_error("concern", error)
        else:
            messages.success(
                request,
                "The message is attached to your concern. The coordinators who deal with it "
                "can now read it.",
            )
            return redirect("mentoring:concern_detail", match_id=match.pk, concern_id=concern.pk)
    return render(
        request,
        "mentoring/message_attach.html",
        {
            "match": match,
            "programme": match.programme,
            "other": match.other_party(request.user),
            "message": message,
            "form": form,
            "has_concerns": concerns.exists(),
        },
    )
