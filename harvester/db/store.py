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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from harvester import files
from harvester.db.counts import Change, ChangeKind, Counts
from harvester.errors import StoreError, first_problem
from harvester.models import Paper, gc_paused

logger = logging.getLogger(__name__)

_RECORDS = TypeAdapter(list[Paper])
_BETWEEN = b"\n  },\n  {\n"  # between two records of a topic file
_BLOCK_BYTES = 8 * 1024 * 1024
# A record takes about 2 kB, so 4 GiB is two million papers, twenty times the largest
# topic we know of; a bigger "topic file" is something else, and would exhaust memory.
MAX_FILE_BYTES = 4 * 1024**3


@dataclass(frozen=True)
class Merge:
    """The result of merging fetched records into stored ones.

    Attributes:
        papers: every paper, by identity (id without version).
        counts: what the merge did to the fetched papers.
        total: papers in the topic afterwards (`papers` may be only the files read).
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
    try:
        files.check_regular(path, max_bytes=MAX_FILE_BYTES, links=False)
        with gc_paused():
            records = _read_records(path)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise files.unreadable(path, exc) from None
    except RecursionError:  # pydantic-core's own limit is deeper than Python's stack
        raise _too_deep(path) from None
    except ValidationError:
        _explain(path, path.read_bytes())  # a slower pass, for a message that says where
        raise  # pragma: no cover - _explain always raises
    return _by_identity(path, records)


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
    for index, paper in enumerate(records):
        if paper.key in papers:
            first = next(i for i, p in enumerate(records) if p.key == paper.key)
            raise StoreError(path, f"record {index}: paper {paper.key} is also record {first}")
        papers[paper.key] = paper
    return papers


def path_for(data_dir: Path, topic: str) -> Path:
    """Where a topic's records live: `data_dir/<topic>.json`."""
    return data_dir / f"{topic}.json"


def _read_records(path: Path) -> list[Paper]:
    """Parse and validate a topic file a block at a time.

    A file in the tool's own format separates records with exactly `_BETWEEN` (a raw
    newline never occurs inside a JSON string, and records hold no nested objects),
    so it can be validated a block of records at a time without ever holding all its
    bytes beside all its records. Any other valid JSON is read whole.

    Raises:
        ValidationError: the file is not a valid topic file.
    """
    records: list[Paper] = []
    with path.open("rb") as handle:
        buffer = handle.read(_BLOCK_BYTES)
        if not buffer.startswith(b"[\n  {\n"):
            return _RECORDS.validate_json(buffer + handle.read())
        buffer = buffer[2:]  # the records, from the first one's "  {"
        while more := handle.read(_BLOCK_BYTES):
            buffer += more
            cut = buffer.rfind(_BETWEEN)
            if cut != -1:
                # Up to the closing "\n  }" of the last whole record; then skip "\n  },\n".
                records += _RECORDS.validate_json(b"[" + buffer[: cut + 4] + b"]")
                buffer = buffer[cut + len(_BETWEEN) - 4 :]
        records += _RECORDS.validate_json(b"[" + buffer)  # the rest ends with "\n]\n"
    return records


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
    """Merge fetched records into stored ones; nothing stored is ever dropped.

    A fetched record replaces the stored one of the same paper when its version is
    newer, or equal (arXiv's word on that version is the latest) unless
    `ties_keep_stored` (an import knows less than a harvest did). An older version
    never replaces a newer one.
    """
    papers = dict(stored)
    seen: set[str] = set()
    for fetched_paper in fetched:
        old = papers.get(fetched_paper.key)
        paper = fetched_paper if old is None else fetched_paper.keeping_oai(old)
        seen.add(paper.key)
        tie_wins = not (ties_keep_stored and paper.key in stored)
        if (
            old is None
            or paper.version > old.version
            or (paper.version == old.version and tie_wins)
        ):
            papers[paper.key] = paper
    # Counted on the outcome, so a paper fetched twice in one run counts once.
    changed: list[tuple[Paper, ChangeKind]] = []
    for key in seen:
        before, after = stored.get(key), papers[key]
        if before is None:
            changed.append((after, "new"))
        elif after.version > before.version:
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
    return Merge(papers=papers, counts=counts, total=len(papers))


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
