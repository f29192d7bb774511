"""Charts for the statistics pages, drawn on the server as inline SVG.

Every chart sits next to a table holding the same figures; the chart is a picture of the
table, never the only place a figure appears.

Why not pygal: it styles its charts with an inline <style> element and scripts, and the site's
Content Security Policy forbids inline styles and scripts. So these charts use SVG presentation
attributes only (fill=, stroke=, font-size=, ...) and no JavaScript or external files.

Readable without colour: grouped bars differ by hatch pattern as well as colour, lines by dash
pattern and marker shape, and a legend inside the SVG names each series. Figures that are not
shown (suppressed small numbers, or no data) are `None` and drawn as a "c".
"""

import math
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Colours with at least 3:1 contrast against white, and no red/green pair.
COLOURS = ("#1d70b8", "#6f3c00", "#4c2c92", "#0b0c0c")
TEXT = "#0b0c0c"
GRID = "#b1b4b6"
# Line charts: one dash pattern and one marker shape per series ("" is a solid line).
DASHES = ("", "8 4", "2 3", "12 4 2 4")
MARKERS = ("circle", "square", "triangle", "diamond")
NOT_SHOWN = "c"

WIDTH = 640
PLOT_HEIGHT = 240
PAD = 8
RIGHT = 16
LEGEND_ROW = 24
FONT_VALUE = 12
FONT_AXIS = 13
FONT_LEGEND = 14
# Estimated width of one character as a share of the font size; used only for layout.
CHAR = 0.6
ROTATE_LABELS_OVER = 8

CHART_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Series:
    name: str
    values: list  # numbers (int/Decimal/float) or None for "not shown" (suppressed or no data)


# ---------------------------------------------------------------------------------------------
# Public API


def bar_chart(
    *,
    chart_id: str,
    title: str,
    labels: list[str],
    series: list[Series],
    unit: str = "",
    money: str = "",
) -> SafeString:
    """Grouped bars: one group per label, one bar per series, each with its value above it."""
    chart = _Chart("bar", chart_id, title, labels, series, unit=unit, money=money, y_max=None)
    return chart.render()


def line_chart(
    *,
    chart_id: str,
    title: str,
    labels: list[str],
    series: list[Series],
    unit: str = "",
    y_max: float | None = None,
) -> SafeString:
    """One line per series across the labels; a figure not shown leaves a gap and a "c"."""
    chart = _Chart("line", chart_id, title, labels, series, unit=unit, money="", y_max=y_max)
    return chart.render()


# ---------------------------------------------------------------------------------------------
# Numbers


def num(x: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros."""
    text = f"{round(float(x), 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _decimal(value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"A chart value must be a number or None, not {value!r}")
    result = value if isinstance(value, Decimal) else Decimal(str(value))
    if not result.is_finite():
        raise ValueError(f"A chart value must be finite, not {value!r}")
    return result


def nice_ticks(top: Decimal, *, whole: bool, max_intervals: int = 4) -> list[Decimal]:
    """Gridline values from 0 to at least `top`, in steps of 1, 2, 2.5 or 5 × 10^n.

    The step is the smallest that needs at most `max_intervals` intervals. Counts (`whole`)
    never get fractional steps: half a mentee on an axis would be odd.
    """
    if top <= 0:
        return [Decimal(0)]
    exponent = math.floor(math.log10(float(top))) - 2
    while True:
        for mantissa in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5)):
            step = mantissa.scaleb(exponent)
            if whole and step != step.to_integral_value():
                continue
            intervals = math.ceil(top / step)
            if intervals <= max_intervals:
                return [step * i for i in range(intervals + 1)]
        exponent += 1


def _plain(value: Decimal) -> str:
    """1234 -> "1,234"; 12.5 -> "12.5"; 0.125 -> "0.13"."""
    rounded = value.quantize(Decimal("0.01"))
    if rounded == rounded.to_integral_value():
        return f"{rounded:,.0f}"
    return f"{rounded:,.2f}".rstrip("0")


# ---------------------------------------------------------------------------------------------
# Drawing


def _text(x, y, text, *, size=FONT_AXIS, anchor="middle", extra="") -> str:
    return (
        f'<text x="{num(x)}" y="{num(y)}" font-size="{size}" text-anchor="{anchor}"{extra}>'
        f"{escape(text)}</text>"
    )


def _width(text: str, size: int) -> float:
    return len(text) * size * CHAR


def _marker(shape: str, x: float, y: float, colour: str, r: float = 4.5) -> str:
    fill = f'fill="{colour}" stroke="{colour}" stroke-width="1"'
    if shape == "circle":
        return f'<circle cx="{num(x)}" cy="{num(y)}" r="{num(r)}" {fill}/>'
    if shape == "square":
        return (
            f'<rect x="{num(x - r)}" y="{num(y - r)}" width="{num(2 * r)}" '
            f'height="{num(2 * r)}" {fill}/>'
        )
    if shape == "triangle":
        points = [(x, y - r * 1.2), (x + r * 1.2, y + r), (x - r * 1.2, y + r)]
    else:  # diamond
        points = [(x, y - r * 1.3), (x + r * 1.3, y), (x, y + r * 1.3), (x - r * 1.3, y)]
    return f'<polygon points="{_points(points)}" {fill}/>'


def _points(points) -> str:
    return " ".join(f"{num(x)},{num(y)}" for x, y in points)


def _pattern(pattern_id: str, index: int, colour: str) -> str:
    """A fill for series `index`: solid, then hatches that tell series apart in grey too."""
    kind = index % 6
    open_tag = (
        f'<pattern id="{pattern_id}" patternUnits="userSpaceOnUse" width="8" height="8"'
        + {0: "", 1: ' patternTransform="rotate(45)"', 5: ' patternTransform="rotate(-45)"'}.get(
            kind, ""
        )
        + ">"
    )
    line = f'stroke="{colour}" stroke-width="3"'
    body = {
        0: f'<rect width="8" height="8" fill="{colour}"/>',
        1: f'<rect width="8" height="8" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="8" {line}/>',
        2: (
            f'<rect width="8" height="8" fill="#ffffff"/>'
            f'<path d="M0,0 L8,8 M8,0 L0,8" stroke="{colour}" stroke-width="2"/>'
        ),
        3: (
            f'<rect width="8" height="8" fill="#ffffff"/>'
            f'<circle cx="4" cy="4" r="2.5" fill="{colour}"/>'
        ),
        4: f'<rect width="8" height="8" fill="#ffffff"/><line x1="0" y1="4" x2="8" y2="4" {line}/>',
        5: f'<rect width="8" height="8" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="8" {line}/>',
    }[kind]
    return f"{open_tag}{body}</pattern>"


class _Chart:
    def __init__(self, kind, chart_id, title, labels, series, *, unit, money, y_max):
        if not CHART_ID.match(chart_id):
            raise ValueError(f"chart_id must be a plain HTML id, not {chart_id!r}")
        labels = [str(label) for label in labels]
        for one in series:
            if len(one.values) != len(labels):
                raise ValueError(
                    f"Series {one.name!r} has {len(one.values)} values for {len(labels)} labels"
                )
        self.kind = kind
        self.chart_id = chart_id
        self.title = title
        self.labels = labels
        self.series = series
        self.unit = unit
        self.money = money
        self.values = [[None if v is None else _decimal(v) for v in one.values] for one in series]
        present = [v for row in self.values for v in row if v is not None]
        self.empty = not any(v != 0 for v in present)
        self.any_hidden = len(present) < sum(len(row) for row in self.values)
        whole = not money and all(v == v.to_integral_value() for v in present)
        data_top = max([v for v in present if v > 0], default=Decimal(0))
        limit = None if y_max is None else _decimal(y_max)
        if limit is not None and limit > 0 and data_top <= limit:
            # A fixed top (say 100%) keeps charts comparable; ticks stop at it.
            self.ticks = [t for t in nice_ticks(limit, whole=whole, max_intervals=5) if t <= limit]
            self.top = limit
        else:
            self.ticks = nice_ticks(data_top, whole=whole)
            self.top = self.ticks[-1]

    # Labels ---------------------------------------------------------------------------------

    def value_label(self, value: Decimal) -> str:
        if self.money:
            sign = "-" if value < 0 else ""
            return f"{sign}{self.money}{abs(value).quantize(Decimal('0.01')):,.2f}"
        return _plain(value) + ("%" if self.unit == "%" else "")

    def tick_label(self, value: Decimal) -> str:
        if self.money:
            return f"{self.money}{_plain(value)}"
        return _plain(value) + ("%" if self.unit == "%" else "")

    def describe(self) -> str:
        names = ", ".join(one.name for one in self.series) or "no series"
        groups = ", ".join(self.labels) or "nothing"
        if self.kind == "bar":
            words = f"Bar chart with a bar for each of {names} for each of: {groups}."
        else:
            words = f"Line chart with a line for each of {names} across: {groups}."
        if self.money:
            words += f" Values are amounts of money in {self.money}."
        elif self.unit == "%":
            words += " Values are percentages."
        elif self.unit:
            words += f" Values are in {self.unit}."
        if self.empty:
            words += " Nothing to show: every figure is zero or not shown."
        elif self.any_hidden:
            words += f' "{NOT_SHOWN}" marks a figure that is not shown.'
        return words + " The same figures are in the table with this chart."

    # Layout -----------------------------------------------------------------------------------

    def render(self) -> SafeString:
        cid = escape(self.chart_id)
        tick_labels = [self.tick_label(t) for t in self.ticks]
        left = max(40.0, max(_width(t, FONT_AXIS) for t in tick_labels) + 14)
        plot_w = WIDTH - left - RIGHT
        n = max(len(self.labels), 1)
        slot = plot_w / n

        legend, legend_h = self.legend(WIDTH - 2 * PAD)
        unit_h = 18 if self.unit and self.unit != "%" and not self.money else 0

        rotate_x = len(self.labels) > ROTATE_LABELS_OVER or any(
            _width(label, FONT_AXIS) > slot - 4 for label in self.labels
        )
        if rotate_x:
            longest = max((_width(label, FONT_AXIS) for label in self.labels), default=0)
            bottom = longest * 0.71 + 24
            # The first label slants down to the left: keep it inside the picture.
            for _ in range(2):
                left = max(left, longest * 0.71 + PAD - slot / 2)
                plot_w = WIDTH - left - RIGHT
                slot = plot_w / n
        else:
            bottom = 28

        bars = self.bar_geometry(slot) if self.kind == "bar" and not self.empty else []
        # Room above the tallest bar for its label, written upwards when wider than the bar.
        headroom = max([_width(b[4], FONT_VALUE) + 10 for b in bars if b[5]], default=20)

        plot_top = PAD + legend_h + unit_h + headroom
        base = plot_top + PLOT_HEIGHT
        height = base + bottom + PAD

        def y_of(value: Decimal) -> float:
            if self.top <= 0:
                return base
            share = min(max(float(value / self.top), 0.0), 1.0)
            return base - share * PLOT_HEIGHT

        def x_of(index: int) -> float:
            return left + slot * (index + 0.5)

        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
            f'aria-labelledby="{cid}-title {cid}-desc" viewBox="0 0 {WIDTH} {num(height)}" '
            f'width="100%" focusable="false" class="chart">',
            f'<title id="{cid}-title">{escape(self.title)}</title>',
            f'<desc id="{cid}-desc">{escape(self.describe())}</desc>',
        ]
        if self.kind == "bar":
            parts.append("<defs>")
            for i, _ in enumerate(self.series):
                parts.append(_pattern(f"{cid}-pattern-{i}", i, COLOURS[i % len(COLOURS)]))
            parts.append("</defs>")
        parts.append(f'<g fill="{TEXT}">')
        parts.append(f'<g class="legend">{legend}</g>')
        if unit_h:
            parts.append(_text(PAD, PAD + legend_h + 13, self.unit, anchor="start", size=FONT_AXIS))

        # Gridlines and the y axis labels.
        parts.append('<g class="y-axis">')
        if not self.empty:
            for tick, label in zip(self.ticks, tick_labels, strict=True):
                y = y_of(tick)
                if tick > 0:
                    parts.append(
                        f'<line x1="{num(left)}" y1="{num(y)}" x2="{num(WIDTH - RIGHT)}" '
                        f'y2="{num(y)}" stroke="{GRID}" stroke-width="1"/>'
                    )
                parts.append(_text(left - 6, y + 4, label, anchor="end"))
        parts.append("</g>")

        # x labels under each group.
        parts.append('<g class="x-axis">')
        for i, label in enumerate(self.labels):
            x = x_of(i)
            if rotate_x:
                y = base + 14
                parts.append(
                    _text(
                        x,
                        y,
                        label,
                        anchor="end",
                        extra=f' transform="rotate(-45 {num(x)} {num(y)})"',
                    )
                )
            else:
                parts.append(_text(x, base + 18, label))
        parts.append("</g>")

        parts.append('<g class="plot">')
        if self.empty:
            parts.append(
                _text(left + plot_w / 2, base - PLOT_HEIGHT / 2, "Nothing to show", size=16)
            )
        elif self.kind == "bar":
            parts.extend(self.draw_bars(bars, cid, left, y_of, base))
        else:
            parts.extend(self.draw_lines(x_of, y_of, base))
        parts.append("</g>")

        # The baseline goes last so bars never cover it.
        parts.append(
            f'<line x1="{num(left)}" y1="{num(base)}" x2="{num(WIDTH - RIGHT)}" '
            f'y2="{num(base)}" stroke="{TEXT}" stroke-width="2"/>'
        )
        parts.append("</g></svg>")
        # Every piece of text above went through escape(); the rest is markup built here.
        return mark_safe("".join(parts))  # noqa: S308

    def legend(self, width: float) -> tuple[str, float]:
        """Swatches (or line and marker) with each series' name, wrapped into rows."""
        if not self.series:
            return "", 0
        items = []
        x, row = PAD, 0
        for i, one in enumerate(self.series):
            item_w = 28 + _width(one.name, FONT_LEGEND) + 20
            if x > PAD and x + item_w > PAD + width:
                x, row = PAD, row + 1
            y = PAD + row * LEGEND_ROW
            colour = COLOURS[i % len(COLOURS)]
            if self.kind == "bar":
                swatch = (
                    f'<rect x="{num(x)}" y="{num(y + 2)}" width="18" height="16" '
                    f'fill="url(#{escape(self.chart_id)}-pattern-{i})" stroke="{colour}" '
                    f'stroke-width="1.5"/>'
                )
            else:
                swatch = self.line_segment(i, [(x, y + 10), (x + 22, y + 10)]) + _marker(
                    MARKERS[i % len(MARKERS)], x + 11, y + 10, colour
                )
            items.append(swatch + _text(x + 28, y + 15, one.name, anchor="start", size=FONT_LEGEND))
            x += item_w
        return "".join(items), (row + 1) * LEGEND_ROW + 4

    # Bars -------------------------------------------------------------------------------------

    def bar_geometry(self, slot: float):
        """(x from the plot's left, width, series index, value, label, rotated) for each bar."""
        count = max(len(self.series), 1)
        bar_w = min(slot * 0.8 / count, 56)
        group_w = bar_w * count
        out = []
        for g in range(len(self.labels)):
            start = slot * g + (slot - group_w) / 2
            for s in range(len(self.series)):
                value = self.values[s][g]
                text = NOT_SHOWN if value is None else self.value_label(value)
                rotated = value is not None and _width(text, FONT_VALUE) > bar_w + 4
                out.append((start + bar_w * s, bar_w, s, value, text, rotated))
        return out

    def draw_bars(self, bars, cid, left, y_of, base):
        parts = []
        for x_rel, bar_w, s, value, text, rotated in bars:
            x = left + x_rel
            centre = x + bar_w / 2
            if value is None:
                parts.append(
                    _text(
                        centre,
                        base - 5,
                        text,
                        size=FONT_VALUE,
                        extra=' font-weight="bold" class="not-shown"',
                    )
                )
                continue
            top = y_of(value) if value > 0 else base
            colour = COLOURS[s % len(COLOURS)]
            parts.append(
                f'<rect x="{num(x)}" y="{num(top)}" width="{num(bar_w)}" '
                f'height="{num(base - top)}" fill="url(#{cid}-pattern-{s})" '
                f'stroke="{colour}" stroke-width="1.5"/>'
            )
            if rotated:
                y = top - 5
                parts.append(
                    _text(
                        centre + 4,
                        y,
                        text,
                        size=FONT_VALUE,
                        anchor="start",
                        extra=f' class="value" transform="rotate(-90 {num(centre + 4)} {num(y)})"',
                    )
                )
            else:
                parts.append(_text(centre, top - 5, text, size=FONT_VALUE, extra=' class="value"'))
        return parts

    # Lines ------------------------------------------------------------------------------------

    def line_segment(self, index: int, points) -> str:
        colour = COLOURS[index % len(COLOURS)]
        dash = DASHES[index % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        return (
            f'<polyline points="{_points(points)}" fill="none" stroke="{colour}" '
            f'stroke-width="2.5"{dash_attr}/>'
        )

    def draw_lines(self, x_of, y_of, base):
        parts = []
        for s, row in enumerate(self.values):
            colour = COLOURS[s % len(COLOURS)]
            shape = MARKERS[s % len(MARKERS)]
            # A figure not shown splits the line: each run of shown figures is its own polyline.
            runs, run = [], []
            for i, value in enumerate(row):
                if value is None:
                    if run:
                        runs.append(run)
                    run = []
                else:
                    run.append((x_of(i), y_of(value)))
            if run:
                runs.append(run)
            for points in runs:
                if len(points) > 1:
                    parts.append(self.line_segment(s, points))
            for points in runs:
                for x, y in points:
                    parts.append(_marker(shape, x, y, colour))
            for i, value in enumerate(row):
                if value is None:
                    # The "c" sits in the gap, where the line would have run.
                    y = min(_gap_height(row, i, y_of, base), base - 8)
                    parts.append(
                        _text(
                            x_of(i),
                            y + 4,
                            NOT_SHOWN,
                            size=FONT_VALUE,
                            extra=(
                                f' fill="{colour}" font-weight="bold" class="not-shown"'
                                # A white outline keeps the "c" readable where a line crosses it.
                                ' stroke="#ffffff" stroke-width="3" paint-order="stroke"'
                            ),
                        )
                    )
        return parts


def _gap_height(row, index, y_of, base) -> float:
    """Where a line would cross a gap: between the nearest shown figures either side."""
    before = next(((i, row[i]) for i in range(index - 1, -1, -1) if row[i] is not None), None)
    after = next(((i, row[i]) for i in range(index + 1, len(row)) if row[i] is not None), None)
    if before and after:
        share = (index - before[0]) / (after[0] - before[0])
        return y_of(before[1]) + (y_of(after[1]) - y_of(before[1])) * share
    if before or after:
        return y_of((before or after)[1])
    return base - 8
