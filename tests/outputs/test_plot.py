"""The index's papers-per-month plot (`harvester.outputs.plot`)."""

from __future__ import annotations

from datetime import date

import pytest
from lxml import etree

from harvester.outputs import plot


def test_months_cross_a_year():
    """Months run from the first to the last, both included, across a new year."""
    assert plot.months(date(2025, 11, 30), date(2026, 2, 1)) == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]


def test_per_month_fills_empty_months_up_to_the_date():
    """Months without a paper count 0, up to the site's date; none before the first paper."""
    dates = [date(2024, 1, 3), date(2024, 1, 5), date(2024, 3, 1)]
    assert plot.per_month(dates, until=date(2024, 5, 2)) == {
        "2024-01": 2,
        "2024-02": 0,
        "2024-03": 1,
        "2024-04": 0,
        "2024-05": 0,
    }
    assert plot.per_month([], until=date(2024, 5, 2)) == {}


def _found(drawn: str, path: str) -> list[str]:
    """The strings `path` finds in the drawn SVG, in document order."""
    found = etree.fromstring(drawn).xpath(path)
    assert isinstance(found, list)
    return [str(item) for item in found]


def _labels(drawn: str) -> list[str]:
    """The texts of the labels, in the order drawn."""
    return _found(drawn, "g[@class='labels']/text/text()")


def test_the_svg_draws_a_bar_per_month_with_papers_and_says_so():
    """One bar per month with papers, the tallest full height; its title says the peak."""
    drawn = str(plot.svg({"2024-01": 4, "2024-02": 0, "2024-03": 2}, label="t & u"))
    assert drawn.startswith('<svg class="plot"')
    (bars,) = _found(drawn, "path[@fill='currentColor']/@d")
    assert bars.count("z") == 2
    assert bars.startswith(f"M12.50 {plot.TOP:.2f}h")  # the peak reaches the top
    assert (
        "<title>t &amp; u: papers per month, 2024-01 to 2024-03; most 4 in 2024-01, 2 in the last month</title>"
        in drawn
    )
    assert str(plot.svg({}, label="t")) == ""


@pytest.mark.parametrize(
    ("counts", "labels"),
    [
        pytest.param(
            {
                "2022-01": 1_234,
                **dict.fromkeys(plot.months(date(2022, 2, 1), date(2026, 12, 1)), 7),
            },
            ["1,234", "0", "2022-01", "2026-12"],
            id="five-years",
        ),
        pytest.param({"2024-05": 3}, ["3", "0", "2024-05"], id="one-month"),
    ],
)
def test_the_axes_are_labelled_with_the_months_and_the_counts(
    counts: dict[str, int], labels: list[str]
):
    """The axes read without hovering: the most papers in a month and 0 beside the bars,
    the first and the last month under them (issue 26)."""
    drawn = str(plot.svg(counts, label="t"))
    assert _labels(drawn) == labels
    bars = _found(drawn, "path[@fill='currentColor']/@d")
    left = float(bars[0].split()[0][1:])
    assert left >= len(labels[0]) * plot.DIGIT  # the bars start right of the widest count
