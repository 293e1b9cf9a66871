"""The files a run works in: merged into in memory, what is pending, and only the file
the merges work in kept (a run holds about one file)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from harvester.db import rows, shards, store
from harvester.db.shards import TopicFiles
from harvester.models import Paper
from tests.conftest import paper

# A record of `paper()` is about 505 bytes: ten of them pass this.
LIMIT = 5_050


@pytest.fixture(autouse=True)
def small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files are cut at `LIMIT` bytes instead of 40 MB."""
    monkeypatch.setattr(shards, "LIMIT_BYTES", LIMIT)


def on(day: date, number: int) -> Paper:
    """A paper published on `day`."""
    return paper(f"{day:%y%m}.{number:05d}v1", published=day)


def spread(first: date, count: int, step_days: int) -> list[Paper]:
    return [on(first + timedelta(days=i * step_days), i) for i in range(count)]


def test_pending_says_what_is_merged_and_not_written(tmp_path: Path):
    """The files merged into, the records new or changed, and the bytes of the largest
    that can still be cut."""
    files = TopicFiles(tmp_path, "t")
    files.commit(spread(date(2023, 1, 1), 8, 40) + spread(date(2025, 1, 1), 8, 40))
    assert files.pending().files == 0
    files.stage([on(date(2025, 12, 1), 77), on(date(2025, 12, 2), 78)])
    pending = files.pending()
    assert (pending.files, pending.papers) == (1, 2)
    assert 9 * 500 < pending.largest < LIMIT + 1000
    files.stage([on(date(2023, 12, 1), 79)])
    assert files.pending().files == 2
    files.stage([on(date(2023, 12, 1), 79)])  # nothing new: nothing more pending
    assert files.pending().papers == 3


def test_a_merge_keeps_only_the_file_it_works_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Newest first, the next papers land where the last ended: that file is kept
    between writes (read once), any other is read when merged into and let go after
    (a run holds about one file)."""
    files = TopicFiles(tmp_path, "t")
    files.commit(spread(date(2023, 1, 1), 8, 40) + spread(date(2025, 1, 1), 8, 40))
    again = TopicFiles(tmp_path, "t")
    again.verify(files.stamps)
    reads: list[str] = []
    load_rows = store.load_rows

    def counting(path: Path) -> dict[str, rows.Row]:
        reads.append(path.name)
        return load_rows(path)

    monkeypatch.setattr(store, "load_rows", counting)
    again.commit([on(date(2025, 11, 1), 60)])
    again.commit([on(date(2025, 10, 1), 61)])
    assert reads == ["2025.json"]
    again.commit([on(date(2023, 11, 1), 62)])
    again.commit([on(date(2023, 10, 1), 63)])
    again.commit([on(date(2025, 9, 1), 64)])
    assert reads == ["2025.json", "2023.json", "2025.json"]
    # Staged without a write (a refresh finding what is stored): a file merged into
    # without a change is let go once the merges move on.
    reads.clear()
    stored = again.load()
    again.stage([stored["2310.00063"]])
    again.stage([stored["2509.00064"]])
    again.stage([stored["2310.00063"]])
    assert reads == ["2023.json", "2025-09.json", "2023.json"]  # (2025 is cut by month now)
    assert again.pending().files == 0
    assert {p.key for p in again.load().values()} >= {"2511.00060", "2310.00063", "2509.00064"}


def test_files_staged_into_one_after_another_are_all_written(tmp_path: Path):
    """A file merged into and not written is kept when a later merge works in another:
    one flush writes both, no paper lost."""
    papers = spread(date(2023, 1, 1), 8, 40) + spread(date(2025, 1, 1), 8, 40)
    files = TopicFiles(tmp_path, "t")
    files.commit(papers)
    late, early = on(date(2025, 12, 1), 77), on(date(2023, 12, 1), 78)
    files.stage([late])
    files.stage([early])
    files.flush()
    stored = TopicFiles(tmp_path, "t").load()
    assert set(stored) == {p.key for p in [*papers, late, early]}


def test_a_paper_whose_published_moved_leaves_its_old_file(tmp_path: Path):
    """A paper fetched with another `published` goes to its new file and out of the old
    one read by the same merge (never in two files)."""
    files = TopicFiles(tmp_path, "t")
    files.commit(spread(date(2023, 1, 1), 8, 40) + spread(date(2025, 1, 1), 8, 40))
    moved = paper("2301.00000v2", published=date(2025, 6, 1))
    files.commit([moved, on(date(2023, 12, 1), 50)])
    keys = {
        n: [r["arxiv_id"] for r in json.loads((tmp_path / n).read_bytes())]
        for n in ["t/2023.json", "t/2025.json"]
    }
    assert "2301.00000v1" not in keys["t/2023.json"]
    assert "2301.00000v2" in keys["t/2025.json"]


def test_an_interrupted_switch_keeps_the_newer_version_of_a_paper_in_both(tmp_path: Path):
    """A paper in a month's file and in the year's file being cut keeps its newer version,
    whichever file sorts first (`t/2024-03.json` sorts before `t/2024.json`)."""
    newer = paper("2403.00001v2", published=date(2024, 3, 10))
    older = paper("2403.00001v1", published=date(2024, 3, 10))
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "2024-03.json").write_bytes(store.dumps([newer]))
    (tmp_path / "t" / "2024.json").write_bytes(store.dumps([older]))
    files = TopicFiles(tmp_path, "t")
    files.commit([on(date(2024, 3, 20), 2)])
    assert not (tmp_path / "t" / "2024.json").exists()
    records = json.loads((tmp_path / "t" / "2024-03.json").read_bytes())
    assert [r["arxiv_id"] for r in records] == ["2403.00002v1", "2403.00001v2"]


def test_a_days_file_is_not_counted_as_one_that_can_be_cut(tmp_path: Path):
    """`pending().largest` leaves out a day's file, which cannot be cut finer."""
    files = TopicFiles(tmp_path, "t")
    files.commit(
        [on(date(2024, 3, 4), i) for i in range(6)]
        + [on(date(2024, 3, 5), i) for i in range(10, 16)]
    )
    files.stage([on(date(2024, 3, 4), 90)])
    assert files.pending().files == 1
    assert files.pending().largest == 0
