"""arXiv's paging limit: which pages the 2026 backend serves, and how deep pages reach."""

from __future__ import annotations

import pytest

from harvester.arxiv.paging import MAX_RESULTS, fits, reach
from tests.standin import Refused, _check_page_2026


@pytest.mark.parametrize(
    ("start", "size", "served"),
    [
        pytest.param(0, 1000, True, id="first-page"),
        pytest.param(9000, 1000, True, id="last-page-of-1000"),
        pytest.param(10_000, 1000, False, id="past-the-limit"),
        pytest.param(9500, 1000, False, id="offset-not-a-multiple"),
        pytest.param(8500, 1500, False, id="page-number-rounds-past"),
        pytest.param(9999, 1, True, id="last-row"),
        pytest.param(0, 0, False, id="max-results-0"),
        pytest.param(0, 10_001, False, id="one-page-too-large"),
    ],
)
def test_fits_says_what_the_backend_serves(start: int, size: int, served: bool):
    """A page fits when arXiv's page number and row limits both allow it."""
    assert fits(start, size) is served


def test_fits_agrees_with_the_stand_in_everywhere_a_harvest_may_ask():
    """On every offset and size a harvest may send, `fits` and the stand-in agree."""
    for size in [1, 7, 25, 100, 999, 1000, 1500, 2000]:
        for start in range(0, MAX_RESULTS + size, max(1, size // 3)):
            try:
                _check_page_2026(start, size)
                served = True
            except Refused:
                served = False
            assert fits(start, size) is served, (start, size)


@pytest.mark.parametrize(
    ("size", "rows"),
    [
        pytest.param(1000, 10_000, id="1000"),
        pytest.param(2000, 10_000, id="2000"),
        pytest.param(1500, 9000, id="1500"),
        pytest.param(3, 9999, id="3"),
    ],
)
def test_reach_is_the_rows_whole_pages_can_fetch(size: int, rows: int):
    """Pages of a size that does not divide 10,000 reach fewer rows."""
    assert reach(size) == rows
