"""Small-number suppression: hand examples, then an independent attacker against random tables.

No database. The attacker (`recoverable`) reads only what a page would print and is written
separately from the suppressor (numpy floating-point rank, not exact elimination), so the two
do not share a mistake.
"""

import copy
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporting.suppression import SUPPRESSED, THRESHOLD, Cell, Sheet, shown_value, suppress

# --- The attacker.


def recoverable(sheet):
    """Every hidden count someone could work out from the published figures.

    Returns {key: value worked out}. Only the printed values are read (shown_value), never
    a hidden cell's value.
    """
    published = {key: shown_value(cell) for key, cell in sheet.cells.items()}

    def hidden(key):
        return published[key] == SUPPRESSED

    def known(key):
        return published[key] or 0  # "no data" adds nothing

    found = {}

    # A group whose only unknowns are hidden members, with the total printed: their sum is
    # known, and since zeros are always printed each hidden member is at least 1.
    for members, total in sheet.groups:
        cells = [*members, total]
        unknown = [k for k in cells if hidden(k)]
        if len(unknown) == 1:  # every other cell of the group is known
            key = unknown[0]
            rest = sum(known(k) for k in members if k != key)
            found[key] = known(total) - rest if key != total else rest
        elif unknown and not hidden(total):
            hidden_sum = known(total) - sum(known(k) for k in members if not hidden(k))
            if hidden_sum == len(unknown):
                found.update(dict.fromkeys(unknown, 1))

    # All groups at once: sum(members) - total = 0 with the printed cells moved to the right.
    unknowns = sorted({k for m, t in sheet.groups for k in [*m, t] if hidden(k)}, key=str)
    if unknowns:
        index = {k: i for i, k in enumerate(unknowns)}
        a = np.zeros((len(sheet.groups), len(unknowns)))
        b = np.zeros(len(sheet.groups))
        for row, (members, total) in enumerate(sheet.groups):
            for key, sign in [*((k, 1.0) for k in members), (total, -1.0)]:
                if hidden(key):
                    a[row, index[key]] += sign
                else:
                    b[row] -= sign * known(key)
        rank = np.linalg.matrix_rank(a)
        solution = np.linalg.lstsq(a, b, rcond=None)[0]
        for key, i in index.items():
            unit = np.zeros(len(unknowns))
            unit[i] = 1.0
            if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
                found[key] = round(float(solution[i]))
    return found


# --- Building sheets.


def one_group(values):
    cells = {f"m{i}": Cell(v) for i, v in enumerate(values)}
    cells["total"] = Cell(sum(values))
    return Sheet(cells=cells, groups=[(list(cells)[:-1], "total")])


def table(rows):
    """Rows x columns with row totals, column totals and a grand total, all additive.

    Keys are (row, column); "T" stands for the total row or column.
    """
    r, c = len(rows), len(rows[0])
    cells = {(i, j): Cell(rows[i][j]) for i in range(r) for j in range(c)}
    for i in range(r):
        cells[(i, "T")] = Cell(sum(rows[i]))
    for j in range(c):
        cells[("T", j)] = Cell(sum(row[j] for row in rows))
    cells[("T", "T")] = Cell(sum(map(sum, rows)))
    groups = [([(i, j) for j in range(c)], (i, "T")) for i in range(r)]
    groups += [([(i, j) for i in range(r)], ("T", j)) for j in range(c)]
    groups.append(([(i, "T") for i in range(r)], ("T", "T")))
    groups.append(([("T", j) for j in range(c)], ("T", "T")))
    return Sheet(cells=cells, groups=groups)


def add_shares(sheet, keys, total):
    """For each key, its percentage of the total and the change from last period's 50%."""
    for key in keys:
        whole = sheet.cells[total].value
        share = Decimal(100 * sheet.cells[key].value) / whole if whole else None
        sheet.cells[("share", key)] = Cell(share, kind="measure")
        sheet.cells[("change", key)] = Cell(share - 50 if share is not None else None, "measure")
        sheet.derived.append((("share", key), [key, total]))
        sheet.derived.append((("change", key), [("share", key)]))
    return sheet


def hidden_keys(sheet):
    return {key for key, cell in sheet.cells.items() if not cell.shown}


# --- Hand examples.


def test_it_hides_a_small_count_and_the_next_smallest_member():
    sheet = suppress(one_group([3, 10, 12]))

    assert hidden_keys(sheet) == {"m0", "m1"}
    assert sheet.cells["m0"].why == "small"
    assert sheet.cells["m1"].why == "secondary"
    assert [shown_value(sheet.cells[k]) for k in ["m0", "m1", "m2", "total"]] == ["c", "c", 12, 25]


def test_it_hides_the_total_when_every_other_member_is_zero():
    sheet = suppress(one_group([0, 0, 5]))

    assert hidden_keys(sheet) == {"m2", "total"}
    assert shown_value(sheet.cells["m0"]) == 0


def test_it_hides_a_large_total_when_its_only_non_zero_member_is_hidden():
    # "y" is hidden to protect "small" in the first group; in the second group every other
    # member is zero, so its total would give "y" away.
    sheet = Sheet(
        cells={"small": Cell(2), "y": Cell(30), "t1": Cell(32), "z": Cell(0), "t2": Cell(30)},
        groups=[(["small", "y"], "t1"), (["y", "z"], "t2")],
    )

    suppress(sheet)

    assert hidden_keys(sheet) == {"small", "y", "t2"}
    assert sheet.cells["t2"].why == "secondary"


def test_it_shows_a_group_with_nothing_small():
    sheet = suppress(one_group([9, 10]))

    assert hidden_keys(sheet) == set()
    assert [shown_value(c) for c in sheet.cells.values()] == [9, 10, 19]


def test_it_shows_zero_counts():
    sheet = suppress(one_group([0, 0, 0]))

    assert hidden_keys(sheet) == set()


def test_it_protects_a_table_by_rows_and_columns():
    sheet = suppress(table([[3, 12, 20], [15, 9, 30]]))

    # The small cell, its row neighbour, and the pair below them: a closed rectangle, so no
    # row or column total pins any of the four down.
    assert hidden_keys(sheet) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert sheet.cells[(0, 0)].why == "small"
    assert {sheet.cells[k].why for k in [(0, 1), (1, 0), (1, 1)]} == {"secondary"}
    assert recoverable(sheet) == {}


def test_it_hides_a_measure_over_fewer_than_eight_people():
    sheet = Sheet(
        cells={
            "seven": Cell(Decimal("4.5"), kind="measure", people=7),
            "eight": Cell(Decimal("4.5"), kind="measure", people=8),
            "unknown": Cell(Decimal("4.5"), kind="measure"),
            "no data": Cell(None, kind="measure", people=20),
        }
    )

    suppress(sheet)

    assert hidden_keys(sheet) == {"seven"}
    assert sheet.cells["seven"].why == "small"
    assert shown_value(sheet.cells["eight"]) == Decimal("4.5")
    assert shown_value(sheet.cells["no data"]) is None


def test_it_hides_a_count_of_answers_that_fewer_than_eight_people_gave():
    """People, not answers: ten answers from one mentor are one person's answers."""
    sheet = Sheet(
        cells={
            "one person": Cell(10, people=1),
            "seven people": Cell(30, people=7),
            "eight people": Cell(8, people=8),
            "nobody": Cell(0, people=0),
            "total": Cell(48, people=16),
        },
        groups=[(["one person", "seven people", "eight people", "nobody"], "total")],
    )

    suppress(sheet)

    assert sheet.cells["one person"].why == "small"
    assert sheet.cells["seven people"].why == "small"
    assert shown_value(sheet.cells["eight people"]) == 8
    assert shown_value(sheet.cells["nobody"]) == 0
    # The two hidden counts are each worked out from nobody: the total gives their sum only.
    assert recoverable(sheet) == {}


def test_it_hides_a_percentage_of_a_hidden_count():
    sheet = add_shares(one_group([3, 10, 12]), ["m0", "m1", "m2"], "total")

    suppress(sheet)

    assert sheet.cells[("share", "m0")].why == "derived"
    assert sheet.cells[("change", "m0")].why == "derived"  # derived from a derived figure
    assert not sheet.cells[("share", "m1")].shown
    assert sheet.cells[("share", "m2")].shown
    assert shown_value(sheet.cells[("share", "m2")]) == Decimal(48)


def test_it_hides_a_member_when_the_total_is_hidden_and_the_members_shown():
    sheet = one_group([10, 12])
    sheet.cells["total"].shown = False
    sheet.cells["total"].why = "small"

    suppress(sheet)

    assert hidden_keys(sheet) == {"total", "m0"}
    assert sheet.cells["m0"].why == "secondary"


def test_it_follows_a_hidden_total_into_the_group_it_totals():
    # "sub" is a member of the headline group and the total of its own breakdown.
    sheet = Sheet(
        cells={
            "small": Cell(2),
            "sub": Cell(40),
            "headline": Cell(42),
            "p": Cell(15),
            "q": Cell(25),
        },
        groups=[(["small", "sub"], "headline"), (["p", "q"], "sub")],
    )

    suppress(sheet)

    assert hidden_keys(sheet) == {"small", "sub", "p"}
    assert recoverable(sheet) == {}


def test_it_hides_another_member_when_the_hidden_ones_must_all_be_one():
    sheet = suppress(one_group([1, 1, 10]))

    assert hidden_keys(sheet) == {"m0", "m1", "m2"}
    assert sheet.cells["m2"].why == "secondary"
    assert recoverable(sheet) == {}


# Two hidden rectangles joined by one hidden cell, (1, 2). Every row and column holds two or
# more hidden cells, so no single total gives anything away, but the row and column totals of
# the top-left block together pin (1, 2) down.
BRIDGED = [[3, 4, 20, 20], [5, 6, 2, 20], [20, 20, 3, 4], [20, 20, 5, 6]]


def test_it_closes_a_leak_no_single_row_or_column_shows():
    sheet = suppress(table(BRIDGED))

    small = {(i, j) for i, row in enumerate(BRIDGED) for j, v in enumerate(row) if v < 8}
    assert {k for k in hidden_keys(sheet) if sheet.cells[k].why == "small"} == small
    assert hidden_keys(sheet) > small
    assert recoverable(sheet) == {}


@pytest.mark.parametrize(
    "rows",
    [
        [[5, 0, 1, 3], [8, 4, 12, 1], [3, 0, 6, 10]],
        [[0, 0, 27, 2, 0], [1, 3, 10, 0, 0], [0, 0, 2, 10, 20], [1, 13, 5, 13, 23]],
    ],
)
def test_it_closes_leaks_found_in_random_tables(rows):
    # Random search found these: the one-group-at-a-time rules alone leave a cell that the
    # table as a whole gives away.
    sheet = suppress(table(rows))

    assert recoverable(sheet) == {}


def test_it_does_nothing_more_the_second_time():
    sheet = suppress(table([[3, 12, 20], [15, 9, 30]]))
    before = copy.deepcopy(sheet)

    assert suppress(sheet) == before


@pytest.mark.parametrize(
    "sheet",
    [
        one_group([-1, 5]),
        one_group([Decimal("1.5"), 10]),
        Sheet(cells={"a": Cell(3), "t": Cell(4)}, groups=[(["a"], "t")]),
        Sheet(cells={"a": Cell(3, kind="measure"), "t": Cell(3)}, groups=[(["a"], "t")]),
        Sheet(cells={"a": Cell(3)}, groups=[(["a"], "missing")]),
        Sheet(cells={"a": Cell(3)}, derived=[("a", ["missing"])]),
        Sheet(cells={"a": Cell(3, kind="average")}),
    ],
    ids=["negative", "fraction", "adds-up-wrong", "measure-member", "no-total", "no-src", "kind"],
)
def test_it_refuses_a_sheet_it_cannot_reason_about(sheet):
    with pytest.raises(ValueError):
        suppress(sheet)


# --- The attacker itself must be able to find things.


def test_it_recovers_a_small_count_when_only_primary_suppression_is_applied():
    sheet = one_group([3, 10, 12])
    sheet.cells["m0"].shown = False  # primary only, by hand

    assert recoverable(sheet) == {"m0": 3}


def test_it_recovers_ones_when_the_hidden_members_add_up_to_their_number():
    sheet = one_group([1, 1, 10])
    sheet.cells["m0"].shown = sheet.cells["m1"].shown = False

    assert recoverable(sheet) == {"m0": 1, "m1": 1}


def test_it_recovers_a_cell_that_only_the_whole_table_gives_away():
    sheet = table(BRIDGED)
    for cell in sheet.cells.values():
        if 1 <= cell.value < 8:  # primary only, by hand
            cell.shown = False

    assert recoverable(sheet) == {(1, 2): 2}


def test_it_finds_nothing_in_a_closed_block():
    sheet = table([[3, 4, 20], [5, 6, 20], [20, 20, 20]])
    for key in [(0, 0), (0, 1), (1, 0), (1, 1)]:
        sheet.cells[key].shown = False

    assert recoverable(sheet) == {}


# --- Properties against random sheets.

small_counts = st.one_of(st.integers(0, 3), st.integers(0, 10), st.integers(0, 30))
big_or_zero = st.one_of(st.just(0), st.integers(THRESHOLD, 30))
fast = settings(
    derandomize=True,
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@st.composite
def groups_1d(draw, counts=small_counts):
    values = draw(st.lists(counts, min_size=2, max_size=8))
    sheet = one_group(values)
    people = draw(st.lists(st.integers(0, 20), min_size=len(values), max_size=len(values)))
    for i, n in enumerate(people):
        sheet.cells[f"avg{i}"] = Cell(Decimal("3.5"), kind="measure", people=n)
    return add_shares(sheet, [f"m{i}" for i in range(len(values))], "total")


@st.composite
def tables_2d(draw, counts=small_counts):
    r = draw(st.integers(2, 5))
    c = draw(st.integers(2, 5))
    rows = draw(st.lists(st.lists(counts, min_size=c, max_size=c), min_size=r, max_size=r))
    sheet = table(rows)
    return add_shares(sheet, [(i, "T") for i in range(r)], ("T", "T"))


@st.composite
def two_breakdowns(draw):
    """One headline total broken down two ways (by age band and by area, say)."""
    first = draw(st.lists(small_counts, min_size=2, max_size=5))
    total = sum(first)
    # The second breakdown cuts the same total at a few points.
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=1, max_size=4)))
    second = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    cells = {("a", i): Cell(v) for i, v in enumerate(first)}
    cells.update({("b", i): Cell(v) for i, v in enumerate(second)})
    cells["total"] = Cell(total)
    groups = [
        ([("a", i) for i in range(len(first))], "total"),
        ([("b", i) for i in range(len(second))], "total"),
    ]
    return Sheet(cells=cells, groups=groups)


def assert_safe(sheet):
    original = copy.deepcopy(sheet)
    suppress(sheet)

    # a) nothing small is shown
    for cell in sheet.cells.values():
        if cell.shown and cell.kind == "count" and cell.value is not None:
            assert not 1 <= cell.value < THRESHOLD
            assert cell.value == 0 or cell.people is None or cell.people >= THRESHOLD
        if cell.shown and cell.kind == "measure" and cell.people is not None:
            assert cell.people >= THRESHOLD
    # b) nothing hidden can be worked out
    assert recoverable(sheet) == {}
    # c) a figure worked out from a hidden one is hidden
    for key, sources in sheet.derived:
        if any(not sheet.cells[s].shown for s in sources):
            assert not sheet.cells[key].shown
    # Zeros are never hidden, values are never changed, and every hidden cell says why.
    for key, cell in sheet.cells.items():
        assert cell.value == original.cells[key].value
        if cell.kind == "count" and cell.value == 0:
            assert cell.shown
        assert cell.shown == (cell.why == "")
    # d) running it again changes nothing
    again = copy.deepcopy(sheet)
    assert suppress(again) == sheet


@st.composite
def answer_groups(draw):
    """Answers on each step of a ladder, and how many different people gave them: a
    person gives at least one answer on a step they count on, and may count on several."""
    people = draw(st.lists(st.integers(0, 12), min_size=2, max_size=7))
    answers = [p and p + draw(st.integers(0, 12)) for p in people]
    cells = {
        f"m{i}": Cell(a, people=p) for i, (a, p) in enumerate(zip(answers, people, strict=True))
    }
    everyone = draw(st.integers(max(people), sum(people))) if any(people) else 0
    cells["total"] = Cell(sum(answers), people=everyone)
    return Sheet(cells=cells, groups=[(list(cells)[:-1], "total")])


@fast
@given(answer_groups())
def test_it_protects_every_random_group_of_answers(sheet):
    assert_safe(sheet)


@fast
@given(groups_1d())
def test_it_protects_every_random_group(sheet):
    assert_safe(sheet)


# 500 examples: at 150 the derandomised run never meets a table whose leak only the whole
# system shows (about 1 in 250 random tables); at 500 it does.
@settings(fast, max_examples=500)
@given(tables_2d())
def test_it_protects_every_random_table(sheet):
    assert_safe(sheet)


@fast
@given(two_breakdowns())
def test_it_protects_a_total_broken_down_two_ways(sheet):
    assert_safe(sheet)


@fast
@given(st.one_of(groups_1d(counts=big_or_zero), tables_2d(counts=big_or_zero)))
def test_it_hides_nothing_when_nothing_is_small(sheet):
    for cell in sheet.cells.values():  # the averages may be over few people; not here
        if cell.kind == "measure":
            cell.people = None

    suppress(sheet)

    assert hidden_keys(sheet) == set()
