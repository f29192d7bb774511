"""One mentee's best mentors, scored without solving the round: for the suggestions a mentee
chooses from and for the mentors a coordinator may swap in.

Solving a whole round to read one mentee's candidates costs seconds at national scale; this
reads the same candidates from the same rules and score (candidates.py) for that mentee alone,
which takes milliseconds once the round holds just that mentee and the mentors with room.
"""

from dataclasses import replace

import numpy as np

from . import explain
from .assignment import first_slot_value, penalty_units
from .candidates import generate
from .features import AVAILABILITY_FULL, build_features
from .instance import Instance
from .result import score


def rank_for(instance: Instance, mentee_id: str, *, limit: int | None = None) -> list[dict]:
    """The mentors the hard rules allow for one mentee of the round, best first: highest
    score, then the smaller mentor id, at most `limit` of them (all when None).

    Each is {"mentor", "score", "reasons"}: the pair's score as the round's edges give it,
    and the reasons a proposal of the pair would carry. A pair that a round would never
    propose (its score is not above the load spread the mentor's current mentees cost)
    carries no reasons, as when the pair is solved on its own. A mentee not in the round
    has no mentors."""
    mentee = next((m for m in instance.mentees if m.id == mentee_id), None)
    if mentee is None:
        return []
    alone = replace(instance, mentees=(mentee,), max_candidates_per_mentee=None)
    features = build_features(alone)
    candidates = generate(alone, features)
    # Mentors are in id order, so among equal scores the smaller index is the smaller id.
    order = np.lexsort((candidates.mentor, -candidates.units))[:limit]
    worth = first_slot_value(features, candidates, penalty_units(alone.weights.load_spread))
    ranked = []
    for edge in order.tolist():
        mentor = alone.mentors[candidates.mentor[edge]]
        ranked.append(
            {
                "mentor": mentor.id,
                "score": score(candidates.units[edge]),
                "reasons": (explain.pair_reasons(alone, mentor, mentee) if worth[edge] > 0 else []),
            }
        )
    return ranked


def best_possible(instance: Instance, mentee_id: str, *, goals_offered: int) -> float:
    """The highest score a mentor who offers `goals_offered` of the mentee's learning goals
    could reach with them: those goals, and full marks for everything else (every practice
    area covered, every free time shared, the same region). So a caller ranking mentors a
    group at a time, most goals offered first, can stop once its last suggestion already
    scores more than the next group could."""
    mentee = next(m for m in instance.mentees if m.id == mentee_id)
    features = build_features(replace(instance, mentees=(mentee,), mentors=()))
    units = (
        goals_offered * int(features.goal_units[0])
        + len(mentee.practice_areas) * int(features.area_units[0])
        + min(len(mentee.availability), AVAILABILITY_FULL) * int(features.slot_units[0])
        + features.region_units
        + int(features.waiting_units[0])
    )
    return score(units)
