"""`data/<topic>.json`: load, merge and write one topic's records.

The file is a JSON array of records, UTF-8, 2-space indent, newline at the end,
newest first (`published` descending, then id descending); DESIGN.md, "data/NAME.json".
Its bytes depend only on the set of records, so a run that finds nothing new
writes nothing, and a write is atomic: the file is either the old or the new one.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

from pydantic import TypeAdapter, ValidationError

from harvester import files
from harvester.db.counts import Change, ChangeKind, Counts
from harvester.db.rows import BETWEEN, Row, rows
from harvester.errors import StoreError, first_problem
from harvester.models import Paper, gc_paused

logger = logging.getLogger(__name__)

_T = TypeVar("_T")
_RECORDS = TypeAdapter(list[Paper])
_BLOCK_BYTES = 8 * 1024 * 1024
# A record takes about 2 kB, so 4 GiB is two million papers, twenty times the largest
# topic we know of; a bigger "topic file" is something else, and would exhaust memory.
MAX_FILE_BYTES = 4 * 1024**3


@dataclass(frozen=True)
class Merge:
    """The result of merging fetched records into stored ones.

    Attributes:
        papers: every paper, by identity (id without version); from a topic's files
            (`shards`), only the papers the merge added or replaced.
        counts: what the merge did to the fetched papers.
        total: papers in the topic afterwards.
    """

    papers: dict[str, Paper]
    counts: Counts
    total: int = 0


def load(path: Path) -> dict[str, Paper]:
    """Read a topic file; a missing file is an empty topic.

    Raises:
        StoreError: the file is unreadable, not JSON, not an array of records,
            or holds one paper twice; the message says where.
    """
    papers: dict[str, Paper] = {}
    for block in _blocks(path):
        _add(path, papers, ((p.key, p) for p in block))
    return papers


def load_rows(path: Path) -> dict[str, Row]:
    """Read a topic file as rows (validated as `load` does, a block of records at a
    time, so its records are never all held at once); a missing file has none.

    Raises:
        StoreError: as `load`.
    """
    found: dict[str, Row] = {}
    for block in _blocks(path):
        _add(path, found, ((r.key, r) for r in rows(block)))
    return found


def stream(path: Path) -> Iterator[Paper]:
    """A topic file's records in file order, validated a block at a time, so that at
    most a block of them (8 MB of the file) is held; a missing file has none.

    Raises:
        StoreError: as `load`, or a record out of the file's order (newest first, then
            id: a paper twice included), which `load` would sort, and `harvest check`
            names; met after the records before it were handed on.
    """
    previous: Paper | None = None
    for index, paper in enumerate(p for block in _blocks(path) for p in block):
        if previous is not None and paper.sort_key() >= previous.sort_key():
            raise StoreError(path, f"record {index}: out of order (newest first, then id)")
        previous = paper
        yield paper


def _blocks(path: Path) -> Iterator[list[Paper]]:
    """A topic file's records, validated, a block at a time (none for a missing file).

    Raises:
        StoreError: as `load`.
    """
    try:
        files.check_regular(path, max_bytes=MAX_FILE_BYTES, links=False)
        with path.open("rb") as handle:
            yield from _read_records(handle)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise files.unreadable(path, exc) from None
    except RecursionError:  # pydantic-core's own limit is deeper than Python's stack
        raise _too_deep(path) from None
    except ValidationError:
        _explain(path, path.read_bytes())  # a slower pass, for a message that says where
        raise  # pragma: no cover - _explain always raises


def _add(path: Path, into: dict[str, _T], items: Iterable[tuple[str, _T]]) -> None:
    """Add a file's records by identity, in file order; one already there is an error
    that says both places."""
    for key, item in items:
        if key in into:
            first = list(into).index(key)
            raise StoreError(path, f"record {len(into)}: paper {key} is also record {first}")
        into[key] = item


def parse(path: Path, raw: bytes) -> dict[str, Paper]:
    """The records of a topic file's bytes, as `load` reads them.

    Raises:
        StoreError: as `load`.
    """
    try:
        with gc_paused():
            records = _RECORDS.validate_json(raw)
    except RecursionError:
        raise _too_deep(path) from None
    except ValidationError:
        _explain(path, raw)
        raise  # pragma: no cover - _explain always raises
    return _by_identity(path, records)


def _too_deep(path: Path) -> StoreError:
    return StoreError(path, "nested too deeply to be a topic file")


def _by_identity(path: Path, records: list[Paper]) -> dict[str, Paper]:
    papers: dict[str, Paper] = {}
    _add(path, papers, ((p.key, p) for p in records))
    return papers


def path_for(data_dir: Path, topic: str) -> Path:
    """Where a topic's records live: `data_dir/<topic>.json`."""
    return data_dir / f"{topic}.json"


def _read_records(handle: BinaryIO) -> Iterator[list[Paper]]:
    """Parse and validate a topic file a block at a time.

    A file in the tool's own format separates records with exactly `BETWEEN` (a raw
    newline never occurs inside a JSON string, and records hold no nested objects),
    so it can be validated a block of records at a time without ever holding all its
    bytes beside all its records. Any other valid JSON is read whole.

    Raises:
        ValidationError: the file is not a valid topic file.
    """
    buffer = handle.read(_BLOCK_BYTES)
    if not buffer.startswith(b"[\n  {\n"):
        with gc_paused():
            yield _RECORDS.validate_json(buffer + handle.read())
        return
    buffer = buffer[2:]  # the records, from the first one's "  {"
    while more := handle.read(_BLOCK_BYTES):
        buffer += more
        cut = buffer.rfind(BETWEEN)
        if cut != -1:
            # Up to the closing "\n  }" of the last whole record; then skip "\n  },\n".
            with gc_paused():
                block = _RECORDS.validate_json(b"[" + buffer[: cut + 4] + b"]")
            buffer = buffer[cut + len(BETWEEN) - 4 :]
            yield block
    with gc_paused():
        block = _RECORDS.validate_json(b"[" + buffer)  # the rest ends with "\n]\n"
    yield block


def parse_json(path: Path, raw: bytes) -> object:
    """Decode a JSON file's bytes.

    Raises:
        StoreError: the bytes are not UTF-8 JSON; the message says where.
    """
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise StoreError(path, f"not UTF-8 at byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise StoreError(
            path, f"not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except ValueError as exc:  # Python's limit on digits: a number no record holds
        raise StoreError(path, f"not valid JSON: {str(exc).partition(';')[0]}") from None
    except RecursionError:
        raise StoreError(path, "nested too deeply to be a topic file") from None


def _explain(path: Path, raw: bytes) -> None:
    """Raise the StoreError that says where `raw` breaks the file format."""
    items = parse_json(path, raw)
    if not isinstance(items, list):
        raise StoreError(path, f"expected a JSON array of records, found {type(items).__name__}")
    for index, item in enumerate(items):
        try:
            Paper.model_validate(item)
        except ValidationError as exc:
            problem = first_problem(exc, whole="record")
            raise StoreError(path, f"record {index}: {problem}") from None
    raise StoreError(path, "not a valid topic file")


def merge(
    stored: dict[str, Paper], fetched: Iterable[Paper], *, ties_keep_stored: bool = False
) -> Merge:
    """Merge fetched records into stored ones; nothing stored is ever dropped (the
    rules: `outcome`)."""
    won, counts = outcome(stored, fetched, ties_keep_stored=ties_keep_stored)
    papers = stored | won
    return Merge(papers=papers, counts=counts, total=len(papers))


def outcome(
    stored: Mapping[str, Paper], fetched: Iterable[Paper], *, ties_keep_stored: bool = False
) -> tuple[dict[str, Paper], Counts]:
    """The fetched records that replace (or join) stored ones, and the counts.

    A fetched record replaces the stored one of the same paper when its version is
    newer, or equal (arXiv's word on that version is the latest) unless
    `ties_keep_stored` (an import knows less than a harvest did). An older version
    never replaces a newer one. Only the stored records of fetched papers are looked at.
    """
    won: dict[str, Paper] = {}
    seen: set[str] = set()
    for fetched_paper in fetched:
        key = fetched_paper.key
        old = won[key] if key in won else stored.get(key)
        paper = fetched_paper if old is None else fetched_paper.keeping_oai(old)
        seen.add(key)
        tie_wins = not (ties_keep_stored and key in stored)
        if (
            old is None
            or paper.version > old.version
            or (paper.version == old.version and tie_wins)
        ):
            won[key] = paper
    # Counted on the outcome, so a paper fetched twice in one run counts once.
    changed: list[tuple[Paper, ChangeKind]] = []
    for key in seen:
        before = stored.get(key)
        if before is None:
            changed.append((won[key], "new"))  # a paper seen and not stored was won
            continue
        after = won.get(key, before)
        if after.version > before.version:
            changed.append((after, "updated"))
        elif after != before:
            changed.append((after, "revised"))
    # `seen` is a set: sort, so reports and commit messages do not vary between runs.
    changed.sort(key=lambda pair: pair[0].sort_key(), reverse=True)
    kinds = Counter(kind for _, kind in changed)
    counts = Counts(
        new=kinds["new"],
        updated=kinds["updated"],
        revised=kinds["revised"],
        unchanged=len(seen) - len(changed),
        changes=tuple(Change(p.arxiv_id, p.title, kind) for p, kind in changed),
    )
    # A record won but equal to the stored one changes no byte: not handed on.
    return {k: p for k, p in won.items() if stored.get(k) != p}, counts


def dumps(papers: Iterable[Paper]) -> bytes:
    """Serialise records in the file's fixed order: newest first, then id descending.

    The bytes are those of `json.dumps(records, indent=2, ensure_ascii=False)` plus a
    newline.
    """
    return b"".join(pieces(papers))


def pieces(papers: Iterable[Paper], *, records_per_piece: int = 1000) -> Iterator[bytes]:
    """The bytes of `dumps`, a thousand records at a time, for writing without ever
    holding a 100,000-record file in memory. Written by pydantic-core, which is several
    times faster than `json.dumps`.
    """
    with gc_paused():
        ordered = sorted(papers, key=Paper.sort_key, reverse=True)
    if not ordered:
        yield b"[]\n"
        return
    yield b"[\n"
    for start in range(0, len(ordered), records_per_piece):
        with gc_paused():
            chunk = _RECORDS.dump_json(ordered[start : start + records_per_piece], indent=2)
        # A chunk is `[\n  {...},\n  {...}\n]`: its items are already indented as the
        # file's, so dropping its brackets and joining with ",\n" makes the whole list.
        yield (b",\n" if start else b"") + chunk[2:-2]
    yield b"\n]\n"


def save(path: Path, papers: Iterable[Paper]) -> bool:
    """Write a topic file from its records (see `files.write`); returns whether it was."""
    return files.write(path, pieces(papers))
