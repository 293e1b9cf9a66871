"""What harvesting a topic costs: windows and requests from a result count."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from harvester.config import Topic
from harvester.harvest.plan import Cost, first_harvest_cost, plan_topic, windows_needed
from tests.conftest import offline_client
from tests.standin import Standin


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


@pytest.mark.parametrize("layout", ["one-file", "sharded", "none"])
def test_plan_names_the_topics_files_in_either_layout(tmp_path: Path, layout: str):
    """A plan names `data/NAME.json`, or the folder of a sharded topic, and says whether it exists."""
    if layout == "one-file":
        (tmp_path / "t.json").write_text("[]\n")
    if layout == "sharded":
        (tmp_path / "t").mkdir()
        (tmp_path / "t" / "2024.json").write_text("[]\n")
    standin = Standin(entries=[])
    with offline_client(standin) as client:
        plan = plan_topic(
            Topic(name="t", query="all:x"),
            client,
            tmp_path,
            delay_seconds=0,
            now=datetime(2026, 1, 1, tzinfo=UTC),
        )
    expected = tmp_path / ("t" if layout == "sharded" else "t.json")
    assert (plan.data_file, plan.data_file_exists) == (str(expected), layout != "none")
