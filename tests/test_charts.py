"""The statistics pages' SVG charts: accessible, escaped, and allowed by the CSP."""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.utils.safestring import SafeString

from reporting.charts import Series, bar_chart, line_chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = ["Jan 2026", "Feb 2026", "Mar 2026"]


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def tag(element: ET.Element) -> str:
    return element.tag.removeprefix(SVG)


def group(root: ET.Element, name: str) -> ET.Element:
    return root.find(f".//{SVG}g[@class='{name}']")


def texts(element: ET.Element) -> list[str]:
    return [t.text for t in element.iter(f"{SVG}text")]


def a_bar_chart(**kwargs) -> str:
    options = {
        "chart_id": "sessions",
        "title": "Sessions held",
        "labels": MONTHS,
        "series": [Series("Held", [3, None, 7]), Series("Paid", [2, 0, 5])],
    }
    options.update(kwargs)
    return bar_chart(**options)


def a_line_chart(**kwargs) -> str:
    options = {
        "chart_id": "waiting",
        "title": "Days waiting for a match",
        "labels": ["Jan", "Feb", "Mar", "Apr", "May"],
        "series": [Series("Mentees", [1, 2, None, 4, 5]), Series("Mentors", [2, 2, 3, 3, 3])],
    }
    options.update(kwargs)
    return line_chart(**options)


@pytest.mark.parametrize("draw", [a_bar_chart, a_line_chart])
def test_it_is_an_image_labelled_by_its_title_and_description(draw):
    markup = draw()
    assert isinstance(markup, SafeString)
    root = parse(markup)

    assert tag(root) == "svg"
    assert root.get("role") == "img"
    assert root.get("focusable") == "false"
    assert root.get("width") == "100%"
    assert root.get("viewBox").startswith("0 0 640 ")
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    labelled_by = root.get("aria-labelledby").split()
    assert len(labelled_by) == 2
    assert set(labelled_by) <= ids

    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title.get("id") == labelled_by[0]
    assert desc.get("id") == labelled_by[1]
    assert title.text in ("Sessions held", "Days waiting for a match")
    assert "The same figures are in the table with this chart." in desc.text
    assert '"c" marks a figure that is not shown.' in desc.text


def test_it_describes_what_it_shows_in_words():
    root = parse(a_bar_chart(money="£"))
    desc = root.find(f"{SVG}desc").text

    assert desc.startswith("Bar chart with a bar for each of Held, Paid for each of: Jan 2026,")
    assert "Values are amounts of money in £." in desc


def test_it_escapes_every_piece_of_text():
    hostile = "<script>alert(1)</script>"
    markup = bar_chart(
        chart_id="hostile",
        title=hostile,
        labels=[hostile, 'a "quoted" & label'],
        series=[Series(hostile, [1, 2])],
    )
    root = parse(markup)

    assert "<script>" not in markup
    assert root.find(f"{SVG}title").text == hostile
    assert hostile in texts(root)
    assert 'a "quoted" & label' in texts(root)
    assert not [e for e in root.iter() if tag(e) == "script"]


def test_it_refuses_an_id_that_cannot_be_an_id():
    with pytest.raises(ValueError):
        a_bar_chart(chart_id='x" onload="alert(1)')


def test_it_refuses_a_series_that_does_not_fit_the_labels():
    with pytest.raises(ValueError):
        a_bar_chart(series=[Series("Held", [1, 2])])


@pytest.mark.parametrize(
    "markup",
    [
        a_bar_chart(),
        a_bar_chart(money="£", series=[Series("Paid", [Decimal("12.5"), None, -3])]),
        a_line_chart(unit="%", y_max=100),
        a_bar_chart(series=[Series("Held", [None, 0, None])]),
    ],
)
def test_it_uses_no_inline_style_or_script(markup):
    # The Content Security Policy forbids both; the chart must not need them.
    root = parse(markup)

    for element in root.iter():
        assert tag(element) not in ("style", "script", "foreignObject")
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)
    assert "href" not in markup


def test_it_draws_one_bar_for_each_figure_shown():
    root = parse(a_bar_chart())
    plot = group(root, "plot")

    bars = plot.findall(f"{SVG}rect")
    assert len(bars) == 5  # six figures, one not shown
    assert [t.text for t in plot.findall(f"{SVG}text[@class='not-shown']")] == ["c"]
    assert [t.text for t in plot.findall(f"{SVG}text[@class='value']")] == [
        "3",
        "2",
        "0",
        "7",
        "5",
    ]


def test_it_makes_taller_bars_for_bigger_figures():
    root = parse(
        bar_chart(chart_id="c", title="t", labels=["a", "b"], series=[Series("s", [2, 8])])
    )
    small, big = group(root, "plot").findall(f"{SVG}rect")

    assert float(big.get("height")) == pytest.approx(4 * float(small.get("height")))
    assert float(small.get("y")) + float(small.get("height")) == pytest.approx(
        float(big.get("y")) + float(big.get("height"))
    )


def test_it_tells_series_apart_by_hatch_as_well_as_colour():
    root = parse(a_bar_chart(series=[Series(f"S{i}", [1, 2, 3]) for i in range(4)]))
    patterns = root.findall(f"{SVG}defs/{SVG}pattern")

    assert [p.get("id") for p in patterns] == [f"sessions-pattern-{i}" for i in range(4)]
    drawings = [ET.tostring(p, encoding="unicode").split(">", 1)[1] for p in patterns]
    shapes = [[tag(child) for child in p] + [p.get("patternTransform")] for p in patterns]
    assert len(set(drawings)) == 4
    assert len({str(shape) for shape in shapes}) == 4  # different hatches, not only colours
    fills = {rect.get("fill") for rect in group(root, "plot").findall(f"{SVG}rect")}
    assert fills == {f"url(#sessions-pattern-{i})" for i in range(4)}


def test_two_charts_on_one_page_share_no_ids():
    page = "<div>" + a_bar_chart(chart_id="first") + a_bar_chart(chart_id="second") + "</div>"
    ids = [e.get("id") for e in parse(page).iter() if e.get("id")]

    assert len(ids) == len(set(ids))
    assert all(i.startswith(("first-", "second-")) for i in ids)


@pytest.mark.parametrize("draw", [a_bar_chart, a_line_chart])
def test_it_names_every_series_in_the_legend(draw):
    legend = group(parse(draw()), "legend")

    assert texts(legend) in (["Held", "Paid"], ["Mentees", "Mentors"])


def test_it_wraps_a_long_legend_onto_more_rows():
    names = [f"A rather long series name {i}" for i in range(4)]
    root = parse(a_bar_chart(series=[Series(name, [1, 2, 3]) for name in names]))
    rows = {t.get("y") for t in group(root, "legend").iter(f"{SVG}text")}

    assert len(rows) > 1
    for text in group(root, "legend").iter(f"{SVG}text"):
        assert float(text.get("x")) < 640


@pytest.mark.parametrize(
    ("top", "whole", "expected"),
    [
        (7, True, ["0", "2", "4", "6", "8"]),
        (1234, True, ["0", "500", "1000", "1500"]),
        (100, True, ["0", "25", "50", "75", "100"]),
        (9, True, ["0", "5", "10"]),  # no 2.5 steps for counts
        (9, False, ["0", "2.5", "5.0", "7.5", "10.0"]),
        (Decimal("0.7"), False, ["0", "0.2", "0.4", "0.6", "0.8"]),
        (1, True, ["0", "1"]),
        (0, True, ["0"]),
    ],
)
def test_it_picks_nice_gridlines(top, whole, expected):
    assert [str(t.normalize()) if t else "0" for t in nice_ticks(Decimal(top), whole=whole)] == [
        str(Decimal(e).normalize()) if e != "0" else "0" for e in expected
    ]


def test_it_labels_the_gridlines():
    root = parse(a_bar_chart(series=[Series("Held", [1234, 10, 0])]))

    assert texts(group(root, "y-axis")) == ["0", "500", "1,000", "1,500"]


@pytest.mark.parametrize(
    "series",
    [
        [Series("Held", [None, None, None])],
        [Series("Held", [0, 0, 0]), Series("Paid", [None, 0, None])],
        [],
    ],
)
@pytest.mark.parametrize("draw", [a_bar_chart, a_line_chart])
def test_it_says_nothing_to_show_when_there_is_nothing(draw, series):
    labels = ["Jan", "Feb", "Mar"]
    root = parse(draw(series=series, labels=labels))
    plot = group(root, "plot")

    assert texts(plot) == ["Nothing to show"]
    assert plot.findall(f"{SVG}rect") == []
    assert plot.findall(f"{SVG}polyline") == []
    assert "Nothing to show" in root.find(f"{SVG}desc").text


def test_it_draws_an_empty_chart_without_labels():
    root = parse(bar_chart(chart_id="c", title="t", labels=[], series=[]))

    assert texts(group(root, "plot")) == ["Nothing to show"]


def test_it_writes_money_with_its_symbol():
    root = parse(
        a_bar_chart(
            money="£",
            series=[Series("Paid", [Decimal("1234.5"), Decimal("12"), Decimal("0.10")])],
        )
    )

    values = texts(group(root, "plot"))
    assert values == ["£1,234.50", "£12.00", "£0.10"]
    assert texts(group(root, "y-axis")) == ["£0", "£500", "£1,000", "£1,500"]


def test_it_writes_thousands_with_separators():
    root = parse(a_bar_chart(series=[Series("Minutes", [12345, 678, 9])]))

    assert texts(group(root, "plot")) == ["12,345", "678", "9"]


def test_it_clamps_a_negative_bar_at_zero_but_writes_its_true_value():
    root = parse(a_bar_chart(money="£", series=[Series("Balance", [-3, 10, 20])]))
    plot = group(root, "plot")

    first = plot.findall(f"{SVG}rect")[0]
    assert first.get("height") == "0"
    assert texts(plot)[0] == "-£3.00"


def test_it_writes_a_label_wider_than_its_bar_upwards():
    labels = [f"Week {i}" for i in range(1, 7)]
    values = [Decimal("123456.78")] * 6
    root = parse(a_bar_chart(labels=labels, money="£", series=[Series("Paid", values)] * 2))

    for value in group(root, "plot").findall(f"{SVG}text[@class='value']"):
        assert value.get("transform").startswith("rotate(-90 ")
        assert value.text == "£123,456.78"


def test_it_slants_x_labels_when_there_are_many():
    few = parse(a_bar_chart())
    many = parse(
        a_bar_chart(
            labels=[f"Month {i}" for i in range(12)],
            series=[Series("Held", list(range(12)))],
        )
    )

    assert all(t.get("transform") is None for t in group(few, "x-axis"))
    slanted = list(group(many, "x-axis"))
    assert len(slanted) == 12
    for text in slanted:
        assert text.get("transform").startswith("rotate(-45 ")
        assert text.get("text-anchor") == "end"
        assert float(text.get("x")) - len(text.text) * 13 * 0.6 * 0.71 >= 0


def test_it_splits_a_line_where_a_figure_is_not_shown():
    root = parse(a_line_chart())
    plot = group(root, "plot")

    lines = plot.findall(f"{SVG}polyline")
    # Mentees: Jan-Feb and Apr-May; Mentors: one unbroken line.
    assert [len(line.get("points").split()) for line in lines] == [2, 2, 5]
    assert [t.text for t in plot.findall(f"{SVG}text[@class='not-shown']")] == ["c"]


def test_it_draws_a_single_point_between_gaps_as_a_marker():
    root = parse(a_line_chart(series=[Series("Mentees", [None, 3, None, 4, 5])]))
    plot = group(root, "plot")

    assert len(plot.findall(f"{SVG}polyline")) == 1
    assert len(plot.findall(f"{SVG}circle")) == 3


def test_it_tells_lines_apart_by_dashes_and_marker_shapes():
    names = ["One", "Two", "Three", "Four"]
    root = parse(a_line_chart(series=[Series(name, [1, 2, 3, 4, 5]) for name in names]))
    plot = group(root, "plot")

    dashes = [line.get("stroke-dasharray") for line in plot.findall(f"{SVG}polyline")]
    assert len(set(dashes)) == 4
    markers = [tag(e) for e in plot if tag(e) in ("circle", "rect", "polygon")]
    assert markers == ["circle"] * 5 + ["rect"] * 5 + ["polygon"] * 10
    triangles, diamonds = plot.findall(f"{SVG}polygon")[:5], plot.findall(f"{SVG}polygon")[5:]
    assert {len(p.get("points").split()) for p in triangles} == {3}
    assert {len(p.get("points").split()) for p in diamonds} == {4}
    # The legend shows each line with its dashes and its marker.
    legend = group(root, "legend")
    assert [e.get("stroke-dasharray") for e in legend.findall(f"{SVG}polyline")] == dashes
    assert [tag(e) for e in legend if tag(e) != "text" and tag(e) != "polyline"] == [
        "circle",
        "rect",
        "polygon",
        "polygon",
    ]


def test_it_keeps_a_fixed_top_for_percentages():
    root = parse(a_line_chart(unit="%", y_max=100, series=[Series("Kept", [10, 20, 30, 40, 50])]))

    assert texts(group(root, "y-axis")) == ["0%", "20%", "40%", "60%", "80%", "100%"]


def test_it_grows_past_a_fixed_top_that_the_figures_exceed():
    root = parse(a_line_chart(y_max=10, series=[Series("Hours", [10, 20, 30, 40, 50])]))

    assert texts(group(root, "y-axis"))[-1] == "60"


def test_it_names_a_unit_in_words_once():
    root = parse(a_bar_chart(unit="hours", series=[Series("Time", [1, 2, 3])]))

    assert texts(root).count("hours") == 1
    assert "Values are in hours." in root.find(f"{SVG}desc").text


@pytest.mark.parametrize("draw", [a_bar_chart, a_line_chart])
def test_it_draws_the_same_chart_every_time(draw):
    assert draw() == draw()


@pytest.mark.parametrize(
    "markup",
    [
        a_bar_chart(series=[Series("Third", [Decimal("1") / 3, 2 / 3, 7])]),
        a_line_chart(series=[Series("Third", [1 / 3, 2 / 3, 1, 4 / 3, 5 / 3])]),
    ],
)
def test_it_writes_coordinates_with_two_decimals_at_most(markup):
    root = parse(markup)

    for element in root.iter():
        for name in ("x", "y", "width", "height", "cx", "cy", "x1", "y1", "points", "viewBox"):
            if element.get(name):
                for number in re.findall(r"-?\d+(?:\.\d+)?", element.get(name)):
                    assert len(number.partition(".")[2]) <= 2, (name, number)


@pytest.mark.parametrize("draw", [a_bar_chart, a_line_chart])
def test_it_writes_text_large_enough_to_read(draw):
    for text in parse(draw()).iter(f"{SVG}text"):
        assert int(text.get("font-size")) >= 12
