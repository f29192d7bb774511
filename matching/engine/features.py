"""The round as arrays, built once: what the vectorised rules and scores read.

Lists that pairs must share (free times, goals and topics, practice areas) become bitsets:
one bit per value, packed into the narrowest unsigned integer that holds the whole
vocabulary (several 64-bit words when it is larger). "Do these two share a free time?" is
then one AND per pair, and "how many goals does this mentor offer?" one AND and a popcount,
which NumPy does for millions of pairs at a time. All counting is in whole numbers, so the
result does not depend on the order in which anything is added up.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .instance import Instance

# Scores are counted in whole units of 1/10,000 so that sums are exact and reproducible.
SCALE = 10_000
# Sharing this many free times (or all of the mentee's, if fewer) counts as full availability.
AVAILABILITY_FULL = 3
# Waiting counts in full after this many days.
WAITING_FULL_DAYS = 180


def vocabulary(*groups: Iterable[Iterable[str]]) -> dict[str, int]:
    """Every value used anywhere in the given lists, in sorted order, with its position."""
    values: set[str] = set()
    for group in groups:
        for items in group:
            values.update(items)
    return {value: index for index, value in enumerate(sorted(values))}


def bit_type(size: int) -> tuple[type, int]:
    """The unsigned dtype and the number of words for a vocabulary of `size` values."""
    for dtype, bits in ((np.uint8, 8), (np.uint16, 16), (np.uint32, 32)):
        if size <= bits:
            return dtype, 1
    return np.uint64, max(1, -(-size // 64))


def bitsets(rows: Sequence[Iterable[str]], vocab: dict[str, int]) -> np.ndarray:
    """A (len(rows), words) array: bit j of row i is set when row i holds value j. Values
    outside the vocabulary are left out (they cannot be shared with anyone)."""
    dtype, words = bit_type(len(vocab))
    whole = [sum(1 << vocab[item] for item in set(items) if item in vocab) for items in rows]
    packed = np.zeros((len(rows), words), dtype=dtype)
    mask = (1 << 64) - 1
    for word in range(words):
        packed[:, word] = [(value >> (64 * word)) & mask for value in whole]
    return packed


def flags(rows: Sequence[Iterable[str]], vocab: dict[str, int]) -> np.ndarray:
    """A (len(rows), len(vocab)) boolean matrix: row i holds value j."""
    matrix = np.zeros((len(rows), len(vocab)), dtype=bool)
    at_row, at_column = [], []
    for i, items in enumerate(rows):
        for item in items:
            if item in vocab:
                at_row.append(i)
                at_column.append(vocab[item])
    matrix[at_row, at_column] = True
    return matrix


def codes(values: Sequence[str | None], vocab: dict[str, int], missing: int) -> np.ndarray:
    """Each value's position in vocab, or `missing` when it has none."""
    return np.array([vocab.get(v, missing) if v else missing for v in values], dtype=np.int32)


_BITS = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def popcount_by_table(values: np.ndarray) -> np.ndarray:
    """Set bits of each element, a byte at a time through a table: for NumPy 1.26, which has
    no bitwise_count."""
    as_bytes = np.ascontiguousarray(values).view(np.uint8)
    counts = _BITS[as_bytes].reshape(*values.shape, values.dtype.itemsize)
    return counts.sum(axis=-1, dtype=np.uint8)


popcount = getattr(np, "bitwise_count", popcount_by_table)


@dataclass(frozen=True)
class Features:
    n_mentors: int
    n_mentees: int
    languages: dict[str, int]
    modes: dict[str, int]
    regions: dict[str, int]
    # Mentors, in id order.
    mentor_languages: np.ndarray  # bool (mentors, languages)
    mentor_modes: np.ndarray  # bool (mentors, modes)
    mentor_region: np.ndarray  # region code, -1 when unknown
    mentor_slots: np.ndarray  # bitsets over free times
    mentor_offers: np.ndarray  # bitsets over topics
    mentor_off_limits: np.ndarray  # bitsets over topics
    mentor_areas: np.ndarray  # bitsets over practice areas their lived experience is relevant to
    mentor_spare: np.ndarray
    mentor_load: np.ndarray
    # Mentees, in id order.
    mentee_languages: np.ndarray
    mentee_modes: np.ndarray
    mentee_region: np.ndarray  # region code, -2 when unknown (never equal to a mentor's)
    mentee_slots: np.ndarray
    mentee_goals: np.ndarray
    mentee_areas: np.ndarray
    mentee_employer: np.ndarray  # code of the employer among mentors' authorities, else -1
    # Per-mentee score coefficients, in units (docs/matching.md, "Score").
    goal_units: np.ndarray
    area_units: np.ndarray
    slot_units: np.ndarray
    waiting_units: np.ndarray
    region_units: int
    # Sparse rules as CSR lists: employer code -> mentors looked after by that employer;
    # mentee -> mentors excluded for them.
    employer_ptr: np.ndarray
    employer_mentors: np.ndarray
    excluded_ptr: np.ndarray
    excluded_mentors: np.ndarray


def _csr(keys: list[int], values: list[int], n_keys: int) -> tuple[np.ndarray, np.ndarray]:
    keys_array = np.array(keys, dtype=np.int64)
    values_array = np.array(values, dtype=np.int64)
    order = np.lexsort((values_array, keys_array))
    ptr = np.zeros(n_keys + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys_array, minlength=n_keys), out=ptr[1:])
    return ptr, values_array[order]


def _per_item(weight: float, counts: np.ndarray) -> np.ndarray:
    """Each matching item is worth weight / count, in whole units; nothing when count is 0."""
    share = np.where(counts > 0, weight * SCALE / np.maximum(counts, 1), 0.0)
    return np.rint(share).astype(np.int64)


def build_features(instance: Instance) -> Features:
    mentors, mentees = instance.mentors, instance.mentees
    weights = instance.weights
    languages = vocabulary([m.languages for m in mentors], [p.languages for p in mentees])
    modes = vocabulary([m.modes for m in mentors], [p.modes for p in mentees])
    slots = vocabulary([m.availability for m in mentors], [p.availability for p in mentees])
    topics = vocabulary(
        [m.offers for m in mentors], [m.off_limits for m in mentors], [p.goals for p in mentees]
    )
    areas = vocabulary(instance.relevance.values(), [p.practice_areas for p in mentees])
    regions = vocabulary([[m.region] for m in mentors if m.region])
    employers = vocabulary([m.looked_after_by for m in mentors])

    def relevant_areas(experience: frozenset[str]) -> set[str]:
        covered: set[str] = set()
        for lived in experience:
            covered.update(instance.relevance.get(lived, ()))
        return covered

    waited = np.array([min(p.waiting_days, WAITING_FULL_DAYS) for p in mentees], dtype=float)
    employer_keys, employer_values = [], []
    for index, mentor in enumerate(mentors):
        for authority in mentor.looked_after_by:
            employer_keys.append(employers[authority])
            employer_values.append(index)
    mentor_index = {m.id: i for i, m in enumerate(mentors)}
    mentee_index = {p.id: j for j, p in enumerate(mentees)}
    excluded = [
        (mentee_index[p], mentor_index[m])
        for m, p in instance.excluded_pairs
        if m in mentor_index and p in mentee_index
    ]
    employer_ptr, employer_mentors = _csr(employer_keys, employer_values, len(employers))
    excluded_ptr, excluded_mentors = _csr(
        [j for j, _ in excluded], [i for _, i in excluded], len(mentees)
    )
    count = np.array
    return Features(
        n_mentors=len(mentors),
        n_mentees=len(mentees),
        languages=languages,
        modes=modes,
        regions=regions,
        mentor_languages=flags([m.languages for m in mentors], languages),
        mentor_modes=flags([m.modes for m in mentors], modes),
        mentor_region=codes([m.region for m in mentors], regions, -1),
        mentor_slots=bitsets([m.availability for m in mentors], slots),
        mentor_offers=bitsets([m.offers for m in mentors], topics),
        mentor_off_limits=bitsets([m.off_limits for m in mentors], topics),
        mentor_areas=bitsets([relevant_areas(m.experience) for m in mentors], areas),
        mentor_spare=count([m.spare for m in mentors], dtype=np.int64),
        mentor_load=count([m.current_load for m in mentors], dtype=np.int64),
        mentee_languages=flags([p.languages for p in mentees], languages),
        mentee_modes=flags([p.modes for p in mentees], modes),
        mentee_region=codes([p.region for p in mentees], regions, -2),
        mentee_slots=bitsets([p.availability for p in mentees], slots),
        mentee_goals=bitsets([p.goals for p in mentees], topics),
        mentee_areas=bitsets([p.practice_areas for p in mentees], areas),
        mentee_employer=codes([p.employer for p in mentees], employers, -1),
        goal_units=_per_item(weights.goals, count([len(p.goals) for p in mentees])),
        area_units=_per_item(weights.experience, count([len(p.practice_areas) for p in mentees])),
        slot_units=_per_item(
            weights.availability,
            count([min(len(p.availability), AVAILABILITY_FULL) for p in mentees]),
        ),
        waiting_units=np.rint(weights.waiting * SCALE * waited / WAITING_FULL_DAYS).astype(
            np.int64
        ),
        region_units=round(weights.region * SCALE),
        employer_ptr=employer_ptr,
        employer_mentors=employer_mentors,
        excluded_ptr=excluded_ptr,
        excluded_mentors=excluded_mentors,
    )
