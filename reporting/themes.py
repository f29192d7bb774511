"""Themes from comments: what people's comments are about, never what they say.

People may write a comment with their session feedback and their co-production checks. The
statistics count, for each theme below, how many comments mention it and how many different
people wrote them; the comments themselves never leave the database for a page, a file or
JSON. A comment mentions a theme when it holds one of the theme's words or phrases.

Whole words only, in any case: "pay" does not match "payment", "repay" or "paying". Each
theme lists the forms it means instead (pay, paid, payment, ...), because parts of words
would count the wrong comments: "time" is in "sometimes", "care" in "career", "hear" in
"heart", "rate" in "separate". A phrase matches across spaces, line breaks and hyphens
("face to face", "face-to-face"). A comment can mention several themes.

Pure Python, no Django: the statistics fetch the comments and call themes_in() on each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Theme:
    key: str
    name: str  # what the table calls it
    about: str  # one line: what it covers
    marks: tuple[str, ...]  # words and phrases that mark it, lower case
    pattern: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if not self.marks:
            raise ValueError(f"theme {self.key!r} has no words")
        phrases = sorted({_phrase(mark) for mark in self.marks}, key=len, reverse=True)
        # (?<!\w) and (?!\w) rather than \b: a mark may start or end with a hyphen or a
        # quote, and \w is Unicode, so "café" is one word.
        pattern = re.compile(rf"(?<!\w)(?:{'|'.join(phrases)})(?!\w)", re.IGNORECASE)
        object.__setattr__(self, "pattern", pattern)

    def found_in(self, text: str) -> bool:
        return self.pattern.search(text) is not None


def _phrase(mark: str) -> str:
    words = mark.strip().lower().replace("-", " ").split()
    if not words:
        raise ValueError("an empty word in a theme")
    return r"[\s\-]+".join(re.escape(word) for word in words)


THEMES: tuple[Theme, ...] = (
    Theme(
        "listened",
        "Being listened to",
        "Feeling heard, asked what they think and taken seriously.",
        (
            "listen",
            "listens",
            "listened",
            "listening",
            "heard",
            "not heard",
            "taken seriously",
            "ignored",
            "asked what I think",
            "asked what I thought",
            "my voice",
            "a say",
        ),
    ),
    Theme(
        "workload",
        "Time and workload",
        "Having enough time, being busy or rushed, and pressure of work.",
        (
            "workload",
            "caseload",  # language: quoted
            "busy",
            "rushed",
            "ran out of time",
            "run out of time",
            "no time",
            "not enough time",
            "more time",
            "short of time",
            "too much",
            "pressure",
            "overloaded",
            "deadline",
            "deadlines",
        ),
    ),
    Theme(
        "pay",
        "Pay and money",
        "Being paid, fees, expenses and money worries.",
        (
            "pay",
            "paid",
            "unpaid",
            "payment",
            "payments",
            "money",
            "fee",
            "fees",
            "expense",
            "expenses",
            "voucher",
            "vouchers",
            "benefits",
            "out of pocket",
            "wage",
            "wages",
            "cost",
            "costs",
        ),
    ),
    Theme(
        "words",
        "Plain words and jargon",
        "Plain language, hard words, short forms and jargon.",
        (
            "jargon",
            "plain english",
            "plain language",
            "plain words",
            "acronym",
            "acronyms",
            "abbreviation",
            "abbreviations",
            "long words",
            "wording",
            "language",
            "the words",
        ),
    ),
    Theme(
        "online",
        "Meeting online or in person",
        "Video calls, phone calls and meeting face to face.",
        (
            "online",
            "in person",
            "face to face",
            "video",
            "call",
            "calls",
            "zoom",
            "camera",
            "connection",
            "signal",
            "wifi",
            "wi-fi",
            "phone",
            "dropping",
            "meet up",
            "met up",
        ),
    ),
    Theme(
        "power",
        "Power and equality",
        "Being an equal partner, respect, and who holds the power.",
        (
            "power",
            "powerful",
            "powerless",
            "equal",
            "equals",
            "equality",
            "partner",
            "partners",
            "partnership",
            "respect",
            "respected",
            "talked down",
            "looked down",
            "just told",
            "told what to do",
        ),
    ),
    Theme(
        "valued",
        "Feeling valued",
        "Being thanked, trusted and valued for what they bring.",
        (
            "valued",
            "value",
            "appreciated",
            "appreciate",
            "thanked",
            "thank you",
            "recognised",
            "worthwhile",
            "made a difference",
            "trusted",
            "proud",
            "confident",
            "more confident",
        ),
    ),
    Theme(
        "system",
        "Understanding the care system",
        "Learning how care and services feel from the inside.",
        (
            "care system",
            "in care",
            "care experience",
            "care experienced",
            "review",
            "reviews",
            "home visit",
            "home visits",
            "foster",
            "fostering",
            "children's home",
            "leaving care",
            "other side",
            "social worker",
            "social workers",
            "social work",
            "reports",
        ),
    ),
    Theme(
        "support",
        "Support and wellbeing",
        "Feeling supported, safe and well, or finding things hard.",
        (
            "support",
            "supported",
            "supportive",
            "wellbeing",
            "well being",
            "mental health",
            "stress",
            "stressed",
            "upset",
            "struggling",
            "struggle",
            "worried",
            "safe",
            "tired",
            "check in",
        ),
    ),
    Theme(
        "travel",
        "Times and travel",
        "When sessions happen, getting there, and changes of plan.",
        (
            "travel",
            "travelling",
            "journey",
            "bus",
            "train",
            "drive",
            "driving",
            "parking",
            "late",
            "evening",
            "evenings",
            "weekend",
            "weekends",
            "cancelled",
            "rearrange",
            "rearranged",
        ),
    ),
)


def themes_in(text: str) -> list[str]:
    """The keys of the themes a comment mentions, in the order of THEMES."""
    if not text:
        return []
    return [theme.key for theme in THEMES if theme.found_in(text)]


def count_themes(comments) -> dict[tuple[str, object], dict[str, int]]:
    """From (period, person, text) for each comment, {(theme key, period): {"comments": n,
    "people": m}} over every theme and every period seen. A comment whose writer is gone
    (person None) counts as the same one person as every other such comment: that can
    only make the number of people smaller, so more figures are hidden, never fewer."""
    comments_seen: dict[tuple, int] = {}
    writers: dict[tuple, set] = {}
    periods = set()
    for period, person, text in comments:
        periods.add(period)
        for key in themes_in(text):
            comments_seen[(key, period)] = comments_seen.get((key, period), 0) + 1
            writers.setdefault((key, period), set()).add(person)
    return {
        (theme.key, period): {
            "comments": comments_seen.get((theme.key, period), 0),
            "people": len(writers.get((theme.key, period), ())),
        }
        for theme in THEMES
        for period in periods
    }
