"""The care-language checker for text coordinators write: the shared list
(core.language) plus the words their organisation added. Never blocks saving: views show
what was found, and the reading age of what they wrote, and the person decides."""

from django.contrib import messages

from core.language import Finding, Term, find_terms
from core.readability import MEDIAN_READING_AGE, reading_age, reading_age_words
from programmes.models import OrganisationTerm, Programme


def terms_for(programme: Programme) -> list[Term]:
    """The organisation's own terms, for text written in one of its programmes."""
    return [
        Term(words=(term.word,), alternative=term.alternative, why=term.why)
        for term in OrganisationTerm.objects.filter(organisation_id=programme.organisation_id)
    ]


def check_text(text: str, *, programme: Programme) -> list[Finding]:
    return find_terms(text or "", extra=terms_for(programme))


def found_words(*texts: str, programme: Programme) -> list[str]:
    """One gentle sentence per word found in the texts, each word once."""
    extra = terms_for(programme)
    seen, sentences = set(), []
    for text in texts:
        for finding in find_terms(text or "", extra=extra):
            key = finding.term.lower()
            if key not in seen:
                seen.add(key)
                sentences.append(finding.sentence())
    return sentences


def warn_words(request, *texts: str, programme: Programme) -> None:
    """After saving text written for people: say which listed words it used, gently. The
    text is saved already; the coordinator decides whether to change it."""
    for sentence in found_words(*texts, programme=programme):
        messages.warning(request, sentence)
    age = reading_age("\n".join(text or "" for text in texts))
    if age is not None and age > MEDIAN_READING_AGE:
        messages.info(request, reading_age_words(age))
