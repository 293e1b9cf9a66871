"""A topic at scale (issue 17): sharded files, a no-news run that reads none, first
harvests that write about their final size, and pages halved and grown back."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from harvester import files
from harvester.config import Topic
from harvester.db import shards, state, store
from harvester.harvest import topic as topic_module
from harvester.harvest.result import Mode
from harvester.harvest.topic import harvest_topic
from harvester.models import Paper
from harvester.outputs import audit
from tests.conftest import offline_client, records, tree
from tests.standin import LargePageFailure, Standin, synthetic_entries

TOPIC = Topic(name="t", query="all:x")
FIRST = datetime(2023, 1, 2, tzinfo=UTC)


def harvest(standin: Standin, data: Path, now: datetime, *, page_size: int = 2000):
    """Harvest `TOPIC` as if it were `now`, through the real client, in process."""
    with offline_client(standin, page_size=page_size) as client:
        return harvest_topic(TOPIC, client=client, data_dir=data, now=now)


def data_files(data: Path) -> list[Path]:
    return [p for p in data.rglob("*.json") if ".harvest" not in p.parts]


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Bytes of every data file the writer writes (state files aside), counted as it writes."""
    counted: list[int] = []
    real = files.write

    def counting(path: Path, data: bytes | Iterable[bytes]) -> bool:
        pieces = [data] if isinstance(data, bytes) else list(data)
        done = real(path, pieces)
        if done and ".harvest" not in path.parts:
            counted.append(sum(map(len, pieces)))
        return done

    monkeypatch.setattr(files, "write", counting)
    return counted


def test_a_no_news_run_reads_no_data_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """After a sharded first harvest, a run that finds nothing costs one request and reads no
    data file: each is garbage of the same size, its stat restored, and nothing notices."""
    monkeypatch.setattr(shards, "LIMIT_BYTES", 200_000)
    standin = Standin(entries=synthetic_entries(600, first=FIRST, step_minutes=24 * 60))
    data = tmp_path / "data"
    harvest(standin, data, FIRST + timedelta(days=700))
    assert len(data_files(data)) > 3
    for path in data_files(data):
        info = path.stat()
        with path.open("r+b") as handle:
            handle.write(b"\0" * info.st_size)
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    before = tree(data)
    standin.requests.clear()
    result = harvest(standin, data, FIRST + timedelta(days=701))
    assert result.mode is Mode.INCREMENTAL
    assert (len(standin.requests), result.total, result.written) == (1, 600, False)
    assert tree(data) == before


def test_a_file_edited_by_hand_is_read_by_the_next_run(tmp_path: Path):
    """A run after a hand edit reads the edited file (its count is right), stamps it in the
    state, and the run after that changes no byte."""
    standin = Standin(entries=synthetic_entries(50, first=FIRST, step_minutes=60))
    data = tmp_path / "data"
    harvest(standin, data, FIRST + timedelta(days=30))
    path = data / "t.json"
    kept = sorted(records(data, "t").values(), key=lambda r: r["arxiv_id"])[:40]
    path.write_bytes(store.dumps(Paper.model_validate(r) for r in kept))
    standin.entries = standin.entries[:0]  # arXiv has nothing new, nor the dropped ones
    result = harvest(standin, data, FIRST + timedelta(days=31))
    assert result.total == 40
    saved = state.load(state.path_for(data, "t"))
    assert saved is not None
    assert saved.files["t.json"].papers == 40
    before = tree(data)
    harvest(standin, data, FIRST + timedelta(days=32))
    assert tree(data) == before


def test_a_first_harvest_writes_at_most_twice_its_final_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written: list[int]
):
    """Bytes handed to the writer by a first harvest of 4,000 papers (files cut at 400 kB,
    commits at least 100 papers) stay within 2 x the files it ends with."""
    monkeypatch.setattr(shards, "LIMIT_BYTES", 400_000)
    monkeypatch.setattr(topic_module, "COMMIT_MIN", 100)
    standin = Standin(entries=synthetic_entries(4_000, first=FIRST, step_minutes=6 * 60))
    data = tmp_path / "data"
    result = harvest(standin, data, FIRST + timedelta(days=1_100), page_size=200)
    assert result.total == 4_000
    final = sum(p.stat().st_size for p in data_files(data))
    assert len(data_files(data)) > 10
    assert final < sum(written) <= 2 * final


def test_a_first_harvest_writes_each_file_as_it_leaves_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Stored a year per file, a first harvest (newest first) writes a year once the
    pages reach the one before (then saves the state): between two states it writes
    the file it left and the one it entered, so it holds about one file, not the topic."""
    monkeypatch.setattr(shards, "LIMIT_BYTES", 1_000_000)  # a year of a paper a day fits
    bursts: list[list[str]] = [[]]
    real = files.write

    def noting(path: Path, data: bytes | Iterable[bytes]) -> bool:
        done = real(path, data)
        if path.name == "t.json" and path.parent.name == ".harvest":
            bursts.append([])  # the state: what was written before it is committed
        elif done and ".harvest" not in path.parts:
            bursts[-1].append(path.name)
        return done

    monkeypatch.setattr(files, "write", noting)
    standin = Standin(entries=synthetic_entries(2_000, first=FIRST, step_minutes=24 * 60))
    data = tmp_path / "data"
    result = harvest(standin, data, FIRST + timedelta(days=2_100), page_size=200)
    assert result.total == 2_000
    years = sorted(p.name for p in data_files(data))
    assert years == [f"{y}.json" for y in range(2023, 2029)]
    cut, *later = [b for b in bursts if b]  # the one file cut into the years it held
    assert len(cut) <= 3
    assert [len(b) for b in later] == [2, 2, 2, 1]  # the year left, the year entered
    assert later[-1] == ["2023.json"]


@pytest.mark.parametrize("failure", ["500", "503", "truncated", "blank", "empty"])
def test_pages_that_fail_large_are_halved_and_grown_back(tmp_path: Path, failure: LargePageFailure):
    """Against a stand-in that fails every page over 1,000, a harvest asking 2,000 completes:
    the failed page is asked at 1,000, and after 4 successes 2,000 is tried again."""
    entries = synthetic_entries(9_000, first=FIRST, step_minutes=10)
    standin = Standin(entries=entries, fail_above=1000, fail_as=failure)
    data = tmp_path / "data"
    result = harvest(standin, data, FIRST + timedelta(days=90))
    assert result.total == 9_000
    sizes = [int(r["max_results"]) for r in standin.requests]
    assert sizes[:6] == [2000, 1000, 1000, 1000, 1000, 2000]
    assert sizes.count(1000) == 9


def test_a_page_size_halved_once_grows_back_to_the_bound(tmp_path: Path):
    """One failure halves the size; it doubles back after 4 successes and stays there."""
    entries = synthetic_entries(9_000, first=FIRST, step_minutes=10)
    standin = Standin(entries=entries, fail_above=1000)
    data = tmp_path / "data"

    def once(params: dict[str, str]):  # the first request fails large, the next ones not
        standin.fail_above = None
        return standin._large_page_failure(params)

    standin.script = [once]
    harvest(standin, data, FIRST + timedelta(days=90))
    sizes = [int(r["max_results"]) for r in standin.requests]
    assert sizes == [2000, 1000, 1000, 1000, 1000, 2000, 2000, 2000]
    assert len(records(data, "t")) == 9_000


@pytest.mark.slow
def test_a_topic_crossing_40_mb_in_an_incremental_run_is_cut_in_that_run(tmp_path: Path):
    """With the real 40 MB limit: 19,500 papers in one file, then 2,500 new ones in a daily run
    switch the topic to a file per year in that run, nothing lost, `check` valid, and an
    identical second run writes nothing."""
    assert shards.LIMIT_BYTES == 40_000_000
    first = datetime(2024, 1, 1, tzinfo=UTC)
    old = synthetic_entries(19_500, first=first, step_minutes=30)
    standin = Standin(entries=old)
    data = tmp_path / "data"
    start = old[-1].published + timedelta(days=1)
    harvest(standin, data, start)
    assert [p.name for p in data_files(data)] == ["t.json"]
    assert (data / "t.json").stat().st_size < 40_000_000
    new = [
        e.rewritten(f"2503.{60_000 + i}v1", start + timedelta(days=1, minutes=i))
        for i, e in enumerate(old[:2_500])
    ]
    standin.entries = old + new
    result = harvest(standin, data, start + timedelta(days=2))
    assert result.mode is Mode.INCREMENTAL
    assert result.counts.new == 2_500
    assert not (data / "t.json").exists()
    assert sorted(p.name for p in data_files(data)) == ["2024.json", "2025.json"]
    assert all(p.stat().st_size < 40_000_000 for p in data_files(data))
    assert len(records(data, "t")) == 22_000
    counts, problems = audit.check(tmp_path / "queries.toml", data)
    assert [p for p in problems if "queries.toml" not in str(p)] == []
    assert sum(counts.values()) == 22_000
    before = tree(data)
    again = harvest(standin, data, start + timedelta(days=2, hours=1))
    assert again.written is False
    assert tree(data) == before
    assert math.isclose(result.total, 22_000)
