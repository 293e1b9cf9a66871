"""The data directory's lock: one harvest at a time, the holder named, leftovers cleared."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from harvester.db import lock
from harvester.errors import StoreError
from tests.conftest import argv
from tests.standin import Reply, Standin


def test_lock_timeout_names_the_holder(tmp_path: Path):
    """A second holder of the data directory gives up with a message naming the first."""
    with (
        lock.locked(tmp_path, timeout_seconds=0),
        pytest.raises(StoreError, match=rf"another harvest holds the lock \(pid {os.getpid()} on"),
        lock.locked(tmp_path, timeout_seconds=0),
    ):
        pass


def test_lock_clears_temp_files_that_killed_runs_left(tmp_path: Path):
    """Temp files beside topic, shard and state files are what a killed write left: taking the lock removes them."""
    (tmp_path / ".harvest").mkdir()
    (tmp_path / "t").mkdir()
    left = [
        tmp_path / ".t.json.x1.tmp",
        tmp_path / ".harvest" / ".t.json.x2.tmp",
        tmp_path / ".harvest" / ".t.seen.x3.tmp",
        tmp_path / "t" / ".2024.json.x4.tmp",
    ]
    for path in left:
        path.write_text("half")
    kept = tmp_path / "t.json"
    kept.write_text("[]\n")
    with lock.locked(tmp_path, timeout_seconds=0):
        pass
    assert not any(path.exists() for path in left)
    assert kept.exists()


def test_a_directory_named_as_a_temp_file_is_left_alone(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    """A directory where a stale temp file would be is not ours to remove: the lock is
    taken, the directory and what it holds stay, a warning names it (issue 24: it was an
    IsADirectoryError)."""
    odd = tmp_path / ".t.json.x1.tmp"
    (odd / "inside").mkdir(parents=True)
    stale = tmp_path / ".u.json.x2.tmp"
    stale.write_text("half")
    with lock.locked(tmp_path, timeout_seconds=0):
        pass
    assert (odd / "inside").is_dir()
    assert not stale.exists()
    assert f"leaving {odd}: named as a temp file, but not a file of ours" in caplog.messages


def test_a_read_only_data_directory_with_a_stale_temp_file_is_one_store_error():
    """A temp file a read-only data directory cannot lose is named in a StoreError, not
    a PermissionError's traceback (issue 24); root may remove anything, so this runs as
    nobody, the directory root's and read-only, its lock file open to all."""
    data = Path(tempfile.mkdtemp(prefix="harvest-lock-"))
    stale = data / ".t.json.x1.tmp"
    stale.write_text("half")
    (data / lock.LOCK_NAME).write_text("")
    (data / lock.LOCK_NAME).chmod(0o666)
    data.chmod(0o555)
    root = os.geteuid() == 0
    try:
        if root:
            os.seteuid(65534)
        with pytest.raises(StoreError) as caught, lock.locked(data, timeout_seconds=0):
            pass
    finally:
        if root:
            os.seteuid(0)
        data.chmod(0o755)
        left = stale.read_text()
        shutil.rmtree(data)
    assert str(caught.value) == f"{stale}: cannot remove this temp file: Permission denied"
    assert left == "half"


def test_the_owner_file_lives_as_long_as_the_lock(tmp_path: Path):
    """The holder is named beside the lock while it is held, and the name goes with it."""
    owner = tmp_path / f"{lock.LOCK_NAME}.owner"
    with lock.locked(tmp_path, timeout_seconds=0):
        assert owner.read_text().startswith(f"pid {os.getpid()} on ")
    assert not owner.exists()


def _past_its_imports(pid: int) -> bool:
    """Wait until process `pid` has loaded lxml, which `harvest` imports just before it
    reads its config and takes the lock; whether it did within 30 s."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if "lxml" in Path(f"/proc/{pid}/maps").read_text():
            return True
        time.sleep(0.05)
    return False


def test_two_processes_on_one_data_directory_take_turns(
    config: Path, tmp_path: Path, harvest_bin: str
):
    """Two harvests started together run one after the other; every record of both is kept."""
    entries = Standin().entries
    first_requested, release = threading.Event(), threading.Event()
    order: list[str] = []

    def held(params: dict[str, str]) -> Reply:
        first_requested.set()
        release.wait(timeout=30)
        order.append("first answered")
        return Reply(body=first.feed(int(params["start"]), int(params["max_results"])))

    def second_reply(params: dict[str, str]) -> Reply:
        order.append("second asked")
        return Reply(body=second.feed(int(params["start"]), int(params["max_results"])))

    data = tmp_path / "data"
    with (
        Standin(entries=entries[:60], script=[held]) as first,
        Standin(entries=entries[50:], script=[second_reply]) as second,
    ):
        procs = []
        for standin in (first, second):
            args = [harvest_bin, "--topic", "rlhf_code", *argv(standin, config, data_dir=data)]
            procs.append(subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
            if standin is first:
                assert first_requested.wait(timeout=30)
                owner = (data / ".harvest.lock.owner").read_text()
                assert owner.startswith(f"pid {procs[0].pid} on ")
        # Let the second get to the lock while the first holds it: without the lock it
        # would ask its arXiv now, before the first is answered.
        assert _past_its_imports(procs[1].pid)
        time.sleep(1)
        release.set()
        results = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert order == ["first answered", "second asked"]
    records = json.loads((data / "rlhf_code.json").read_bytes())
    assert {r["arxiv_id"] for r in records} == {e.arxiv_id for e in entries}
    assert len(records) == 111


def test_lock_held_too_long_exits_1_naming_the_holder(
    standin: Standin, config: Path, tmp_path: Path, harvest_bin: str
):
    """A harvest that cannot get the lock in time exits 1 and says who holds it."""
    data = tmp_path / "data"
    with lock.locked(data, timeout_seconds=0):
        result = subprocess.run(
            [harvest_bin, *argv(standin, config, data_dir=data), "--lock-timeout", "0.5"],
            capture_output=True,
            text=True,
            check=False,
            env=os.environ,
        )
    assert result.returncode == 1
    assert f"another harvest holds the lock (pid {os.getpid()} on" in result.stderr
    assert "; gave up after 0.5 s" in result.stderr
    assert "Traceback" not in result.stderr
    assert standin.requests == []


def _lock_directory(data: Path) -> None:
    (data / lock.LOCK_NAME).mkdir()


def _owner_directory(data: Path) -> None:
    (data / f"{lock.LOCK_NAME}.owner").mkdir()


def _lock_loop(data: Path) -> None:
    (data / lock.LOCK_NAME).symlink_to(lock.LOCK_NAME)


def _lock_unreadable(data: Path) -> None:
    (data / lock.LOCK_NAME).write_text("")
    (data / lock.LOCK_NAME).chmod(0)


@pytest.mark.parametrize(
    ("setup", "where", "message"),
    [
        pytest.param(
            _lock_directory, lock.LOCK_NAME, "cannot use the lock: Is a directory", id="dir"
        ),
        pytest.param(
            _owner_directory,
            f"{lock.LOCK_NAME}.owner",
            "cannot write the lock's owner file: Is a directory",
            id="owner-dir",
        ),
        pytest.param(
            _lock_loop,
            lock.LOCK_NAME,
            "cannot use the lock: Too many levels of symbolic links",
            id="unopenable",
        ),
        pytest.param(
            _lock_unreadable,
            lock.LOCK_NAME,
            "cannot use the lock: Permission denied",
            id="unreadable",
        ),
    ],
)
def test_a_lock_path_it_cannot_use_is_a_store_error_naming_it(
    setup: Callable[[Path], None], where: str, message: str
):
    """A directory, a link loop or a file it may not open in the lock's place (issue #16):
    a StoreError naming that path, at once, never a traceback or a wait. Root may open any
    file, so the unreadable case runs with the effective user id of nobody, in a directory
    nobody can reach (pytest's tmp_path is root's alone)."""
    data = Path(tempfile.mkdtemp(prefix="harvest-lock-"))
    data.chmod(0o777)
    setup(data)
    root = os.geteuid() == 0
    started = time.monotonic()
    try:
        if root:
            os.seteuid(65534)
        with pytest.raises(StoreError) as caught, lock.locked(data, timeout_seconds=30):
            pass
    finally:
        if root:
            os.seteuid(0)
        shutil.rmtree(data)
    assert str(caught.value) == f"{data / where}: {message}"
    assert time.monotonic() - started < 10  # at once: not waiting out the timeout


@pytest.mark.parametrize("name", [".harvest", ".harvest/oai"])
def test_a_state_directory_that_is_a_link_is_refused(tmp_path: Path, name: str):
    """A harvest state directory that is a symbolic link to a directory elsewhere is one
    StoreError naming it, before anything is written through it."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    data = tmp_path / "data"
    (data / name).parent.mkdir(parents=True, exist_ok=True)
    (data / name).symlink_to(elsewhere)
    with pytest.raises(StoreError, match="a symbolic link"), lock.locked(data, timeout_seconds=1):
        pass
    assert list(elsewhere.iterdir()) == []
