"""Files: only regular ones are read, and every write is atomic (old or new, never half)."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import random
import signal
import stat
import tempfile
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from harvester import files
from harvester.cli.signals import interrupting
from harvester.db import lock, store
from harvester.errors import Interrupted, StoreError
from tests.conftest import paper


def test_unchanged_file_is_not_rewritten(tmp_path: Path):
    """Writing the bytes a file already holds does nothing: its mtime stays."""
    path = tmp_path / "t.json"
    data = store.dumps([paper("2401.00001v1")])
    assert files.write(path, data) is True
    os.utime(path, (1_000_000, 1_000_000))
    assert files.write(path, data) is False
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
        files.write(path, store.dumps([paper("2401.00001v1")]))
    assert path.read_bytes() == b"[]\n"
    assert [p.name for p in tmp_path.iterdir()] == ["t.json"]


@pytest.mark.parametrize(
    "target",
    [
        pytest.param("elsewhere.json", id="to-a-file"),
        pytest.param("missing.json", id="dangling"),
    ],
)
def test_a_symlink_is_never_written_or_replaced(tmp_path: Path, target: str):
    """A symbolic link in a file's place (issue #16) is refused in one line: the link and
    what it points to are left as they were, and nothing is created beside them."""
    old = store.dumps([paper("2401.00001v1")])
    if target == "elsewhere.json":
        (tmp_path / target).write_bytes(old)
    link = tmp_path / "t.json"
    link.symlink_to(tmp_path / target)
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(StoreError) as caught:
        files.write(link, store.dumps([paper("2401.00002v1")]))
    assert str(caught.value) == f"{link}: {files.LINK_REFUSED}"
    assert link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    if target == "elsewhere.json":
        assert (tmp_path / target).read_bytes() == old
        with pytest.raises(StoreError, match="a symbolic link; refused"):
            store.load(link)  # refused before a run spends requests on it
        assert files.read_bytes(link) == old  # what else reads it (a config, a report) may


def test_written_file_has_ordinary_permissions(tmp_path: Path):
    """A data file is created readable by others (0644 under umask 022), not private."""
    old = os.umask(0o022)
    try:
        files.write(tmp_path / "t.json", b"[]\n")
    finally:
        os.umask(old)
    assert (tmp_path / "t.json").stat().st_mode & 0o777 == 0o644


def _writer(path: Path, contents: list[bytes], progress: Connection) -> None:
    """Write the contents in turn, forever, saying after each write which one it was."""
    for turn in itertools.count():
        files.write(path, contents[turn % 2])
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
    assert files.write(path, iter(pieces)) is written
    assert path.read_bytes() == (b"".join(pieces) if written else b"[\n]\n")
    assert (path.stat().st_mtime == 1_000_000) is not written
    assert [p.name for p in tmp_path.iterdir()] == ["t.json"]


def test_a_signal_during_a_write_leaves_the_old_file_and_no_temp_file(tmp_path: Path):
    """A real SIGTERM while a file is written abandons the write whole (issue #10)."""
    path = tmp_path / "topic.json"
    path.write_bytes(b"[]\n")

    def pieces() -> Iterator[bytes]:
        yield b"[\n"
        os.kill(os.getpid(), signal.SIGTERM)
        yield b"]\n"  # pragma: no cover - the signal stops the write first

    with interrupting(), pytest.raises(Interrupted):
        files.write(path, pieces())
    assert path.read_bytes() == b"[]\n"
    assert list(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize("under", ["x.json", "sub/x.json"], ids=["child", "grandchild"])
def test_a_target_under_a_regular_file_cannot_be_written(tmp_path: Path, under: str):
    """A target whose directory is a regular file is a write error, not a read one (issue 16)."""
    (tmp_path / "out").write_text("x")
    target = tmp_path / "out" / under
    with pytest.raises(StoreError) as caught:
        files.write(target, b"[]\n")
    assert str(caught.value) == f"{target}: cannot write: Not a directory"


def test_a_write_asks_the_os_for_data_then_rename_then_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The temp file is fsynced holding the new bytes, then renamed, then its directory
    fsynced: the order that makes data and rename durable after a power loss."""
    path = tmp_path / "t.json"
    path.write_bytes(b"[]\n")
    data = store.dumps([paper("2401.00001v1")])
    calls: list[tuple[str, object]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            calls.append(("fsync directory", info.st_ino))
        else:
            calls.append(("fsync file", (info.st_ino, os.pread(fd, info.st_size + 1, 0))))
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        calls.append(("replace", (Path(src).parent, Path(dst))))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    assert files.write(path, data) is True
    assert calls == [
        ("fsync file", (path.stat().st_ino, data)),  # the temp file, renamed to `path` since
        ("replace", (tmp_path, path)),
        ("fsync directory", tmp_path.stat().st_ino),
    ]


class _Saved(BaseModel):
    """A tiny model of a file of ours."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    count: int


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(None, None, id="missing"),
        pytest.param(b'{"count": 3}', _Saved(count=3), id="valid"),
        pytest.param(b"{", "invalid tally: tally: Invalid JSON", id="not-json"),
        pytest.param(b'{"count": "x"}', "invalid tally: count: Input should be", id="bad-field"),
        pytest.param(b'{"count": 1, "more": 2}', "invalid tally: more: Extra", id="extra-key"),
    ],
)
def test_read_model_gives_the_model_none_or_names_the_first_problem(
    tmp_path: Path, content: bytes | None, expected: _Saved | str | None
):
    """A file reads as its model, a missing one as None, an invalid one as a StoreError
    that names the path, the file and the first problem."""
    path = tmp_path / "tally.json"
    if content is not None:
        path.write_bytes(content)
    if isinstance(expected, str):
        with pytest.raises(StoreError) as caught:
            files.read_model(path, _Saved, what="invalid tally", whole="tally")
        assert str(caught.value).startswith(f"{path}: {expected}")
    else:
        assert files.read_model(path, _Saved, what="invalid tally", whole="tally") == expected


def test_read_model_refuses_a_link_unless_links_are_allowed(tmp_path: Path):
    """With `links=False` a symbolic link is refused, not followed; by default it is read."""
    target = tmp_path / "real.json"
    target.write_bytes(b'{"count": 1}')
    link = tmp_path / "tally.json"
    link.symlink_to(target)
    assert files.read_model(link, _Saved, what="invalid tally", whole="tally") == _Saved(count=1)
    with pytest.raises(StoreError, match="symbolic link"):
        files.read_model(link, _Saved, what="invalid tally", whole="tally", links=False)


@pytest.mark.parametrize(
    ("data", "made"),
    [
        pytest.param(b"same bytes\n", False, id="same"),
        pytest.param(b"same bytes", True, id="shorter"),
        pytest.param(b"same bytes\n\n", True, id="longer"),
    ],
)
def test_the_same_bytes_at_hand_make_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, made: bool
):
    """Bytes equal to the file's are known so before any temp file is made (a quiet run's
    state files cost no write at all); any other bytes are written."""
    path = tmp_path / "state.json"
    path.write_bytes(b"same bytes\n")
    temps: list[str] = []
    mkstemp = tempfile.mkstemp

    def noting(*, dir: Path, prefix: str, suffix: str) -> tuple[int, str]:
        temps.append(prefix)
        return mkstemp(dir=dir, prefix=prefix, suffix=suffix)

    monkeypatch.setattr(tempfile, "mkstemp", noting)
    assert files.write(path, data) is made
    assert bool(temps) is made
    assert path.read_bytes() == data


def test_a_writer_puts_its_pieces_in_place_only_when_committed(tmp_path: Path):
    """A `Writer` keeps the old file whole while pieces are written and finished; `commit`
    puts the new one in place and leaves no temp file."""
    path = tmp_path / "t.json"
    path.write_bytes(b"old\n")
    with files.Writer(path) as writer:
        writer.write(b"new ")
        writer.write(b"bytes\n")
        writer.finish()
        assert path.read_bytes() == b"old\n"
        assert writer.commit() is True
    assert path.read_bytes() == b"new bytes\n"
    assert [p.name for p in tmp_path.iterdir()] == ["t.json"]


def test_a_writer_left_uncommitted_leaves_the_old_file(tmp_path: Path):
    """A failure while the pieces are made (here, the maker raising) discards the temp
    file: the old file stays, whole."""
    path = tmp_path / "t.json"
    path.write_bytes(b"old\n")

    def pieces() -> Iterator[bytes]:
        yield b"half of "
        raise StoreError(tmp_path / "data.json", "not valid JSON")

    def write_all() -> None:
        with files.Writer(path) as writer:
            for piece in pieces():
                writer.write(piece)
            writer.commit()

    with pytest.raises(StoreError, match="not valid JSON"):
        write_all()
    with pytest.raises(StoreError, match="not valid JSON"):
        files.write(path, pieces())
    assert path.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["t.json"]


def test_a_writer_of_the_same_bytes_leaves_the_file_untouched(tmp_path: Path):
    """Pieces that add up to the file's bytes are not written: its mtime stays."""
    path = tmp_path / "t.json"
    path.write_bytes(b"same bytes\n")
    os.utime(path, (1_000_000, 1_000_000))
    with files.Writer(path) as writer:
        for piece in (b"same", b" bytes", b"\n"):
            writer.write(piece)
        assert writer.commit() is False
    assert path.stat().st_mtime == 1_000_000
    assert [p.name for p in tmp_path.iterdir()] == ["t.json"]


def test_a_writer_into_a_directory_in_the_files_place_is_refused(tmp_path: Path):
    """A directory where the file goes is refused before any piece is written."""
    (tmp_path / "t.json").mkdir()
    with pytest.raises(StoreError, match="not a regular file"):
        files.Writer(tmp_path / "t.json")
    assert [p.name for p in tmp_path.iterdir()] == ["t.json"]
