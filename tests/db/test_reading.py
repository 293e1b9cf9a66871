"""Reading a topic for the outputs: newest first, each paper once, a file at a time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from harvester.db import reading, shards, store
from harvester.errors import StoreError
from harvester.models import Paper
from tests.conftest import paper


def _papers(count: int, *, first: date = date(2022, 1, 1), days: int = 900) -> list[Paper]:
    """`count` papers spread over `days` days from `first`, two ids a day at least."""
    return [
        paper(
            f"{22 + i // 10_000}{i % 12 + 1:02d}.{i % 10_000:05d}v1",
            published=first + timedelta(days=i % days),
        )
        for i in range(count)
    ]


def _sharded(data: Path, papers: list[Paper], topic: str = "t") -> None:
    """The topic stored a year per file, as a cut leaves it."""
    for year in {p.published.year for p in papers}:
        store.save(data / topic / f"{year}.json", [p for p in papers if p.published.year == year])


def _loaded(data: Path, topic: str = "t") -> list[Paper]:
    """What the whole-topic path gives: every paper, merged, sorted newest first."""
    return sorted(shards.TopicFiles(data, topic).load().values(), key=Paper.sort_key, reverse=True)


@pytest.mark.parametrize(
    "layout",
    [pytest.param("single", id="one-file"), pytest.param("sharded", id="a-file-a-year")],
)
def test_papers_come_newest_first_each_once_as_load_gives_them(tmp_path: Path, layout: str):
    """In either layout the papers are those `load` gives, in the files' order."""
    papers = _papers(600)
    if layout == "single":
        store.save(tmp_path / "t.json", papers)
    else:
        _sharded(tmp_path, papers)
    reader = reading.TopicReader(tmp_path, "t")
    assert list(reader.papers()) == _loaded(tmp_path)
    assert reader.total == 600
    assert not reader.overlapping


def test_a_paper_in_a_year_and_its_month_during_a_switch_comes_once(tmp_path: Path):
    """An interrupted year-to-month switch: a paper in 2023.json and 2023-05.json comes
    once, the record `load` keeps (here the newer version, in the finer file), and the
    counts are of papers, not records."""
    papers = _papers(600)
    _sharded(tmp_path, papers)
    may = [p for p in papers if (p.published.year, p.published.month) == (2023, 5)]
    newer = [p.model_copy(update={"arxiv_id": p.key + "v3", "title": "New"}) for p in may[:5]]
    store.save(tmp_path / "t" / "2023-05.json", newer + may[5:])
    reader = reading.TopicReader(tmp_path, "t")
    got = list(reader.papers())
    assert got == _loaded(tmp_path)
    assert len(got) == len({p.key for p in got}) == 600 == reader.total
    assert sum(p.title == "New" for p in got) == 5
    assert reader.overlapping
    assert reader.published == _count(papers)


def test_a_paper_in_the_old_single_file_and_a_year_file_comes_once(tmp_path: Path):
    """The switch from one file to years, stopped before the one file was removed."""
    papers = _papers(300)
    store.save(tmp_path / "t.json", papers)
    _sharded(tmp_path, papers[:100])
    reader = reading.TopicReader(tmp_path, "t")
    assert list(reader.papers()) == _loaded(tmp_path)
    assert reader.total == 300


def test_counts_come_from_the_stamps_without_reading_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Files that match the stamps a harvest kept are counted from them, unread."""
    files = shards.TopicFiles(tmp_path, "t")
    files.commit(_papers(400))
    read: list[Path] = []
    real, streamed = store.load, store.stream

    def load(path: Path) -> dict[str, Paper]:
        read.append(path)
        return real(path)

    def stream(path: Path) -> Iterator[Paper]:
        read.append(path)
        return streamed(path)

    monkeypatch.setattr(store, "load", load)
    monkeypatch.setattr(store, "stream", stream)
    monkeypatch.setattr(store, "parse", lambda *_: pytest.fail("a stamped file was parsed"))
    reader = reading.TopicReader(tmp_path, "t", files.stamps)
    assert reader.total == 400
    assert reader.published == _count(_papers(400))
    assert read == []
    assert len(list(reader.papers())) == 400
    assert len(read) == len(files.stamps)


def test_an_invalid_file_not_vouched_for_is_refused_before_any_paper(tmp_path: Path):
    """A file no stamp vouches for is validated when the topic is opened."""
    _sharded(tmp_path, _papers(100))
    (tmp_path / "t" / "2022.json").write_text("not json")
    with pytest.raises(StoreError, match="not valid JSON"):
        reading.TopicReader(tmp_path, "t")


def test_a_file_is_handed_on_before_the_next_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Files that share no day are streamed one after another, as they are: every paper
    of one is handed on before the next file is opened."""
    _sharded(tmp_path, _papers(1000))
    reader = reading.TopicReader(tmp_path, "t")
    opened: list[str] = []
    real = store.stream

    def stream(path: Path) -> Iterator[Paper]:
        opened.append(path.name)
        return real(path)

    monkeypatch.setattr(store, "stream", stream)
    seen_when = [(p.published.year, len(opened)) for p in reader.papers()]
    assert opened == ["2024.json", "2023.json", "2022.json"]
    assert {(year, at) for year, at in seen_when} == {(2024, 1), (2023, 2), (2022, 3)}


def _count(papers: list[Paper]) -> dict[date, int]:
    days: dict[date, int] = {}
    for p in papers:
        days[p.published] = days.get(p.published, 0) + 1
    return days
