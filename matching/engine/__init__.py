"""Alongside's matching engine: one round in, proposals with reasons out.

Pure Python on networkx, NumPy and SciPy; it never imports Django. A selector builds the
round's data from profiles, a service stores what `solve` returns, and the command line
(`python -m matching solve ROUND.json`) prints the same answer. The format, the rules, the
score and the solver are described in docs/matching.md.

    from matching.engine import solve, to_json
    result = solve(round_data)            # {"pairs": [...], "unmatched": [...], ...}
    words(result["pairs"][0]["reasons"], reader="mentee", mentor="Sam", labels=labels)
    rank_for(parse_instance(round_data), "p1", limit=5)  # one mentee's best mentors
"""

import time
from typing import Any

from .assignment import assign
from .candidates import STAGE_CANDIDATES, STAGE_SOLVE, Progress, generate
from .explain import READERS, words
from .features import build_features
from .instance import Instance, InstanceError, parse_instance
from .rank import best_possible, rank_for
from .result import build_result, to_json, write_json

__all__ = [
    "READERS",
    "best_possible",
    "STAGE_CANDIDATES",
    "STAGE_SOLVE",
    "Instance",
    "InstanceError",
    "parse_instance",
    "rank_for",
    "solve",
    "solve_instance",
    "to_json",
    "words",
    "write_json",
]


def solve(
    data: Any, *, edges: bool = False, timings: dict | None = None, progress: Progress = None
) -> dict:
    """Solve one round given as JSON-like data. Raises InstanceError on bad input.

    With edges=True the result also lists every candidate pair the solver considered. If a
    `timings` dict is given, the seconds each stage took are added to it (they are kept out
    of the result so that the result is the same, byte for byte, every time). `progress`,
    if given, is told where the solver is (see Progress)."""
    started = time.perf_counter()
    instance = parse_instance(data)
    if timings is not None:
        timings["validate"] = time.perf_counter() - started
    return solve_instance(instance, edges=edges, timings=timings, progress=progress)


def solve_instance(
    instance: Instance,
    *,
    edges: bool = False,
    timings: dict | None = None,
    progress: Progress = None,
) -> dict:
    clock = time.perf_counter
    started = clock()
    features = build_features(instance)
    candidates = generate(instance, features, progress=progress)
    generated = clock()
    if progress is not None:
        progress(STAGE_SOLVE, None, None)
    assignment = assign(features, candidates, instance.weights.load_spread)
    solved = clock()
    result = build_result(instance, features, candidates, assignment, edges=edges)
    explained = clock()
    if timings is not None:
        timings["candidates"] = generated - started
        timings["solve"] = solved - generated
        timings["explain"] = explained - solved
    return result
