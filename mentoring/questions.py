"""A programme's own questions: statements it adds to its session feedback or its
co-production check (most proposed by its lived-experience panel, panel/). One rule for what
each form asks (ProgrammeQuestion.objects.asked_of), and the only code that adds or retires
a question."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from mentoring.models import ProgrammeQuestion


def question_text_clean(text: str) -> str:
    """The statement as it will be asked: spaces tidied; refused when empty or too long."""
    text = " ".join((text or "").split())
    if not text:
        raise ValidationError("Write the statement people will rate.", code="required")
    if len(text) > ProgrammeQuestion.TEXT_MAX_LENGTH:
        raise ValidationError(
            f"Keep the statement to {ProgrammeQuestion.TEXT_MAX_LENGTH} characters or fewer "
            f"(it has {len(text)}).",
            code="max_length",
        )
    return text


def programme_question_add(
    *, programme, asks_in: str, who: str, text: str, by
) -> ProgrammeQuestion:
    """Ask a new statement in every form of this kind from now on. Refused (ValidationError)
    when the same statement is already asked there."""
    if asks_in not in ProgrammeQuestion.AsksIn.values:
        raise ValidationError("Choose where the question is asked.", code="invalid_choice")
    if who not in ProgrammeQuestion.Who.values:
        raise ValidationError("Choose who is asked.", code="invalid_choice")
    text = question_text_clean(text)
    try:
        with transaction.atomic():
            return ProgrammeQuestion.objects.create(
                programme=programme, asks_in=asks_in, who=who, text=text, added_by=by
            )
    except IntegrityError:
        raise ValidationError(
            "This statement is already asked there. Change its words, or leave it as it is.",
            code="duplicate",
        ) from None


def programme_question_retire(*, question: ProgrammeQuestion, by) -> bool:
    """Stop asking the question. Its answers are kept. Returns False if it was retired
    already (a second click changes nothing)."""
    changed = ProgrammeQuestion.objects.filter(pk=question.pk, retired_at__isnull=True).update(
        retired_at=timezone.now(), retired_by=by
    )
    question.refresh_from_db(fields=["retired_at", "retired_by"])
    return bool(changed)
