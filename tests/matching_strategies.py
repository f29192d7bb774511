"""Random matching rounds for property tests, and a slow, obvious reference for what the
engine must compute: the hard rules pair by pair, the score formula of docs/matching.md, and
the optimum by SciPy's dense Hungarian-style solver or by trying every assignment.

Nothing here uses the engine's code, so agreement means something.
"""

import itertools

import numpy as np
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

SCALE = 10_000
WAITING_FULL_DAYS = 180
AVAILABILITY_FULL = 3
IN_PERSON = "in_person"
RULES = ("language", "mode", "availability", "off_limits", "employer", "excluded", "capacity")

LANGUAGES = ["en", "ur", "pl"]
MODES = ["online", "phone", IN_PERSON]
REGIONS = ["north", "south"]
SLOTS = ["mon-eve", "tue-eve", "sat-am", "sun-pm"]
TOPICS = ["bias", "family-time", "life-story", "power", "records"]
EXPERIENCE = ["foster-care", "kinship-care", "leaving-care"]
AREAS = ["fostering", "children-in-care", "adoption", "leaving-care"]
EMPLOYERS = ["la-1", "la-2", "la-3"]


def subset(values, min_size=0, max_size=None):
    return st.lists(st.sampled_from(values), min_size=min_size, max_size=max_size, unique=True)


def _weights():
    weight = st.sampled_from([0, 0.5, 1, 2, 3, 1.25, 0.3333])
    return st.fixed_dictionaries(
        {
            "goals": weight,
            "experience": weight,
            "availability": weight,
            "region": weight,
            "waiting": weight,
            "load_spread": st.sampled_from([0, 0.25, 0.5, 1, 2.5]),
        }
    )


@st.composite
def rounds(draw, max_mentors=6, max_mentees=9, pruning=True):
    """A round as the engine reads it. Small vocabularies, so every rule bites often."""
    n_mentors = draw(st.integers(0, max_mentors))
    n_mentees = draw(st.integers(0, max_mentees))
    mentors = []
    for i in range(n_mentors):
        capacity = draw(st.integers(0, 3))
        mentors.append(
            {
                "id": f"m{i}",
                "name": draw(st.sampled_from(["Sam", "Jo", "Ade", "Kai"])),
                "capacity": capacity,
                "current_load": draw(st.integers(0, capacity + 1)),
                "languages": draw(subset(LANGUAGES, 1)),
                "region": draw(st.sampled_from([*REGIONS, None])),
                "modes": draw(subset(MODES, 1)),
                "availability": draw(subset(SLOTS, 1)),
                "offers": draw(subset(TOPICS)),
                "off_limits": draw(subset(TOPICS, max_size=2)),
                "experience": draw(subset(EXPERIENCE)),
                "looked_after_by": draw(subset(EMPLOYERS, max_size=1)),
            }
        )
    mentees = [
        {
            "id": f"p{j}",
            "languages": draw(subset(LANGUAGES, 1)),
            "region": draw(st.sampled_from([*REGIONS, None])),
            "modes": draw(subset(MODES, 1)),
            "availability": draw(subset(SLOTS, 1)),
            "goals": draw(subset(TOPICS, max_size=3)),
            "practice_areas": draw(subset(AREAS, max_size=2)),
            "employer": draw(st.sampled_from([*EMPLOYERS, None])),
            "waiting_days": draw(st.sampled_from([0, 1, 30, 90, 179, 180, 400, 12.5])),
        }
        for j in range(n_mentees)
    ]
    pairs = [(m["id"], p["id"]) for m in mentors for p in mentees]
    excluded = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=4)) if pairs else []
    relevance = draw(
        st.dictionaries(st.sampled_from(EXPERIENCE), subset(AREAS, 1, 2), max_size=len(EXPERIENCE))
    )
    limit = draw(st.one_of(st.none(), st.integers(1, 4))) if pruning else None
    return {
        "weights": draw(_weights()),
        "max_candidates_per_mentee": limit,
        "relevance": relevance,
        "mentors": mentors,
        "mentees": mentees,
        "excluded_pairs": [list(pair) for pair in excluded],
    }


# The reference: rules, score and optimum, pair by pair.


def _get(person: dict, key: str):
    default = None if key in ("region", "employer") else 0 if key == "waiting_days" else []
    return person.get(key, default)


def failed_rules(data: dict, mentor: dict, mentee: dict) -> set[str]:
    m, p = mentor, mentee
    excluded = {tuple(pair) for pair in data.get("excluded_pairs", [])}
    shared_modes = set(_get(m, "modes")) & set(_get(p, "modes"))
    same_region = _get(m, "region") is not None and _get(m, "region") == _get(p, "region")
    if not same_region:
        shared_modes.discard(IN_PERSON)
    failed = set()
    if not set(_get(m, "languages")) & set(_get(p, "languages")):
        failed.add("language")
    if not shared_modes:
        failed.add("mode")
    if not set(_get(m, "availability")) & set(_get(p, "availability")):
        failed.add("availability")
    if set(_get(p, "goals")) & set(_get(m, "off_limits")):
        failed.add("off_limits")
    if _get(p, "employer") is not None and _get(p, "employer") in _get(m, "looked_after_by"):
        failed.add("employer")
    if (m["id"], p["id"]) in excluded:
        failed.add("excluded")
    if m["capacity"] - m.get("current_load", 0) <= 0:
        failed.add("capacity")
    return failed


def allowed_pairs(data: dict) -> set[tuple[str, str]]:
    return {
        (m["id"], p["id"])
        for m in data["mentors"]
        for p in data["mentees"]
        if not failed_rules(data, m, p)
    }


DEFAULT_WEIGHTS = {
    "goals": 3,
    "experience": 2,
    "availability": 1,
    "region": 1,
    "waiting": 1,
    "load_spread": 0.5,
}


def weights(data: dict) -> dict:
    return {**DEFAULT_WEIGHTS, **data.get("weights", {})}


def score_units(data: dict, mentor: dict, mentee: dict) -> int:
    """The score of docs/matching.md, in units of 1/10,000."""
    m, p, w = mentor, mentee, weights(data)

    def each(weight, count):
        return round(weight * SCALE / count) if count else 0

    relevant = set()
    for lived in _get(m, "experience"):
        relevant |= set(data.get("relevance", {}).get(lived, []))
    goals = set(_get(p, "goals"))
    areas = set(_get(p, "practice_areas"))
    free = set(_get(p, "availability"))
    units = len(goals & set(_get(m, "offers"))) * each(w["goals"], len(goals))
    units += len(areas & relevant) * each(w["experience"], len(areas))
    units += min(len(free & set(_get(m, "availability"))), AVAILABILITY_FULL) * each(
        w["availability"], min(len(free), AVAILABILITY_FULL)
    )
    if _get(m, "region") is not None and _get(m, "region") == _get(p, "region"):
        units += round(w["region"] * SCALE)
    waited = min(_get(p, "waiting_days"), WAITING_FULL_DAYS)
    units += round(w["waiting"] * SCALE * waited / WAITING_FULL_DAYS)
    return units


def pair_reasons(data: dict, mentor: dict, mentee: dict) -> list[dict]:
    """The reasons of docs/matching.md for a proposed pair, as data, in their order."""
    m, p = mentor, mentee
    reasons = []
    goals = set(_get(p, "goals")) & set(_get(m, "offers"))
    if goals:
        reasons.append({"code": "goals", "topics": sorted(goals), "of": len(set(_get(p, "goals")))})
    lived = [
        e
        for e in set(_get(m, "experience"))
        if set(data.get("relevance", {}).get(e, [])) & set(_get(p, "practice_areas"))
    ]
    if lived:
        areas = set()
        for e in lived:
            areas |= set(data["relevance"][e]) & set(_get(p, "practice_areas"))
        reasons.append(
            {"code": "experience", "experience": sorted(lived), "practice_areas": sorted(areas)}
        )
    reasons.append(
        {
            "code": "languages",
            "languages": sorted(set(_get(m, "languages")) & set(_get(p, "languages"))),
        }
    )
    reasons.append(
        {
            "code": "times",
            "slots": sorted(set(_get(m, "availability")) & set(_get(p, "availability"))),
        }
    )
    same_region = _get(m, "region") is not None and _get(m, "region") == _get(p, "region")
    modes = set(_get(m, "modes")) & set(_get(p, "modes"))
    if not same_region:
        modes.discard(IN_PERSON)
    reasons.append({"code": "modes", "modes": sorted(modes)})
    if same_region:
        reasons.append({"code": "region", "region": _get(m, "region")})
    if weights(data)["waiting"] > 0 and _get(p, "waiting_days") >= 1:
        reasons.append({"code": "waiting", "days": int(_get(p, "waiting_days"))})
    return reasons


def penalty_units(data: dict) -> int:
    return round(weights(data)["load_spread"] * SCALE)


def optimum_by_assignment(data: dict, edges: dict[tuple[str, str], int]) -> int:
    """Best objective over the given edges (mentor, mentee) -> units, by SciPy's dense
    linear_sum_assignment: one column per free place of each mentor, worth the edge's units
    less the load penalty of that place; a zero stands for 'not matched'."""
    mentors = {m["id"]: m for m in data["mentors"]}
    mentees = sorted({p for _, p in edges})
    places = [
        (mentor_id, mentor.get("current_load", 0) + k)
        for mentor_id, mentor in sorted(mentors.items())
        for k in range(max(mentor["capacity"] - mentor.get("current_load", 0), 0))
    ]
    if not mentees or not places:
        return 0
    penalty = penalty_units(data)
    worth = np.zeros((len(mentees), len(places)), dtype=np.int64)
    for row, mentee_id in enumerate(mentees):
        for column, (mentor_id, load_index) in enumerate(places):
            units = edges.get((mentor_id, mentee_id))
            if units is not None:
                worth[row, column] = max(units - penalty * load_index, 0)
    rows, columns = linear_sum_assignment(worth, maximize=True)
    return int(worth[rows, columns].sum())


def optimum_by_enumeration(data: dict, edges: dict[tuple[str, str], int]) -> int | None:
    """Best objective by trying every assignment (None when there are too many)."""
    mentors = {m["id"]: m for m in data["mentors"]}
    mentees = sorted({p for _, p in edges})
    options = [[None] + sorted(m for m, p in edges if p == mentee) for mentee in mentees]
    if np.prod([len(o) for o in options], dtype=float) > 20_000:
        return None
    penalty = penalty_units(data)
    best = 0
    for choice in itertools.product(*options):
        taken: dict[str, int] = {}
        total = 0
        for mentee, mentor in zip(mentees, choice, strict=True):
            if mentor is None:
                continue
            k = taken.get(mentor, 0)
            load = mentors[mentor].get("current_load", 0)
            spare = mentors[mentor]["capacity"] - load
            if k >= spare:
                break
            taken[mentor] = k + 1
            total += edges[(mentor, mentee)] - penalty * (load + k)
        else:
            best = max(best, total)
    return best
