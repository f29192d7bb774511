"""Benchmark the matching engine on seeded synthetic rounds and record the run.

    .venv/bin/python bench/matching.py                 # all three sizes, writes docs/performance.md
    .venv/bin/python bench/matching.py --sizes 1000x3000 --no-write

Each size is generated reproducibly (seeded), written to a temporary ROUND.json and solved
through the command line path (`python -m matching solve ROUND.json --timings`) in a fresh
process, so parsing, printing and peak memory (the child's maximum resident set size) are
those a coordinator's round would see. The same run then checks the answer on the same
candidate edges against

- a greedy assignment (best remaining edge first), to show what exactness buys;
- an independent reference: one call of SciPy's sparse LAPJVsp on the whole slot-expanded
  graph, built here from the edges without the engine's code. Its time is the yardstick for
  the engine's solve step (target: at most 3x).

The profile mix is made up but shaped like a real programme: almost everyone speaks English,
online meetings are the norm, in-person needs the same region, people are free at a handful
of 21 weekly slots, mentors keep one to three topics off limits and were looked after by one
or two of about 150 local authorities.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

ROOT = Path(__file__).resolve().parent.parent
SIZES = [(1_000, 3_000), (5_000, 15_000), (20_000, 60_000)]
SEED = 20260509
MAX_CANDIDATES = 50
REPORT = ROOT / "docs" / "performance.md"
HEADING = "## Matching"

REGIONS = {
    "north-east": ("North East", 2.6),
    "north-west": ("North West", 7.4),
    "yorkshire": ("Yorkshire and the Humber", 5.5),
    "east-midlands": ("East Midlands", 4.9),
    "west-midlands": ("West Midlands", 6.0),
    "east": ("East of England", 6.4),
    "london": ("London", 8.9),
    "south-east": ("South East", 9.3),
    "south-west": ("South West", 5.7),
    "wales": ("Wales", 3.1),
    "scotland": ("Scotland", 5.5),
    "northern-ireland": ("Northern Ireland", 1.9),
}
LANGUAGES = {
    "cy": ("Welsh", 3),
    "bsl": ("British Sign Language", 1),
    "ur": ("Urdu", 3),
    "pa": ("Punjabi", 3),
    "bn": ("Bengali", 2),
    "pl": ("Polish", 3),
    "ro": ("Romanian", 2),
    "ar": ("Arabic", 2),
    "so": ("Somali", 1),
    "ti": ("Tigrinya", 1),
    "ku": ("Kurdish", 1),
    "fa": ("Persian (Farsi)", 1),
    "ps": ("Pashto", 1),
    "gu": ("Gujarati", 2),
    "tr": ("Turkish", 1),
    "pt": ("Portuguese", 1),
    "es": ("Spanish", 1),
    "fr": ("French", 1),
}
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
PARTS = ["am", "pm", "eve"]
SLOTS = [f"{day}-{part}" for day in DAYS for part in PARTS]
# Weekday evenings are popular, weekend mornings less so.
SLOT_WEIGHTS = np.array(
    [
        (2.0 if part == "eve" else 1.0) * (0.6 if day in ("sat", "sun") else 1.0)
        for day in DAYS
        for part in PARTS
    ]
)
TOPICS = {
    "bias": "Bias in decisions",
    "language-that-cares": "Language that cares",
    "saying-struggling": "Saying \u201cI'm struggling\u201d or \u201cI made a mistake\u201d",
    "power-and-participation": "Power and participation",
    "life-story-work": "Life-story work",
    "moving-to-adulthood": "Moving to adulthood",
    "family-time": "Family time",
    "being-heard-in-reviews": "Being heard in reviews",
    "identity-and-belonging": "Identity and belonging",
    "recording-with-care": "Writing records with care",
    "trauma-informed-practice": "Trauma-informed practice",
    "education-and-school": "School and education",
    "mental-health": "Emotional wellbeing and mental health",
    "moving-homes": "Moving homes",
    "relationships-that-last": "Relationships that last",
}
PRACTICE_AREAS = {
    "fostering": "Fostering",
    "children-in-care": "Children in care",
    "leaving-care": "Leaving care and moving to adulthood",
    "adoption": "Adoption",
    "kinship-care": "Kinship and family care",
    "residential-care": "Children's homes",
    "child-protection": "Child protection",
    "family-support": "Family support and early help",
    "youth-justice": "Youth justice",
    "disabled-children": "Disabled children's services",
    "asylum": "Unaccompanied children seeking asylum",
    "adults": "Adult social care",
}
EXPERIENCE = {
    "foster-care": ("Foster care", ["fostering", "children-in-care"]),
    "residential-care": ("Residential care", ["residential-care", "children-in-care"]),
    "kinship-care": ("Kinship care", ["kinship-care", "family-support"]),
    "adoption": ("Adoption", ["adoption"]),
    "leaving-care": ("Leaving care", ["leaving-care"]),
    "youth-justice": ("Youth justice", ["youth-justice"]),
    "unaccompanied-asylum": ("Arriving alone and seeking asylum", ["asylum", "children-in-care"]),
    "disabled-childrens-services": ("Disabled children's services", ["disabled-children"]),
    "child-protection": ("Child protection", ["child-protection", "family-support"]),
    "parent-with-social-worker": (
        "Being a parent with a social worker",
        ["child-protection", "family-support"],
    ),
}
FIRST_NAMES = [
    *("Sam", "Priya", "Jo", "Alex", "Kai", "Ade", "Amira", "Ben", "Chloe", "Dev", "Ella"),
    *("Farah", "Gary", "Hana", "Idris", "Jade", "Kofi", "Lena", "Maya", "Nia", "Omar", "Pat"),
    *("Quinn", "Rosa", "Sian", "Tariq", "Uma", "Vic", "Wren", "Yusuf", "Zoe", "Aled", "Bex"),
]
AUTHORITIES_PER_REGION = 12


def _sample_sets(rng, n, weights, low, high):
    """n random subsets of range(len(weights)), sizes uniform in [low, high], drawn by weight
    without replacement (the Gumbel-top-k trick, vectorised)."""
    keys = np.log(rng.random((n, len(weights)))) / np.asarray(weights, dtype=float)
    order = np.argsort(-keys, axis=1)
    sizes = rng.integers(low, high + 1, size=n)
    return [row[:size].tolist() for row, size in zip(order, sizes, strict=True)]


def _modes(rng, n, online, phone, in_person):
    chosen = rng.random((n, 3)) < np.array([online, phone, in_person])
    chosen[~chosen.any(axis=1), 0] = True
    names = ["online", "phone", "in_person"]
    return [[names[j] for j in range(3) if row[j]] for row in chosen]


def _languages(rng, n, english, extra):
    codes = list(LANGUAGES)
    weights = np.array([LANGUAGES[c][1] for c in codes], dtype=float)
    picks = rng.choice(len(codes), size=n, p=weights / weights.sum())
    has_english = rng.random(n) < english
    has_extra = (rng.random(n) < extra) | ~has_english
    return [
        (["en"] if e else []) + ([codes[p]] if x else [])
        for e, x, p in zip(has_english, has_extra, picks, strict=True)
    ]


def make_instance(n_mentors: int, n_mentees: int, seed: int = SEED) -> dict:
    """A reproducible synthetic round with realistic rule selectivity."""
    rng = np.random.default_rng([seed, n_mentors, n_mentees])
    regions = list(REGIONS)
    region_p = np.array([REGIONS[r][1] for r in regions])
    region_p /= region_p.sum()
    authorities = [f"{r}-la-{i}" for r in regions for i in range(AUTHORITIES_PER_REGION)]
    topics = list(TOPICS)
    areas = list(PRACTICE_AREAS)
    experience = list(EXPERIENCE)

    def authority_near(region_index):
        # Most people live and work near where they grew up, some move.
        near = rng.random(len(region_index)) < 0.8
        home = region_index * AUTHORITIES_PER_REGION + rng.integers(
            0, AUTHORITIES_PER_REGION, len(region_index)
        )
        anywhere = rng.integers(0, len(authorities), len(region_index))
        return np.where(near, home, anywhere)

    m_region = rng.choice(len(regions), size=n_mentors, p=region_p)
    m_langs = _languages(rng, n_mentors, english=0.96, extra=0.25)
    m_modes = _modes(rng, n_mentors, online=0.85, phone=0.45, in_person=0.55)
    m_slots = _sample_sets(rng, n_mentors, SLOT_WEIGHTS, 2, 7)
    m_topics = _sample_sets(rng, n_mentors, np.ones(len(topics)), 6, 11)
    n_offers = rng.integers(3, 9, n_mentors)
    n_off = np.where(rng.random(n_mentors) < 0.4, 0, rng.integers(1, 4, n_mentors))
    m_exp = _sample_sets(rng, n_mentors, np.ones(len(experience)), 1, 3)
    m_la_first = authority_near(m_region)
    m_la_second = authority_near(m_region)
    two_las = rng.random(n_mentors) < 0.3
    capacity = rng.choice([1, 2, 3], size=n_mentors, p=[0.5, 0.35, 0.15])
    load = np.where(rng.random(n_mentors) < 0.75, 0, rng.integers(0, capacity + 1))
    mentors = []
    for i in range(n_mentors):
        offers = m_topics[i][: n_offers[i]]
        off_limits = m_topics[i][n_offers[i] : n_offers[i] + n_off[i]]
        looked_after = {authorities[m_la_first[i]]}
        if two_las[i]:
            looked_after.add(authorities[m_la_second[i]])
        mentors.append(
            {
                "id": f"m{i:05d}",
                "name": f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {i}",
                "capacity": int(capacity[i]),
                "current_load": int(load[i]),
                "languages": m_langs[i],
                "region": regions[m_region[i]],
                "modes": m_modes[i],
                "availability": [SLOTS[s] for s in m_slots[i]],
                "offers": [topics[t] for t in offers],
                "off_limits": [topics[t] for t in off_limits],
                "experience": [experience[e] for e in m_exp[i]],
                "looked_after_by": sorted(looked_after),
            }
        )

    p_region = rng.choice(len(regions), size=n_mentees, p=region_p)
    p_langs = _languages(rng, n_mentees, english=0.98, extra=0.12)
    p_modes = _modes(rng, n_mentees, online=0.8, phone=0.35, in_person=0.5)
    p_slots = _sample_sets(rng, n_mentees, SLOT_WEIGHTS, 2, 6)
    p_goals = _sample_sets(rng, n_mentees, np.ones(len(topics)), 1, 4)
    p_areas = _sample_sets(rng, n_mentees, np.ones(len(areas)), 1, 2)
    p_employer = authority_near(p_region)
    waiting = np.minimum(rng.exponential(40, n_mentees).astype(int), 400)
    mentees = [
        {
            "id": f"p{j:05d}",
            "name": f"{FIRST_NAMES[(j * 7) % len(FIRST_NAMES)]} {j}",
            "languages": p_langs[j],
            "region": regions[p_region[j]],
            "modes": p_modes[j],
            "availability": [SLOTS[s] for s in p_slots[j]],
            "goals": [topics[t] for t in p_goals[j]],
            "practice_areas": [areas[a] for a in p_areas[j]],
            "employer": authorities[p_employer[j]],
            "waiting_days": int(waiting[j]),
        }
        for j in range(n_mentees)
    ]
    excluded = {
        (int(a), int(b))
        for a, b in zip(
            rng.integers(0, n_mentors, n_mentees // 2),
            rng.integers(0, n_mentees, n_mentees // 2),
            strict=True,
        )
    }
    day_names = dict(
        zip(
            DAYS,
            ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
            strict=True,
        )
    )
    part_names = {"am": "mornings", "pm": "afternoons", "eve": "evenings"}
    return {
        "weights": {
            "goals": 3,
            "experience": 2,
            "availability": 1,
            "region": 1,
            "waiting": 1,
            "load_spread": 0.5,
        },
        "max_candidates_per_mentee": MAX_CANDIDATES,
        "relevance": {slug: areas for slug, (_, areas) in EXPERIENCE.items()},
        "labels": {
            "languages": {"en": "English", **{c: name for c, (name, _) in LANGUAGES.items()}},
            "regions": {slug: name for slug, (name, _) in REGIONS.items()},
            "slots": {f"{d}-{p}": f"{day_names[d]} {part_names[p]}" for d in DAYS for p in PARTS},
            "topics": TOPICS,
            "practice_areas": PRACTICE_AREAS,
            "experience": {slug: name for slug, (name, _) in EXPERIENCE.items()},
        },
        "mentors": mentors,
        "mentees": mentees,
        "excluded_pairs": [[f"m{a:05d}", f"p{b:05d}"] for a, b in sorted(excluded)],
    }


# Checking the answer on the same edges.


def engine_edges(data: dict):
    """The candidate edges exactly as the engine builds them (deterministic, so the same
    as the command line's), with each edge's worth as its mentor's next mentee."""
    from matching.engine.candidates import generate
    from matching.engine.features import build_features
    from matching.engine.instance import parse_instance

    instance = parse_instance(data)
    features = build_features(instance)
    candidates = generate(instance, features)
    return instance, features, candidates


def greedy(features, candidates, penalty: int) -> int:
    """Best remaining edge first: what a simple matcher would do."""
    value = candidates.units - penalty * features.mentor_load[candidates.mentor]
    order = np.lexsort((candidates.mentor, candidates.mentee, -value))
    spare = features.mentor_spare.copy()
    taken = np.zeros(features.n_mentors, dtype=np.int64)
    matched = np.zeros(features.n_mentees, dtype=bool)
    total = 0
    for e in order.tolist():
        p, m = int(candidates.mentee[e]), int(candidates.mentor[e])
        worth = int(value[e]) - penalty * int(taken[m])
        if worth <= 0:
            continue
        if not matched[p] and taken[m] < spare[m]:
            matched[p] = True
            taken[m] += 1
            total += worth
    return total


def reference(features, candidates, penalty: int) -> tuple[int, float]:
    """Independent exact optimum: the whole slot-expanded graph in one call of SciPy's sparse
    LAPJVsp, built here from the edges. Places are rows (each with an "empty" column worth a
    tiny epsilon, too small to change the whole-unit optimum); maximise the worth."""
    started = time.perf_counter()
    value = candidates.units - penalty * features.mentor_load[candidates.mentor]
    keep = value > 0
    mentee, mentor, value = candidates.mentee[keep], candidates.mentor[keep], value[keep]
    spare = features.mentor_spare
    first_place = np.concatenate([[0], np.cumsum(spare)[:-1]])
    rows, columns, worth = [], [], []
    for k in range(int(spare.max(initial=0))):
        has = (spare[mentor] > k) & (value - penalty * k > 0)
        rows.append(first_place[mentor[has]] + k)
        columns.append(mentee[has].astype(np.int64))
        worth.append((value[has] - penalty * k).astype(np.float64))
    n_places = int(spare.sum())
    used_rows = np.unique(np.concatenate(rows)) if rows else np.zeros(0, dtype=np.int64)
    if len(used_rows) == 0:
        return 0, time.perf_counter() - started
    # Only places that have an edge take part; renumber them 0..n-1.
    renumber = np.full(n_places, -1, dtype=np.int64)
    renumber[used_rows] = np.arange(len(used_rows))
    n_rows = len(used_rows)
    epsilon = 1.0 / (2 * (n_rows + 1))
    matrix = sp.csr_matrix(
        (
            np.concatenate([*worth, np.full(n_rows, epsilon)]),
            (
                np.concatenate([renumber[np.concatenate(rows)], np.arange(n_rows)]),
                np.concatenate([*columns, features.n_mentees + np.arange(n_rows)]),
            ),
        ),
        shape=(n_rows, features.n_mentees + n_rows),
    )
    row, column = min_weight_full_bipartite_matching(matrix, maximize=True)
    real = column < features.n_mentees
    total = matrix[row[real], column[real]].sum()
    return round(total), time.perf_counter() - started


def engine_solve_time(features, candidates, load_spread: float) -> tuple[int, float]:
    from matching.engine.assignment import assign

    started = time.perf_counter()
    assignment = assign(features, candidates, load_spread)
    return assignment.objective_units, time.perf_counter() - started


# Running and recording.


def run_cli(path: Path, *, edges: bool = False) -> dict:
    """Solve through the command line in a fresh process: wall time and that process's
    own peak resident memory (from wait4, so nothing else is counted)."""
    command = [sys.executable, "-m", "matching", "solve", str(path), "--timings"]
    started = time.perf_counter()
    with open(os.devnull, "rb") as nothing, tempfile.TemporaryFile() as output:
        child = subprocess.Popen(
            command + (["--edges"] if edges else []),
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.PIPE,
            stdin=nothing,
        )
        stderr = child.stderr.read()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        if child.returncode != 0:
            raise SystemExit(f"the command line failed: {stderr.decode()}")
        size = output.tell()
        output.seek(0)
        result = {} if edges else json.load(output)
    return {
        "wall": wall,
        "peak_mb": usage.ru_maxrss / 1024,
        "output_mb": size / 2**20,
        "timings": json.loads(stderr),
        "objective": result.get("objective"),
        "stats": result.get("stats"),
    }


def measure(n_mentors: int, n_mentees: int) -> dict:
    data = make_instance(n_mentors, n_mentees)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "round.json"
        path.write_text(json.dumps(data))
        load_before = os.getloadavg()[0]
        cli = run_cli(path)
        with_edges = run_cli(path, edges=True)
    instance, features, candidates = engine_edges(data)
    del data
    if len(candidates) != cli["stats"]["edges"]:
        raise SystemExit("the benchmark's edges differ from the command line's")
    penalty = round(instance.weights.load_spread * 10_000)
    engine_objective, engine_time = engine_solve_time(
        features, candidates, instance.weights.load_spread
    )
    if engine_objective != round(cli["objective"] * 10_000):
        raise SystemExit("the command line's objective differs from the engine's on its edges")
    reference_objective, reference_time = reference(features, candidates, penalty)
    greedy_objective = greedy(features, candidates, penalty)
    return {
        "size": f"{n_mentors:,} x {n_mentees:,}",
        "cli": cli,
        "with_edges": with_edges,
        "load": (load_before, os.getloadavg()[0]),
        "engine_objective": engine_objective,
        "reference_objective": reference_objective,
        "greedy_objective": greedy_objective,
        "engine_time": engine_time,
        "reference_time": reference_time,
    }


def _machine() -> str:
    import platform

    import scipy

    try:
        with open("/proc/cpuinfo") as info:
            model = next(
                (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
                platform.processor(),
            )
    except OSError:
        model = platform.processor()
    cores = len(os.sched_getaffinity(0))
    return (
        f"{cores} cores ({model}), Python {platform.python_version()}, "
        f"NumPy {np.__version__}, SciPy {scipy.__version__}"
    )


def report(rows: list[dict]) -> str:
    lines = [
        HEADING,
        "",
        "Written by `bench/matching.py` (seeded synthetic rounds, mentors x mentees, "
        f"max_candidates_per_mentee = {MAX_CANDIDATES}); run it again to refresh this section. "
        f"Machine: {_machine()}.",
        "",
        "Each round is solved through the command line in a fresh process "
        "(`python -m matching solve ROUND.json --timings`). Stage times are the engine's own; "
        "*end to end* is the wall time of the whole process, interpreter start and printing "
        "included; *peak memory* is that process's maximum resident set size.",
        "",
        "| round | allowed pairs | edges kept | candidate generation | solve | explanations "
        "| end to end | peak memory | with `--edges` |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        cli, t, e = row["cli"], row["cli"]["timings"], row["with_edges"]
        lines.append(
            f"| {row['size']} | {cli['stats']['allowed_pairs']:,} | {cli['stats']['edges']:,} "
            f"| {t['candidates']:.1f} s | {t['solve']:.1f} s | {t['explain']:.1f} s "
            f"| {cli['wall']:.1f} s | {cli['peak_mb']:,.0f} MB "
            f"| {e['wall']:.1f} s, {e['peak_mb']:,.0f} MB, {e['output_mb']:,.0f} MB of JSON |"
        )
    lines += [
        "",
        "*Allowed pairs* meet every hard rule; *edges kept* are what pruning leaves for the "
        "solver. Besides the stages, *end to end* includes starting Python and importing "
        "NumPy and SciPy, printing, and reading and checking the JSON, which took "
        + ", ".join(
            f"{r['cli']['timings']['read'] + r['cli']['timings']['validate']:.1f} s" for r in rows
        )
        + ".",
    ]
    lines += [
        "",
        "The answer on the same edges, checked in the same run: the engine's objective against "
        "a greedy assignment (best remaining edge first) and against an independent reference "
        "(one call of SciPy's sparse LAPJVsp on the whole slot-expanded graph, built by the "
        "benchmark itself, without splitting into components). Solve times here are measured "
        "back to back in the benchmark's own process.",
        "",
        "| round | objective | greedy | reference objective | engine solve | reference solve "
        "| ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        optimum = row["engine_objective"]
        greedy_share = 100 * row["greedy_objective"] / optimum if optimum else 100.0
        same = "equal" if row["reference_objective"] == optimum else "**differs**"
        ratio = row["engine_time"] / row["reference_time"] if row["reference_time"] else 0.0
        lines.append(
            f"| {row['size']} | {optimum / 10_000:,.4f} | {row['greedy_objective'] / 10_000:,.4f} "
            f"({greedy_share:.2f} %) | {row['reference_objective'] / 10_000:,.4f} ({same}) "
            f"| {row['engine_time']:.2f} s | {row['reference_time']:.2f} s | {ratio:.2f}x |"
        )
    loads = ", ".join(f"{r['size']}: {r['load'][0]:.1f} to {r['load'][1]:.1f}" for r in rows)
    lines += [
        "",
        "Targets on this 2-core machine: 5,000 x 15,000 end to end at most 10 s; 20,000 x "
        "60,000 at most 60 s and 2 GB; solve at most 3x the reference on the same edges.",
        "",
        *(f"- {verdict}" for verdict in verdicts(rows)),
        "",
        f"Load average (1 minute) at the start and end of each round: {loads}. Other work on "
        "the machine slows every stage; a load near the number of cores means the run shared "
        "them.",
        "",
    ]
    return "\n".join(lines)


def verdicts(rows: list[dict]) -> list[str]:
    found = []
    by_size = {row["size"]: row for row in rows}
    for size, seconds, megabytes in (("5,000 x 15,000", 10, None), ("20,000 x 60,000", 60, 2048)):
        row = by_size.get(size)
        if row is None:
            continue
        wall, peak = row["cli"]["wall"], row["cli"]["peak_mb"]
        met = wall <= seconds and (megabytes is None or peak <= megabytes)
        limit = f"{seconds} s" + (f" and {megabytes / 1024:.0f} GB" if megabytes else "")
        found.append(
            f"{size}: {wall:.1f} s end to end, {peak:,.0f} MB peak, against {limit}: "
            + ("met." if met else "**not met**.")
        )
    worst = max(row["engine_time"] / row["reference_time"] for row in rows)
    found.append(
        f"Solve against the reference: at most {worst:.2f}x, against 3x: "
        + ("met." if worst <= 3 else "**not met**.")
    )
    return found


def write_section(text: str) -> None:
    """Replace (or add) the Matching section of docs/performance.md, leaving other sections."""
    existing = REPORT.read_text() if REPORT.exists() else "# Performance\n\n"
    start = existing.find(HEADING + "\n")
    if start == -1:
        updated = existing.rstrip("\n") + "\n\n" + text
    else:
        end = existing.find("\n## ", start + len(HEADING))
        rest = existing[end + 1 :] if end != -1 else ""
        updated = existing[:start] + text + ("\n" + rest if rest else "")
    REPORT.write_text(updated)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        nargs="*",
        default=[f"{m}x{p}" for m, p in SIZES],
        help="rounds as MENTORSxMENTEES (default: the three benchmark sizes)",
    )
    parser.add_argument("--no-write", action="store_true", help="print, do not write the doc")
    arguments = parser.parse_args()
    rows = []
    for size in arguments.sizes:
        n_mentors, n_mentees = (int(n) for n in size.lower().split("x"))
        row = measure(n_mentors, n_mentees)
        print(
            f"{row['size']}: end to end {row['cli']['wall']:.1f} s, "
            f"peak {row['cli']['peak_mb']:.0f} MB, timings {row['cli']['timings']}, "
            f"solve {row['engine_time']:.2f} s vs reference {row['reference_time']:.2f} s",
            flush=True,
        )
        rows.append(row)
    text = report(rows)
    print(text)
    if not arguments.no_write:
        write_section(text)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
