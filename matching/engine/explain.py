"""Reasons: why each pair was proposed, and why a mentee was left unmatched.

The engine writes reasons as data, never as sentences: each is a small dict with a `code`
and the ids it needs, and no names (docs/matching.md, "Reasons"). So the stored result holds
nothing about a person but ids, and the same reasons can be put into words for whoever reads
them: the mentee ("you", never the mentor's care experience), the mentor ("you", with their
own experience) or a coordinator (both names, in the third person). `words` does that, given
the names and the round's `labels`, here and nowhere else.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .candidates import RULES
from .instance import IN_PERSON, Instance, Mentee, Mentor

MENTEE, MENTOR, COORDINATOR = "mentee", "mentor", "coordinator"
READERS = (MENTEE, MENTOR, COORDINATOR)

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


# The reasons, as data.


def pair_reasons(instance: Instance, mentor: Mentor, mentee: Mentee) -> list[dict[str, Any]]:
    """Why this mentor suits this mentee, strongest reasons first."""
    reasons: list[dict[str, Any]] = []
    goals = mentee.goals & mentor.offers
    if goals:
        reasons.append({"code": "goals", "topics": sorted(goals), "of": len(mentee.goals)})
    lived, worked = set(), set()
    for experience in mentor.experience:
        areas = instance.relevance.get(experience, frozenset()) & mentee.practice_areas
        if areas:
            lived.add(experience)
            worked |= areas
    if lived:
        reasons.append(
            {"code": "experience", "experience": sorted(lived), "practice_areas": sorted(worked)}
        )
    reasons.append({"code": "languages", "languages": sorted(mentor.languages & mentee.languages)})
    reasons.append({"code": "times", "slots": sorted(mentor.availability & mentee.availability)})
    same_region = mentor.region is not None and mentor.region == mentee.region
    modes = mentor.modes & mentee.modes
    if not same_region:
        modes = modes - {IN_PERSON}
    reasons.append({"code": "modes", "modes": sorted(modes)})
    if same_region:
        reasons.append({"code": "region", "region": mentor.region})
    if instance.weights.waiting > 0 and mentee.waiting_days >= 1:
        reasons.append({"code": "waiting", "days": int(mentee.waiting_days)})
    return reasons


def no_candidate_reasons(n_mentors: int, ruled_out: Sequence[int]) -> tuple[list[dict], str | None]:
    """Reasons for a mentee whom no mentor could be matched with, and the rule that ruled
    out the most mentors (the first in RULES order on a tie)."""
    if n_mentors == 0:
        return [{"code": "no_mentors"}], None
    most = max(range(len(RULES)), key=lambda r: (ruled_out[r], -r))
    rule, count = RULES[most], int(ruled_out[most])
    return [{"code": "ruled_out", "rule": rule, "mentors": count, "of": n_mentors}], rule


def no_fit_reasons(allowed: int) -> list[dict]:
    return [{"code": "no_good_fit", "mentors": allowed}]


def taken_reasons(allowed: int) -> list[dict]:
    return [{"code": "needed_elsewhere", "mentors": allowed}]


# The reasons in words, for one reader.


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

    def __init__(self, labels: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self.labels = labels or {}

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


# What each hard rule says about the mentors it ruled out, (one mentor, several), to the
# mentee and to a coordinator. Told to the mentee, the employer rule never says why: it
# comes from the councils that looked after the mentor, which is their care history.
RULES_TO_MENTEE = {
    "language": ("does not speak any of your languages", "do not speak any of your languages"),
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
    "excluded": ("has been proposed to you before", "have been proposed to you before"),
    "capacity": (
        "has no room for another mentee this round",
        "have no room for another mentee this round",
    ),
}
RULES_TO_COORDINATOR = {
    "language": ("does not speak any of {p}'s languages", "do not speak any of {p}'s languages"),
    "mode": (
        "cannot meet in a way {p} can (meeting in person needs the same region)",
        "cannot meet in a way {p} can (meeting in person needs the same region)",
    ),
    "availability": (
        "is not free at any of the times {p} is",
        "are not free at any of the times {p} is",
    ),
    "off_limits": (
        "has said that one of {p}'s learning goals is off limits for them",
        "have said that one of {p}'s learning goals is off limits for them",
    ),
    "employer": (
        "was in the care of the council {p} works for",
        "were in the care of the council {p} works for",
    ),
    "excluded": ("has been proposed to {p} before", "have been proposed to {p} before"),
    "capacity": (
        "has no room for another mentee this round",
        "have no room for another mentee this round",
    ),
}


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


class _Sentences:
    """One reader's sentences, a method per code. `m` is the mentor's name and `p` the
    mentee's (the practitioner); "you" is the reader, when the reader is one of the two."""

    def __init__(self, reader: str, mentor: str, mentee: str, wording: Wording) -> None:
        self.reader = reader
        self.m = mentor or "the mentor"
        self.p = mentee or "the mentee"
        self.w = wording

    def both(self) -> str:
        # "You both …" to either of the two, "Sam and Priya both …" to a coordinator.
        return "You" if self.reader != COORDINATOR else f"{self.m} and {self.p}"

    def goals(self, topics: list[str], of: int) -> list[str]:
        who = "You" if self.reader == MENTOR else self.m
        whose = "your" if self.reader == MENTEE else f"{self.p}'s"
        listed = join(self.w.topics(topics))
        if len(topics) == of == 1:
            return [f"{who} can help with {whose} learning goal: {listed}."]
        if len(topics) == of:
            every = "all your" if whose == "your" else f"all of {whose}"
            return [f"{who} can help with {every} learning goals: {listed}."]
        return [f"{who} can help with {len(topics)} of {whose} {of} learning goals: {listed}."]

    def experience(self, experience: list[str], practice_areas: list[str]) -> list[str]:
        # A mentor's care experience is theirs to tell: a mentee reads only what the mentor
        # writes for them on their profile, never this.
        if self.reader == MENTEE:
            return []
        who = "You have" if self.reader == MENTOR else f"{self.m} has"
        return [
            f"{who} lived experience of {join(self.w.experience(experience))}; "
            f"{self.p} works in {join(self.w.areas(practice_areas))}."
        ]

    def languages(self, languages: list[str]) -> list[str]:
        return [f"{self.both()} both speak {join(self.w.languages(languages))}."]

    def times(self, slots: list[str]) -> list[str]:
        return [f"{self.both()} are both free on {join(self.w.slots(slots))}."]

    def modes(self, modes: list[str]) -> list[str]:
        return [f"{self.both()} can both meet {join(self.w.modes(modes), 'or')}."]

    def region(self, region: str) -> list[str]:
        return [f"{self.both()} are in the same region: {self.w.region(region)}."]

    def waiting(self, days: int) -> list[str]:
        waited = plural(int(days), "day", "days")
        if self.reader == MENTEE:
            return [f"You have been waiting {waited}, so you were given some priority."]
        return [f"{self.p} has been waiting {waited}, so was given some priority."]

    # An unmatched mentee's reasons are for the mentee and coordinators; a mentor has none.

    def for_whom(self) -> str:
        return "you" if self.reader == MENTEE else self.p

    def no_mentors(self) -> list[str]:
        return ["There are no mentors in this round."]

    def ruled_out(self, rule: str, mentors: int, of: int) -> list[str]:
        if self.reader == MENTEE:
            one, many = RULES_TO_MENTEE[rule]
        else:
            one, many = (c.format(p=self.p) for c in RULES_TO_COORDINATOR[rule])
        if of == 1:
            detail = f"The one mentor in this round {one}."
        else:
            detail = f"{mentors} of the {of} mentors {one if mentors == 1 else many}."
        return [f"No mentor meets all the rules for {self.for_whom()} this round.", detail]

    def no_good_fit(self, mentors: int) -> list[str]:
        meet = "1 mentor meets" if mentors == 1 else f"{mentors} mentors meet"
        return [
            f"{meet} all the rules for {self.for_whom()}, "
            "but none is a close enough fit to propose this round."
        ]

    def needed_elsewhere(self, mentors: int) -> list[str]:
        if mentors == 1:
            return [
                f"1 mentor meets all the rules for {self.for_whom()}, "
                "but they were needed for someone else this round."
            ]
        return [
            f"{mentors} mentors meet all the rules for {self.for_whom()}, "
            "but they were all needed for other people this round."
        ]


UNMATCHED_CODES = ("no_mentors", "ruled_out", "no_good_fit", "needed_elsewhere")
# The keys each code needs besides itself: a reason missing one is left out rather than half
# written.
FIELDS = {
    "goals": ("topics", "of"),
    "experience": ("experience", "practice_areas"),
    "languages": ("languages",),
    "times": ("slots",),
    "modes": ("modes",),
    "region": ("region",),
    "waiting": ("days",),
    "no_mentors": (),
    "ruled_out": ("rule", "mentors", "of"),
    "no_good_fit": ("mentors",),
    "needed_elsewhere": ("mentors",),
}


def result_words(
    result: Mapping[str, Any],
    *,
    reader: str,
    mentors: Mapping[str, str],
    mentees: Mapping[str, str],
    labels: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Add "words" to each pair and unmatched mentee of a result: its reasons in words for
    one reader, as the command line prints them. `mentors` and `mentees` map ids to names."""
    for pair in result["pairs"]:
        pair["words"] = words(
            pair["reasons"],
            reader=reader,
            mentor=mentors.get(pair["mentor"], pair["mentor"]),
            mentee=mentees.get(pair["mentee"], pair["mentee"]),
            labels=labels,
        )
    for entry in result["unmatched"]:
        entry["words"] = words(
            entry["reasons"],
            reader=reader,
            mentee=mentees.get(entry["mentee"], entry["mentee"]),
            labels=labels,
        )


def words(
    reasons: Iterable[Any],
    *,
    reader: str,
    mentor: str = "",
    mentee: str = "",
    labels: Mapping[str, Mapping[str, str]] | None = None,
) -> list[str]:
    """The reasons as sentences for one reader: "mentee", "mentor" or "coordinator".

    `mentor` and `mentee` are the two names; `labels` turn ids into words as in the round's
    input. A mentee never reads the mentor's care experience, and the employer rule is told
    to them without saying it is about where the mentor was looked after. A mentor reads no
    reasons about an unmatched mentee. Reasons stored as sentences by older versions were
    written to the mentee and may name the mentor's care experience, so only a coordinator
    reads them. Unknown codes are left out."""
    if reader not in READERS:
        raise ValueError(f"reader must be one of {', '.join(READERS)}, not {reader!r}")
    sentences = _Sentences(reader, mentor, mentee, Wording(labels))
    said: list[str] = []
    for reason in reasons:
        if isinstance(reason, str):
            if reader == COORDINATOR:
                said.append(reason)
            continue
        if not isinstance(reason, Mapping):
            continue
        code = reason.get("code")
        if code not in FIELDS or any(name not in reason for name in FIELDS[code]):
            continue
        if code in UNMATCHED_CODES and reader == MENTOR:
            continue
        if code == "ruled_out" and reason["rule"] not in RULES_TO_MENTEE:
            continue
        said.extend(
            _capital(s) for s in getattr(sentences, code)(*(reason[name] for name in FIELDS[code]))
        )
    return said
