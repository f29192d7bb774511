"""How hard a text is to read, as a UK reading age: the Flesch-Kincaid grade plus five (a
grade-1 reader is six years old). Pages the product shows aim for a reading age of at most 12
on any page and 9 at the median (DESIGN.md, section 7); coordinators see the reading age of
what they write as they type.

A page's text is not prose: headings, buttons, list items and table cells have no full stop.
Each line is read as a sentence of its own, so a list of short items reads as short sentences
rather than one endless one. Web and email addresses are left out: nobody sounds them out.

textstat counts words and syllables, with pyphen's dictionaries, which come inside the
pyphen package: nothing is downloaded (later textstat releases fetch a pronouncing
dictionary at run time, which is why the version is pinned)."""

from __future__ import annotations

import re

import textstat

# The grade of a text is the US school year it suits; a UK reading age is the grade plus five.
GRADE_TO_AGE = 5
MAX_READING_AGE = 12
MEDIAN_READING_AGE = 9
# Fewer words than this say too little to measure: a short page is not hard to read.
MIN_WORDS = 30

textstat.set_lang("en_GB")

_ENDS_A_SENTENCE = re.compile(r"[.!?]$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# Web and email addresses are read (or copied) whole, not sounded out: they are left out.
_ADDRESS = re.compile(r"\S+://\S+|\S+@\S+\.\S+|/\S+/")


def as_sentences(text: str) -> str:
    """The text with each non-empty line ending a sentence, and without addresses."""
    lines = (_ADDRESS.sub("", line).strip() for line in text.splitlines())
    return " ".join(line if _ENDS_A_SENTENCE.search(line) else f"{line}." for line in lines if line)


def word_count(text: str) -> int:
    return len(text.split())


def reading_age(text: str) -> float | None:
    """The UK reading age of `text`, to one decimal place; None when it is too short to say."""
    if word_count(text) < MIN_WORDS:
        return None
    return round(flesch_kincaid_grade(as_sentences(text)) + GRADE_TO_AGE, 1)


def flesch_kincaid_grade(text: str) -> float:
    """The Flesch-Kincaid grade, from textstat's word and syllable counts. Sentences are
    counted here: textstat does not count a sentence of one or two words, so on a page of
    short labels it would read one endless sentence."""
    words = textstat.lexicon_count(text)
    if not words:
        return 0.0
    sentences = max(1, len([part for part in _SENTENCE_END.split(text) if part.strip()]))
    syllables = textstat.syllable_count(text)
    return 0.39 * words / sentences + 11.8 * syllables / words - 15.59


def reading_age_words(age: float | None) -> str:
    """What a coordinator reads about the reading age of what they wrote: plain, and never
    a reason not to save."""
    if age is None:
        return ""
    shown = round(age)
    if age <= MEDIAN_READING_AGE:
        return f"Reading age: about {shown}. Most people can read this easily."
    return (
        f"Reading age: about {shown}. Aim for {MEDIAN_READING_AGE} or under: try shorter "
        "sentences and shorter words."
    )
