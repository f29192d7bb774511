"""Reasons in plain words: why each pair was proposed, and why a mentee was left unmatched.

Reasons speak to the mentee ("you") and name the mentor. Ids become words through the
round's optional `labels` (docs/matching.md, "Labels"); without a label the id is used, except
for meeting modes and free times in the usual format ("tue-eve"), which read well anyway.
"""

from collections.abc import Iterable, Mapping, Sequence

from .candidates import RULES
from .instance import IN_PERSON, Instance, Mentee, Mentor

DAYS = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
PARTS_OF_DAY = {"am": "mornings", "pm": "afternoons", "eve": "evenings"}
MODES = {"online": "online", "phone": "by phone", IN_PERSON: "in person"}
# How many items a list names before it says "and N more".
LIST_LIMIT = 4

# What each hard rule says about the mentors it ruled out: (one mentor, several mentors).
RULE_CLAUSES = {
    "language": (
        "does not speak any of your languages",
        "do not speak any of your languages",
    ),
    "mode": (
        "cannot meet you in a way you can (meeting in person needs the same region)",
        "cannot meet you in a way you can (meeting in person needs the same region)",
    ),
    "availability": (
        "is not free at any of the times you are",
        "are not free at any of the times you are",
    ),
    "off_limits": (
        "has said that one of your learning goals is off limits for them",
        "have said that one of your learning goals is off limits for them",
    ),
    "employer": (
        "cannot be matched with people who work for your employer",
        "cannot be matched with people who work for your employer",
    ),
    "excluded": (
        "has been proposed to you before",
        "have been proposed to you before",
    ),
    "capacity": (
        "has no room for another mentee this round",
        "have no room for another mentee this round",
    ),
}


def join(items: Sequence[str], word: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'; long lists end 'and 3 more'."""
    items = list(items)
    if len(items) > LIST_LIMIT:
        shown = LIST_LIMIT - 1
        items = [*items[:shown], f"{len(items) - shown} more"]
        word = "and"
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def in_sentence(label: str) -> str:
    """'Foster care' -> 'foster care', so a label reads inside a sentence; leaves names that
    look like proper nouns or acronyms ('BSL', 'Children's Trust') alone."""
    words = label.split(" ")
    first = words[0]
    if len(first) > 1 and first[0].isupper() and first[1:].islower():
        rest_capitalised = any(w[:1].isupper() for w in words[1:])
        if not rest_capitalised:
            return first[0].lower() + label[1:]
    return label


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


class Wording:
    """Turns ids into words using the round's labels."""

    def __init__(self, labels: Mapping[str, Mapping[str, str]]) -> None:
        self.labels = labels

    def label(self, kind: str, key: str) -> str:
        return self.labels.get(kind, {}).get(key, key)

    def languages(self, keys: Iterable[str]) -> list[str]:
        return [self.label("languages", k) for k in sorted(keys)]

    def topics(self, keys: Iterable[str]) -> list[str]:
        return [in_sentence(self.label("topics", k)) for k in sorted(keys)]

    def experience(self, keys: Iterable[str]) -> list[str]:
        return [in_sentence(self.label("experience", k)) for k in sorted(keys)]

    def areas(self, keys: Iterable[str]) -> list[str]:
        return [in_sentence(self.label("practice_areas", k)) for k in sorted(keys)]

    def region(self, key: str) -> str:
        return self.label("regions", key)

    def modes(self, keys: Iterable[str]) -> list[str]:
        order = list(MODES)
        ranked = sorted(keys, key=lambda k: (order.index(k) if k in order else len(order), k))
        return [self.labels.get("modes", {}).get(k) or MODES.get(k, k) for k in ranked]

    def slots(self, keys: Iterable[str]) -> list[str]:
        days, parts = list(DAYS), list(PARTS_OF_DAY)

        def week_order(key: str) -> tuple:
            day, _, part = key.partition("-")
            if day in DAYS and part in PARTS_OF_DAY:
                return (days.index(day), parts.index(part), key)
            return (len(days), 0, key)

        words = []
        for key in sorted(keys, key=week_order):
            day, _, part = key.partition("-")
            default = (
                f"{DAYS[day]} {PARTS_OF_DAY[part]}" if day in DAYS and part in PARTS_OF_DAY else key
            )
            words.append(self.labels.get("slots", {}).get(key, default))
        return words


def pair_reasons(instance: Instance, wording: Wording, mentor: Mentor, mentee: Mentee) -> list[str]:
    """Why this mentor suits this mentee, strongest reasons first."""
    reasons = []
    name = mentor.name
    goals = mentee.goals & mentor.offers
    if goals:
        topics = join(wording.topics(goals))
        if len(goals) == len(mentee.goals) == 1:
            reasons.append(f"{name} can help with your learning goal: {topics}.")
        elif len(goals) == len(mentee.goals):
            reasons.append(f"{name} can help with all your learning goals: {topics}.")
        else:
            reasons.append(
                f"{name} can help with {len(goals)} of your {len(mentee.goals)} "
                f"learning goals: {topics}."
            )
    lived, worked = set(), set()
    for experience in mentor.experience:
        areas = instance.relevance.get(experience, frozenset()) & mentee.practice_areas
        if areas:
            lived.add(experience)
            worked |= areas
    if lived:
        reasons.append(
            f"{name} has lived experience of {join(wording.experience(lived))}; "
            f"you work in {join(wording.areas(worked))}."
        )
    languages = mentor.languages & mentee.languages
    reasons.append(f"You both speak {join(wording.languages(languages))}.")
    slots = mentor.availability & mentee.availability
    reasons.append(f"You are both free on {join(wording.slots(slots))}.")
    same_region = mentor.region is not None and mentor.region == mentee.region
    modes = mentor.modes & mentee.modes
    if not same_region:
        modes = modes - {IN_PERSON}
    reasons.append(f"You can both meet {join(wording.modes(modes), 'or')}.")
    if same_region:
        reasons.append(f"You are in the same region: {wording.region(mentor.region)}.")
    if instance.weights.waiting > 0 and mentee.waiting_days >= 1:
        days = int(mentee.waiting_days)
        reasons.append(
            f"You have been waiting {plural(days, 'day', 'days')}, so you were given some priority."
        )
    return reasons


def no_candidate_reasons(n_mentors: int, ruled_out: Sequence[int]) -> tuple[list[str], str | None]:
    """Reasons for a mentee whom no mentor could be matched with, and the rule that ruled
    out the most mentors (the first in RULES order on a tie)."""
    if n_mentors == 0:
        return ["There are no mentors in this round."], None
    most = max(range(len(RULES)), key=lambda r: (ruled_out[r], -r))
    rule, count = RULES[most], int(ruled_out[most])
    one, many = RULE_CLAUSES[rule]
    if n_mentors == 1:
        detail = f"The one mentor in this round {one}."
    else:
        detail = f"{count} of the {n_mentors} mentors {one if count == 1 else many}."
    return ["No mentor meets all the rules for you this round.", detail], rule


def no_fit_reasons(allowed: int) -> list[str]:
    who = "1 mentor meets" if allowed == 1 else f"{allowed} mentors meet"
    return [f"{who} all the rules for you, but none is a close enough fit to propose this round."]


def taken_reasons(allowed: int) -> list[str]:
    if allowed == 1:
        return [
            "1 mentor meets all the rules for you, "
            "but they were needed for someone else this round."
        ]
    return [
        f"{allowed} mentors meet all the rules for you, "
        "but they were all needed for other people this round."
    ]
