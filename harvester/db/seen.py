"""`data/.harvest/<topic>.seen`: what this machine last saw of a topic's files; and the
stamp (`FileStamp`) the harvest state keeps of each.

For each file, its size, mtime and inode, and the blob id it then had: while the stat
is the same the file is trusted unread. It is machine-local (a clone or a `git pull`
gives every file a new stat), so a `.gitignore` beside it keeps it out of git; without
it a file's bytes are hashed, which is still far cheaper than parsing them.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from harvester import files
from harvester.db.rows import Dated
from harvester.db.state import STATE_DIR, FileStamp
from harvester.errors import StoreError

Seen = dict[str, list[int | str]]


def blob_id(data: bytes | list[bytes]) -> str:
    """The git blob id of a file's bytes, or pieces of them (what `git ls-files -s` and
    `git hash-object` say)."""
    pieces = [data] if isinstance(data, bytes) else data
    digest = hashlib.sha1(b"blob %d\0" % sum(map(len, pieces)), usedforsecurity=False)
    for piece in pieces:
        digest.update(piece)
    return digest.hexdigest()


def stamp(data: bytes | list[bytes], records: Iterable[Dated]) -> FileStamp:
    """The stamp of a file holding `data` (or its pieces), the bytes of `records`
    (records or rows)."""
    records = list(records)
    updated = (r.updated_day for r in records if r.updated_day is not None)
    return FileStamp(
        bytes=len(data) if isinstance(data, bytes) else sum(map(len, data)),
        blob=blob_id(data),
        papers=len(records),
        published=dict(sorted(Counter(r.published for r in records).items())),
        updated=dict(sorted(Counter(updated).items())),
    )


def path_for(data_dir: Path, topic: str) -> Path:
    """Where a topic's stat record lives."""
    return data_dir / STATE_DIR / f"{topic}.seen"


def stat_of(path: Path) -> list[int | str]:
    """A file's size, mtime (ns) and inode."""
    info = path.stat()
    return [info.st_size, info.st_mtime_ns, info.st_ino]


def load(path: Path) -> Seen:
    """The record; an unreadable or missing one is empty (it only saves work)."""
    try:
        raw = json.loads(files.read_bytes(path))
    except (OSError, ValueError, StoreError):
        return {}
    if not isinstance(raw, dict):
        return {}
    return {str(k): v for k, v in raw.items() if isinstance(v, list)}


MACHINE_FILES = (
    b"# What this machine saw of the data files, and first harvests' lists in progress.\n"
    b"*.seen\n*.staging/\n"
)
"""The `.gitignore` of the state directory: what is this machine's, never committed."""


def ignore_machine_files(state_dir: Path) -> None:
    """Write the state directory's `.gitignore` (unchanged bytes are not rewritten)."""
    files.write(state_dir / ".gitignore", MACHINE_FILES)


def save(path: Path, seen: Seen) -> None:
    """Write the record (unchanged bytes are not rewritten), and the `.gitignore` that
    keeps such records out of a commit of the data directory."""
    ignore_machine_files(path.parent)
    files.write(path, (json.dumps(dict(sorted(seen.items())), indent=1) + "\n").encode())
