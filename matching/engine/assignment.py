"""The exact assignment: most total score, each mentee at most one mentor, each mentor at most
their spare capacity, a mentor's later mentees counting a little less (load spread).

Method (the argument is in docs/matching.md, "Solver"):

1. A mentor with spare capacity s and current load L becomes s slots; slot k (k = 0..s-1)
   is their mentee number L + k, and an edge to it is worth score - load_spread x (L + k).
   Because later slots are worth less, an optimal matching always fills a mentor's slots in
   order, so a maximum-weight matching of mentees to slots is an optimal assignment.
2. Only edges worth more than nothing can raise the total, so the others are dropped.
3. Each connected component of what is left is solved on its own: a mentee and a slot
   choice in one component cannot affect another.
4. Each component is a rectangular assignment problem, solved exactly by SciPy's sparse
   Jonker-Volgenant solver (min_weight_full_bipartite_matching). Every row gets a private
   "nothing" column worth 0, so leaving a mentee or a place empty is always allowed; costs
   are shifted to be positive, which does not change the optimum since every row is
   matched exactly once.
"""

from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

from .candidates import Candidates
from .features import SCALE, Features

# Up to this many edges the component split runs on a networkx graph; above it, on the same
# edges with SciPy's csgraph, because networkx keeps a dict per edge: at 3 million edges it
# needed 12-19 s and 750 MB just to hold the graph (docs/matching.md, "Solver").
NETWORKX_EDGE_LIMIT = 20_000


@dataclass(frozen=True)
class Assignment:
    chosen: np.ndarray  # indices into the candidate edges, sorted
    load_index: np.ndarray  # the mentor's load index for each chosen edge
    objective_units: int
    components: int  # connected components with at least one edge worth proposing
    largest_component: tuple[int, int]  # (mentors, mentees) in the largest one


def penalty_units(load_spread: float) -> int:
    return round(load_spread * SCALE)


def first_slot_value(features: Features, candidates: Candidates, penalty: int) -> np.ndarray:
    """What each candidate edge is worth as the mentor's next mentee this round."""
    return candidates.units - penalty * features.mentor_load[candidates.mentor]


def candidate_graph(mentee: np.ndarray, mentor: np.ndarray) -> nx.Graph:
    """The bipartite candidate graph: mentees are ("mentee", index), mentors ("mentor", index)."""
    graph = nx.Graph()
    graph.add_nodes_from((("mentee", int(j)) for j in np.unique(mentee)), bipartite=0)
    graph.add_nodes_from((("mentor", int(i)) for i in np.unique(mentor)), bipartite=1)
    graph.add_edges_from(
        zip(
            (("mentee", j) for j in mentee.tolist()),
            (("mentor", i) for i in mentor.tolist()),
            strict=True,
        )
    )
    return graph


def component_labels(
    mentee: np.ndarray, mentor: np.ndarray, n_mentees: int, n_mentors: int
) -> np.ndarray:
    """A component number for each edge; components are numbered by their first mentee."""
    first_mentee = np.full(n_mentees, -1, dtype=np.int64)
    if len(mentee) <= NETWORKX_EDGE_LIMIT:
        for component in nx.connected_components(candidate_graph(mentee, mentor)):
            members = [index for side, index in component if side == "mentee"]
            first_mentee[members] = min(members)
    else:
        nodes = n_mentees + n_mentors
        adjacency = sp.coo_matrix(
            (np.ones(len(mentee), dtype=np.int8), (mentee, n_mentees + mentor.astype(np.int64))),
            shape=(nodes, nodes),
        ).tocsr()
        _, labels = connected_components(adjacency, directed=False)
        mentee_labels = labels[:n_mentees]
        # Rename each label by its smallest mentee, so numbering does not depend on SciPy.
        smallest = np.full(nodes, n_mentees, dtype=np.int64)
        np.minimum.at(smallest, mentee_labels, np.arange(n_mentees))
        first_mentee = smallest[mentee_labels]
    return first_mentee[mentee]


def _local(index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of index, ascending, and each entry's position among them (like
    np.unique with return_inverse, without sorting: indices are small whole numbers)."""
    present = np.zeros(int(index.max(initial=-1)) + 1, dtype=bool)
    present[index] = True
    position = np.cumsum(present) - 1
    return np.flatnonzero(present), position[index]


def _solve_component(
    mentee: np.ndarray,
    mentor: np.ndarray,
    value: np.ndarray,
    spare: np.ndarray,
    penalty: int,
) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """Optimal choice among one component's edges, which come sorted by (mentee, mentor):
    (positions of the chosen edges, the place each takes, (mentors, mentees) in it)."""
    rows, row_of_edge = _local(mentee)
    mentors, mentor_of_edge = _local(mentor)
    degree = np.bincount(mentor_of_edge, minlength=len(mentors))
    slots = np.minimum(spare[mentors], degree)
    first_column = np.concatenate([[0], np.cumsum(slots)[:-1]])
    n_slot_columns = int(slots.sum())

    # One copy of each edge per slot of its mentor.
    copies = slots[mentor_of_edge]
    edge = np.repeat(np.arange(len(mentee)), copies)
    slot = np.arange(len(edge)) - np.repeat(np.cumsum(copies) - copies, copies)
    worth = value[edge] - penalty * slot
    useful = worth > 0
    edge, slot, worth = edge[useful], slot[useful], worth[useful]
    slot_of_edge = first_column[mentor_of_edge[edge]] + slot
    mentee_side = row_of_edge[edge]
    del copies, useful

    # The solver matches every row, one augmenting path at a time, so the smaller side
    # (usually the slots: there are fewer places than mentees) is made the rows; that is
    # several times faster than the other way round, for the same optimum. Each row also gets
    # a private "nothing" column worth 0, so leaving a mentee or a place empty is allowed.
    places_are_rows = n_slot_columns <= len(rows)
    if places_are_rows:
        row, column, n_rows, n_columns = slot_of_edge, mentee_side, n_slot_columns, len(rows)
    else:
        row, column, n_rows, n_columns = mentee_side, slot_of_edge, len(rows), n_slot_columns
    shift = int(worth.max(initial=0)) + 1
    matrix = sp.csr_matrix(
        (
            np.concatenate([shift - worth, np.full(n_rows, shift)]).astype(np.float64),
            (
                np.concatenate([row, np.arange(n_rows)]),
                np.concatenate([column, n_columns + np.arange(n_rows)]),
            ),
        ),
        shape=(n_rows, n_columns + n_rows),
    )
    del row, column
    matched_rows, matched_columns = min_weight_full_bipartite_matching(matrix)
    real = matched_columns < n_columns
    if places_are_rows:
        matched_slot, matched_mentee = matched_rows[real], matched_columns[real]
    else:
        matched_mentee, matched_slot = matched_rows[real], matched_columns[real]
    # Back from (mentee, place) to the edge: the place says which mentor and which of their
    # places; edges are sorted by (mentee, mentor), so a binary search finds the edge.
    mentor_of_slot = np.repeat(np.arange(len(mentors)), slots)
    taken = mentor_of_slot[matched_slot]
    keys = row_of_edge.astype(np.int64) * len(mentors) + mentor_of_edge
    found = np.searchsorted(keys, matched_mentee.astype(np.int64) * len(mentors) + taken)
    return found, matched_slot - first_column[taken], (len(mentors), len(rows))


def assign(features: Features, candidates: Candidates, load_spread: float) -> Assignment:
    penalty = penalty_units(load_spread)
    value = first_slot_value(features, candidates, penalty)
    useful = np.flatnonzero(value > 0)
    mentee = candidates.mentee[useful]
    mentor = candidates.mentor[useful]
    labels = component_labels(mentee, mentor, features.n_mentees, features.n_mentors)
    # Stable, so each component's edges stay sorted by (mentee, mentor).
    order = np.argsort(labels, kind="stable")
    starts = np.flatnonzero(np.diff(labels[order], prepend=-1))
    ends = np.append(starts[1:], len(order))[: len(starts)]

    chosen_parts, slot_parts = [], []
    largest = (0, 0)
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        part = order[start:end]
        picked, slot, size = _solve_component(
            mentee[part], mentor[part], value[useful[part]], features.mentor_spare, penalty
        )
        largest = max(largest, size, key=lambda s: (s[0] + s[1], s))
        chosen_parts.append(useful[part[picked]])
        slot_parts.append(slot)

    chosen = np.concatenate(chosen_parts) if chosen_parts else np.zeros(0, dtype=np.int64)
    slots = np.concatenate(slot_parts) if slot_parts else np.zeros(0, dtype=np.int64)
    # A mentor's new mentees take load indices L, L+1, ... in slot order. When load_spread
    # is positive the solver never skips a slot (a skipped slot is worth strictly more);
    # when it is 0 every slot is worth the same and renumbering changes nothing.
    by_mentor = np.lexsort((slots, candidates.mentor[chosen]))
    chosen = chosen[by_mentor]
    mentors = candidates.mentor[chosen]
    firsts = np.flatnonzero(np.diff(mentors, prepend=-1))
    rank = np.arange(len(chosen)) - np.repeat(firsts, np.diff(np.append(firsts, len(chosen))))
    load_index = features.mentor_load[mentors] + rank
    objective = int((candidates.units[chosen] - penalty * load_index).sum())
    final = np.argsort(chosen)
    return Assignment(
        chosen=chosen[final],
        load_index=load_index[final],
        objective_units=objective,
        components=len(starts),
        largest_component=largest,
    )
