"""A topic's files: names and boundaries, the switch, reading only what a merge needs, and
trusting what the state stamped (a hand edit is noticed)."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from harvester.db import seen, shards, store, working
from harvester.db.shards import TopicFiles
from harvester.errors import StoreError
from harvester.models import Paper
from tests.conftest import paper

# A record of `paper()` is about 505 bytes: ten of them pass this.
LIMIT = 5_050


@pytest.fixture(autouse=True)
def small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files are cut at `LIMIT` bytes instead of 40 MB (one test uses the real limit)."""
    monkeypatch.setattr(shards, "LIMIT_BYTES", LIMIT)


def on(day: date, number: int) -> Paper:
    """A paper published on `day`."""
    return paper(f"{day:%y%m}.{number:05d}v1", published=day)


def spread(first: date, count: int, step_days: int) -> list[Paper]:
    return [on(first + timedelta(days=i * step_days), i) for i in range(count)]


def names(data: Path) -> list[str]:
    return sorted(
        str(p.relative_to(data)) for p in data.rglob("*.json") if ".harvest" not in p.parts
    )


def test_a_small_topic_stays_in_one_file(tmp_path: Path):
    """Under the limit a topic is `data/NAME.json`, byte for byte the store's format."""
    papers = spread(date(2024, 1, 1), 5, 100)
    files = TopicFiles(tmp_path, "t")
    files.commit(papers)
    assert names(tmp_path) == ["t.json"]
    assert (tmp_path / "t.json").read_bytes() == store.dumps(papers)


@pytest.mark.parametrize(
    ("papers", "expected"),
    [
        pytest.param(
            [on(date(2024, 12, 31), i) for i in range(6)]
            + [on(date(2025, 1, 1), i) for i in range(10, 16)],
            ["t/2024.json", "t/2025.json"],
            id="years-cut-at-new-year",
        ),
        pytest.param(
            [on(date(2024, 1, 31), i) for i in range(7)]
            + [on(date(2024, 2, 1), i) for i in range(10, 17)],
            ["t/2024-01.json", "t/2024-02.json"],
            id="a-full-year-cut-at-month-ends",
        ),
        pytest.param(
            [on(date(2024, 3, 4), i) for i in range(6)]
            + [on(date(2024, 3, 5), i) for i in range(10, 16)],
            ["t/2024-03-04.json", "t/2024-03-05.json"],
            id="a-full-month-cut-at-midnight",
        ),
    ],
)
def test_a_topic_past_the_limit_is_cut_by_year_then_month_then_day(
    tmp_path: Path, papers: list[Paper], expected: list[str]
):
    """Past the limit the one file becomes a file per year; a full year one per month, a full month one per day."""
    files = TopicFiles(tmp_path, "t")
    files.commit(papers)
    assert names(tmp_path) == expected
    for name in expected:
        records = json.loads((tmp_path / name).read_bytes())
        stem = Path(name).stem
        assert all(r["published"].startswith(stem) for r in records)
    assert sorted(TopicFiles(tmp_path, "t").load()) == sorted(p.key for p in papers)


def test_the_switch_loses_nothing_and_a_second_identical_commit_writes_nothing(tmp_path: Path):
    """The switch happens in the commit that passes the limit; the same papers again write no byte."""
    papers = spread(date(2020, 1, 1), 30, 40)
    files = TopicFiles(tmp_path, "t")
    files.commit(papers[:8])
    assert names(tmp_path) == ["t.json"]
    files.commit(papers[8:])
    assert not (tmp_path / "t.json").exists()
    assert len(names(tmp_path)) == len({p.published.year for p in papers})
    before = {n: (tmp_path / n).stat().st_mtime_ns for n in names(tmp_path)}
    again = TopicFiles(tmp_path, "t")
    again.verify(files.stamps)
    merged = again.commit(papers)
    assert merged.counts.changed == 0
    assert merged.total == 30
    assert (again.written, again.bytes_written) == (False, 0)
    assert {n: (tmp_path / n).stat().st_mtime_ns for n in names(tmp_path)} == before


def test_a_paper_keeps_its_file(tmp_path: Path):
    """Later papers never move earlier ones: each file holds what its name says."""
    files = TopicFiles(tmp_path, "t")
    for batch in range(4):
        files.commit(spread(date(2021 + batch, 6, 1), 8, 3))
    layout = {n: json.loads((tmp_path / n).read_bytes()) for n in names(tmp_path)}
    files.commit([on(date(2024, 6, 30), 99)])
    for name, records in layout.items():
        if name != "t/2024.json":
            assert json.loads((tmp_path / name).read_bytes()) == records


def test_a_merge_reads_and_writes_only_the_files_its_papers_land_in(tmp_path: Path):
    """A new 2025 paper is merged without reading 2023's file (corrupt here) or writing any other."""
    files = TopicFiles(tmp_path, "t")
    files.commit(spread(date(2023, 1, 1), 8, 40) + spread(date(2025, 1, 1), 8, 40))
    assert names(tmp_path) == ["t/2023.json", "t/2025.json"]
    (tmp_path / "t" / "2023.json").write_bytes(b"not json")
    before = {n: (tmp_path / n).read_bytes() for n in names(tmp_path) if n != "t/2025.json"}
    again = TopicFiles(tmp_path, "t")
    merged = again.commit([on(date(2025, 12, 1), 77)])
    assert merged.counts.new == 1
    assert {n: (tmp_path / n).read_bytes() for n in names(tmp_path) if n != "t/2025.json"} == before
    assert "2512.00077" in json.loads((tmp_path / "t" / "2025.json").read_bytes())[0]["arxiv_id"]


def test_a_stamped_file_is_trusted_unread(tmp_path: Path):
    """A file whose stat is as this machine last saw it is not read: garbage of the same size, stat restored, goes unnoticed."""
    files = TopicFiles(tmp_path, "t")
    files.commit(spread(date(2024, 1, 1), 3, 1))
    path = tmp_path / "t.json"
    info = path.stat()
    with path.open("r+b") as handle:  # in place: same inode, same size
        handle.write(b"x" * info.st_size)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    again = TopicFiles(tmp_path, "t")
    assert again.verify(files.stamps) is False
    assert again.total() == 3


@pytest.mark.parametrize("remember", [True, False], ids=["stat-recorded", "fresh-clone"])
def test_a_file_edited_by_hand_is_noticed_and_read(tmp_path: Path, remember: bool):
    """A file edited by hand (or by git pull) no longer matches its stamp: it is read, and its new papers counted."""
    files = TopicFiles(tmp_path, "t")
    files.commit(spread(date(2024, 1, 1), 3, 1))
    if not remember:
        seen.path_for(tmp_path, "t").unlink()
    extra = spread(date(2024, 1, 1), 5, 1)
    (tmp_path / "t.json").write_bytes(store.dumps(extra))
    again = TopicFiles(tmp_path, "t")
    assert again.verify(files.stamps) is True
    assert again.total() == 5


def test_a_file_checked_out_again_is_hashed_not_parsed(tmp_path: Path):
    """Same bytes with a new stat (a fresh clone) match the stamp's blob id: nothing is remade."""
    files = TopicFiles(tmp_path, "t")
    files.commit(spread(date(2024, 1, 1), 3, 1))
    path = tmp_path / "t.json"
    data = path.read_bytes()
    path.unlink()
    path.write_bytes(data)
    assert TopicFiles(tmp_path, "t").verify(files.stamps) is False


def test_a_corrupt_unstamped_file_is_refused_by_verify(tmp_path: Path):
    """A file without a matching stamp is validated when verified, before anything is fetched."""
    (tmp_path / "t.json").write_bytes(b"[1]\n")
    with pytest.raises(StoreError, match="record 0"):
        TopicFiles(tmp_path, "t").verify({})


def test_an_interrupted_switch_is_read_whole_and_finished_by_the_next_commit(tmp_path: Path):
    """Both layouts at once (a run stopped between writing years and removing the one file): every paper is read, and the next write ends it."""
    papers = spread(date(2022, 1, 1), 24, 30)
    files = TopicFiles(tmp_path, "t")
    files.commit(papers)
    (tmp_path / "t.json").write_bytes(store.dumps([*papers[:5], on(date(2022, 2, 2), 500)]))
    again = TopicFiles(tmp_path, "t")
    assert len(again.load()) == 25
    again.verify({})
    again.commit([on(date(2023, 3, 3), 501)])
    assert not (tmp_path / "t.json").exists()
    assert len(TopicFiles(tmp_path, "t").load()) == 26


def test_an_oversized_file_of_an_older_version_is_cut(tmp_path: Path):
    """A one-file topic past the limit (written before shards) is cut by `relayout`, nothing lost."""
    papers = spread(date(2019, 1, 1), 40, 30)
    (tmp_path / "t.json").write_bytes(store.dumps(papers))
    files = TopicFiles(tmp_path, "t")
    files.verify({})
    assert files.oversized() == ["t.json"]
    files.relayout()
    assert "t.json" not in names(tmp_path)
    assert len(files.load()) == 40


def test_the_real_limit_is_40_mb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """With the real 40 MB limit, a topic of 41 MB is cut by year, each file under 40 MB."""
    monkeypatch.undo()
    assert shards.LIMIT_BYTES == 40_000_000
    body = "x" * 2_000
    papers = [
        paper(
            f"{2300 + i // 100_000:04d}.{i % 100_000:05d}v1",
            published=date(2023 + i % 2, 1 + i % 12, 1),
            summary=body,
        )
        for i in range(17_000)
    ]
    files = TopicFiles(tmp_path, "t")
    files.commit(papers[:15_000])
    assert names(tmp_path) == ["t.json"]
    files.commit(papers[15_000:])
    assert names(tmp_path) == ["t/2023.json", "t/2024.json"]
    assert all((tmp_path / n).stat().st_size < 40_000_000 for n in names(tmp_path))
    assert files.total() == 17_000


def test_staged_papers_are_written_by_flush_as_commit_writes_them(tmp_path: Path):
    """`stage` merges in memory (no byte written, the total counts the papers staged),
    `flush` writes what `commit` would have, the cut included; a flush with nothing
    staged writes nothing."""
    papers = spread(date(2020, 1, 1), 30, 40)
    committed = TopicFiles(tmp_path / "a", "t")
    committed.commit(papers[:8])
    committed.commit(papers[8:])
    staged = TopicFiles(tmp_path / "b", "t")
    staged.commit(papers[:8])
    merged = staged.stage(papers[8:20])
    assert merged.total == 20
    assert names(tmp_path / "b") == ["t.json"]
    assert staged.pending().papers == 12
    staged.stage(papers[20:])
    staged.flush()
    assert names(tmp_path / "a") == names(tmp_path / "b")
    for name in names(tmp_path / "a"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert staged.stamps == committed.stamps
    assert staged.pending() == working.Pending(files=0, papers=0, largest=0)
    written = staged.bytes_written
    staged.flush()
    assert staged.bytes_written == written


def test_a_flush_that_cannot_write_drops_what_was_staged(tmp_path: Path):
    """A write that fails leaves the files as they were and stages nothing for a later
    flush (the caller's state then claims none of it)."""
    files = TopicFiles(tmp_path, "t")
    files.commit(spread(date(2024, 1, 1), 5, 10))
    path = tmp_path / "t.json"
    before = path.read_bytes()
    files.stage([on(date(2024, 5, 5), 90)])
    (tmp_path / "elsewhere.json").write_bytes(before)
    path.unlink()
    path.symlink_to(tmp_path / "elsewhere.json")  # a file the writer refuses
    with pytest.raises(StoreError, match="symbolic link"):
        files.flush()
    path.unlink()
    path.write_bytes(before)
    files.flush()
    assert path.read_bytes() == before
    assert files.pending().files == 0


def test_each_reads_every_record_a_file_at_a_time(tmp_path: Path):
    """`each` yields every stored record (the covering sets are counted from it), both
    layouts of an interrupted switch included."""
    papers = spread(date(2022, 1, 1), 24, 30)
    files = TopicFiles(tmp_path, "t")
    files.commit(papers)
    assert len(names(tmp_path)) > 1
    assert sorted(p.key for p in TopicFiles(tmp_path, "t").each()) == sorted(p.key for p in papers)
    (tmp_path / "t.json").write_bytes(store.dumps(papers[:2]))
    assert len(list(TopicFiles(tmp_path, "t").each())) == 26


def test_a_topic_directory_that_is_a_symbolic_link_is_refused(tmp_path: Path):
    """`data/t/` linked to a directory elsewhere is refused in one StoreError naming it,
    before anything is read or written there (issue 24: a committed link aimed a harvest's
    year files anywhere)."""
    data, elsewhere = tmp_path / "data", tmp_path / "elsewhere"
    data.mkdir()
    elsewhere.mkdir()
    (data / "t").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(StoreError) as caught:
        TopicFiles(data, "t").commit([paper("2401.00001v1")])
    assert str(caught.value) == (
        f"{data / 't'}: a symbolic link; refused (writes would go where it points): "
        "put the directory here"
    )
    assert list(elsewhere.iterdir()) == []


def test_a_same_size_edit_in_a_fresh_clone_is_noticed_by_its_blob_id(tmp_path: Path):
    """Without a `.seen`, a file edited to other bytes of the same size is read, not trusted by its size."""
    files = TopicFiles(tmp_path, "t")
    files.commit(spread(date(2024, 1, 1), 3, 1))
    seen.path_for(tmp_path, "t").unlink()
    path = tmp_path / "t.json"
    edited = path.read_bytes().replace(b'"title": "T"', b'"title": "U"', 1)
    assert len(edited) == files.stamps["t.json"].bytes
    path.write_bytes(edited)
    again = TopicFiles(tmp_path, "t")
    assert again.verify(files.stamps) is True
    assert again.stamps["t.json"].blob == seen.blob_id(edited)


def test_a_file_of_exactly_the_limit_is_cut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A write of exactly `LIMIT_BYTES` is cut, as `oversized` counts such a file past the limit."""
    papers = spread(date(2023, 6, 1), 6, 100)
    monkeypatch.setattr(shards, "LIMIT_BYTES", len(store.dumps(papers)))
    files = TopicFiles(tmp_path, "t")
    files.commit(papers)
    assert names(tmp_path) == ["t/2023.json", "t/2024.json"]
    assert files.oversized() == []
    (tmp_path / "u.json").write_bytes(store.dumps(papers))  # written before the limit
    older = TopicFiles(tmp_path, "u")
    older.verify({})
    assert older.oversized() == ["u.json"]


def test_updated_since_counts_the_papers_updated_on_that_day(tmp_path: Path):
    """Papers updated on the moment's own day count, those of the day before do not."""
    files = TopicFiles(tmp_path, "t")
    files.commit(spread(date(2024, 1, 1), 3, 1))  # each updated 2024-02-01 12:00 UTC
    assert files.updated_since(datetime(2024, 2, 1, 18, 0, tzinfo=UTC)) == 3
    assert files.updated_since(datetime(2024, 2, 2, 0, 0, tzinfo=UTC)) == 0


def test_a_cut_that_cannot_write_its_finer_files_keeps_the_coarser_one(tmp_path: Path):
    """The one file is removed only after the year files are written: a failed write of
    one of them leaves it, and every paper, in place."""
    papers = spread(date(2020, 1, 1), 30, 40)
    files = TopicFiles(tmp_path, "t")
    files.commit(papers[:8])
    before = (tmp_path / "t.json").read_bytes()
    (tmp_path / "t").write_bytes(b"")  # a file where the year files' folder would go
    with pytest.raises(StoreError, match="cannot write"):
        files.commit(papers[8:])
    assert (tmp_path / "t.json").read_bytes() == before


def test_a_file_removed_by_hand_is_noticed_by_verify(tmp_path: Path):
    """A stamped file that is gone (removed by hand or by git) makes the stamps anew, without it."""
    files = TopicFiles(tmp_path, "t")
    files.commit(spread(date(2023, 1, 1), 8, 40) + spread(date(2025, 1, 1), 8, 40))
    (tmp_path / "t" / "2023.json").unlink()
    again = TopicFiles(tmp_path, "t")
    assert again.verify(files.stamps) is True
    assert (sorted(again.stamps), again.total()) == (["t/2025.json"], 8)


def test_verify_records_what_it_saw_so_the_next_run_trusts_the_stat(tmp_path: Path):
    """A file verified by its blob id (a fresh clone) has its stat recorded: the next verify reads nothing."""
    files = TopicFiles(tmp_path, "t")
    files.commit(spread(date(2024, 1, 1), 3, 1))
    seen.path_for(tmp_path, "t").unlink()
    TopicFiles(tmp_path, "t").verify(files.stamps)
    path = tmp_path / "t.json"
    assert seen.load(seen.path_for(tmp_path, "t")) == {
        "t.json": [*seen.stat_of(path), files.stamps["t.json"].blob]
    }


def test_a_topic_without_papers_gets_its_empty_file(tmp_path: Path):
    """A commit of no papers into a new topic writes `NAME.json` holding `[]`, so tools find it."""
    files = TopicFiles(tmp_path, "t")
    files.commit([])
    assert (tmp_path / "t.json").read_bytes() == b"[]\n"
    assert files.written


def test_the_seen_record_forgets_the_files_a_cut_removed(tmp_path: Path):
    """After the switch, what this machine saw names only the files there are."""
    papers = spread(date(2020, 1, 1), 30, 40)
    files = TopicFiles(tmp_path, "t")
    files.commit(papers[:8])
    files.commit(papers[8:])
    assert sorted(seen.load(seen.path_for(tmp_path, "t"))) == names(tmp_path)
