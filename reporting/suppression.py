"""Small-number suppression: the one place the rule for publishing statistics lives.

Nobody may be identifiable from a figure Alongside shows. Counts from 1 to 7 show as "c";
so does a count of answers (or anything else people give more than once) that fewer than 8
people gave, however many answers that is: one mentor's ten answers are one person's;
measures (averages, medians, money totals, percentages) over fewer than 8 people show as
"c"; and then enough other figures are hidden that no "c" can be worked back out, whether
from a total minus the rest of its group, from several groups read together (the rows and
columns of a table), or from a percentage or change computed from it.

A selector builds a Sheet from its query, calls suppress() once, and the page prints
shown_value() for every cell. Pure Python: no Django, so it is cheap to test exhaustively.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from numbers import Integral

THRESHOLD = 8  # counts 1..7 are hidden; measures over fewer than 8 people are hidden
SUPPRESSED = "c"

SMALL = "small"
SECONDARY = "secondary"
DERIVED = "derived"

COUNT = "count"
MEASURE = "measure"


@dataclass
class Cell:
    value: int | Decimal | float | None  # None: no data (the page shows "–", not "c")
    kind: str = COUNT  # "count" or "measure" (anything worked out over people)
    # How many different people it is over: for measures, and for counts of what people
    # give, answers say, where one person can give many. None for counts of people.
    people: int | None = None
    shown: bool = True  # set by suppress()
    why: str = ""  # "small", "secondary" or "derived" once hidden


@dataclass
class Sheet:
    cells: dict  # key (any hashable) -> Cell
    # Additive groups: (list of member keys, total key), meaning sum(members) == total.
    groups: list = field(default_factory=list)
    # (key, [source keys]): a figure worked out from others (percentage, change, ratio).
    derived: list = field(default_factory=list)


def shown_value(cell: Cell):
    """What the page prints: "c" for a hidden cell, otherwise the value (None stays None)."""
    return cell.value if cell.shown else SUPPRESSED


def suppress(sheet: Sheet) -> Sheet:
    """Hide every cell that is small or would let someone work out a small one.

    Cells already hidden on the way in stay hidden, so running it twice changes nothing.
    """
    _check(sheet)
    _hide_small(sheet)
    _protect_groups(sheet)
    _hide_derived(sheet)
    return sheet


# --- Checks: a wrong sheet would make the protection below reason about the wrong numbers.


def _check(sheet: Sheet) -> None:
    for key, cell in sheet.cells.items():
        if cell.kind not in (COUNT, MEASURE):
            raise ValueError(f"cell {key!r}: kind must be 'count' or 'measure', not {cell.kind!r}")
        if cell.kind == COUNT and cell.value is not None:
            if isinstance(cell.value, bool) or not isinstance(cell.value, Integral):
                raise ValueError(f"cell {key!r}: a count must be a whole number")
            if cell.value < 0:
                raise ValueError(f"cell {key!r}: a count cannot be negative")
            if cell.people is not None and not 0 <= cell.people <= cell.value:
                raise ValueError(f"cell {key!r}: more people than things counted")

    in_groups = set()
    for members, total in sheet.groups:
        keys = [*members, total]
        for key in keys:
            if key not in sheet.cells:
                raise ValueError(f"group refers to {key!r}, which is not a cell")
            if sheet.cells[key].kind != COUNT:
                raise ValueError(f"cell {key!r}: only counts can be in an additive group")
        in_groups.update(keys)
        if sum(_number(sheet, k) for k in members) != _number(sheet, total):
            raise ValueError(f"group with total {total!r} does not add up")

    for key, sources in sheet.derived:
        for k in [key, *sources]:
            if k not in sheet.cells:
                raise ValueError(f"derived figure refers to {k!r}, which is not a cell")
        if key in in_groups:
            raise ValueError(f"cell {key!r}: a derived figure cannot be in an additive group")


def _number(sheet: Sheet, key) -> int:
    # "No data" adds nothing to a group, exactly as a reader of the page would take it.
    value = sheet.cells[key].value
    return 0 if value is None else value


def _hide(cell: Cell, why: str) -> None:
    cell.shown = False
    cell.why = why


# --- Rule 1: primary suppression.


def _hide_small(sheet: Sheet) -> None:
    for cell in sheet.cells.values():
        if not cell.shown:
            continue
        if cell.kind == COUNT:
            small = cell.value is not None and (
                1 <= cell.value < THRESHOLD
                or (cell.value > 0 and cell.people is not None and cell.people < THRESHOLD)
            )
        else:
            small = cell.people is not None and cell.people < THRESHOLD
        if small:
            _hide(cell, SMALL)


# --- Rule 2: secondary suppression in additive groups.


def _protect_groups(sheet: Sheet) -> None:
    # Hiding only ever adds unknowns, and more unknowns never make a hidden cell easier to
    # work out, so each round either hides one more non-zero cell or stops.
    while _apply_group_rules(sheet) or _close_linear_leaks(sheet):
        pass


def _apply_group_rules(sheet: Sheet) -> bool:
    """The quick rules, group by group, until none of them fires."""
    changed_any = False
    changed = True
    while changed:
        changed = False
        for members, total in sheet.groups:
            hidden = [k for k in [*members, total] if not sheet.cells[k].shown]
            exposed = len(hidden) == 1 or _all_ones(sheet, members, total)
            if exposed and _hide_one_more(sheet, members, total):
                changed = changed_any = True
    return changed_any


def _all_ones(sheet: Sheet, members, total) -> bool:
    # Zeros are always shown, so hidden counts are at least 1: if the hidden members add up to
    # how many of them there are, every one of them is 1.
    if not sheet.cells[total].shown:
        return False
    hidden = [k for k in members if not sheet.cells[k].shown]
    if len(hidden) < 2:
        return False
    rest = sum(_number(sheet, k) for k in members if sheet.cells[k].shown)
    return _number(sheet, total) - rest == len(hidden)


def _hide_one_more(sheet: Sheet, members, total) -> bool:
    """Hide the smallest shown non-zero member, else the total; False if there is neither."""
    key = _smallest_shown(sheet, members)
    if key is None:
        key = _smallest_shown(sheet, [total])
    if key is None:
        return False  # all zeros: there is nothing left to protect with
    _hide(sheet.cells[key], SECONDARY)
    return True


def _smallest_shown(sheet: Sheet, keys):
    candidates = [k for k in keys if sheet.cells[k].shown and sheet.cells[k].value not in (None, 0)]
    # min() keeps the first of equal values, so ties go to the first in order.
    return min(candidates, key=lambda k: sheet.cells[k].value, default=None)


def _close_linear_leaks(sheet: Sheet) -> bool:
    """Hide one more cell if the groups read together still give a hidden cell away.

    The quick rules look at one group at a time. In a table, the rows and columns together
    can still pin down a hidden cell (or show that a set of hidden cells are all ones) even
    when every single row and column has two or more cells hidden. A cell is pinned down
    exactly when its unit vector lies in the row space of the group equations over the
    hidden cells; that is checked here in exact arithmetic.
    """
    unknowns = []
    for members, total in sheet.groups:
        for key in [*members, total]:
            if not sheet.cells[key].shown and key not in unknowns:
                unknowns.append(key)
    if not unknowns:
        return False
    column = {key: i for i, key in enumerate(unknowns)}

    equations = []
    for members, total in sheet.groups:
        row = [Fraction(0)] * len(unknowns)
        for key in members:
            if key in column:
                row[column[key]] += 1
        if total in column:
            row[column[total]] -= 1
        equations.append(row)
    basis = _row_echelon(equations)

    def pinned(keys) -> bool:
        vector = [Fraction(0)] * len(unknowns)
        for key in keys:
            vector[column[key]] += 1
        return _in_row_space(basis, vector)

    for key in unknowns:
        if pinned([key]):
            groups = [(m, t) for m, t in sheet.groups if key in m or key == t]
            return _hide_near(sheet, groups)

    for members, total in sheet.groups:
        hidden = [k for k in members if not sheet.cells[k].shown]
        # The sum of hidden values is the true sum whenever it can be worked out at all.
        if (
            len(hidden) >= 2
            and sum(_number(sheet, k) for k in hidden) == len(hidden)
            and pinned(hidden)
        ):
            return _hide_near(sheet, [(members, total)])
    return False


def _hide_near(sheet: Sheet, groups) -> bool:
    """Hide the smallest shown non-zero member of these groups, else one of their totals,
    else (so the loop always ends) the smallest shown non-zero cell of any group."""
    for keys in (
        [k for members, _ in groups for k in members],
        [total for _, total in groups],
        [k for members, total in sheet.groups for k in [*members, total]],
    ):
        key = _smallest_shown(sheet, keys)
        if key is not None:
            _hide(sheet.cells[key], SECONDARY)
            return True
    return False


def _row_echelon(rows):
    """Reduced row echelon form: a list of (pivot column, row) with a 1 at each pivot."""
    basis = []
    for row in rows:
        row = _reduce(basis, list(row))
        pivot = next((i for i, x in enumerate(row) if x != 0), None)
        if pivot is None:
            continue
        row = [x / row[pivot] for x in row]
        # Keep the basis fully reduced so that one pass of _reduce is enough later.
        basis = [(p, _eliminate(b, row, pivot)) for p, b in basis]
        basis.append((pivot, row))
    return basis


def _eliminate(row, pivot_row, pivot):
    factor = row[pivot]
    if factor == 0:
        return row
    return [x - factor * y for x, y in zip(row, pivot_row, strict=True)]


def _reduce(basis, row):
    for pivot, pivot_row in basis:
        row = _eliminate(row, pivot_row, pivot)
    return row


def _in_row_space(basis, vector) -> bool:
    return all(x == 0 for x in _reduce(basis, vector))


# --- Rule 3: derived figures.


def _hide_derived(sheet: Sheet) -> None:
    # A derived figure can itself be the source of another (a change in a percentage).
    changed = True
    while changed:
        changed = False
        for key, sources in sheet.derived:
            cell = sheet.cells[key]
            if cell.shown and any(not sheet.cells[s].shown for s in sources):
                _hide(cell, DERIVED)
                changed = True
