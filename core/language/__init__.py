"""The care-language checker: finds words we avoid in a text and says what to say instead.

The list lives in `terms.toml` beside this file (docs/language.md says how to add a term).
Matching is whole-word and case-insensitive; a phrase matches across any spaces or line
breaks; a word inside one of its term's safe phrases ("in case", "contact with us") is left
alone; where phrases overlap, the longest wins ("case notes", not "case").

This module imports no app of ours: organisations' own terms are passed in as `extra`."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

TERMS_FILE = Path(__file__).with_name("terms.toml")
KINDS = ("care-system", "officialese", "system word", "organisation")


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    alternative: str
    why: str
    kind: str = "organisation"
    allow: tuple[str, ...] = ()

    @property
    def word(self) -> str:
        return self.words[0]


@dataclass(frozen=True)
class Finding:
    term: str  # the words as found in the text
    alternative: str
    why: str
    position: int  # offset of the first character in the text
    kind: str = field(default="", compare=False)

    def sentence(self) -> str:
        """The gentle sentence a coordinator reads."""
        who = {
            "care-system": "Many people with care experience prefer",
            "organisation": "Your organisation prefers",
        }.get(self.kind, "A plainer word is")
        return (
            f"You used \u2018{self.term}\u2019. {who} \u2018{self.alternative}\u2019. "
            f"{self.why} You can change it, or keep it."
        )


def _pattern(phrase: str) -> str:
    # Whole word: no letter, digit, underscore or hyphen either side. Spaces in a phrase
    # match any run of whitespace, so a phrase split over two lines is still found.
    parts = [re.escape(part) for part in phrase.split()]
    return r"(?<![\w-])" + r"\s+".join(parts) + r"(?![\w-])"


@dataclass(frozen=True)
class _Compiled:
    term: Term
    words: re.Pattern
    allow: re.Pattern | None


def _compile(term: Term) -> _Compiled:
    words = sorted({w for w in term.words if w.strip()}, key=len, reverse=True)
    allow = sorted({a for a in term.allow if a.strip()}, key=len, reverse=True)
    return _Compiled(
        term=term,
        words=re.compile("|".join(_pattern(w) for w in words), re.IGNORECASE),
        allow=re.compile("|".join(_pattern(a) for a in allow), re.IGNORECASE) if allow else None,
    )


def load_terms(path: Path = TERMS_FILE) -> tuple[Term, ...]:
    with open(path, "rb") as file:
        data = tomllib.load(file)
    return tuple(
        Term(
            words=tuple(entry["words"]),
            alternative=entry["alternative"],
            why=entry["why"],
            kind=entry["kind"],
            allow=tuple(entry.get("allow", ())),
        )
        for entry in data["term"]
    )


@lru_cache(maxsize=1)
def _base() -> tuple[_Compiled, ...]:
    return tuple(_compile(term) for term in load_terms())


def base_terms() -> tuple[Term, ...]:
    return tuple(compiled.term for compiled in _base())


def find_terms(text: str, extra: Iterable[Term] = ()) -> list[Finding]:
    """Every listed word in `text`, in the order they appear, as findings of
    (term, alternative, why, position). `extra` adds terms (an organisation's own)."""
    if not text:
        return []
    compiled = list(_base()) + [
        _compile(term) for term in extra if any(w.strip() for w in term.words)
    ]
    candidates: list[tuple[int, int, Term]] = []
    for entry in compiled:
        safe = [m.span() for m in entry.allow.finditer(text)] if entry.allow else []
        for match in entry.words.finditer(text):
            start, end = match.span()
            if any(s <= start and end <= e for s, e in safe):
                continue
            candidates.append((start, end, entry.term))
    # The longest match wins where two terms overlap ("placement breakdown" over "placement").
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    findings: list[Finding] = []
    taken_until = -1
    for start, end, term in candidates:
        if start < taken_until:
            continue
        taken_until = end
        findings.append(
            Finding(
                term=" ".join(text[start:end].split()),
                alternative=term.alternative,
                why=term.why,
                position=start,
                kind=term.kind,
            )
        )
    return findings
