"""The index's papers-per-month plot (`harvester.outputs.plot`)."""

from __future__ import annotations

from datetime import date

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


def test_the_svg_draws_a_bar_per_month_with_papers_and_says_so():
    """One bar per month with papers, the tallest full height; its title says the peak."""
    drawn = str(plot.svg({"2024-01": 4, "2024-02": 0, "2024-03": 2}, label="t & u"))
    assert drawn.startswith('<svg class="plot"')
    assert drawn.count("z") == 2
    assert "M0.00 0.00h" in drawn  # the peak reaches the top
    assert (
        "<title>t &amp; u: papers per month, 2024-01 to 2024-03; most 4 in 2024-01, 2 in the last month</title>"
        in drawn
    )
    assert str(plot.svg({}, label="t")) == ""
