"""What harvesting a topic costs: windows and requests from a result count."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harvester.arxiv.windows import FIRST_DAY, Window
from harvester.config import Topic
from harvester.harvest.backfill import Backfill
from harvester.harvest.plan import (
    Cost,
    first_harvest_cost,
    plan_topic,
    set_harvest_cost,
    windows_needed,
)
from tests.conftest import offline_client
from tests.standin import Standin, synthetic_entries


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
    ("first", "step_seconds"),
    [
        pytest.param(datetime(2024, 1, 1, tzinfo=UTC), 7, id="two-busy-days"),
        pytest.param(datetime(2000, 1, 1, tzinfo=UTC), 7 * 3600, id="twenty-even-years"),
    ],
)
def test_plan_and_harvest_cut_a_range_into_the_same_windows(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, first: datetime, step_seconds: int
):
    """25,000 papers: the windows `plan` counts are the ones the harvest cuts (issue 16)."""
    standin = Standin(entries=synthetic_entries(25_000, first=first, step_seconds=step_seconds))
    topic = Topic(name="t", query="all:x")
    now = datetime(2026, 12, 1, tzinfo=UTC)
    caplog.set_level(logging.INFO, logger="harvester.harvest.backfill")
    with offline_client(standin, page_size=1000) as client:
        planned = plan_topic(topic, client, tmp_path, delay_seconds=0, now=now).first_harvest
        Backfill(client, "all:x", commit=lambda *_: None).run([Window(FIRST_DAY, now)])
    assert planned is not None
    cuts = [r.getMessage() for r in caplog.records if "fetching it in" in r.getMessage()]
    assert cuts[0].endswith(f": it matches 25000 results: fetching it in {planned.windows} windows")


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


@pytest.mark.parametrize(("cap", "kept"), [(50, 50), (500, 108), (None, 108)])
def test_a_plan_keeps_at_most_the_topics_max_results(tmp_path: Path, cap: int | None, kept: int):
    """A plan's kept papers and first-harvest cost follow the topic's `max_results` when it is below the results."""
    with offline_client(Standin()) as client:
        plan = plan_topic(
            Topic(name="t", query="all:x", max_results=cap),
            client,
            tmp_path,
            delay_seconds=3,
            now=datetime(2026, 1, 1, tzinfo=UTC),
        )
    assert (plan.results, plan.kept) == (108, kept)
    assert plan.first_harvest == first_harvest_cost(
        kept, page_size=client.page_size, delay_seconds=3
    )
