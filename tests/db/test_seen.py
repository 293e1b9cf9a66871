"""The machine-local stat record: a round trip, tolerance of a broken one, kept out of git."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date
from pathlib import Path

import pytest

from harvester.db import seen
from tests.conftest import paper


def test_a_record_round_trips_and_keeps_itself_out_of_git(tmp_path: Path):
    """What is saved is loaded back, and a `.gitignore` beside it ignores `*.seen`."""
    path = seen.path_for(tmp_path, "t")
    record: seen.Seen = {"t.json": [10, 20, 30, "abc"]}
    seen.save(path, record)
    assert seen.load(path) == record
    assert "*.seen" in (path.parent / ".gitignore").read_text().splitlines()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"not json", id="not-json"),
        pytest.param(b"[1, 2]", id="not-an-object"),
    ],
)
def test_a_broken_record_is_empty(tmp_path: Path, content: bytes):
    """A broken record only costs work: it reads as empty, never as an error."""
    path = seen.path_for(tmp_path, "t")
    path.parent.mkdir()
    path.write_bytes(content)
    assert seen.load(path) == {}


def test_stat_of_changes_when_a_file_is_rewritten(tmp_path: Path):
    """A file replaced (as an atomic write or a checkout does) has another stat."""
    path = tmp_path / "f"
    path.write_bytes(b"a")
    before = seen.stat_of(path)
    other = tmp_path / "g"
    other.write_bytes(b"a")
    other.replace(path)
    assert seen.stat_of(path) != before


def test_blob_id_is_what_git_says(tmp_path: Path):
    """A stamp's blob id is git's own for the file's bytes, whole or in pieces."""
    path = tmp_path / "t.json"
    path.write_bytes(b"[\n  {}\n]\n")
    expected = subprocess.run(
        ["git", "hash-object", str(path)], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert seen.blob_id(path.read_bytes()) == expected
    assert seen.blob_id([b"[\n", b"  {}\n", b"]\n"]) == expected


def test_stat_of_changes_when_a_file_is_edited_in_place(tmp_path: Path):
    """A file edited in place to the same size (same inode) has another stat: its mtime."""
    path = tmp_path / "f"
    path.write_bytes(b"a")
    before = seen.stat_of(path)
    with path.open("r+b") as handle:
        handle.write(b"b")
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    after = seen.stat_of(path)
    assert (after[0], after[2]) == (before[0], before[2])
    assert after != before


def test_a_record_is_written_in_name_order(tmp_path: Path):
    """The same record saved in another order is the same bytes (its files sorted by name)."""
    path = seen.path_for(tmp_path, "t")
    seen.save(path, {"t/2025.json": [1], "t/2024.json": [2]})
    assert list(json.loads(path.read_bytes())) == ["t/2024.json", "t/2025.json"]


def test_a_stamp_counts_updated_days_only_of_records_that_have_one():
    """Records without `updated` count in the stamp's papers and published days, not in its updated days."""
    records = [paper("2401.00001v1", updated=None), paper("2401.00002v1")]
    made = seen.stamp(b"[]\n", records)
    assert made.papers == 2
    assert made.published == {date(2024, 1, 1): 2}
    assert made.updated == {date(2024, 2, 1): 1}
