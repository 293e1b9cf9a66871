"""The data directory's lock."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harvester import lock
from harvester.errors import StoreError


def test_lock_timeout_names_the_holder(tmp_path: Path):
    """A second holder of the data directory gives up with a message naming the first."""
    with (
        lock.locked(tmp_path, timeout_seconds=0),
        pytest.raises(StoreError, match=rf"another harvest holds the lock \(pid {os.getpid()} on"),
        lock.locked(tmp_path, timeout_seconds=0),
    ):
        pass


def test_lock_clears_temp_files_that_killed_runs_left(tmp_path: Path):
    """Temp files beside topic and state files are what a killed write left: taking the lock removes them."""
    (tmp_path / ".harvest").mkdir()
    left = [tmp_path / ".t.json.x1.tmp", tmp_path / ".harvest" / ".t.json.x2.tmp"]
    for path in left:
        path.write_text("half")
    kept = tmp_path / "t.json"
    kept.write_text("[]\n")
    with lock.locked(tmp_path, timeout_seconds=0):
        pass
    assert not any(path.exists() for path in left)
    assert kept.exists()
