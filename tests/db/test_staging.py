"""A first harvest's staged list: pages appended to monthly buckets and committed with
their token, cut back to what was committed after a crash, laid out by size, and merged
into the topic's files each written once."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path

import pytest

from harvester import files
from harvester.db import shards, staging, store
from harvester.db.shards import TopicFiles
from harvester.db.staging import MANIFEST, Staging, merge_into
from harvester.errors import StoreError
from harvester.models import Paper
from tests.conftest import paper

# A record of `paper()` is about 505 bytes: ten of them pass this.
LIMIT = 5_050
BEGAN = date(2026, 4, 3)


@pytest.fixture(autouse=True)
def small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files are cut at `LIMIT` bytes instead of 40 MB."""
    monkeypatch.setattr(shards, "LIMIT_BYTES", LIMIT)


def on(day: date, number: int, version: int = 1, **fields: object) -> Paper:
    """A paper published on `day`."""
    return paper(f"{day:%y%m}.{number:05d}v{version}", published=day, **fields)


def spread(first: date, count: int, step_days: int, start: int = 0) -> list[Paper]:
    return [on(first + timedelta(days=i * step_days), start + i) for i in range(count)]


def staged(tmp_path: Path, *pages: list[Paper]) -> Staging:
    """A staging of `pages`, the last one completing the list."""
    staging = Staging(tmp_path, "t")
    staging.begin("set cs", BEGAN)
    for number, page in enumerate(pages, 1):
        staging.append(page, None if number == len(pages) else f"token{number}")
    return staging


def test_staged_pages_read_back_newest_month_first_in_listed_order(tmp_path: Path):
    """Each month's chunks come back in the order they were listed, months newest first."""
    first = [on(date(2024, 3, 5), 1), on(date(2025, 1, 2), 2)]
    second = [on(date(2024, 3, 9), 3), on(date(2024, 3, 1), 4, version=2)]
    staging = staged(tmp_path, first, second)
    got = [(month, [p.arxiv_id for p in chunk]) for month, chunk in staging.chunks()]
    assert got == [
        ("2025-01", ["2501.00002v1"]),
        ("2024-03", ["2403.00001v1"]),
        ("2024-03", ["2403.00003v1", "2403.00004v2"]),
    ]
    assert [p for _, chunk in staging.chunks() for p in chunk if p.key == "2403.00004"] == [
        second[1]
    ]
    manifest = staging.manifest
    assert manifest is not None
    assert (manifest.pages, manifest.records, manifest.complete) == (2, 4, True)


def test_a_page_is_committed_with_the_token_that_asks_the_rest(tmp_path: Path):
    """The manifest on disk names the token after the last staged page, and a staging
    opened again resumes there."""
    staging = Staging(tmp_path, "t")
    staging.begin("set cs", BEGAN)
    staging.append(spread(date(2024, 1, 1), 3, 1), "after-one")
    again = Staging(tmp_path, "t").open("set cs")
    assert again is not None
    assert (again.token, again.complete, again.records, again.began) == (
        "after-one",
        False,
        3,
        BEGAN,
    )


def test_what_a_crash_left_past_the_commit_is_cut_off(tmp_path: Path):
    """Bytes appended after the last commit (a page staged, its manifest never written)
    and a bucket never committed are dropped when the staging is opened again."""
    staging = staged(tmp_path, spread(date(2024, 1, 1), 3, 1))
    bucket = staging.folder / "2024-01.bin"
    committed = bucket.read_bytes()
    with bucket.open("ab") as handle:
        handle.write(b"half a frame")
    (staging.folder / "2023-05.bin").write_bytes(b"never committed")
    again = Staging(tmp_path, "t")
    assert again.open("set cs") is not None
    assert bucket.read_bytes() == committed
    assert not (staging.folder / "2023-05.bin").exists()
    assert sum(len(chunk) for _, chunk in again.chunks()) == 3


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        pytest.param(lambda s: (s.folder / "2024-01.bin").write_bytes(b"x"), "shorter", id="short"),
        pytest.param(lambda s: (s.folder / "2024-01.bin").unlink(), "missing", id="missing"),
        pytest.param(lambda s: (s.folder / MANIFEST).write_bytes(b"{"), "damaged", id="manifest"),
        pytest.param(lambda s: (s.folder / MANIFEST).unlink(), "no manifest", id="no-manifest"),
    ],
)
def test_a_damaged_staging_is_removed_and_the_list_asked_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage, why: str
):
    """A staging that cannot be what was committed is removed with a warning that says
    why: the list starts again, the topic's files untouched."""
    staging = staged(tmp_path, spread(date(2024, 1, 1), 3, 1))
    damage(staging)
    with caplog.at_level(logging.WARNING):
        assert Staging(tmp_path, "t").open("set cs") is None
    assert why in caplog.text
    assert not staging.folder.exists()


def test_a_staging_of_another_list_is_not_resumed(tmp_path: Path):
    """A staging of another set (or `since`) is removed, not merged into this topic."""
    staging = staged(tmp_path, spread(date(2024, 1, 1), 3, 1))
    assert Staging(tmp_path, "t").open("set math") is None
    assert not staging.folder.exists()


def test_a_frame_that_does_not_decompress_is_named(tmp_path: Path):
    """A bucket whose committed bytes do not read back as staged is a StoreError that says
    to remove the staging."""
    staging = staged(tmp_path, spread(date(2024, 1, 1), 3, 1))
    bucket = staging.folder / "2024-01.bin"
    data = bytearray(bucket.read_bytes())
    data[12] ^= 0xFF
    bucket.write_bytes(bytes(data))
    again = Staging(tmp_path, "t")
    again.open("set cs")
    with pytest.raises(StoreError, match="remove it to list the set again"):
        list(again.chunks())


def test_the_staging_stays_out_of_git(tmp_path: Path):
    """The state directory's `.gitignore` names the stagings as this machine's."""
    staged(tmp_path, spread(date(2024, 1, 1), 1, 1))
    assert "*.staging/" in (tmp_path / ".harvest" / ".gitignore").read_text().splitlines()


def test_the_layout_follows_the_staged_sizes(tmp_path: Path):
    """Under the limit one file; past it a file per year, and a year past it a file per
    month, as `shards` would cut them."""
    assert staged(tmp_path, spread(date(2024, 1, 1), 5, 1)).layout() == {"t.json"}
    busy = spread(date(2025, 1, 1), 12, 2)  # past the limit in one year
    quiet = spread(date(2023, 1, 1), 3, 30, start=50)
    assert staged(tmp_path, busy + quiet).layout() == {"t/2023.json", "t/2025-01.json"}


def test_a_staged_list_is_merged_writing_each_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Pages that each land in every year are merged into a file per year, each written
    once (and only the file merged into held), with every paper once."""
    pages = [
        [on(date(year, 2, 1 + page), page * 10 + year % 10) for year in range(2019, 2026)]
        for page in range(6)
    ]
    staging = staged(tmp_path, *pages)
    written: list[str] = []
    write = files.write

    def counted(path: Path, data: object) -> bool:
        written.append(path.name)
        return write(path, data)  # type: ignore[arg-type]

    monkeypatch.setattr(files, "write", counted)
    stored = TopicFiles(tmp_path, "t")
    held: list[int] = []

    def merge(papers: list[Paper]) -> None:
        stored.stage(papers)
        held.append(stored.pending().files)

    merge_into(staging, stored, merge, stored.flush)
    assert max(held) == 1  # a file is written as the merge leaves it: one held at a time
    shards_written = sorted(n for n in written if n.endswith(".json") and n != MANIFEST)
    assert shards_written == [f"{year}.json" for year in range(2019, 2026)]
    loaded = TopicFiles(tmp_path, "t").load()
    assert len(loaded) == 42


def test_a_merge_into_stored_files_keeps_the_newer_version(tmp_path: Path):
    """Staged papers merge into what a topic stores by the usual rules: a newer version
    replaces the stored one, an older one does not, nothing stored is lost."""
    stored = TopicFiles(tmp_path, "t")
    stored.commit([on(date(2024, 5, 1), 1, version=2), on(date(2024, 5, 2), 2)])
    staging = staged(tmp_path, [on(date(2024, 5, 1), 1, version=1), on(date(2024, 5, 2), 2, 3)])
    again = TopicFiles(tmp_path, "t")
    again.verify(stored.stamps)
    merge_into(staging, again, again.stage, again.flush)
    kept = store.load(tmp_path / "t.json")
    assert {k: p.version for k, p in kept.items()} == {"2405.00001": 2, "2405.00002": 3}


def test_an_interrupted_merge_merged_again_changes_nothing_written(tmp_path: Path):
    """A merge run twice over the same staging (the first one interrupted after its
    writes) leaves the same bytes: what was written is not written again."""
    pages = [spread(date(2020, 1, 1), 12, 200), spread(date(2021, 6, 1), 12, 150, start=40)]
    staging = staged(tmp_path, *pages)
    first = TopicFiles(tmp_path, "t")
    merge_into(staging, first, first.stage, first.flush)
    before = {p: p.read_bytes() for p in (tmp_path / "t").iterdir()}
    second = TopicFiles(tmp_path, "t")
    second.verify(first.stamps)
    merge_into(staging, second, second.stage, second.flush)
    assert not second.written
    assert {p: p.read_bytes() for p in (tmp_path / "t").iterdir()} == before


def test_a_staging_directory_that_is_a_symbolic_link_is_refused(tmp_path: Path):
    """A staging directory linked elsewhere is refused in one StoreError naming it; no
    page is staged where it points (issue 24)."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = tmp_path / "data" / ".harvest" / "t.staging"
    folder.parent.mkdir(parents=True)
    folder.symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(StoreError) as caught:
        Staging(tmp_path / "data", "t").begin("set cs since the start", date(2026, 4, 3))
    assert str(caught.value).startswith(f"{folder}: a symbolic link; refused")
    assert list(elsewhere.iterdir()) == []


def test_a_bucket_counts_the_records_of_every_page_staged_in_it(tmp_path: Path):
    """A month's bucket counts its records over all the pages, as the manifest does."""
    made = staged(
        tmp_path, spread(date(2024, 3, 1), 2, 1), spread(date(2024, 3, 5), 3, 1, start=10)
    )
    assert made.manifest is not None
    assert (made.manifest.buckets["2024-03"].records, made.manifest.records) == (5, 5)


def test_papers_up_to_merge_papers_are_merged_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Chunks of one file that together make exactly `MERGE_PAPERS` are one merge."""
    monkeypatch.setattr(staging, "MERGE_PAPERS", 4)
    made = staged(
        tmp_path, spread(date(2024, 3, 1), 2, 1), spread(date(2024, 3, 5), 2, 1, start=10)
    )
    stored = TopicFiles(tmp_path, "t")
    merged: list[int] = []

    def merge(papers: list[Paper]) -> None:
        merged.append(len(papers))
        stored.stage(papers)

    merge_into(made, stored, merge, stored.flush)
    assert merged == [4]
