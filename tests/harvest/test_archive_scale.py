"""All of arXiv as one topic, at a size CI can run: a first harvest through OAI-PMH writes
each file about once, a day of changes rewrites only the files holding a change, a day
without change reads none, and every paper is stored once (`bench/archive.py` measures
the same at up to a million papers)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from harvester import files
from harvester.config import Topic, load_config
from harvester.db import rows, shards, staging, store
from harvester.db.shards import TopicFiles
from harvester.harvest import changes, sets
from tests.oai_standin import OaiStandin, offline
from tests.oai_synthetic import SyntheticArxiv


class Written:
    """What went through the writer into the topic's files, and the stagings' bytes."""

    def __init__(self) -> None:
        self.data: list[tuple[str, int]] = []
        self.staged = 0


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> Written:
    """Counts the data files written (name, bytes) and the bytes staged."""
    seen = Written()
    write, append = files.write, staging.Staging.append

    def counting(path: Path, data: bytes | Iterable[bytes]) -> bool:
        pieces = [data] if isinstance(data, bytes) else list(data)
        wrote = write(path, pieces)
        if wrote and ".harvest" not in path.parts:
            seen.data.append((path.name, sum(map(len, pieces))))
        return wrote

    def appending(self: staging.Staging, papers: Iterable[object], token: str | None) -> None:
        before = sum(b.length for b in self.manifest.buckets.values()) if self.manifest else 0
        append(self, papers, token)  # type: ignore[arg-type]
        assert self.manifest is not None
        seen.staged += sum(b.length for b in self.manifest.buckets.values()) - before

    monkeypatch.setattr(files, "write", counting)
    monkeypatch.setattr(staging.Staging, "append", appending)
    return seen


def _archive(tmp_path: Path, size: int) -> tuple[SyntheticArxiv, OaiStandin, Topic, Path]:
    config = tmp_path / "queries.toml"
    config.write_text('[topics.arxiv]\nset = "*"\n')
    arxiv = SyntheticArxiv(size, seed=5)
    return (
        arxiv,
        OaiStandin(today=arxiv.today, synthetic=arxiv),
        load_config(config).topics["arxiv"],
        tmp_path / "data",
    )


@pytest.mark.parametrize(
    ("size", "limit"),
    [
        pytest.param(50_000, 4_000_000, id="50000"),
        pytest.param(300_000, 40_000_000, id="300000", marks=pytest.mark.slow),
    ],
)
def test_all_of_arxiv_is_harvested_once_and_kept_at_the_cost_of_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written: Written, size: int, limit: int
):
    """The first harvest: ceil(N / 2,500) requests, each file written once, the staged
    pages and the files at most 2 x the final size, every paper once. A day of 500 new
    papers, 200 DOIs and 20 withdrawals rewrites exactly the files holding them, each
    once; the next day, with no change, reads and writes no data file."""
    monkeypatch.setattr(shards, "LIMIT_BYTES", limit)
    arxiv, oai, topic, data = _archive(tmp_path, size)
    client = offline(oai)
    noon = datetime.combine(arxiv.today, time(12), UTC)
    result = sets.harvest_set(topic, client=client, data_dir=data, now=noon)
    assert client.requests <= math.ceil(size / 2500) + 1
    stored = TopicFiles(data, "arxiv")
    keys = [p.key for p in stored.each()]
    assert len(keys) == len(set(keys)) == size == result.total
    names = [name for name, _ in written.data]
    assert len(names) == len(set(names)) == len(stored.names()) > 20
    final = sum(stored.path(n).stat().st_size for n in stored.names())
    assert sum(b for _, b in written.data) == final
    assert written.staged + final <= 2 * final
    assert max(stored.path(n).stat().st_size for n in stored.names()) < limit

    oai.next_day()
    day = arxiv.day_of_changes(new=500, dois=200, withdrawals=20)
    written.data.clear()
    fed = changes.fed([topic], data)
    feed = changes.run_feed(fed, client=client, data_dir=data)
    assert feed.counts["arxiv"].new == 500
    after = TopicFiles(data, "arxiv")
    papers = {p.key: p for p in after.each()}
    assert len(papers) == size + 500
    assert all(papers[k].doi for k in day.dois)
    assert all(papers[k].withdrawn for k in day.withdrawn)
    holding = {after.layout.target(papers[k]).rpartition("/")[2] for k in day.ids}
    assert sorted(name for name, _ in written.data) == sorted(holding)

    oai.next_day()
    written.data.clear()
    reads: list[Path] = []
    load_rows = store.load_rows

    def reading(path: Path) -> dict[str, rows.Row]:
        reads.append(path)
        return load_rows(path)

    monkeypatch.setattr(store, "load_rows", reading)
    before = client.requests
    assert sets.harvest_set(topic, client=client, data_dir=data, now=noon).requests == 0
    quiet = changes.run_feed(changes.fed([topic], data), client=client, data_dir=data)
    assert client.requests - before == 1
    assert quiet.listed >= 720  # the day before listed again, and nothing else
    assert quiet.counts["arxiv"].changed == 0
    assert (reads, written.data) == ([], [])
