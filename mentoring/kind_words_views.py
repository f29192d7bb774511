"""A mentee's few words about their mentor, for the mentor's record of contribution
(portal/contribution.py). Not feedback: the mentor reads these, and chooses whether they go
in the record, where the mentee is never named."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from core.requests import posted
from matching.access import get_match_for_person
from mentoring import services
from mentoring.forms import KindWordsForm
from mentoring.models import KindWords


@login_required
def kind_words_write(request, match_id):
    match = get_match_for_person(request.user, match_id)
    if request.user.pk != match.mentee_id:
        raise Http404("Only the mentee writes kind words about the mentor")
    written = KindWords.objects.filter(match=match).first()
    initial = {"words": written.words} if written else None
    form = KindWordsForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.kind_words_write(
                match=match, by=request.user, words=form.cleaned_data["words"]
            )
        except ValidationError as error:
            form.add_error("words", error)
        else:
            messages.success(request, f"Thank you. {match.mentor} can read what you wrote now.")
            return redirect("mentoring:match_detail", match_id=match.pk)
    return render(
        request,
        "mentoring/kind_words.html",
        {"match": match, "programme": match.programme, "form": form, "written": written},
    )
