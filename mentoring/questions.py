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


def questions_for_form(
    *, programme, asks_in: str, role: str, shown: list[int] | None = None
) -> list[ProgrammeQuestion]:
    """The programme's own questions a form asks. Shown for the first time (`shown` is None):
    those asked now. Sent back: the ones that were shown, by the ids the form carried, even
    if one was retired meanwhile, so nothing typed is lost; one added meanwhile is asked
    next time, never sprung on someone pressing Send."""
    if shown is None:
        return list(ProgrammeQuestion.objects.asked_of(programme, asks_in, role))
    return list(
        ProgrammeQuestion.objects.filter(
            programme=programme,
            asks_in=asks_in,
            who__in=[ProgrammeQuestion.Who.BOTH, role],
            pk__in=shown,
        )
    )


def programme_answers_save(
    *, programme_id: int, asks_in: str, role: str, answers: dict[int, int], **given_with
) -> None:
    """Save one person's ratings of the programme's own questions with the feedback or check
    they came with (`feedback=` or `coproduction_check=`), in its transaction. Refused when a
    question is not one this form could have asked them."""
    from mentoring.models import AGREEMENT, ProgrammeAnswer

    if not answers:
        return
    allowed = set(
        ProgrammeQuestion.objects.filter(
            programme_id=programme_id,
            asks_in=asks_in,
            who__in=[ProgrammeQuestion.Who.BOTH, role],
            pk__in=list(answers),
        ).values_list("pk", flat=True)
    )
    scale = {value for value, _ in AGREEMENT}
    if set(answers) - allowed or set(answers.values()) - scale:
        raise ValidationError("Answer every question with one of the answers given.")
    ProgrammeAnswer.objects.bulk_create(
        ProgrammeAnswer(question_id=pk, value=value, **given_with) for pk, value in answers.items()
    )


def questions_with_counts(programme):
    """Every question the programme has asked, current and retired, each with how many
    answers it has (`answer_count`), in one query. Never the answers themselves."""
    from django.db.models import Count

    return (
        ProgrammeQuestion.objects.filter(programme=programme)
        .annotate(answer_count=Count("answers"))
        .order_by("asks_in", "added_at", "id")
    )
