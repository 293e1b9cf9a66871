"""A first harvest's papers staged on disk while its list runs
(`data/.harvest/NAME.staging/`), then merged into the topic's files a file at a time.

An OAI-PMH list comes in the order records last changed (`docs/arxiv.md`, "OAI-PMH"), so
each page of a set lands across many years; merged page by page, every page rewrites
each file it touches, and the bytes written grow faster than the topic. Staged, a page
is appended, compressed, to one bucket file per month of `published`; the list's
resumption token is saved after it in the manifest, with each bucket's length: that is
the commit point, and the topic's files stay as they were. Once the list is complete,
`merge_into` reads the buckets back newest month first and merges them into the
topic's files (`shards`), each written once, when the merge leaves it; the staging is
then removed.

So the bytes a first harvest writes are the staged pages compressed (a fraction of
their JSON) and each file about once; its memory, a bucket's chunk of papers and the
file merged into, whatever the topic's size.

A staging is this machine's: a `.gitignore` keeps it out of a commit of the data
directory (a clone without it lists the set again). Whatever a crash leaves past the
manifest's lengths is cut off when the staging is opened again.
"""

from __future__ import annotations

import logging
import shutil
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from harvester import files
from harvester.db import seen, shards
from harvester.db.shards import TopicFiles
from harvester.db.state import STATE_DIR
from harvester.errors import StoreError
from harvester.models import Paper, gc_paused

logger = logging.getLogger(__name__)

_RECORDS = TypeAdapter(list[Paper])
_FRAME = struct.Struct(">Q")
"""Each chunk of a bucket: its compressed length, then the compressed JSON array."""
_LEVEL = 1
"""zlib's fastest level: JSON records shrink to about a third, at a few ms a page."""
MANIFEST = "manifest.json"


class Bucket(BaseModel):
    """One month's bucket as the manifest commits it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    length: int
    """Bytes of its file that are committed (anything after is a crash's leftover)."""
    records: int
    """Records staged in it."""
    size: int
    """About the bytes its records take in a topic file."""


class Manifest(BaseModel):
    """How far a staged list has got: the commit point of a first harvest."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    listing: str
    """What is listed (a set topic's set and `since`): a staging of another is not resumed."""
    began: date
    """The day the list began (what follows it, the change feed, starts a day before)."""
    token: str | None = None
    """The resumption token after the last staged page (None: not begun, or complete)."""
    complete: bool = False
    """Whether the list ran to its end (then the buckets are to be merged)."""
    pages: int = 0
    records: int = 0
    buckets: dict[str, Bucket] = {}
    """By month of `published` (`2024-03`)."""


class Staging:
    """A topic's staged list: its manifest and its buckets.

    Args:
        data_dir: the data directory.
        topic: the topic's name.

    Raises:
        StoreError: the staging directory is a symbolic link.
    """

    def __init__(self, data_dir: Path, topic: str) -> None:
        self.folder = data_dir / STATE_DIR / f"{topic}.staging"
        files.check_not_linked(self.folder)  # its pages would be written where it points
        self.topic = topic
        self.manifest: Manifest | None = None
        """The committed state (None: no staging on disk)."""

    @property
    def exists(self) -> bool:
        """Whether a staging was committed (and `open` found it usable)."""
        return self.manifest is not None

    def open(self, listing: str) -> Manifest | None:
        """The committed staging of `listing`, each bucket cut back to its committed
        length; None when there is none. A staging of another listing, or one damaged
        (a bucket shorter than committed, a manifest that does not parse), is removed
        with a warning: the list is asked again, and nothing stored is lost.

        Raises:
            StoreError: the staging cannot be read or removed.
        """
        self.manifest = None
        if not self.folder.exists() and not self.folder.is_symlink():
            return None
        problem = self._check(listing)
        if problem is not None:
            logger.warning("%s: %s: listing the set again", self.folder, problem)
            self.remove()
            return None
        return self.manifest

    def _check(self, listing: str) -> str | None:
        """Why the staging on disk cannot be resumed for `listing`; None when it can (then
        `manifest` is set and the buckets are cut back)."""
        manifest = self._read_manifest()
        if isinstance(manifest, str):
            return manifest
        if manifest.listing != listing:
            return "it lists something else"
        for path in self.folder.iterdir():
            name = path.name.removesuffix(".bin")
            if path.name == MANIFEST or path.name.startswith("."):
                continue
            bucket = manifest.buckets.get(name)
            try:
                if bucket is None or path.is_symlink() or not path.is_file():
                    path.unlink()  # a crash's leftover: never committed
                elif path.stat().st_size < bucket.length:
                    return f"bucket {path.name} is shorter than committed"
                else:
                    with path.open("r+b") as handle:
                        handle.truncate(bucket.length)
            except OSError as exc:
                raise StoreError(path, f"cannot repair the staging: {exc.strerror}") from None
        missing = [m for m in manifest.buckets if not (self.folder / f"{m}.bin").is_file()]
        if missing:
            return f"bucket {missing[0]}.bin is missing"
        self.manifest = manifest
        return None

    def peek(self) -> Manifest | None:
        """The committed manifest, read without repairing anything (None: none usable)."""
        manifest = self._read_manifest()
        return None if isinstance(manifest, str) else manifest

    def _read_manifest(self) -> Manifest | str:
        """The manifest on disk, or why there is none to resume."""
        if self.folder.is_symlink() or not self.folder.is_dir():
            return "not a directory of its own (a link or a file)"
        try:
            return Manifest.model_validate_json(files.read_bytes(self.folder / MANIFEST))
        except FileNotFoundError:
            return "no manifest"
        except (OSError, StoreError, ValidationError):
            return "its manifest is damaged"

    def begin(self, listing: str, began: date, token: str | None = None) -> Manifest:
        """Start a new staging (an old one is removed), of a list begun on `began`,
        resuming it at `token`.

        Raises:
            StoreError: the staging cannot be written.
        """
        self.remove()
        self._mkdir()
        self._commit(Manifest(listing=listing, began=began, token=token))
        return self._committed()

    def append(self, papers: Iterable[Paper], token: str | None) -> None:
        """Stage one page's papers, then commit them with the `token` that asks the
        rest (None: the list is complete).

        Raises:
            StoreError: the staging cannot be written (what was committed stays).
        """
        manifest = self._committed()
        by_month: dict[str, list[Paper]] = {}
        for paper in papers:
            by_month.setdefault(paper.published.isoformat()[:7], []).append(paper)
        buckets = dict(manifest.buckets)
        added = 0
        for month, chunk in sorted(by_month.items()):
            with gc_paused():
                raw = _RECORDS.dump_json(chunk, indent=2)
            frame = zlib.compress(raw, _LEVEL)
            path = self.folder / f"{month}.bin"
            old = buckets.get(month, Bucket(length=0, records=0, size=0))
            try:
                with path.open("ab") as handle:
                    handle.write(_FRAME.pack(len(frame)) + frame)
            except OSError as exc:
                raise StoreError(path, f"cannot stage: {exc.strerror}") from None
            # Each record as a topic file holds it, less the array's brackets.
            size = old.size + len(raw) - 4 + 2
            buckets[month] = Bucket(
                length=old.length + _FRAME.size + len(frame),
                records=old.records + len(chunk),
                size=size,
            )
            added += len(chunk)
        self._commit(
            manifest.model_copy(
                update={
                    "token": token,
                    "complete": token is None,
                    "pages": manifest.pages + 1,
                    "records": manifest.records + added,
                    "buckets": dict(sorted(buckets.items())),
                }
            )
        )

    def chunks(self) -> Iterator[tuple[str, list[Paper]]]:
        """Every staged chunk of papers as `(month, papers)`, newest month first, each
        month's chunks in the order they were listed.

        Raises:
            StoreError: a bucket does not read back as it was staged.
        """
        manifest = self._committed()
        for month in sorted(manifest.buckets, reverse=True):
            path = self.folder / f"{month}.bin"
            for raw in _frames(path, manifest.buckets[month].length):
                try:
                    with gc_paused():
                        papers = _RECORDS.validate_json(zlib.decompress(raw))
                except (zlib.error, ValidationError):
                    raise StoreError(path, _DAMAGED) from None
                yield month, papers

    def layout(self) -> set[str]:
        """The topic's files the staged papers make, from the buckets' sizes, as
        `shards` would cut them: one file under `LIMIT_BYTES`, else a file per year, and
        a year past it a file per month (a month past it is cut by day when written)."""
        manifest = self._committed()
        sizes = {m: b.size for m, b in manifest.buckets.items()}
        if sum(sizes.values()) + 4 < shards.LIMIT_BYTES:
            return {f"{self.topic}.json"}
        names: set[str] = set()
        for year in sorted({m[:4] for m in sizes}):
            months = [m for m in sizes if m.startswith(year)]
            if sum(sizes[m] for m in months) + 4 < shards.LIMIT_BYTES:
                names.add(f"{self.topic}/{year}.json")
            else:
                names |= {f"{self.topic}/{m}.json" for m in months}
        return names

    def remove(self) -> None:
        """Remove the staging (done, or to be begun again).

        Raises:
            StoreError: it cannot be removed.
        """
        self.manifest = None
        try:
            if self.folder.is_symlink() or self.folder.is_file():
                self.folder.unlink()
            elif self.folder.exists():
                shutil.rmtree(self.folder)
        except OSError as exc:
            raise StoreError(self.folder, f"cannot remove the staging: {exc.strerror}") from None

    def _committed(self) -> Manifest:
        if self.manifest is None:
            raise StoreError(self.folder, "no staging begun")
        return self.manifest

    def _mkdir(self) -> None:
        seen.ignore_machine_files(self.folder.parent)
        try:
            self.folder.mkdir(parents=True)
        except OSError as exc:
            raise StoreError(self.folder, f"cannot stage: {exc.strerror}") from None

    def _commit(self, manifest: Manifest) -> None:
        files.write(self.folder / MANIFEST, (manifest.model_dump_json(indent=1) + "\n").encode())
        self.manifest = manifest


_DAMAGED = "the staging does not read back as staged: remove it to list the set again"


def _frames(path: Path, length: int) -> Iterator[bytes]:
    """The compressed chunks of a bucket's committed `length` bytes.

    Raises:
        StoreError: the bucket cannot be read, or its frames do not add up.
    """
    try:
        with path.open("rb") as handle:
            at = 0
            while at < length:
                head = handle.read(_FRAME.size)
                (size,) = _FRAME.unpack(head) if len(head) == _FRAME.size else (-1,)
                if size < 0 or at + _FRAME.size + size > length:
                    raise StoreError(path, _DAMAGED)
                yield handle.read(size)
                at += _FRAME.size + size
    except OSError as exc:
        raise files.unreadable(path, exc) from None


MERGE_PAPERS = 10_000
"""Staged papers merged at once (a page's part of a month is often a few): few merges,
each about 40 MB of papers at the most."""


def merge_into(
    staging: Staging,
    stored: TopicFiles,
    merge: Callable[[list[Paper]], object],
    flush: Callable[[], None],
) -> None:
    """Merge the staged papers into a topic's files: newest month first, up to
    `MERGE_PAPERS` at a time (`merge`), writing (`flush`) whenever the next papers land
    in another file than the last, or the file merged into reached `LIMIT_BYTES` (it is
    then cut), and at the end. A topic with no file yet (or only files of this same
    staging: an interrupted merge) is laid out first from the buckets' sizes, so no file
    is cut once written.

    Raises:
        StoreError: a bucket or a topic file is invalid, or a file cannot be written.
    """
    planned = staging.layout()
    if stored.layout.existing <= planned:
        stored.layout.add(*planned)
    batch: list[Paper] = []
    target: str | None = None
    for _, papers in staging.chunks():
        if not papers:
            continue
        lands = stored.layout.target(papers[0])
        if batch and (lands != target or len(batch) + len(papers) > MERGE_PAPERS):
            merge(batch)
            batch = []
            if lands != target or stored.pending().largest >= shards.LIMIT_BYTES:
                flush()  # left that file (newest first, it does not come back), or cut it
        batch += papers
        target = lands
    if batch:
        merge(batch)
    flush()
