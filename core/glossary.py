"""Words Alongside must keep, because people meet them elsewhere (Social Work England, the
DWP, their programme), each with one plain definition. The glossary page lists them, and
`{% glossary "CPD" %}` (core/templatetags/glossary.py) links a word where a page first
uses it. Words we could say more plainly are not here: the care-language checker swaps them."""

from dataclasses import dataclass

from django.utils.text import slugify


@dataclass(frozen=True)
class Term:
    word: str
    meaning: str

    @property
    def anchor(self) -> str:
        """The id of the word's entry on the glossary page: "universal-credit"."""
        return slugify(self.word)


TERMS: tuple[Term, ...] = (
    Term(
        "assessment period",
        "The month that Universal Credit looks at to work out your payment. It starts on the "
        "same day each month. Pay counts in the assessment period it is paid in.",
    ),
    Term(
        "co-production",
        "Working together as equals. People with experience of care and people who work in "
        "care share what they know, and share the decisions.",
    ),
    Term(
        "CPD",
        "Continuing professional development. It means learning that keeps a social worker's "
        "skills up to date. Social workers must record some CPD every year.",
    ),
    Term(
        "expert by experience",
        "An adult who grew up in care, or had help from children's services. They use what "
        "they learned to help others. In Alongside, experts by experience are the mentors.",
    ),
    Term(
        "induction",
        "A first meeting with a coordinator before a mentor starts. It covers how mentoring "
        "works, how you are paid and how to get help.",
    ),
    Term(
        "PCF",
        "The Professional Capabilities Framework. It is a list of nine areas of skill for "
        "social workers, called domains. You can tick the ones a journal entry is about.",
    ),
    Term(
        "safeguarding",
        "Keeping people safe from harm. If anyone may be at risk, a coordinator must be told.",
    ),
    Term(
        "Social Work England",
        "The organisation that registers social workers in England. It asks them to record "
        "their CPD each year.",
    ),
    Term(
        "two-factor authentication",
        "A second check when you sign in, as well as your password. You type a code from an "
        "app on your phone. Staff must use it because they see personal information.",
    ),
    Term(
        "Universal Credit",
        "A benefit paid each month to people on a low income or out of work. What you earn "
        "can change how much you get.",
    ),
)

_BY_WORD = {term.word.lower(): term for term in TERMS}


def term_for(word: str) -> Term:
    """The entry for `word`, whatever its case; a word not in the glossary is a mistake in
    the template that links it, so it fails loudly (KeyError)."""
    return _BY_WORD[word.lower()]
