"""Candidate pairs: the hard rules, the score and the pruning, vectorised.

A round of 20,000 mentors and 60,000 mentees has 1.2 billion possible pairs, far too many to
look at one by one in Python. Instead:

1. Mentees are put in blocks that share the same languages, meeting modes and (when they
   can meet in person) region. For a block, the language, mode and capacity rules depend
   only on the mentor, so they choose the block's mentors once.
2. Within a block, mentees are taken a chunk at a time (a few hundred thousand pairs), so
   memory stays flat however large the round. Free times, goals, off-limits topics and
   practice areas are bitsets (features.py): an AND and a popcount per pair give the shared
   counts for the whole chunk at once. Employer and excluded-pair rules are sparse, so they
   are struck out of the chunk by index.
3. The score is added up in whole units from those counts (docs/matching.md, "Score").
4. Each mentee keeps their best `max_candidates_per_mentee` candidates, ties going to the
   mentor with the smaller id. A sample of each row gives a safe lower bound for the cut-off
   score, so only the few pairs above it are sorted.
"""

import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .features import AVAILABILITY_FULL, Features, popcount
from .instance import IN_PERSON, Instance

# Pairs per chunk: large enough to amortise NumPy's per-call cost, small enough that a
# chunk's working arrays stay in the processor's cache.
CHUNK_PAIRS = 1 << 19
# Sampling stride of the cut-off estimate, relative to sqrt(row width / limit).
SAMPLE_FACTOR = 1.0
# Threads for candidate generation (see workers()).
MAX_WORKERS = 4
# Rounds with fewer possible pairs than this are not worth starting threads for.
THREADED_PAIRS = 1 << 22
# The hard rules, in the order unmatched mentees' reasons consider them.
RULES = ("language", "mode", "availability", "off_limits", "employer", "excluded", "capacity")

# Where the solver is, for a caller that shows it: progress(stage, done, total) is called
# from the calling thread with STAGE_CANDIDATES and the mentees looked at so far of all of
# them (after each block), then once with STAGE_SOLVE (done and total None) as the
# assignment starts. It must not change anything the solver reads.
Progress = Callable[[str, int | None, int | None], None] | None
STAGE_CANDIDATES = "candidates"
STAGE_SOLVE = "solve"


@dataclass(frozen=True)
class Candidates:
    """Candidate edges, sorted by (mentee, mentor), with their scores in units."""

    mentee: np.ndarray  # int32 mentee index
    mentor: np.ndarray  # int32 mentor index
    units: np.ndarray  # int64 score in 1/SCALE
    allowed: np.ndarray  # per mentee: pairs the hard rules allow, before pruning

    def __len__(self) -> int:
        return len(self.mentee)


def shared_count(mentees: np.ndarray, mentors: np.ndarray) -> np.ndarray:
    """(rows, columns) counts of values each mentee row shares with each mentor column."""
    count = popcount(mentees[:, 0, None] & mentors[None, :, 0])
    for word in range(1, mentees.shape[1]):
        count = count + popcount(mentees[:, word, None] & mentors[None, :, word]).astype(np.uint16)
    return count


def shares_any(mentees: np.ndarray, mentors: np.ndarray) -> np.ndarray:
    """(rows, columns) booleans: does the mentee share at least one value with the mentor."""
    shared = (mentees[:, 0, None] & mentors[None, :, 0]) != 0
    for word in range(1, mentees.shape[1]):
        shared |= (mentees[:, word, None] & mentors[None, :, word]) != 0
    return shared


def _expand(ptr: np.ndarray, values: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, ...]:
    """For each position i with keys[i] >= 0, the CSR list ptr/values of that key, flattened:
    (position, value) pairs."""
    positions = np.flatnonzero(keys >= 0)
    starts = ptr[keys[positions]]
    counts = ptr[keys[positions] + 1] - starts
    total = int(counts.sum())
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(positions, counts), values[np.repeat(starts, counts) + offsets]


def _strike(ok: np.ndarray, rows: np.ndarray, columns: np.ndarray, features: Features) -> None:
    """Remove employer and excluded pairs from a chunk's mask, in place. `columns` are the
    chunk's mentors, sorted."""
    for ptr, values, keys in (
        (features.employer_ptr, features.employer_mentors, features.mentee_employer[rows]),
        (features.excluded_ptr, features.excluded_mentors, rows),
    ):
        at, mentors = _expand(ptr, values, keys)
        position = np.minimum(np.searchsorted(columns, mentors), len(columns) - 1)
        hit = columns[position] == mentors
        ok[at[hit], position[hit]] = False


def _blocks(instance: Instance, features: Features) -> dict[tuple, list[int]]:
    """Mentees grouped by what decides the language and mode rules for them."""
    blocks: dict[tuple, list[int]] = {}
    for index, mentee in enumerate(instance.mentees):
        in_person_region = (
            mentee.region if IN_PERSON in mentee.modes and mentee.region is not None else None
        )
        key = (
            tuple(sorted(mentee.languages)),
            tuple(sorted(mentee.modes - {IN_PERSON})),
            in_person_region,
        )
        blocks.setdefault(key, []).append(index)
    return blocks


def _block_mentors(features: Features, key: tuple) -> np.ndarray:
    """Mentors with room who share a language and a meeting mode with this block."""
    languages, remote_modes, in_person_region = key
    language_columns = [features.languages[v] for v in languages]
    shared_language = features.mentor_languages[:, language_columns].any(axis=1)
    mode_columns = [features.modes[v] for v in remote_modes]
    shared_mode = features.mentor_modes[:, mode_columns].any(axis=1)
    if in_person_region is not None:
        in_person = features.mentor_modes[:, features.modes[IN_PERSON]] > 0
        region = features.regions.get(in_person_region, -2)
        shared_mode |= in_person & (features.mentor_region == region)
    return np.flatnonzero(shared_language & shared_mode & (features.mentor_spare > 0))


def _top(units: np.ndarray, ok: np.ndarray, limit: int) -> np.ndarray:
    """Flat positions of each row's `limit` best candidates: highest units first, then the
    smaller column (columns are in mentor-id order)."""
    width = units.shape[1]
    # The limit-th largest of a sample of the row is at most the row's own limit-th largest,
    # so every pair of the true top `limit` (ties included) scores at least that much, and
    # only the few pairs above this cut-off need sorting.
    stride = max(1, min(width // limit, int(math.sqrt(width / limit) * SAMPLE_FACTOR)))
    sample = np.where(ok[:, ::stride], units[:, ::stride], -1)
    cut = np.partition(sample, -limit, axis=1)[:, -limit]
    np.maximum(cut, 0, out=cut)
    above = units >= cut[:, None]
    above &= ok
    flat = np.flatnonzero(above)
    row = flat // width
    score = units.ravel()[flat].astype(np.int64)
    # Sort by row, then best score first; the stable sort keeps column order among ties.
    top = int(score.max(initial=0))
    order = np.argsort(row * (top + 1) + (top - score), kind="stable")
    flat, row = flat[order], row[order]
    firsts = np.flatnonzero(np.diff(row, prepend=-1))
    position = np.arange(len(row)) - np.repeat(firsts, np.diff(np.append(firsts, len(row))))
    return flat[position < limit]


class _Scorer:
    """The chunk arithmetic for one round; safe to share between threads (read only)."""

    def __init__(self, instance: Instance, features: Features) -> None:
        self.features = features
        self.limit = instance.max_candidates_per_mentee if instance.prunes else None
        # Weights are at most MAX_WEIGHT (instance.py), so no score reaches 2**31 units.
        unit = np.int32
        self.goal_units = features.goal_units.astype(unit)
        self.area_units = features.area_units.astype(unit)
        self.slot_units = features.slot_units.astype(unit)
        self.waiting_units = features.waiting_units.astype(unit)
        self.region_units = unit(features.region_units)

    def block(self, key: tuple, members: list[int]) -> tuple[np.ndarray, ...]:
        """Edges of one block: (mentee, mentor, units), and the allowed count per member."""
        features = self.features
        block = np.array(members, dtype=np.int64)
        allowed = np.zeros(len(block), dtype=np.int64)
        columns = _block_mentors(features, key)
        if len(columns) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty, allowed
        slots = features.mentor_slots[columns]
        off_limits = features.mentor_off_limits[columns]
        offers = features.mentor_offers[columns]
        areas = features.mentor_areas[columns]
        region = features.mentor_region[columns]
        full = np.uint8(AVAILABILITY_FULL)
        parts = []
        step = max(1, CHUNK_PAIRS // len(columns))
        for start in range(0, len(block), step):
            rows = block[start : start + step]
            free = shared_count(features.mentee_slots[rows], slots)
            ok = free > 0
            ok &= ~shares_any(features.mentee_goals[rows], off_limits)
            _strike(ok, rows, columns, features)
            allowed[start : start + len(rows)] = np.count_nonzero(ok, axis=1)
            np.minimum(free, full, out=free)
            units = free * self.slot_units[rows, None]
            units += shared_count(features.mentee_goals[rows], offers) * self.goal_units[rows, None]
            units += shared_count(features.mentee_areas[rows], areas) * self.area_units[rows, None]
            if self.region_units:
                units += (features.mentee_region[rows, None] == region[None, :]) * self.region_units
            units += self.waiting_units[rows, None]
            if self.limit is None or len(columns) <= self.limit:
                flat = np.flatnonzero(ok)
            else:
                flat = _top(units, ok, self.limit)
            at_row, at_column = np.divmod(flat, len(columns))
            parts.append((rows[at_row], columns[at_column], units.ravel()[flat].astype(np.int64)))
        return (*(np.concatenate(p) for p in zip(*parts, strict=True)), allowed)


def workers() -> int:
    """Threads for candidate generation: NumPy releases the GIL inside each operation, so
    blocks run in parallel on the cores this process may use."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def _told(blocks: list, results, progress: Progress, total: int):
    """The blocks' results in order, telling `progress` how many mentees are done so far."""
    done = 0
    for (_, members), result in zip(blocks, results, strict=True):
        done += len(members)
        if progress is not None:
            progress(STAGE_CANDIDATES, done, total)
        yield result


def generate(instance: Instance, features: Features, *, progress: Progress = None) -> Candidates:
    """All candidate edges after pruning, and how many pairs each mentee's hard rules allow."""
    scorer = _Scorer(instance, features)
    blocks = list(_blocks(instance, features).items())
    threads = workers() if features.n_mentors * features.n_mentees >= THREADED_PAIRS else 1
    total = features.n_mentees
    if progress is not None:
        progress(STAGE_CANDIDATES, 0, total)
    if threads == 1:
        results = list(_told(blocks, (scorer.block(*block) for block in blocks), progress, total))
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            # map() keeps block order, so the result never depends on thread timing; its
            # results are read here, in the calling thread, which alone tells `progress`.
            mapped = pool.map(lambda block: scorer.block(*block), blocks)
            results = list(_told(blocks, mapped, progress, total))
    allowed = np.zeros(features.n_mentees, dtype=np.int64)
    for (_, members), result in zip(blocks, results, strict=True):
        allowed[members] = result[3]
    if results:
        mentee = np.concatenate([r[0] for r in results]).astype(np.int32)
        mentor = np.concatenate([r[1] for r in results]).astype(np.int32)
        score_units = np.concatenate([r[2] for r in results])
    else:
        mentee = mentor = np.zeros(0, dtype=np.int32)
        score_units = np.zeros(0, dtype=np.int64)
    order = np.lexsort((mentor, mentee))
    return Candidates(
        mentee=mentee[order], mentor=mentor[order], units=score_units[order], allowed=allowed
    )


def rule_failures(features: Features, mentees: np.ndarray) -> np.ndarray:
    """For each given mentee, how many mentors each hard rule rules out (one column per
    entry of RULES). Each rule is counted on its own: one mentor can fail several."""
    mentees = np.asarray(mentees, dtype=np.int64)
    counts = np.zeros((len(mentees), len(RULES)), dtype=np.int64)
    if len(mentees) == 0 or features.n_mentors == 0:
        return counts
    in_person = features.modes.get(IN_PERSON)
    remote = np.ones(len(features.modes), dtype=bool)
    mentor_in_person = np.zeros(features.n_mentors, dtype=bool)
    if in_person is not None:
        remote[in_person] = False
        mentor_in_person = features.mentor_modes[:, in_person]
    mentor_remote = features.mentor_modes & remote
    step = max(1, CHUNK_PAIRS // features.n_mentors)
    for start in range(0, len(mentees), step):
        rows = mentees[start : start + step]
        at = slice(start, start + len(rows))
        language = (
            features.mentee_languages[rows, None, :] & features.mentor_languages[None, :, :]
        ).any(axis=2)
        mode = (features.mentee_modes[rows, None, :] & mentor_remote[None, :, :]).any(axis=2)
        if in_person is not None:
            mode |= (
                features.mentee_modes[rows, in_person, None]
                & mentor_in_person[None, :]
                & (features.mentee_region[rows, None] == features.mentor_region[None, :])
            )
        counts[at, 0] = np.count_nonzero(~language, axis=1)
        counts[at, 1] = np.count_nonzero(~mode, axis=1)
        counts[at, 2] = np.count_nonzero(
            ~shares_any(features.mentee_slots[rows], features.mentor_slots), axis=1
        )
        counts[at, 3] = np.count_nonzero(
            shares_any(features.mentee_goals[rows], features.mentor_off_limits), axis=1
        )
    employer = features.mentee_employer[mentees]
    ptr = features.employer_ptr
    known = employer >= 0
    counts[known, 4] = ptr[employer[known] + 1] - ptr[employer[known]]
    counts[:, 5] = features.excluded_ptr[mentees + 1] - features.excluded_ptr[mentees]
    counts[:, 6] = int(np.count_nonzero(features.mentor_spare <= 0))
    return counts
