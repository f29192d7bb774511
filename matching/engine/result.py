"""The engine's answer as plain data, and its one canonical JSON text."""

import json
from collections.abc import Iterator, Sequence
from typing import IO, Any

import numpy as np

from . import explain
from .assignment import Assignment, first_slot_value, penalty_units
from .candidates import RULES, Candidates, rule_failures
from .features import SCALE, Features
from .instance import Instance

JSON_FORMAT = {"sort_keys": True, "separators": (",", ":"), "ensure_ascii": False}
# Edges are written this many at a time, so a round's JSON never sits in memory twice.
EDGE_BATCH = 50_000
CAUSE_NO_CANDIDATES = "no_candidates"
CAUSE_NO_GOOD_FIT = "no_good_fit"
CAUSE_NEEDED_ELSEWHERE = "mentors_needed_elsewhere"


def score(units: int) -> float:
    # units / 10,000 is the double nearest the 4-decimal score, which JSON prints exactly.
    return int(units) / SCALE


def _pairs(instance: Instance, candidates: Candidates, assignment: Assignment) -> list[dict]:
    pairs = []
    for edge, load_index in zip(
        assignment.chosen.tolist(), assignment.load_index.tolist(), strict=True
    ):
        mentor = instance.mentors[candidates.mentor[edge]]
        mentee = instance.mentees[candidates.mentee[edge]]
        pairs.append(
            {
                "mentor": mentor.id,
                "mentee": mentee.id,
                "score": score(candidates.units[edge]),
                "load_index": int(load_index),
                "reasons": explain.pair_reasons(instance, mentor, mentee),
            }
        )
    return pairs


def _unmatched(
    instance: Instance, features: Features, candidates: Candidates, assignment: Assignment
) -> list[dict]:
    n_mentees = features.n_mentees
    matched = np.zeros(n_mentees, dtype=bool)
    matched[candidates.mentee[assignment.chosen]] = True
    worth_proposing = np.zeros(n_mentees, dtype=bool)
    value = first_slot_value(features, candidates, penalty_units(instance.weights.load_spread))
    worth_proposing[candidates.mentee[value > 0]] = True
    allowed = candidates.allowed
    no_candidates = np.flatnonzero(~matched & (allowed == 0))
    ruled_out = dict(
        zip(no_candidates.tolist(), rule_failures(features, no_candidates).tolist(), strict=True)
    )
    unmatched = []
    for index in np.flatnonzero(~matched).tolist():
        entry: dict[str, Any] = {
            "mentee": instance.mentees[index].id,
            "candidates": int(allowed[index]),
        }
        if index in ruled_out:
            counts = ruled_out[index]
            reasons, rule = explain.no_candidate_reasons(features.n_mentors, counts)
            entry["cause"] = CAUSE_NO_CANDIDATES
            entry["rule"] = rule
            entry["ruled_out_by"] = dict(zip(RULES, counts, strict=True))
        elif not worth_proposing[index]:
            reasons = explain.no_fit_reasons(int(allowed[index]))
            entry["cause"] = CAUSE_NO_GOOD_FIT
        else:
            reasons = explain.taken_reasons(int(allowed[index]))
            entry["cause"] = CAUSE_NEEDED_ELSEWHERE
        entry["reasons"] = reasons
        unmatched.append(entry)
    return unmatched


def build_result(
    instance: Instance,
    features: Features,
    candidates: Candidates,
    assignment: Assignment,
    *,
    edges: bool,
) -> dict:
    pairs = _pairs(instance, candidates, assignment)
    unmatched = _unmatched(instance, features, candidates, assignment)
    causes = {CAUSE_NO_CANDIDATES: 0, CAUSE_NO_GOOD_FIT: 0, CAUSE_NEEDED_ELSEWHERE: 0}
    for entry in unmatched:
        causes[entry["cause"]] += 1
    allowed_pairs = int(candidates.allowed.sum())
    mentors_largest, mentees_largest = assignment.largest_component
    result: dict[str, Any] = {
        "pairs": pairs,
        "unmatched": unmatched,
        "objective": score(assignment.objective_units),
        "stats": {
            "mentors": features.n_mentors,
            "mentees": features.n_mentees,
            "mentors_with_room": int(np.count_nonzero(features.mentor_spare > 0)),
            "places": int(features.mentor_spare.sum()),
            "allowed_pairs": allowed_pairs,
            "edges": len(candidates),
            "pruned_pairs": allowed_pairs - len(candidates),
            "max_candidates_per_mentee": instance.max_candidates_per_mentee,
            "components": assignment.components,
            "largest_component": {"mentors": mentors_largest, "mentees": mentees_largest},
            "matched": len(pairs),
            "unmatched": len(unmatched),
            "unmatched_by_cause": causes,
        },
    }
    if edges:
        result["edges"] = Edges(instance, candidates)
    return result


class Edges(Sequence):
    """Every candidate pair the solver considered, as {"mentor", "mentee", "score"} dicts made
    on demand from the arrays: three million dicts would take 700 MB."""

    def __init__(self, instance: Instance, candidates: Candidates) -> None:
        self._mentor_ids = [m.id for m in instance.mentors]
        self._mentee_ids = [p.id for p in instance.mentees]
        self._mentor = candidates.mentor
        self._mentee = candidates.mentee
        self._units = candidates.units

    def __len__(self) -> int:
        return len(self._units)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return {
            "mentor": self._mentor_ids[self._mentor[index]],
            "mentee": self._mentee_ids[self._mentee[index]],
            "score": score(self._units[index]),
        }

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<Edges: {len(self)} candidate pairs>"

    def json_batches(self) -> Iterator[str]:
        """The JSON text of the edges, a batch at a time, exactly as json.dumps would write
        each {"mentee", "mentor", "score"} object with sorted keys."""
        mentors = [json.dumps(i, ensure_ascii=False) for i in self._mentor_ids]
        mentees = [json.dumps(i, ensure_ascii=False) for i in self._mentee_ids]
        for start in range(0, len(self), EDGE_BATCH):
            part = slice(start, start + EDGE_BATCH)
            yield ",".join(
                f'{{"mentee":{mentees[j]},"mentor":{mentors[i]},"score":{u / SCALE!r}}}'
                for j, i, u in zip(
                    self._mentee[part].tolist(),
                    self._mentor[part].tolist(),
                    self._units[part].tolist(),
                    strict=True,
                )
            )


def json_parts(result: dict) -> Iterator[str]:
    """The canonical JSON text of a result, in pieces: the same result always gives the same
    bytes (sorted keys, no spaces, UTF-8 text, one newline at the end)."""
    edges = result.get("edges")
    if edges is None:
        yield json.dumps(result, **JSON_FORMAT) + "\n"
        return
    rest = {key: value for key, value in result.items() if key != "edges"}
    # "edges" sorts before every other key, so it comes first.
    assert all(key > "edges" for key in rest)
    yield '{"edges":['
    if isinstance(edges, Edges):
        for number, batch in enumerate(edges.json_batches()):
            yield ("," if number else "") + batch
    else:
        yield ",".join(json.dumps(edge, **JSON_FORMAT) for edge in edges)
    text = json.dumps(rest, **JSON_FORMAT)
    yield "]" + ("," + text[1:] if rest else "}") + "\n"


def to_json(result: dict) -> str:
    return "".join(json_parts(result))


def write_json(result: dict, stream: IO[bytes]) -> None:
    for part in json_parts(result):
        stream.write(part.encode("utf-8"))
