"""The programme's own questions, for its coordinators: what the feedback and the
co-production check ask besides the fixed questions, how many answers each has (never the
answers: those are added up in the statistics), adding one and retiring one. The rules are
in mentoring/questions.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.requests import posted
from mentoring import questions
from mentoring.access import get_question_for_coordinator
from mentoring.forms import ProgrammeQuestionForm
from mentoring.models import ProgrammeQuestion
from programmes.access import get_programme_for_coordinator, staff_required
from programmes.language import warn_words


@staff_required
def coordinator_questions(request, slug):
    programme = get_programme_for_coordinator(request.user, slug)
    form = ProgrammeQuestionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            question = questions.programme_question_add(
                programme=programme, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            # Where and who were checked by the form; what is left is about the sentence.
            form.add_error("text", error)
        else:
            messages.success(
                request,
                f"Added. From now on it is asked in "
                f"{question.get_asks_in_display().lower()}: "
                f"{question.get_who_display().lower()}.",
            )
            warn_words(request, question.text, programme=programme)
            return redirect("mentoring:coordinator_questions", slug=programme.slug)
    asked = list(questions.questions_with_counts(programme))
    current = [question for question in asked if question.retired_at is None]
    return render(
        request,
        "mentoring/coordinator/questions.html",
        {
            "programme": programme,
            "form": form,
            "forms_asked": [
                (label, [question for question in current if question.asks_in == value])
                for value, label in ProgrammeQuestion.AsksIn.choices
            ],
            "retired": [question for question in asked if question.retired_at is not None],
        },
    )


@staff_required
@require_POST
def coordinator_question_retire(request, slug, question_id):
    programme = get_programme_for_coordinator(request.user, slug)
    question = get_question_for_coordinator(programme, question_id)
    if questions.programme_question_retire(question=question, by=request.user):
        messages.success(
            request, f"\u201c{question.text}\u201d is no longer asked. Its answers are kept."
        )
    else:
        messages.info(request, f"\u201c{question.text}\u201d was no longer asked already.")
    return redirect("mentoring:coordinator_questions", slug=programme.slug)
