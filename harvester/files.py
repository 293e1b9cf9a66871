"""Files the harvester reads and writes: only regular ones, and every write atomic.

A write goes to a temp file beside the target, is fsynced, then renamed over it, so
the file is either the old or the new one whatever stops the process; a file whose
bytes would not change is not written at all (build's `_write_report` does the same).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO, TypeVar

from pydantic import BaseModel, ValidationError

from harvester.errors import StoreError, first_problem

Model = TypeVar("Model", bound=BaseModel)

LINK_REFUSED = "a symbolic link; refused (a write would replace the link): put the file here"


def read_bytes(path: Path, *, links: bool = True) -> bytes:
    """A file's bytes, when it is a regular file (see `check_regular`).

    Raises:
        FileNotFoundError: nothing is there.
        StoreError: it cannot be read, or is not a regular file.
    """
    check_regular(path, links=links)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise unreadable(path, exc) from None


def read_model(
    path: Path,
    model: type[Model],
    *,
    what: str,
    whole: str,
    links: bool = True,
    way_out: str | None = None,
) -> Model | None:
    """A file of ours read as `model` (see `read_bytes`); None when nothing is there.

    Args:
        what: the file in the message of an invalid one (`invalid harvest state`).
        whole: the name of the top level in that message (`state`).
        way_out: what to do about an invalid one, added to its message.

    Raises:
        StoreError: it cannot be read, is not a regular file, or is not a valid
            `model`: `{what}: {where}: {problem}`, as `errors.first_problem` says.
    """
    try:
        raw = read_bytes(path, links=links)
    except FileNotFoundError:
        return None
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        problem = f"{what}: {first_problem(exc, whole=whole)}"
        raise StoreError(path, f"{problem}; {way_out}" if way_out else problem) from None


def unreadable(path: Path, exc: OSError) -> StoreError:
    """The error for a file the system would not let us read."""
    return StoreError(path, f"cannot read: {exc.strerror}")


def check_regular(path: Path, *, max_bytes: int | None = None, links: bool = True) -> None:
    """Refuse to read or replace anything but a regular file (of at most `max_bytes`),
    and unless `links`, a symbolic link to one.

    Reading a FIFO blocks, reading `/dev/zero` never ends, and replacing a device
    node would swap it for a file; none of them is ever a file of ours. A file the
    harvester writes is never a link (`write` refuses one), so one is refused before
    a run spends requests on it.

    Raises:
        FileNotFoundError: nothing is there.
        StoreError: something other than a regular file is there, or it is too large.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise unreadable(path, exc) from None
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(path, "not a regular file; refused")
    if max_bytes is not None and info.st_size > max_bytes:
        raise StoreError(path, f"larger than {max_bytes} bytes; refused")
    if not links and path.is_symlink():
        raise StoreError(path, LINK_REFUSED)


DIRECTORY_LINK_REFUSED = (
    "a symbolic link; refused (writes would go where it points): put the directory here"
)


def check_not_linked(directory: Path) -> None:
    """Refuse a directory of ours that is a symbolic link: `write` refuses a linked file,
    but a file written inside a linked directory would land where the link points (a link
    committed into a data directory could aim a run's writes anywhere).

    Raises:
        StoreError: `directory` is a symbolic link.
    """
    if directory.is_symlink():
        raise StoreError(directory, DIRECTORY_LINK_REFUSED)


def write(path: Path, data: bytes | Iterable[bytes]) -> bool:
    """Write `data` (bytes, or pieces of them) to `path` atomically, unless the file
    already holds exactly those bytes.

    Pieces are written as they come, so a large file is never whole in memory.

    A symbolic link is refused: the rename would replace the link itself by a file
    (a link to a file elsewhere, its target never updated again), and writing through
    it would let a link committed into a data directory aim a run's writes anywhere.

    Returns:
        Whether the file was written.

    Raises:
        StoreError: the file could not be written, or is a symbolic link; it is left
            as it was.
    """
    if isinstance(data, bytes) and _holds(path, data):
        return False  # bytes at hand and the same: not even a temp file is written
    with Writer(path) as writer:
        for piece in [data] if isinstance(data, bytes) else data:
            writer.write(piece)
        return writer.commit()


def _holds(path: Path, data: bytes) -> bool:
    """Whether the regular file at `path` holds exactly `data`.

    Raises:
        StoreError: `path` is a symbolic link, or cannot be looked at.
    """
    if path.is_symlink():
        raise StoreError(path, LINK_REFUSED)
    old = _open_old(path)
    if old is None:
        return False
    with old:
        return old.read(len(data) + 1) == data


class Writer:
    """A file written in pieces as they are made, then put in place whole: `write` each
    piece, then `commit`. Until then the pieces go to a temp file beside `path` (compared
    with the file there as they go), so `path` is the old file or the new one, never half.

    Used as a context manager, a writer not committed is discarded (its temp file
    removed), whatever ended the block. An output made of several files finishes every
    one (`finish`) before committing any, so a failure while making them changes none.

    Raises:
        StoreError: as `write`, from the call that meets the problem.
    """

    def __init__(self, path: Path) -> None:
        if path.is_symlink():
            raise StoreError(path, LINK_REFUSED)
        self.path = path
        self._old = _open_old(path)
        self._same = self._old is not None
        self._finished = False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # The temp file lives beside the target so os.replace is a same-filesystem rename.
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        except OSError as exc:
            self._close_old()
            raise StoreError(path, f"cannot write: {exc.strerror}") from None
        self._tmp: Path | None = Path(tmp)
        try:
            # mkstemp makes the file private (0600); a data file is as readable as any other.
            os.fchmod(fd, 0o666 & ~_umask())
            self._handle: BinaryIO = os.fdopen(fd, "wb")
        except BaseException as exc:
            os.close(fd)
            self._close_old()
            self._tmp.unlink(missing_ok=True)
            self._tmp = None
            if isinstance(exc, OSError):
                raise StoreError(path, f"cannot write: {exc.strerror}") from None
            raise

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()

    def write(self, piece: bytes) -> None:
        """Add `piece` to the file."""
        with self._failing():
            if self._same and self._old is not None:
                self._same = self._old.read(len(piece)) == piece
            self._handle.write(piece)

    def finish(self) -> None:
        """Make the pieces durable in the temp file (nothing to do if they are the bytes
        already at `path`); `commit` then only renames."""
        if self._finished:
            return
        with self._failing():
            self._same = self._same and self._old is not None and self._old.read(1) == b""
            if not self._same:
                self._handle.flush()
                os.fsync(self._handle.fileno())
            self._handle.close()
            self._close_old()
        self._finished = True

    def commit(self) -> bool:
        """Put the file in place (`finish`ing it first); returns whether it was written
        (False when `path` already held these bytes: it is then left untouched)."""
        self.finish()
        tmp = self._tmp
        if tmp is None:
            raise ValueError(f"{self.path}: already committed or discarded")
        with self._failing():
            if self._same:
                tmp.unlink()
                self._tmp = None
                return False
            tmp.replace(self.path)
            self._tmp = None
        _fsync_dir(self.path.parent)
        return True

    def discard(self) -> None:
        """Remove the temp file, leaving `path` as it was (nothing once committed)."""
        if self._tmp is None:
            return
        with suppress(OSError):
            self._handle.close()
        self._close_old()
        self._tmp.unlink(missing_ok=True)
        self._tmp = None

    def _close_old(self) -> None:
        if self._old is not None:
            self._old.close()
            self._old = None

    @contextmanager
    def _failing(self) -> Iterator[None]:
        """On any failure, discard the temp file; an OSError becomes a StoreError."""
        try:
            yield
        except BaseException as exc:
            self.discard()
            if isinstance(exc, OSError):
                raise StoreError(self.path, f"cannot write: {exc.strerror}") from None
            raise


def _open_old(path: Path) -> BinaryIO | None:
    """The file now at `path`, to compare with; None when there is none.

    Raises:
        StoreError: `path` cannot be looked at (a parent is a file, say), so it cannot
            be written either; or something other than a regular file is there.
    """
    try:
        path.stat()
        check_regular(path)
        return path.open("rb")
    except FileNotFoundError:
        return None
    except OSError as exc:  # the caller is writing: say so, though it failed on a look
        raise StoreError(path, f"cannot write: {exc.strerror}") from None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not every platform can open a directory.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
