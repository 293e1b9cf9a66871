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
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from harvester import files
from harvester.db import seen, store
from harvester.db.state import FileStamp
from harvester.errors import StoreError
from harvester.models import Paper

logger = logging.getLogger(__name__)

LIMIT_BYTES = 40_000_000
"""A file that would pass this is cut (40 MB: under GitHub's 50 MB warning)."""
SHARD_NAME = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?\.json$")
DAY = 3
"""The finest cut: a day (levels: 0 the one file, 1 a year, 2 a month, 3 a day)."""


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
    """

    def __init__(
        self, data_dir: Path, topic: str, *, dry_run: bool = False, remember: bool = True
    ) -> None:
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
        self._cache: dict[str, dict[str, Paper]] = {}
        # Kept whole when files are committed unverified (the change feed), so that the
        # entries of the files not written stay for the next `verify`.
        self._saw: seen.Seen = seen.load(seen.path_for(data_dir, topic)) if self.remember else {}
        self._existing = self._listing()

    @property
    def single(self) -> str:
        """The name (relative to the data directory) of the one-file layout's file."""
        return f"{self.topic}.json"

    @property
    def sharded(self) -> bool:
        """Whether the topic is stored a year (or month) per file."""
        return any(name != self.single for name in self._existing)

    def names(self) -> list[str]:
        """The topic's files that exist, relative to the data directory, sorted."""
        return sorted(self._existing)

    def path(self, name: str) -> Path:
        """The path of one of the topic's files."""
        return self.data_dir / name

    def _listing(self) -> set[str]:
        names = {self.single} if self.path(self.single).exists() else set()
        folder = self.data_dir / self.topic
        if folder.is_dir():
            names |= {
                f"{self.topic}/{p.name}" for p in folder.iterdir() if SHARD_NAME.match(p.name)
            }
        return names

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
        remade = set(known) != self._existing
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
            saw = {n: v for n, v in self._saw.items() if n in self._existing}
            seen.save(seen.path_for(self.data_dir, self.topic), saw)

    # -- reading --------------------------------------------------------------------

    def target(self, paper: Paper) -> str:
        """The file `paper` belongs in, in the layout as it stands."""
        if not self.sharded:
            return self.single
        level = 1
        while level < DAY and any(
            n.startswith(f"{self.topic}/{_stem(paper, level)}-") for n in self._existing
        ):
            level += 1
        return self._name(paper, level)

    def _name(self, paper: Paper, level: int) -> str:
        return self.single if level == 0 else f"{self.topic}/{_stem(paper, level)}.json"

    def _level(self, name: str) -> int:
        return 0 if name == self.single else name.rpartition("/")[2].count("-") + 1

    def _coarser(self, name: str) -> list[str]:
        """Files that may still hold papers of `name` after an interrupted switch."""
        stem = name.rpartition("/")[2].removesuffix(".json")
        parts = stem.split("-") if name != self.single else []
        out = [self.single] + [
            f"{self.topic}/{'-'.join(parts[:n])}.json" for n in range(1, len(parts))
        ]
        return [n for n in out if n in self._existing and n != name]

    def _read(self, name: str) -> dict[str, Paper]:
        if name not in self._cache:
            self._cache[name] = store.load(self.path(name)) if name in self._existing else {}
        return self._cache[name]

    def load(self) -> dict[str, Paper]:
        """Every paper of the topic (both layouts, should both be there).

        Raises:
            StoreError: a file is invalid.
        """
        papers: dict[str, Paper] = {}
        for name in self.names():
            papers = store.merge(papers, store.load(self.path(name)).values()).papers
        return papers

    def keys(self) -> set[str]:
        """The identity of every stored paper, read a file at a time."""
        keys: set[str] = set()
        for name in self.names():
            keys.update(store.load(self.path(name)))
        return keys

    def load_for(self, papers: Iterable[Paper]) -> dict[str, Paper]:
        """The papers of the files that `papers` land in (read once, then kept until
        the next commit).

        Raises:
            StoreError: such a file is invalid.
        """
        return self._gather(papers)[1]

    def _gather(self, papers: Iterable[Paper]) -> tuple[set[str], dict[str, Paper]]:
        """The files `papers` land in (and coarser ones holding theirs), and their papers."""
        todo = {self.target(p) for p in papers}
        loaded: set[str] = set()
        while todo - loaded:
            name = min(todo - loaded)
            loaded.add(name)
            todo.update(self._coarser(name))
            # A coarser file's papers go to their own files, which must be merged too.
            todo.update(self.target(p) for p in self._read(name).values())
        stored: dict[str, Paper] = {}
        for name in sorted(loaded):
            stored = store.merge(stored, self._read(name).values()).papers
        return loaded, stored

    # -- writing --------------------------------------------------------------------

    def commit(self, fetched: Iterable[Paper], *, ties_keep_stored: bool = False) -> store.Merge:
        """Merge `fetched` into the files they land in and write those whose bytes change
        (cutting a file that would pass `LIMIT_BYTES`). Its `papers` are those of the
        files it read; its `total`, the topic's.

        Raises:
            StoreError: a file is invalid or cannot be written; none is then removed.
        """
        fetched = list(fetched)
        loaded, stored = self._gather(fetched)
        merged = store.merge(stored, fetched, ties_keep_stored=ties_keep_stored)
        if not fetched and self._existing:
            return replace(merged, total=self.total())
        # A topic without papers still has its (empty) file, so tools find it.
        groups = self._layout(merged.papers.values()) or {self.single: _Group({}, [b"[]\n"])}
        if self.dry_run:
            self._cache = {n: g.papers for n, g in groups.items()}  # later batches merge here
            return replace(merged, total=self.total() + merged.counts.new)
        self._write(groups, loaded)
        # A first harvest goes newest first: its next batch lands where this one ended.
        keep = min((self.target(p) for p in fetched), default=None)
        self._cache = {n: g.papers for n, g in groups.items() if n == keep}
        return replace(merged, total=self.total())

    def oversized(self) -> list[str]:
        """Files that can be cut and are past the limit (written before it existed)."""
        return [n for n, s in self.stamps.items() if s.bytes >= LIMIT_BYTES and self._cuttable(n)]

    def relayout(self) -> store.Merge:
        """Cut every file past the limit, reading only those."""
        return self.commit([p for n in self.oversized() for p in self._read(n).values()])

    def _layout(self, papers: Iterable[Paper]) -> dict[str, _Group]:
        """The papers grouped by the file each goes in, with its bytes, cutting files
        past the limit."""
        papers = list(papers)
        while True:
            grouped: dict[str, dict[str, Paper]] = {}
            for paper in papers:
                grouped.setdefault(self.target(paper), {})[paper.key] = paper
            # Kept in pieces: joining them would hold a file's bytes twice.
            groups = {n: _Group(g, list(store.pieces(g.values()))) for n, g in grouped.items()}
            cut = next(
                (n for n, g in groups.items() if self._cuttable(n) and g.size >= LIMIT_BYTES),
                None,
            )
            if cut is None:
                return groups
            # The finer names make `target` see the new layout; `_write` makes the files
            # and removes the one cut.
            finer = ("year", "month", "day")[self._level(cut)]
            logger.info("%s: past %d bytes: one file per %s from now on", cut, LIMIT_BYTES, finer)
            self._existing |= {self._finer(cut, p) for p in groups[cut].papers.values()}
            self._existing.discard(cut)
            del groups, grouped  # the bytes of the file cut go before its parts are made

    def _finer(self, cut: str, paper: Paper) -> str:
        return self._name(paper, self._level(cut) + 1)

    def _cuttable(self, name: str) -> bool:
        return self._level(name) < DAY

    def _write(self, groups: dict[str, _Group], loaded: set[str]) -> None:
        """Write the groups (finer files first), then remove the loaded files left empty."""
        for name in sorted(groups, key=lambda n: (-self._level(n), n)):
            data = groups[name].data
            if files.write(self.path(name), data):
                self.written = True
                self.bytes_written += groups[name].size
            self._existing.add(name)
            self.stamps[name] = seen.stamp(data, groups[name].papers.values())
            self._saw[name] = [*seen.stat_of(self.path(name)), self.stamps[name].blob]
        for name in sorted(loaded - set(groups)):
            self.path(name).unlink(missing_ok=True)
            self._existing.discard(name)
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
    """The papers of one file, and its bytes."""

    papers: dict[str, Paper]
    data: list[bytes]
    """The file's bytes, in pieces."""

    @property
    def size(self) -> int:
        """The file's size."""
        return sum(map(len, self.data))


def _stem(paper: Paper, level: int) -> str:
    """The name (without `.json`) of a paper's file at a level of the cut: `2024`,
    `2024-03` or `2024-03-05`."""
    return paper.published.isoformat()[: (0, 4, 7, 10)[level]]


def check_placement(path: Path, topic: str, papers: Iterable[Paper]) -> None:
    """Raise when a file in a topic's folder is not a shard, or holds a paper of another
    year, month or day than its name says.

    Raises:
        StoreError: the first such problem.
    """
    if SHARD_NAME.match(path.name) is None:
        raise StoreError(path, f"not a shard of {topic} (YYYY.json, YYYY-MM.json, YYYY-MM-DD.json)")
    stem = path.name.removesuffix(".json")
    for paper in papers:
        if not paper.published.isoformat().startswith(stem):
            raise StoreError(path, f"paper {paper.key}, published {paper.published}, misplaced")
