"""What harvesting a topic costs: windows and requests from a result count."""

from __future__ import annotations

import pytest

from harvester.harvest.plan import Cost, first_harvest_cost, set_harvest_cost, windows_needed


@pytest.mark.parametrize(
    ("results", "page_size", "cost"),
    [
        pytest.param(0, 1000, Cost(1, 1, 0.0), id="empty"),
        pytest.param(10_000, 1000, Cost(10, 1, 27.0), id="at-the-limit"),
        pytest.param(10_001, 1000, Cost(13, 2, 36.0), id="one-past"),
        pytest.param(214_881, 2000, Cost(109, 27, 324.0), id="huge"),
    ],
)
def test_first_harvest_cost(results, page_size, cost):
    """Windows of at most 8,000 past 10,000 results, one extra request to find that out,
    and (requests - 1) delays of 3 s."""
    assert first_harvest_cost(results, page_size=page_size, delay_seconds=3) == cost
    assert windows_needed(results) == cost.windows


@pytest.mark.parametrize(
    ("records", "cost"),
    [
        pytest.param(0, Cost(1, 1, 0.0), id="empty-set"),
        pytest.param(2_500, Cost(1, 1, 0.0), id="one-page"),
        pytest.param(30_000, Cost(12, 1, 33.0), id="thirty-thousand"),
        pytest.param(214_881, Cost(86, 1, 255.0), id="past-any-window"),
    ],
)
def test_set_harvest_cost(records: int, cost: Cost):
    """A set is listed 2,500 records a request with no windows, however large."""
    assert set_harvest_cost(records, delay_seconds=3) == cost
