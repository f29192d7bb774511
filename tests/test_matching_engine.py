"""The matching engine (matching/engine/), without Django or a database.

Property tests draw random rounds (tests/matching_strategies.py) and check the engine against
a slow reference written pair by pair: every proposal keeps every hard rule and capacity; with
pruning off the candidates are exactly the pairs the rules allow, with the documented scores;
pruning keeps each mentee's best; the objective equals SciPy's dense assignment optimum (and
a brute-force search on small rounds) on the same edges; every unmatched mentee's cause is the
right one; every pair's reasons are the ones that apply. Example tests pin the wording for
each reader, the command line and determinism.

Runs derandomised, so CI sees the same examples every time.
"""

import copy
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.engine import InstanceError, best_possible, parse_instance, rank_for, solve, to_json
from matching.engine import assignment as assignment_module
from matching.engine import candidates as candidates_module
from matching.engine import features as features_module
from matching.engine import result as result_module
from matching.engine.explain import in_sentence, join, words
from tests import matching_strategies as ref

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("MATCHING_EXAMPLES", "100"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ISSUE_EXAMPLE = {
    "weights": {
        "goals": 3,
        "experience": 2,
        "availability": 1,
        "region": 1,
        "waiting": 1,
        "load_spread": 0.5,
    },
    "max_candidates_per_mentee": 50,
    "relevance": {"foster-care": ["fostering", "children-in-care"]},
    "mentors": [
        {
            "id": "m1",
            "capacity": 2,
            "current_load": 0,
            "languages": ["en", "ur"],
            "region": "north-west",
            "modes": ["online", "in_person"],
            "availability": ["tue-eve"],
            "offers": ["bias"],
            "off_limits": ["family-time"],
            "experience": ["foster-care"],
            "looked_after_by": ["LA-12"],
        }
    ],
    "mentees": [
        {
            "id": "p1",
            "languages": ["en"],
            "region": "north-west",
            "modes": ["online"],
            "availability": ["tue-eve"],
            "goals": ["bias"],
            "practice_areas": ["fostering"],
            "employer": "LA-3",
            "waiting_days": 30,
        }
    ],
    "excluded_pairs": [["m1", "p9"]],
}


def mentor(id, **fields):
    person = {
        "id": id,
        "capacity": 1,
        "languages": ["en"],
        "region": "north",
        "modes": ["online"],
        "availability": ["tue-eve"],
        "offers": ["bias"],
    }
    return {**person, **fields}


def mentee(id, **fields):
    person = {
        "id": id,
        "languages": ["en"],
        "region": "north",
        "modes": ["online"],
        "availability": ["tue-eve"],
        "goals": ["bias"],
    }
    return {**person, **fields}


def round_of(mentors, mentees, **fields):
    return {"mentors": mentors, "mentees": mentees, **fields}


def edge_map(result) -> dict[tuple[str, str], int]:
    return {(e["mentor"], e["mentee"]): round(e["score"] * ref.SCALE) for e in result["edges"]}


# Properties on random rounds.


@PROPERTY
@given(ref.rounds())
def test_it_keeps_every_hard_rule_and_capacity(data):
    result = solve(data, edges=True)
    mentors = {m["id"]: m for m in data["mentors"]}
    mentees = {p["id"]: p for p in data["mentees"]}
    seen = set()
    taken: dict[str, list[int]] = {}
    for pair in result["pairs"]:
        assert ref.failed_rules(data, mentors[pair["mentor"]], mentees[pair["mentee"]]) == set()
        assert pair["mentee"] not in seen
        seen.add(pair["mentee"])
        taken.setdefault(pair["mentor"], []).append(pair["load_index"])
        assert pair["score"] > 0
    for mentor_id, load_indices in taken.items():
        m = mentors[mentor_id]
        assert len(load_indices) <= m["capacity"] - m["current_load"]
        first = m["current_load"]
        assert sorted(load_indices) == list(range(first, first + len(load_indices)))
    assert seen | {u["mentee"] for u in result["unmatched"]} == set(mentees)
    assert not seen & {u["mentee"] for u in result["unmatched"]}


@PROPERTY
@given(ref.rounds(pruning=False))
def test_without_pruning_the_candidates_are_exactly_the_allowed_pairs(data):
    result = solve(data, edges=True)
    assert set(edge_map(result)) == ref.allowed_pairs(data)
    mentors = {m["id"]: m for m in data["mentors"]}
    mentees = {p["id"]: p for p in data["mentees"]}
    for (mentor_id, mentee_id), units in edge_map(result).items():
        assert units == ref.score_units(data, mentors[mentor_id], mentees[mentee_id])
    assert result["stats"]["allowed_pairs"] == len(ref.allowed_pairs(data))
    assert result["stats"]["pruned_pairs"] == 0


@PROPERTY
@given(ref.rounds(), st.integers(1, 3))
def test_pruning_keeps_each_mentees_best_candidates_ties_to_the_smaller_mentor_id(data, limit):
    data["max_candidates_per_mentee"] = limit
    result = solve(data, edges=True)
    mentors = {m["id"]: m for m in data["mentors"]}
    kept = edge_map(result)
    for p in data["mentees"]:
        allowed = [m for m, q in ref.allowed_pairs(data) if q == p["id"]]
        ranked = sorted(allowed, key=lambda m: (-ref.score_units(data, mentors[m], p), m))
        if limit < len(data["mentors"]):
            ranked = ranked[:limit]
        assert sorted(m for m, q in kept if q == p["id"]) == sorted(ranked)
    assert result["stats"]["allowed_pairs"] - result["stats"]["pruned_pairs"] == len(kept)


@PROPERTY
@given(ref.rounds())
def test_the_objective_is_the_exact_optimum_on_the_same_edges(data):
    result = solve(data, edges=True)
    edges = edge_map(result)
    objective = round(result["objective"] * ref.SCALE)
    assert objective == ref.optimum_by_assignment(data, edges)
    by_enumeration = ref.optimum_by_enumeration(data, edges)
    if by_enumeration is not None:
        assert objective == by_enumeration
    # The objective is what the pairs add up to.
    penalty = ref.penalty_units(data)
    total = sum(
        edges[(p["mentor"], p["mentee"])] - penalty * p["load_index"] for p in result["pairs"]
    )
    assert objective == total


@PROPERTY
@given(ref.rounds())
def test_every_unmatched_mentee_has_the_cause_that_applies(data):
    result = solve(data, edges=True)
    mentors = {m["id"]: m for m in data["mentors"]}
    allowed = ref.allowed_pairs(data)
    edges = edge_map(result)
    penalty = ref.penalty_units(data)
    for entry in result["unmatched"]:
        p = next(q for q in data["mentees"] if q["id"] == entry["mentee"])
        count = sum(1 for _, q in allowed if q == p["id"])
        assert entry["candidates"] == count
        assert entry["reasons"]
        if count == 0:
            assert entry["cause"] == "no_candidates"
            expected = {
                rule: sum(1 for m in data["mentors"] if rule in ref.failed_rules(data, m, p))
                for rule in ref.RULES
            }
            assert entry["ruled_out_by"] == expected
            continue
        worth = [
            units - penalty * mentors[m].get("current_load", 0)
            for (m, q), units in edges.items()
            if q == p["id"]
        ]
        if max(worth) > 0:
            assert entry["cause"] == "mentors_needed_elsewhere"
        else:
            assert entry["cause"] == "no_good_fit"


@PROPERTY
@given(ref.rounds())
def test_every_pair_carries_the_reasons_that_apply(data):
    mentors = {m["id"]: m for m in data["mentors"]}
    mentees = {p["id"]: p for p in data["mentees"]}
    for pair in solve(data)["pairs"]:
        mentor, mentee = mentors[pair["mentor"]], mentees[pair["mentee"]]
        assert pair["reasons"] == ref.pair_reasons(data, mentor, mentee)


@PROPERTY
@given(ref.rounds(), st.sampled_from([None, 1, 2, 5]))
def test_one_mentees_ranking_is_the_allowed_mentors_by_score_with_their_reasons(data, limit):
    instance = parse_instance(data)
    mentors = {m["id"]: m for m in data["mentors"]}
    penalty = ref.penalty_units(data)
    for p in data["mentees"]:
        allowed = [m for m, q in ref.allowed_pairs(data) if q == p["id"]]
        units = {m: ref.score_units(data, mentors[m], p) for m in allowed}
        best = sorted(allowed, key=lambda m: (-units[m], m))[:limit]
        # Only a pair a round could propose (worth more than the mentor's load costs) has
        # reasons, as when the pair is solved on its own.
        expected = [
            {
                "mentor": m,
                "score": units[m] / ref.SCALE,
                "reasons": (
                    ref.pair_reasons(data, mentors[m], p)
                    if units[m] - penalty * mentors[m].get("current_load", 0) > 0
                    else []
                ),
            }
            for m in best
        ]
        assert rank_for(instance, p["id"], limit=limit) == expected
        # No mentor scores more than best_possible says a mentor offering as many of the
        # mentee's goals could.
        for m in allowed:
            offered = len(set(p.get("goals", [])) & set(mentors[m].get("offers", [])))
            assert units[m] / ref.SCALE <= best_possible(instance, p["id"], goals_offered=offered)
    assert rank_for(instance, "nobody") == []


# Experience and council labels that cannot be mistaken for other words.
CARE_LABELS = {
    "experience": {e: f"CARE-{e}" for e in ref.EXPERIENCE},
    "topics": {t: f"topic {t}" for t in ref.TOPICS},
}


@PROPERTY
@given(ref.rounds())
def test_each_reader_reads_every_reason_written_for_them(data):
    result = solve(data)
    names = {m["id"]: m["name"] for m in data["mentors"]}
    for pair in result["pairs"]:
        people = {"mentor": names[pair["mentor"]], "mentee": f"Mentee {pair['mentee']}"}
        to_mentee = words(pair["reasons"], reader="mentee", labels=CARE_LABELS, **people)
        to_mentor = words(pair["reasons"], reader="mentor", labels=CARE_LABELS, **people)
        to_coordinator = words(pair["reasons"], reader="coordinator", labels=CARE_LABELS, **people)
        shown_experience = any(r["code"] == "experience" for r in pair["reasons"])
        # The mentee reads every reason but the mentor's care experience.
        assert len(to_mentee) == len(pair["reasons"]) - shown_experience
        assert not any("CARE-" in s or "lived experience" in s for s in to_mentee)
        # The mentor and coordinators read all of them; coordinators are never "you".
        assert len(to_mentor) == len(to_coordinator) == len(pair["reasons"])
        assert any("CARE-" in s for s in to_mentor) == shown_experience
        assert any("CARE-" in s for s in to_coordinator) == shown_experience
        for sentence in to_coordinator:
            assert not {"you", "your"} & set(sentence.lower().replace(".", " ").split())
            assert people["mentee"] in sentence or people["mentor"] in sentence
        for sentence in to_mentee + to_mentor + to_coordinator:
            assert sentence[:1].isupper() and sentence.endswith(".")
    for entry in result["unmatched"]:
        name = f"Mentee {entry['mentee']}"
        to_mentee = words(entry["reasons"], reader="mentee", labels=CARE_LABELS)
        to_coordinator = words(entry["reasons"], reader="coordinator", mentee=name)
        assert to_mentee and to_coordinator
        assert "looked after" not in " ".join(to_mentee)
        assert " you" not in " ".join(to_coordinator).lower()
        assert words(entry["reasons"], reader="mentor", mentee=name) == []


@settings(max_examples=max(EXAMPLES // 3, 10), derandomize=True, deadline=None)
@given(ref.rounds(), st.randoms(use_true_random=False))
def test_the_same_round_gives_the_same_bytes_whatever_the_order_of_its_lists(data, rng):
    first = to_json(solve(data, edges=True))
    assert to_json(solve(copy.deepcopy(data), edges=True)) == first
    shuffled = copy.deepcopy(data)
    rng.shuffle(shuffled["mentors"])
    rng.shuffle(shuffled["mentees"])
    rng.shuffle(shuffled["excluded_pairs"])
    for person in shuffled["mentors"] + shuffled["mentees"]:
        for value in person.values():
            if isinstance(value, list):
                rng.shuffle(value)
    assert to_json(solve(shuffled, edges=True)) == first


# The pieces that the small random rounds rarely reach.


def test_it_answers_the_issues_example():
    result = solve(ISSUE_EXAMPLE, edges=True)
    assert result["pairs"] == [
        {
            "mentor": "m1",
            "mentee": "p1",
            "score": 7.1667,
            "load_index": 0,
            "reasons": [
                {"code": "goals", "topics": ["bias"], "of": 1},
                {
                    "code": "experience",
                    "experience": ["foster-care"],
                    "practice_areas": ["fostering"],
                },
                {"code": "languages", "languages": ["en"]},
                {"code": "times", "slots": ["tue-eve"]},
                {"code": "modes", "modes": ["online"]},
                {"code": "region", "region": "north-west"},
                {"code": "waiting", "days": 30},
            ],
        }
    ]
    # goals 3 + experience 2 + availability 1 + region 1 + waiting 30/180.
    assert result["objective"] == 7.1667
    assert result["edges"] == [{"mentor": "m1", "mentee": "p1", "score": 7.1667}]
    assert result["unmatched"] == []


LABELS = {
    "languages": {"en": "English", "ur": "Urdu"},
    "slots": {"tue-eve": "Tuesday evenings"},
    "topics": {"bias": "Bias in decisions"},
    "experience": {"foster-care": "Foster care"},
    "practice_areas": {"fostering": "Fostering"},
    "regions": {"north-west": "North West"},
}


def issue_reasons():
    data = copy.deepcopy(ISSUE_EXAMPLE)
    data["mentees"][0]["languages"] = ["en", "ur"]
    return solve(data)["pairs"][0]["reasons"]


def test_it_writes_reasons_as_data_without_names_or_words():
    data = copy.deepcopy(ISSUE_EXAMPLE)
    data["mentors"][0]["name"] = "Sam Okafor"
    data["mentees"][0]["name"] = "Priya Shah"
    data["labels"] = LABELS
    text = to_json(solve(data))
    for word in ("Sam", "Priya", "Foster care", "Bias in decisions", "Urdu", "you"):
        assert word not in text


def test_a_mentee_reads_the_reasons_to_them_without_the_mentors_care_experience():
    said = words(issue_reasons(), reader="mentee", mentor="Sam", mentee="Priya", labels=LABELS)
    assert said == [
        "Sam can help with your learning goal: bias in decisions.",
        "You both speak English and Urdu.",
        "You are both free on Tuesday evenings.",
        "You can both meet online.",
        "You are in the same region: North West.",
        "You have been waiting 30 days, so you were given some priority.",
    ]


def test_a_mentor_reads_their_own_experience_and_the_mentees_name():
    said = words(issue_reasons(), reader="mentor", mentor="Sam", mentee="Priya", labels=LABELS)
    assert said == [
        "You can help with Priya's learning goal: bias in decisions.",
        "You have lived experience of foster care; Priya works in fostering.",
        "You both speak English and Urdu.",
        "You are both free on Tuesday evenings.",
        "You can both meet online.",
        "You are in the same region: North West.",
        "Priya has been waiting 30 days, so was given some priority.",
    ]


def test_a_coordinator_reads_everything_in_the_third_person():
    said = words(issue_reasons(), reader="coordinator", mentor="Sam", mentee="Priya", labels=LABELS)
    assert said == [
        "Sam can help with Priya's learning goal: bias in decisions.",
        "Sam has lived experience of foster care; Priya works in fostering.",
        "Sam and Priya both speak English and Urdu.",
        "Sam and Priya are both free on Tuesday evenings.",
        "Sam and Priya can both meet online.",
        "Sam and Priya are in the same region: North West.",
        "Priya has been waiting 30 days, so was given some priority.",
    ]


def test_goals_are_counted_for_each_reader():
    reasons = [{"code": "goals", "topics": ["bias", "power"], "of": 3}]
    assert words(reasons, reader="mentee", mentor="Sam", mentee="Priya") == [
        "Sam can help with 2 of your 3 learning goals: bias and power."
    ]
    assert words(reasons, reader="coordinator", mentor="Sam", mentee="Priya") == [
        "Sam can help with 2 of Priya's 3 learning goals: bias and power."
    ]
    every = [{"code": "goals", "topics": ["bias", "power"], "of": 2}]
    assert words(every, reader="mentee", mentor="Sam", mentee="Priya") == [
        "Sam can help with all your learning goals: bias and power."
    ]
    assert words(every, reader="mentor", mentor="Sam", mentee="Priya") == [
        "You can help with all of Priya's learning goals: bias and power."
    ]


def test_reasons_from_before_they_were_data_are_read_by_coordinators_only():
    old = ["Sam has lived experience of foster care; you work in fostering."]
    assert words(old, reader="coordinator") == old
    assert words(old, reader="mentee") == []
    assert words(old, reader="mentor") == []


def test_reasons_it_does_not_know_are_left_out():
    odd = [{"code": "horoscope"}, {"code": "goals"}, None, 3, {"code": "waiting", "days": 2}]
    assert words(odd, reader="coordinator", mentee="Priya") == [
        "Priya has been waiting 2 days, so was given some priority."
    ]
    with pytest.raises(ValueError, match="reader"):
        words([], reader="you")


def test_in_person_counts_only_in_the_same_region():
    data = round_of(
        [mentor("m1", modes=["in_person"], region="north")],
        [
            mentee("p1", modes=["in_person"], region="north"),
            mentee("p2", modes=["in_person"], region="south"),
            mentee("p3", modes=["in_person"], region=None),
        ],
    )
    result = solve(data, edges=True)
    assert [(e["mentor"], e["mentee"]) for e in result["edges"]] == [("m1", "p1")]
    assert {"code": "modes", "modes": ["in_person"]} in result["pairs"][0]["reasons"]
    assert "You can both meet in person." in words(result["pairs"][0]["reasons"], reader="mentee")
    unmatched = {u["mentee"]: u for u in result["unmatched"]}
    assert unmatched["p2"]["ruled_out_by"]["mode"] == 1
    said = words(unmatched["p2"]["reasons"], reader="mentee")
    assert "cannot meet you in a way you can" in said[1]


def test_employer_rule_wording_does_not_reveal_care_history_to_the_mentee():
    data = round_of([mentor("m1", looked_after_by=["la-1"])], [mentee("p1", employer="la-1")])
    (entry,) = solve(data)["unmatched"]
    assert entry["cause"] == "no_candidates"
    assert entry["reasons"] == [{"code": "ruled_out", "rule": "employer", "mentors": 1, "of": 1}]
    assert words(entry["reasons"], reader="mentee") == [
        "No mentor meets all the rules for you this round.",
        "The one mentor in this round cannot be matched with people who work for your employer.",
    ]
    # A coordinator is told why; a mentor is told nothing about someone else's round.
    assert words(entry["reasons"], reader="coordinator", mentee="Priya") == [
        "No mentor meets all the rules for Priya this round.",
        "The one mentor in this round was in the care of the council Priya works for.",
    ]
    assert words(entry["reasons"], reader="mentor", mentee="Priya") == []


def test_it_names_the_rule_that_ruled_out_the_most_mentors():
    mentors = [
        mentor("m1", languages=["pl"]),
        mentor("m2", languages=["pl"], availability=["sat-am"]),
        mentor("m3", availability=["sat-am"], capacity=0),
        mentor("m4", availability=["sat-am"]),
    ]
    (entry,) = solve(round_of(mentors, [mentee("p1")]))["unmatched"]
    assert entry["rule"] == "availability"
    assert entry["ruled_out_by"]["availability"] == 3
    assert entry["ruled_out_by"]["language"] == 2
    assert entry["ruled_out_by"]["capacity"] == 1
    assert entry["reasons"] == [
        {"code": "ruled_out", "rule": "availability", "mentors": 3, "of": 4}
    ]
    assert words(entry["reasons"], reader="mentee")[1] == (
        "3 of the 4 mentors are not free at any of the times you are."
    )
    assert words(entry["reasons"], reader="coordinator", mentee="Priya")[1] == (
        "3 of the 4 mentors are not free at any of the times Priya is."
    )


def test_mentees_who_lose_out_are_told_their_mentors_were_needed_elsewhere():
    data = round_of(
        [mentor("m1")],
        [mentee("p1", waiting_days=100), mentee("p2", waiting_days=10)],
    )
    result = solve(data)
    assert [p["mentee"] for p in result["pairs"]] == ["p1"]
    (entry,) = result["unmatched"]
    assert entry["cause"] == "mentors_needed_elsewhere"
    assert entry["reasons"] == [{"code": "needed_elsewhere", "mentors": 1}]
    assert words(entry["reasons"], reader="mentee") == [
        "1 mentor meets all the rules for you, but they were needed for someone else this round."
    ]
    assert words(entry["reasons"], reader="coordinator", mentee="Priya") == [
        "1 mentor meets all the rules for Priya, but they were needed for someone else this round."
    ]


def test_a_candidate_not_worth_its_load_penalty_is_not_proposed():
    weights = {"goals": 0, "experience": 0, "availability": 1, "region": 0, "waiting": 0}
    data = round_of(
        [mentor("m1", capacity=3, current_load=2)],
        [mentee("p1")],
        weights={**weights, "load_spread": 0.5},
    )
    result = solve(data)
    # The only candidate scores 1, less the penalty 0.5 x 2: worth nothing.
    assert result["pairs"] == []
    assert result["unmatched"][0]["cause"] == "no_good_fit"
    assert words(result["unmatched"][0]["reasons"], reader="coordinator", mentee="Priya") == [
        "1 mentor meets all the rules for Priya, "
        "but none is a close enough fit to propose this round."
    ]
    data["weights"]["load_spread"] = 0.25
    assert solve(data)["pairs"][0]["load_index"] == 2
    assert solve(data)["objective"] == 0.5


def test_load_spread_shares_mentees_between_mentors():
    weights = {"goals": 1, "experience": 0, "availability": 0, "region": 0, "waiting": 0}
    data = round_of(
        [mentor("m1", capacity=2), mentor("m2", capacity=2, offers=[])],
        [mentee("p1"), mentee("p2")],
        weights={**weights, "load_spread": 0.0},
    )
    # m2 scores 0 (it offers none of the goals), so without load spread m1 takes both.
    result = solve(data)
    assert [(p["mentor"], p["load_index"]) for p in result["pairs"]] == [("m1", 0), ("m1", 1)]
    assert result["objective"] == 2


def test_it_solves_the_components_the_same_way_with_networkx_or_scipy(monkeypatch):
    rng = np.random.default_rng(7)
    mentee_index = rng.integers(0, 300, 200)
    mentor_index = rng.integers(0, 400, 200)
    with_networkx = assignment_module.component_labels(mentee_index, mentor_index, 300, 400)
    monkeypatch.setattr(assignment_module, "NETWORKX_EDGE_LIMIT", 0)
    with_scipy = assignment_module.component_labels(mentee_index, mentor_index, 300, 400)
    assert np.array_equal(with_networkx, with_scipy)
    assert len(np.unique(with_networkx)) > 1


@settings(max_examples=max(EXAMPLES // 3, 10), derandomize=True, deadline=None)
@given(ref.rounds(max_mentors=8, max_mentees=12))
def test_large_round_paths_give_the_same_result(data):
    """The code paths taken only by large rounds (csgraph components, threads, many chunks
    per block) give the same answer as the small-round ones."""
    expected = to_json(solve(data, edges=True))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(assignment_module, "NETWORKX_EDGE_LIMIT", 0)
        patch.setattr(candidates_module, "CHUNK_PAIRS", 3)
        patch.setattr(candidates_module, "THREADED_PAIRS", 0)
        patch.setattr(candidates_module, "MAX_WORKERS", 3)
        assert to_json(solve(data, edges=True)) == expected


def test_long_vocabularies_use_several_words_per_bitset():
    topics = [f"topic-{i:03d}" for i in range(150)]
    slots = [f"slot-{i:03d}" for i in range(70)]
    data = round_of(
        [
            mentor("m1", offers=topics[100:], availability=slots[65:]),
            mentor("m2", offers=topics[:3], availability=slots[:2], off_limits=[topics[140]]),
        ],
        [
            mentee("p1", goals=[topics[0], topics[120], topics[149]], availability=slots[60:]),
            mentee("p2", goals=[topics[140]], availability=[slots[0], slots[69]]),
        ],
        max_candidates_per_mentee=None,
    )
    assert features_module.bit_type(len(topics)) == (np.uint64, 3)
    result = solve(data, edges=True)
    assert set(edge_map(result)) == ref.allowed_pairs(data)
    for m in data["mentors"]:
        for p in data["mentees"]:
            if (m["id"], p["id"]) in edge_map(result):
                assert edge_map(result)[(m["id"], p["id"])] == ref.score_units(data, m, p)


def test_the_popcount_fallback_for_numpy_1_26_counts_bits():
    rng = np.random.default_rng(5)
    for dtype in (np.uint8, np.uint16, np.uint32, np.uint64):
        values = rng.integers(0, np.iinfo(dtype).max, (3, 7), dtype=dtype, endpoint=True)
        expected = [[bin(int(v)).count("1") for v in row] for row in values]
        assert features_module.popcount_by_table(values).tolist() == expected
        assert features_module.popcount(values).tolist() == expected
    top = np.array([2**64 - 1, 2**63], dtype=np.uint64)
    assert features_module.popcount_by_table(top).tolist() == [64, 1]


@settings(max_examples=max(EXAMPLES // 2, 10), derandomize=True, deadline=None)
@given(
    st.integers(1, 6),
    st.integers(2, 40),
    st.integers(1, 8),
    st.integers(0, 2**32 - 1),
)
def test_the_top_candidates_of_a_chunk_are_the_sorted_best(rows, width, limit, seed):
    limit = min(limit, width - 1)  # the engine only cuts rows wider than the limit
    rng = np.random.default_rng(seed)
    units = rng.integers(0, 6, (rows, width)).astype(np.int32)
    ok = rng.random((rows, width)) < 0.7
    flat = candidates_module._top(units, ok, limit)
    for row in range(rows):
        best = sorted((c for c in range(width) if ok[row, c]), key=lambda c: (-units[row, c], c))[
            :limit
        ]
        chosen = sorted(int(f) % width for f in flat if f // width == row)
        assert chosen == sorted(best)


def test_edges_are_written_exactly_as_json_would_write_them(monkeypatch):
    monkeypatch.setattr(result_module, "EDGE_BATCH", 2)
    data = round_of(
        [mentor("m\u00e9", name="Zo\u00eb"), mentor('m"2'), mentor("m3", capacity=0)],
        [mentee("p\u2014a"), mentee("p2"), mentee("p3", waiting_days=45)],
        excluded_pairs=[['m"2', "p2"]],
    )
    result = solve(data, edges=True)
    assert len(result["edges"]) == 5
    plain = {**result, "edges": [dict(edge) for edge in result["edges"]]}
    expected = json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert to_json(result) == expected + "\n"
    assert to_json(plain) == expected + "\n"
    assert result["edges"][1:3] == plain["edges"][1:3]


# Input checking and the command line.


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("mentors"), "mentors is missing"),
        (lambda d: d.update(mentees={}), "mentees must be a list, not an object"),
        (lambda d: d["mentors"][0].update(capacity="two"), "mentors[0].capacity must be a whole"),
        (lambda d: d["mentors"][0].update(capacity=1.5), "mentors[0].capacity must be a whole"),
        (lambda d: d["mentors"][0].pop("capacity"), "mentors[0].capacity is missing"),
        (lambda d: d["mentors"][0].update(current_load=10**30), "must be at most 1000"),
        (lambda d: d["mentees"][0].update(id=""), "mentees[0].id must be a non-empty text"),
        (lambda d: d["mentees"][0].update(goals=["bias", 3]), "mentees[0].goals[1] must be"),
        (lambda d: d["mentees"][0].update(waiting_days=-1), "waiting_days must be a number"),
        (lambda d: d["weights"].update(goal=3), "weights has an unknown key 'goal'"),
        (lambda d: d["weights"].update(goals=True), "weights.goals must be a number"),
        (lambda d: d["weights"].update(goals=5000), "weights.goals must be at most 1000"),
        (lambda d: d.update(max_candidates_per_mentee=0), "must be at least 1"),
        (lambda d: d.update(excluded_pairs=[["m1"]]), "excluded_pairs[0] must be a [mentor id"),
        (lambda d: d["mentees"].append(dict(d["mentees"][0])), "the id 'p1' more than once"),
        (lambda d: d.update(labels={"colours": {}}), "labels has an unknown key 'colours'"),
    ],
)
def test_bad_input_is_named_plainly(change, message):
    data = copy.deepcopy(ISSUE_EXAMPLE)
    change(data)
    with pytest.raises(InstanceError) as error:
        parse_instance(data)
    assert message in str(error.value)


def run_cli(*arguments, stdin=None):
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "-m", "matching", *arguments],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env=environment,
        timeout=60,
    )


def test_the_command_line_prints_the_result_from_a_file_or_stdin(tmp_path):
    path = tmp_path / "round.json"
    path.write_text(json.dumps(ISSUE_EXAMPLE))
    from_file = run_cli("solve", str(path), "--edges")
    assert from_file.returncode == 0, from_file.stderr
    assert from_file.stdout.decode() == to_json(solve(ISSUE_EXAMPLE, edges=True))
    from_stdin = run_cli("solve", "-", stdin=json.dumps(ISSUE_EXAMPLE).encode())
    assert from_stdin.returncode == 0
    assert json.loads(from_stdin.stdout)["objective"] == 7.1667
    assert "edges" not in json.loads(from_stdin.stdout)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{", "is not valid JSON: Expecting property name"),
        (b'{"mentors": "\xff"}', "is not UTF-8 text"),
        (b'{"mentors": [], "mentees": [], "weights": {"goals": NaN}}', "NaN is not allowed"),
        (b"[]", "the round must be a JSON object, not a list"),
        (b'{"mentors": [{"id": "m1"}], "mentees": []}', "mentors[0].capacity is missing"),
    ],
)
def test_the_command_line_reports_bad_input_in_one_line_with_status_2(tmp_path, content, message):
    path = tmp_path / "round.json"
    path.write_bytes(content)
    answer = run_cli("solve", str(path))
    assert answer.returncode == 2
    assert answer.stdout == b""
    assert message in answer.stderr.decode()
    assert "Traceback" not in answer.stderr.decode()
    assert len(answer.stderr.decode().strip().splitlines()) == 1


def test_the_command_line_reports_a_missing_file_and_bad_arguments():
    missing = run_cli("solve", "/nonexistent/round.json")
    assert missing.returncode == 2
    assert (
        "cannot read /nonexistent/round.json: No such file or directory" in missing.stderr.decode()
    )
    wrong = run_cli("unsolve")
    assert wrong.returncode == 2
    assert "Traceback" not in wrong.stderr.decode()


def test_the_command_line_puts_reasons_in_words_for_the_reader_asked_for(tmp_path):
    data = copy.deepcopy(ISSUE_EXAMPLE)
    data["mentors"][0]["name"] = "Sam"
    data["mentees"][0]["name"] = "Priya"
    data["mentees"].append(mentee("p2", languages=["pl"]))
    data["labels"] = LABELS
    path = tmp_path / "round.json"
    path.write_text(json.dumps(data))

    plain = json.loads(run_cli("solve", str(path)).stdout)
    to_coordinator = json.loads(run_cli("solve", str(path), "--words", "coordinator").stdout)
    to_mentee = json.loads(run_cli("solve", str(path), "--words", "mentee").stdout)

    assert "words" not in plain["pairs"][0]
    assert to_coordinator["pairs"][0]["reasons"] == plain["pairs"][0]["reasons"]
    assert to_coordinator["pairs"][0]["words"][1] == (
        "Sam has lived experience of foster care; Priya works in fostering."
    )
    assert to_coordinator["unmatched"][0]["words"][0] == (
        "No mentor meets all the rules for p2 this round."
    )
    assert not any("foster care" in s for s in to_mentee["pairs"][0]["words"])
    assert run_cli("solve", str(path), "--words", "you").returncode == 2


def test_the_command_line_prints_timings_on_stderr_only_when_asked(tmp_path):
    path = tmp_path / "round.json"
    path.write_text(json.dumps(ISSUE_EXAMPLE))
    answer = run_cli("solve", str(path), "--timings")
    timings = json.loads(answer.stderr)
    assert {"candidates", "solve", "explain", "total", "peak_memory_mb"} <= set(timings)
    assert answer.stdout.decode() == to_json(solve(ISSUE_EXAMPLE))


def test_the_engine_never_imports_django():
    code = (
        "import sys; import matching.engine, matching.__main__; "
        "from matching.engine import solve; "
        f"solve({ISSUE_EXAMPLE!r}); "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    answer = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, cwd=ROOT, env=environment, timeout=60
    )
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.decode().strip() == "[]"


# Wording helpers.


def test_lists_read_as_english():
    assert join([]) == ""
    assert join(["a"]) == "a"
    assert join(["a", "b"]) == "a and b"
    assert join(["a", "b", "c"], "or") == "a, b or c"
    assert join(["a", "b", "c", "d", "e"]) == "a, b, c and 2 more"
    assert in_sentence("Foster care") == "foster care"
    assert in_sentence("BSL") == "BSL"
    assert in_sentence("Children's Trust work") == "Children's Trust work"


def test_free_times_are_named_in_week_order():
    data = round_of(
        [mentor("m1", availability=["sat-am", "mon-eve", "tue-pm", "odd-slot"])],
        [mentee("p1", availability=["odd-slot", "tue-pm", "sat-am", "mon-eve"])],
    )
    reasons = solve(data)["pairs"][0]["reasons"]
    assert (
        "You are both free on Monday evenings, Tuesday afternoons, Saturday mornings and odd-slot."
        in words(reasons, reader="mentee")
    )


def test_shuffled_input_order_is_normalised():
    data = round_of([mentor(f"m{i}") for i in range(5)], [mentee(f"p{i}") for i in range(5)])
    shuffled = copy.deepcopy(data)
    random.Random(3).shuffle(shuffled["mentors"])
    assert to_json(solve(shuffled)) == to_json(solve(data))
