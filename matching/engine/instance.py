"""One matching round, read from plain JSON-like data into typed, validated records.

Everything the engine needs arrives through `parse_instance`. Bad input stops here with an
`InstanceError` that names the field ("mentors[3].capacity must be ..."), so the command line
can print one plain line and the web app can show it to a coordinator.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

IN_PERSON = "in_person"

DEFAULT_WEIGHTS = {
    "goals": 3.0,
    "experience": 2.0,
    "availability": 1.0,
    "region": 1.0,
    "waiting": 1.0,
    "load_spread": 0.5,
}
DEFAULT_MAX_CANDIDATES = 50
# Weights above this would let integer score units overflow the tie-break keys (see
# candidates.py); no programme needs anything close.
MAX_WEIGHT = 1_000.0
# Far beyond any real mentor; it keeps counts inside NumPy's integers.
MAX_CAPACITY = 1_000
LABEL_KINDS = (
    "languages",
    "modes",
    "slots",
    "topics",
    "experience",
    "practice_areas",
    "regions",
)


_JUST_TEXT = {str}


class InstanceError(ValueError):
    """The round's data cannot be used; the message says where and why, in plain words."""


@dataclass(frozen=True, slots=True)
class Weights:
    goals: float
    experience: float
    availability: float
    region: float
    waiting: float
    load_spread: float


@dataclass(frozen=True, slots=True)
class Mentor:
    id: str
    name: str
    capacity: int
    current_load: int
    languages: frozenset[str]
    region: str | None
    modes: frozenset[str]
    availability: frozenset[str]
    offers: frozenset[str]
    off_limits: frozenset[str]
    experience: frozenset[str]
    looked_after_by: frozenset[str]

    @property
    def spare(self) -> int:
        return max(self.capacity - self.current_load, 0)


@dataclass(frozen=True, slots=True)
class Mentee:
    id: str
    name: str
    languages: frozenset[str]
    region: str | None
    modes: frozenset[str]
    availability: frozenset[str]
    goals: frozenset[str]
    practice_areas: frozenset[str]
    employer: str | None
    waiting_days: float


@dataclass(frozen=True)
class Instance:
    weights: Weights
    # None means "keep every candidate".
    max_candidates_per_mentee: int | None
    relevance: Mapping[str, frozenset[str]]
    # Both sorted by id, so everything downstream is independent of input order.
    mentors: tuple[Mentor, ...]
    mentees: tuple[Mentee, ...]
    excluded_pairs: frozenset[tuple[str, str]]
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def prunes(self) -> bool:
        k = self.max_candidates_per_mentee
        return k is not None and k < len(self.mentors)


def parse_instance(data: Any) -> Instance:
    """Validate a round (as decoded from JSON) and return it as typed records."""
    if not isinstance(data, Mapping):
        # language: quoted
        raise InstanceError(f"the round must be a JSON object, not {_kind(data)}")
    weights = _weights(data.get("weights", {}))
    limit = _max_candidates(data.get("max_candidates_per_mentee", DEFAULT_MAX_CANDIDATES))
    relevance = _relevance(data.get("relevance", {}))
    mentors = _people(data, "mentors", _mentor)
    mentees = _people(data, "mentees", _mentee)
    excluded = _excluded(data.get("excluded_pairs", []))
    labels = _labels(data.get("labels", {}))
    return Instance(
        weights=weights,
        max_candidates_per_mentee=limit,
        relevance=relevance,
        mentors=mentors,
        mentees=mentees,
        excluded_pairs=excluded,
        labels=labels,
    )


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _number(value: Any, where: str, *, whole: bool = False) -> float:
    ok = isinstance(value, int) if whole else isinstance(value, int | float)
    if isinstance(value, bool) or not ok or not math.isfinite(value) or value < 0:
        what = "a whole number of 0 or more" if whole else "a number of 0 or more"
        raise InstanceError(f"{where} must be {what}, not {_kind(value)}")
    return value


def _count(value: Any, where: str) -> int:
    count = int(_number(value, where, whole=True))
    if count > MAX_CAPACITY:
        raise InstanceError(f"{where} must be at most {MAX_CAPACITY}, not {count}")
    return count


def _weights(raw: Any) -> Weights:
    if not isinstance(raw, Mapping):
        raise InstanceError(f"weights must be an object, not {_kind(raw)}")
    unknown = sorted(set(raw) - set(DEFAULT_WEIGHTS))
    if unknown:
        known = ", ".join(DEFAULT_WEIGHTS)
        raise InstanceError(f"weights has an unknown key {unknown[0]!r} (known: {known})")
    values = {}
    for key, default in DEFAULT_WEIGHTS.items():
        value = float(_number(raw.get(key, default), f"weights.{key}"))
        if value > MAX_WEIGHT:
            raise InstanceError(f"weights.{key} must be at most {MAX_WEIGHT:g}, not {value:g}")
        values[key] = value
    return Weights(**values)


def _max_candidates(raw: Any) -> int | None:
    if raw is None:
        return None
    value = _number(raw, "max_candidates_per_mentee", whole=True)
    if value < 1:
        raise InstanceError("max_candidates_per_mentee must be at least 1 (or null for no limit)")
    return int(value)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InstanceError(f"{where} must be a non-empty text, not {_kind(value)}")
    return value


def _optional_text(value: Any, where: str) -> str | None:
    if value is None or value == "":
        return None
    return _text(value, where)


def _texts(value: Any, where: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        raise InstanceError(f"{where} must be a list of texts, not {_kind(value)}")
    try:
        items = frozenset(value)
    except TypeError:  # a list or an object inside the list
        items = None
    # The common case costs one pass over the (small) set; errors take the slow path so
    # the message can say which position is wrong.
    if items is None or "" in items or not set(map(type, items)) <= _JUST_TEXT:
        for position, item in enumerate(value):
            if not isinstance(item, str) or not item:
                raise InstanceError(
                    f"{where}[{position}] must be a non-empty text, not {_kind(item)}"
                )
    return items


def _relevance(raw: Any) -> dict[str, frozenset[str]]:
    if not isinstance(raw, Mapping):
        raise InstanceError(f"relevance must be an object, not {_kind(raw)}")
    return {
        _text(key, "a relevance key"): _texts(areas, f"relevance[{key!r}]")
        for key, areas in sorted(raw.items())
    }


def _record(raw: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise InstanceError(f"{where} must be an object, not {_kind(raw)}")
    return raw


def _mentor(raw: Any, where: str) -> Mentor:
    raw = _record(raw, where)
    if "capacity" not in raw:
        raise InstanceError(f"{where}.capacity is missing")
    person_id = _text(raw.get("id"), f"{where}.id")
    return Mentor(
        id=person_id,
        name=_optional_text(raw.get("name"), f"{where}.name") or person_id,
        capacity=_count(raw["capacity"], f"{where}.capacity"),
        current_load=_count(raw.get("current_load", 0), f"{where}.current_load"),
        languages=_texts(raw.get("languages"), f"{where}.languages"),
        region=_optional_text(raw.get("region"), f"{where}.region"),
        modes=_texts(raw.get("modes"), f"{where}.modes"),
        availability=_texts(raw.get("availability"), f"{where}.availability"),
        offers=_texts(raw.get("offers"), f"{where}.offers"),
        off_limits=_texts(raw.get("off_limits"), f"{where}.off_limits"),
        experience=_texts(raw.get("experience"), f"{where}.experience"),
        looked_after_by=_texts(raw.get("looked_after_by"), f"{where}.looked_after_by"),
    )


def _mentee(raw: Any, where: str) -> Mentee:
    raw = _record(raw, where)
    person_id = _text(raw.get("id"), f"{where}.id")
    return Mentee(
        id=person_id,
        name=_optional_text(raw.get("name"), f"{where}.name") or person_id,
        languages=_texts(raw.get("languages"), f"{where}.languages"),
        region=_optional_text(raw.get("region"), f"{where}.region"),
        modes=_texts(raw.get("modes"), f"{where}.modes"),
        availability=_texts(raw.get("availability"), f"{where}.availability"),
        goals=_texts(raw.get("goals"), f"{where}.goals"),
        practice_areas=_texts(raw.get("practice_areas"), f"{where}.practice_areas"),
        employer=_optional_text(raw.get("employer"), f"{where}.employer"),
        waiting_days=float(_number(raw.get("waiting_days", 0), f"{where}.waiting_days")),
    )


def _people(data: Mapping[str, Any], key: str, read) -> tuple:
    raw = data.get(key)
    if raw is None:
        raise InstanceError(f"{key} is missing (it may be an empty list)")
    if not isinstance(raw, list):
        raise InstanceError(f"{key} must be a list, not {_kind(raw)}")
    people = [read(item, f"{key}[{position}]") for position, item in enumerate(raw)]
    people.sort(key=lambda person: person.id)
    for before, after in zip(people, people[1:], strict=False):
        if before.id == after.id:
            raise InstanceError(f"{key} has the id {after.id!r} more than once")
    return tuple(people)


def _excluded(raw: Any) -> frozenset[tuple[str, str]]:
    if not isinstance(raw, list):
        raise InstanceError(f"excluded_pairs must be a list, not {_kind(raw)}")
    pairs = set()
    for position, pair in enumerate(raw):
        where = f"excluded_pairs[{position}]"
        if not isinstance(pair, list) or len(pair) != 2:
            raise InstanceError(f"{where} must be a [mentor id, mentee id] list, not {_kind(pair)}")
        pairs.add((_text(pair[0], f"{where}[0]"), _text(pair[1], f"{where}[1]")))
    return frozenset(pairs)


def _labels(raw: Any) -> dict[str, dict[str, str]]:
    if not isinstance(raw, Mapping):
        raise InstanceError(f"labels must be an object, not {_kind(raw)}")
    labels = {}
    for kind, names in raw.items():
        if kind not in LABEL_KINDS:
            raise InstanceError(
                f"labels has an unknown key {kind!r} (known: {', '.join(LABEL_KINDS)})"
            )
        if not isinstance(names, Mapping):
            raise InstanceError(f"labels.{kind} must be an object, not {_kind(names)}")
        labels[kind] = {
            str(key): _text(name, f"labels.{kind}[{key!r}]") for key, name in names.items()
        }
    return labels
