"""The topic file: format, merge rules, no-op writes and atomicity."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import random
import signal
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from harvester import lock, store
from harvester.cli.signals import interrupting
from harvester.errors import Interrupted, StoreError
from harvester.models import Paper

KEYS = [
    "title", "authors", "summary", "arxiv_id", "published", "categories", "url", "pdf_url",
    "updated", "primary_category", "comment", "journal_ref", "doi",
]  # fmt: skip


def paper(arxiv_id: str, published: date = date(2024, 1, 1), title: str = "T") -> Paper:
    """A minimal valid record."""
    return Paper(
        title=title,
        authors=["Ada Lovelace"],
        summary="S",
        arxiv_id=arxiv_id,
        published=published,
        categories=["cs.LG"],
        url=f"https://arxiv.org/abs/{arxiv_id}",
        pdf_url=f"https://arxiv.org/pdf/{arxiv_id}.pdf",
        updated=datetime(2024, 2, 1, 12, 0, tzinfo=UTC),
        primary_category="cs.LG",
    )


def test_dumps_follows_the_file_contract():
    """UTF-8, 2-space indent, newline at the end, contract key order, newest first then id."""
    papers = [
        paper("2401.00001v1", date(2024, 1, 1)),
        paper("2402.00002v1", date(2024, 2, 2), title="Über"),
        paper("hep-th/9901001v2", date(1999, 1, 1)),
        paper("2401.00009v1", date(2024, 1, 1)),
    ]
    data = store.dumps(papers)
    assert data.endswith(b"]\n")
    assert "Über".encode() in data
    records = json.loads(data)
    assert [r["arxiv_id"] for r in records] == [
        "2402.00002v1", "2401.00009v1", "2401.00001v1", "hep-th/9901001v2",
    ]  # fmt: skip
    assert all(list(r) == KEYS for r in records)
    assert records[0]["updated"] == "2024-02-01T12:00:00Z"
    assert data.decode().splitlines()[1] == "  {"


def test_bytes_depend_only_on_the_set_of_records():
    """Any order of the same records serialises to the same bytes."""
    papers = [paper(f"2401.0000{i}v1") for i in range(5)]
    assert store.dumps(papers) == store.dumps(reversed(papers))


def test_newer_version_replaces_older():
    """v2 replaces v1 of the same paper and counts as updated, not new."""
    merged = store.merge({"2401.00001": paper("2401.00001v1")}, [paper("2401.00001v2", title="B")])
    assert merged.papers["2401.00001"].arxiv_id == "2401.00001v2"
    assert (merged.counts.new, merged.counts.updated) == (0, 1)


def test_older_version_never_replaces_newer():
    """A v1 arriving after v2 is stored leaves v2 in place."""
    stored = {"2401.00001": paper("2401.00001v2")}
    merged = store.merge(stored, [paper("2401.00001v1")])
    assert merged.papers == stored
    assert (
        merged.counts.new,
        merged.counts.updated,
        merged.counts.revised,
        merged.counts.unchanged,
    ) == (0, 0, 0, 1)


def test_nothing_stored_is_dropped():
    """Papers a run did not return stay; new ones are added and counted once."""
    stored = {"2401.00001": paper("2401.00001v1")}
    merged = store.merge(stored, [paper("2401.00002v1"), paper("2401.00002v1")])
    assert set(merged.papers) == {"2401.00001", "2401.00002"}
    assert merged.counts.new == 1


def test_same_version_metadata_change_is_taken():
    """arXiv's newest word on a version (a DOI added later) replaces the stored record."""
    stored = {"2401.00001": paper("2401.00001v1")}
    newer = paper("2401.00001v1").model_copy(update={"doi": "10.1/x"})
    merged = store.merge(stored, [newer])
    assert merged.papers["2401.00001"].doi == "10.1/x"
    assert merged.counts.revised == 1


def test_unchanged_file_is_not_rewritten(tmp_path: Path):
    """Writing the bytes a file already holds does nothing: its mtime stays."""
    path = tmp_path / "t.json"
    data = store.dumps([paper("2401.00001v1")])
    assert store.write(path, data) is True
    os.utime(path, (1_000_000, 1_000_000))
    assert store.write(path, data) is False
    assert path.stat().st_mtime == 1_000_000
    assert store.load(path) == {"2401.00001": paper("2401.00001v1")}


def test_failed_write_leaves_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """If the rename fails, the old file is intact and the temp file is gone."""
    path = tmp_path / "t.json"
    path.write_bytes(b"[]\n")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(StoreError, match="No space left on device"):
        store.write(path, store.dumps([paper("2401.00001v1")]))
    assert path.read_bytes() == b"[]\n"
    assert [p.name for p in tmp_path.iterdir()] == ["t.json"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b'[{"title": ', "not valid JSON at line 1 column 12", id="truncated"),
        pytest.param(
            b'{"rlhf_code": []}', "expected a JSON array of records, found dict", id="not-array"
        ),
        pytest.param(b'[{"title": "x"}]', "record 0: authors: Field required", id="missing-key"),
        pytest.param(b"\xff\xfe[]", "not UTF-8 at byte 0", id="not-utf8"),
    ],
)
def test_load_rejects_bad_files_with_position(tmp_path: Path, content: bytes, message: str):
    """A corrupt data file raises StoreError naming the file and the position."""
    path = tmp_path / "t.json"
    path.write_bytes(content)
    with pytest.raises(StoreError, match=message) as caught:
        store.load(path)
    assert str(path) in str(caught.value)


def test_load_rejects_duplicate_papers(tmp_path: Path):
    """Two records of one paper (v1 and v2) in a file is corruption, reported by index."""
    path = tmp_path / "t.json"
    path.write_bytes(
        store.dumps([paper("2401.00001v2")])[:-3]
        + b",\n"
        + store.dumps([paper("2401.00001v1")])[2:]
    )
    with pytest.raises(StoreError, match=r"record 1: paper 2401.00001 is also record 0"):
        store.load(path)


def test_written_file_has_ordinary_permissions(tmp_path: Path):
    """A data file is created readable by others (0644 under umask 022), not private."""
    old = os.umask(0o022)
    try:
        store.write(tmp_path / "t.json", b"[]\n")
    finally:
        os.umask(old)
    assert (tmp_path / "t.json").stat().st_mode & 0o777 == 0o644


def _writer(path: Path, contents: list[bytes], progress: Connection) -> None:
    """Write the contents in turn, forever, saying after each write which one it was."""
    for turn in itertools.count():
        store.write(path, contents[turn % 2])
        progress.send(turn % 2)


def _big_topic(count: int, title: str) -> bytes:
    return store.dumps(
        paper(f"2401.{i:05d}v1", title=f"{title} {i} " + "x" * 2000) for i in range(count)
    )


def test_sigkill_at_random_moments_leaves_old_or_new_file(tmp_path: Path):
    """A writer killed with SIGKILL at 50 random moments always leaves a whole file, old or new."""
    path = tmp_path / "big.json"
    contents = [_big_topic(2000, "old"), _big_topic(2000, "new")]  # about 5 MB each
    path.write_bytes(contents[1])
    rng = random.Random(20261124)
    forked = multiprocessing.get_context("fork")
    mid_write = 0
    for _ in range(50):
        receiver, sender = forked.Pipe(duplex=False)
        child = forked.Process(target=_writer, args=(path, contents, sender))
        child.start()
        for _ in range(rng.randrange(0, 4)):  # let it finish 0 to 3 writes
            receiver.recv()
        # Then strike at a random point of the next write (a few ms of work at most): the
        # moment of the kill is what is random here; nothing waits for a condition.
        for _ in range(rng.randrange(0, 200_000)):
            pass
        os.kill(child.pid or 0, signal.SIGKILL)
        child.join()
        assert child.exitcode == -signal.SIGKILL
        assert path.read_bytes() in contents
        json.loads(path.read_bytes())
        leftovers = list(tmp_path.glob(".big.json.*.tmp"))
        mid_write += bool(leftovers)
        with lock.locked(tmp_path, timeout_seconds=0):  # the next run clears what was left
            pass
        assert not list(tmp_path.glob(".big.json.*.tmp"))
    assert mid_write > 0  # some kills did land in the middle of a write


def test_time_without_zone_in_a_file_is_utc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An `updated` without Z is read as UTC, whatever the machine's time zone."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        record = json.loads(store.dumps([paper("2401.00001v1")]))
        record[0]["updated"] = "2024-02-01T12:00:00"
        path = tmp_path / "t.json"
        path.write_text(json.dumps(record))
        assert store.load(path)["2401.00001"].updated == datetime(2024, 2, 1, 12, 0, tzinfo=UTC)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


@pytest.mark.parametrize(
    ("pieces", "written"),
    [
        pytest.param([b"[\n", b"]\n"], False, id="same-bytes-in-pieces"),
        pytest.param([b"[\n", b"]\n", b"x"], True, id="longer"),
        pytest.param([b"[\n"], True, id="shorter"),
        pytest.param([b"[\r", b"]\n"], True, id="differs"),
    ],
)
def test_streamed_write_compares_with_the_file(tmp_path: Path, pieces: list[bytes], written: bool):
    """Pieces equal to the file leave it (and its mtime) alone; any difference replaces it."""
    path = tmp_path / "t.json"
    path.write_bytes(b"[\n]\n")
    os.utime(path, (1_000_000, 1_000_000))
    assert store.write(path, iter(pieces)) is written
    assert path.read_bytes() == (b"".join(pieces) if written else b"[\n]\n")
    assert (path.stat().st_mtime == 1_000_000) is not written
    assert [p.name for p in tmp_path.iterdir()] == ["t.json"]


@pytest.mark.parametrize("block", [7, 64, 1000, 1 << 20])
def test_load_by_blocks_reads_every_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
):
    """Reading a file a block at a time, whatever the block size, gives every record once."""
    monkeypatch.setattr(store, "_BLOCK_BYTES", block)
    papers = [paper(f"2401.{i:05d}v1", title=f"T {i} }},\\n  {{") for i in range(40)]
    path = tmp_path / "t.json"
    store.save(path, papers)
    assert store.load(path) == {p.key: p for p in papers}


def test_load_by_blocks_still_says_where_a_record_is_bad(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A bad record deep in a large file is named by its index, as for a small one."""
    monkeypatch.setattr(store, "_BLOCK_BYTES", 100)
    records = json.loads(store.dumps(paper(f"2401.{i:05d}v1") for i in range(30)))
    records[17]["authors"] = "one"
    path = tmp_path / "t.json"
    path.write_text(json.dumps(records, indent=2) + "\n")
    with pytest.raises(StoreError, match="record 17: authors: Input should be a valid list"):
        store.load(path)


def test_a_signal_during_a_write_leaves_the_old_file_and_no_temp_file(tmp_path: Path):
    """A real SIGTERM while a file is written abandons the write whole (issue #10)."""
    path = tmp_path / "topic.json"
    path.write_bytes(b"[]\n")

    def pieces() -> Iterator[bytes]:
        yield b"[\n"
        os.kill(os.getpid(), signal.SIGTERM)
        yield b"]\n"  # pragma: no cover - the signal stops the write first

    with interrupting(), pytest.raises(Interrupted):
        store.write(path, pieces())
    assert path.read_bytes() == b"[]\n"
    assert list(tmp_path.iterdir()) == [path]
