"""One harvest at a time per data directory: `data/.harvest.lock`.

The holder's pid, host and start time are kept beside the lock, so a run that gives
up waiting can say who holds it. Under the lock no write is in progress, so any temp
file found then is what a killed run left, and is removed.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from harvester.errors import StoreError

logger = logging.getLogger(__name__)

LOCK_NAME = ".harvest.lock"


@contextmanager
def locked(data_dir: Path, *, timeout_seconds: float) -> Iterator[None]:
    """Hold the data directory's lock: one harvest at a time writes there.

    The holder's pid and start time are kept beside the lock, so a run that gives
    up waiting can say who holds it.

    Raises:
        StoreError: the lock was not free within `timeout_seconds`, or the data
            directory or the lock cannot be used (a directory in the lock's place).
    """
    lock = FileLock(data_dir / LOCK_NAME, timeout=timeout_seconds)
    owner = data_dir / f"{LOCK_NAME}.owner"
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(data_dir, f"cannot use as data directory: {exc.strerror}") from None
    try:
        lock.acquire()
    except Timeout:  # a TimeoutError, hence an OSError: caught first
        try:
            holder = owner.read_text(encoding="utf-8").strip() or "unknown"
        except OSError:
            holder = "unknown"
        raise StoreError(
            data_dir / LOCK_NAME,
            f"another harvest holds the lock ({holder}); gave up after {timeout_seconds:g} s",
        ) from None
    except OSError as exc:  # a directory, or a file we may not open, in its place
        raise StoreError(data_dir / LOCK_NAME, f"cannot use the lock: {exc.strerror}") from None
    try:
        _check_state_dirs(data_dir)
        # Under the lock no write is in progress, so a temp file is what a killed run left.
        # Topic files, a sharded topic's files (data/NAME/), the harvest state.
        patterns = (".*.json.*.tmp", "*/.*.json.*.tmp", ".harvest/.*.seen.*.tmp")
        for stale in [p for pattern in patterns for p in data_dir.glob(pattern)]:
            _remove_stale(stale)
        _write_owner(owner)
        yield
    finally:
        try:
            if not owner.is_dir():  # a directory there was never ours: _write_owner said so
                owner.unlink(missing_ok=True)
        finally:
            lock.release()


STATE_DIRS = (".harvest", ".harvest/oai")
"""Where the harvest state lives: a link there would aim the state's writes elsewhere."""


def _check_state_dirs(data_dir: Path) -> None:
    """Refuse a harvest state directory that is a symbolic link (a committed link would
    aim every run's state writes anywhere), as a topic's linked folder is refused.

    Raises:
        StoreError: one of them is a link.
    """
    for name in STATE_DIRS:
        if (data_dir / name).is_symlink():
            raise StoreError(
                data_dir / name,
                "a symbolic link: the harvest state must live in the data directory",
            )


def _remove_stale(stale: Path) -> None:
    """Remove a temp file a killed write left; anything else of its name is left alone
    (no write of ours makes a directory there, and none would reuse the name).

    Raises:
        StoreError: it cannot be removed (a read-only data directory): no harvest could
            write there either.
    """
    if stale.is_symlink() or not stale.is_file():
        logger.warning("leaving %s: named as a temp file, but not a file of ours", stale)
        return
    logger.info("removing %s, left by an interrupted write", stale)
    try:
        stale.unlink(missing_ok=True)
    except OSError as exc:
        raise StoreError(stale, f"cannot remove this temp file: {exc.strerror}") from None


def _write_owner(owner: Path) -> None:
    """Say who holds the lock.

    Raises:
        StoreError: the data directory is read-only or full; no harvest could write there.
    """
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        owner.write_text(f"pid {os.getpid()} on {socket.gethostname()} since {started}\n")
    except OSError as exc:
        raise StoreError(owner, f"cannot write the lock's owner file: {exc.strerror}") from None
