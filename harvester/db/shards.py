"""A topic's files: `data/NAME.json` while small, then one file per year, then per month.

A topic's records stay in `data/NAME.json` while that file is under `LIMIT_BYTES`. A
write that would pass it stores the topic as `data/NAME/YYYY.json` instead, one file
per year of `published`, and a year that would pass it as `data/NAME/YYYY-MM.json`
(DESIGN.md, "Size": GitHub warns at 50 MB and refuses 100 MB). Each file is in the
topic-file format of `store`. A paper's file follows from its `published` date (which
never changes) and the years already cut, so a paper never moves but when its file is
cut, and a merge reads and writes only the files its papers land in.

Finer files are written before a coarser one is removed, so an interrupted switch
leaves both, and the next write finishes it; reading takes both.

A file read to be merged into is kept as rows (`rows.Row`: each record's bytes and
what placing it needs), about the file's size, not as records (1.7 times it), and only
while it is merged into: a run holds about one file, whatever the topic's size.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from harvester import files
from harvester.db import rows, seen, store
from harvester.db.layout import Layout, listing
from harvester.db.state import FileStamp
from harvester.db.working import Pending, Working
from harvester.models import Paper

logger = logging.getLogger(__name__)

LIMIT_BYTES = 40_000_000
"""A file that would pass this is cut (40 MB: under GitHub's 50 MB warning)."""


class TopicFiles:
    """One topic's records on disk, in either layout, read and written a file at a time.

    The API a source merges through: `load` (every paper), `load_for` (the papers of the
    files given papers land in), `commit` (merge, write the files whose bytes change),
    and `stamps` (a stamp per file, kept in the harvest state by the caller).

    Args:
        data_dir: the data directory.
        topic: the topic's name.
        dry_run: merge in memory, write nothing.
        remember: keep what this machine saw of the files (`seen`), so that the next
            run trusts them without reading them.

    Raises:
        StoreError: the topic's directory (`data/NAME/`) is a symbolic link.
    """

    def __init__(
        self, data_dir: Path, topic: str, *, dry_run: bool = False, remember: bool = True
    ) -> None:
        files.check_not_linked(data_dir / topic)  # its year files would be written there
        self.data_dir = data_dir
        self.topic = topic
        self.dry_run = dry_run
        self.remember = remember and not dry_run
        self.stamps: dict[str, FileStamp] = {}
        """A stamp per file of the topic, once `verify` or a write made it."""
        self.written = False
        """Whether any file was written (or removed)."""
        self.bytes_written = 0
        """Bytes of the files written, as handed to the writer."""
        # Kept whole when files are committed unverified (the change feed), so that the
        # entries of the files not written stay for the next `verify`.
        self._saw: seen.Seen = seen.load(seen.path_for(data_dir, topic)) if self.remember else {}
        self.layout = Layout(topic, listing(data_dir, topic))
        """Which file a paper belongs in, and the files there are."""
        self._working = Working(data_dir, self.layout)

    @property
    def sharded(self) -> bool:
        """Whether the topic is stored a year (or month) per file."""
        return self.layout.sharded

    def names(self) -> list[str]:
        """The topic's files that exist, relative to the data directory, sorted."""
        return sorted(self.layout.existing)

    def path(self, name: str) -> Path:
        """The path of one of the topic's files."""
        return self.data_dir / name

    def size_of(self, name: str) -> int:
        """The bytes of one of the topic's files (0 for one not written yet)."""
        try:
            return self.path(name).stat().st_size if name in self.layout else 0
        except FileNotFoundError:
            return 0

    # -- trusting what is stored ----------------------------------------------------

    def verify(self, known: dict[str, FileStamp]) -> bool:
        """Take each file's stamp from `known` when the file still matches it, else read
        (and validate) the file; returns whether any stamp had to be made anew.

        A file matches when the stat this machine recorded for it (size, mtime, inode)
        is unchanged, or else when its bytes have the stamp's blob id: a file edited
        by hand or by `git pull` is read. Only a file that matches neither is parsed.

        Raises:
            StoreError: a file is invalid (nothing is changed).
        """
        saw = self._saw = seen.load(seen.path_for(self.data_dir, self.topic))
        fresh: dict[str, FileStamp] = {}
        remade = set(known) != self.layout.existing
        for name in self.names():
            path, old = self.path(name), known.get(name)
            info = seen.stat_of(path)
            if old is not None and saw.get(name) == [*info, old.blob]:
                fresh[name] = old
                continue
            raw = files.read_bytes(path)
            if old is not None and len(raw) == old.bytes and seen.blob_id(raw) == old.blob:
                fresh[name] = old
            else:
                papers = store.parse(path, raw)
                fresh[name] = seen.stamp(raw, papers.values())
                remade = True
            saw[name] = [*info, fresh[name].blob]
        self.stamps = fresh
        self._save_seen()
        return remade

    def _save_seen(self) -> None:
        if self.remember:
            saw = {n: v for n, v in self._saw.items() if n in self.layout}
            seen.save(seen.path_for(self.data_dir, self.topic), saw)

    # -- reading --------------------------------------------------------------------

    def load(self) -> dict[str, Paper]:
        """Every paper of the topic (both layouts, should both be there).

        Raises:
            StoreError: a file is invalid.
        """
        papers: dict[str, Paper] = {}
        for name in self.names():
            papers = store.merge(papers, store.load(self.path(name)).values()).papers
        return papers

    def each(self) -> Iterator[Paper]:
        """Every stored record, read a file at a time (a paper in two files during an
        interrupted switch comes twice).

        Raises:
            StoreError: a file is invalid.
        """
        for name in self.names():
            yield from store.load(self.path(name)).values()

    def keys(self) -> set[str]:
        """The identity of every stored paper, read a file at a time."""
        return {p.key for p in self.each()}

    def load_for(self, papers: Iterable[rows.Dated]) -> Mapping[str, Paper]:
        """The papers of the files that `papers` (records, or any dates) land in, each
        made when looked up (the files read once, then kept until the next write).

        Raises:
            StoreError: such a file is invalid.
        """
        return rows.RowPapers(self._working.gather(papers)[1])

    # -- writing --------------------------------------------------------------------

    def stage(self, fetched: Iterable[Paper], *, ties_keep_stored: bool = False) -> store.Merge:
        """Merge `fetched` into the files they land in, in memory: `flush` writes them.
        Its `papers` are those the merge added or replaced; its `total`, the topic's
        with them.

        Raises:
            StoreError: a file is invalid (nothing is changed).
        """
        won, counts = self._working.merge(list(fetched), ties_keep_stored=ties_keep_stored)
        return store.Merge(won, counts, total=self.total() + self._working.new)

    @property
    def staged_new(self) -> int:
        """New papers merged in and not written (in a dry run, every new one)."""
        return self._working.new

    def pending(self) -> Pending:
        """What `stage` merged that no write has stored yet."""
        return self._working.pending()

    def flush(self) -> None:
        """Write the files merged into since the last write (cutting one that would pass
        `LIMIT_BYTES`, finer files first), then remove those left empty. A topic
        without papers still gets its (empty) file, so tools find it.

        Raises:
            StoreError: a file cannot be written; none is then removed, and what was
                merged is dropped (the harvest state does not claim it).
        """
        if self.dry_run:
            return
        dirty, held, merged = self._working.take()
        if not dirty and (self.layout.existing or not merged):
            return
        groups = self._group(held)
        if not groups and not self.layout.existing - dirty:
            groups = {self.layout.single: _Group({}, [b"[]\n"])}
        self._write(groups, dirty)
        self._working.keep({n: g.rows for n, g in groups.items()})

    def commit(self, fetched: Iterable[Paper], *, ties_keep_stored: bool = False) -> store.Merge:
        """`stage`, then `flush`: merge `fetched` into the files they land in and write
        those whose bytes change. Its `total` is the topic's.

        Raises:
            StoreError: a file is invalid or cannot be written; none is then removed.
        """
        merged = self.stage(fetched, ties_keep_stored=ties_keep_stored)
        self.flush()
        return replace(merged, total=self.total() + self._working.new)

    def oversized(self) -> list[str]:
        """Files that can be cut and are past the limit (written before it existed)."""
        return [
            n for n, s in self.stamps.items() if s.bytes >= LIMIT_BYTES and self.layout.cuttable(n)
        ]

    def relayout(self) -> None:
        """Cut every file past the limit, reading only those."""
        for name in self.oversized():
            self._working.read(name)
            self._working.dirty.add(name)
        self.flush()

    def _group(self, held: list[rows.Row]) -> dict[str, _Group]:
        """The rows grouped by the file each goes in, with its bytes, cutting files
        past the limit."""
        while True:
            grouped: dict[str, dict[str, rows.Row]] = {}
            for row in held:
                grouped.setdefault(self.layout.target(row), {})[row.key] = row
            groups = {n: _Group(g, rows.row_pieces(g.values())) for n, g in grouped.items()}
            cut = next(
                (n for n, g in groups.items() if self.layout.cuttable(n) and g.size >= LIMIT_BYTES),
                None,
            )
            if cut is None:
                return groups
            # The finer names make `target` see the new layout; `_write` makes the files
            # and removes the one cut.
            finer = ("year", "month", "day")[self.layout.level(cut)]
            logger.info("%s: past %d bytes: one file per %s from now on", cut, LIMIT_BYTES, finer)
            self.layout.add(*{self.layout.finer(cut, r) for r in groups[cut].rows.values()})
            self.layout.discard(cut)

    def _write(self, groups: dict[str, _Group], loaded: set[str]) -> None:
        """Write the groups (finer files first), then remove the loaded files left empty."""
        for name in sorted(groups, key=lambda n: (-self.layout.level(n), n)):
            data = groups[name].data
            if files.write(self.path(name), data):
                self.written = True
                self.bytes_written += groups[name].size
            self.layout.add(name)
            self.stamps[name] = seen.stamp(data, groups[name].rows.values())
            self._saw[name] = [*seen.stat_of(self.path(name)), self.stamps[name].blob]
        for name in sorted(loaded - set(groups)):
            self.path(name).unlink(missing_ok=True)
            self.layout.discard(name)
            self.stamps.pop(name, None)
            self.written = True
        self._save_seen()

    # -- summaries ------------------------------------------------------------------

    def total(self) -> int:
        """Papers in the topic, from the stamps (a paper in two files counts twice only
        during an interrupted switch)."""
        return sum(s.papers for s in self.stamps.values())

    def published(self) -> Counter[date]:
        """Papers per `published` day, from the stamps."""
        days: Counter[date] = Counter()
        for s in self.stamps.values():
            days.update(s.published)
        return days

    def updated_since(self, moment: datetime) -> int:
        """Papers whose `updated` day is on or after `moment`'s, from the stamps."""
        day = moment.date()
        return sum(n for s in self.stamps.values() for d, n in s.updated.items() if d >= day)


@dataclass(frozen=True)
class _Group:
    """The rows of one file, and its bytes."""

    rows: dict[str, rows.Row]
    data: list[bytes]
    """The file's bytes, in pieces."""

    @property
    def size(self) -> int:
        """The file's size."""
        return sum(map(len, self.data))
