"""Which files in an export's `--out` are its own, so that an export replaces no file of
the user's: `papers.db`, `NAME.md` or a `papers_database.json` the user keeps there.

An export records the files it wrote in `.harvest-export` beside them; a file it is
about to replace must be listed there, or (an export made before the record was kept)
be recognisably one of its own by its first bytes: the digest's heading, BibTeX and
CSL-JSON entries keyed `arXiv:`, a `papers.db` with the export's tables, the Datasette
`metadata.json` beside it by its title and description. A
`papers_database.json` is the original database's own format, so only the record can
say an export wrote it. (The Parquet dataset and the site check their own.)
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

from harvester import files
from harvester.errors import StoreError

RECORD = ".harvest-export"
"""The list of the files exports wrote in an `--out`, one name a line."""
_REFUSED = "not written by an export; refused (move it, or choose another --out)"
_DIGEST = re.compile(rb"^# [^\n]*\n\n\d+ papers, newest first\.\n")
_ENTRY = (b"@misc{arXiv:", b'[\n  {\n    "id": "arXiv:', b"[]\n")
_METADATA = b'{\n  "title": "arXiv papers by topic",\n  "description": "Papers harvested from arXiv'
"""How the Datasette metadata an export writes begins (`datasette.metadata`)."""


def check(out_dir: Path, targets: Iterable[Path]) -> None:
    """Refuse, before anything is written, to replace a file no export wrote.

    Raises:
        StoreError: a target is there, is not listed as an export's, and is not
            recognisably one (or is a link, or not a file).
    """
    listed = _listed(out_dir)
    for path in targets:
        if not path.exists() and not path.is_symlink():
            continue
        if path.is_symlink() or not path.is_file():
            raise StoreError(path, "not a regular file of an export; refused")
        if path.name not in listed and not _looks_ours(path):
            raise StoreError(path, _REFUSED)


def record(out_dir: Path, written: Iterable[Path]) -> None:
    """Add the files an export wrote to the record of what exports wrote there."""
    names = _listed(out_dir) | {p.name for p in written if p.parent == out_dir}
    files.write(out_dir / RECORD, "".join(f"{n}\n" for n in sorted(names)).encode("utf-8"))


def _listed(out_dir: Path) -> set[str]:
    """The names the record lists (none without a usable record)."""
    try:
        raw = files.read_bytes(out_dir / RECORD, links=False)
    except (FileNotFoundError, StoreError):
        return set()
    return {line for line in raw.decode("utf-8", "replace").splitlines() if line}


def _looks_ours(path: Path) -> bool:
    """Whether a file's first bytes are those of an export's own file of its name."""
    if path.name == "papers.db":
        return _our_database(path)
    if not path.name.endswith((".md", ".bib", ".csl.json", "metadata.json")):
        return False  # papers_database.json: only the record says
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    if path.name.endswith(".md"):
        return _DIGEST.match(head) is not None
    if path.name == "metadata.json":
        return head.startswith(_METADATA)
    return head == b"" or head.startswith(_ENTRY)


def _our_database(path: Path) -> bool:
    """Whether `path` is a SQLite database with the export's tables."""
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    except sqlite3.Error:
        return False
    return {"papers", "topics", "paper_topics"} <= tables
