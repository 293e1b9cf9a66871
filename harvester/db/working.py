"""The files a run works in, in memory: read once as rows, merged into, and let go
once the merges move on (`shards` writes them).

A file is held as rows (about its size, not the 1.7 times its records would take) and
only while it is merged into, so a run holds about one file, whatever the topic's size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from harvester.db import rows, store
from harvester.db.counts import Counts
from harvester.db.layout import Layout
from harvester.models import Paper


@dataclass(frozen=True)
class Pending:
    """What is merged into a topic's files in memory and not written yet."""

    files: int
    """Files merged into."""
    papers: int
    """Records new or changed in them."""
    largest: int
    """The bytes of the largest of them that can still be cut."""


class Working:
    """The rows of the files read or merged into, by file, and what is merged into them
    since the last write.

    Args:
        data_dir: the data directory.
        layout: the topic's layout (shared with its `TopicFiles`).
    """

    def __init__(self, data_dir: Path, layout: Layout) -> None:
        self.data_dir = data_dir
        self.layout = layout
        self._files: dict[str, dict[str, rows.Row]] = {}
        """Rows of the files read or merged into, by file (`read`)."""
        self.dirty: set[str] = set()
        """Files merged into (or to be removed) since the last write."""
        self.new = 0
        """New papers merged in and not yet written."""
        self._changed = 0
        """Records added or replaced in memory and not yet written."""
        self._merged = False
        """Whether anything was merged (if only nothing) since the last write."""
        self._next: Paper | None = None
        """The oldest paper of the last merge: the next are likely to land beside it."""

    def read(self, name: str) -> dict[str, rows.Row]:
        """A file's rows: read once, then kept (and merged into) until written."""
        if name not in self._files:
            self._files[name] = store.load_rows(self.data_dir / name) if name in self.layout else {}
        return self._files[name]

    def gather(self, records: Iterable[rows.Dated]) -> tuple[set[str], dict[str, rows.Row]]:
        """The files `records` land in (and coarser ones holding theirs), and their rows."""
        todo = {self.layout.target(r) for r in records}
        loaded: set[str] = set()
        while todo - loaded:
            name = min(todo - loaded)
            loaded.add(name)
            todo.update(self.layout.coarser(name))
            if not self.layout.settled(name):
                # A coarser file's papers go to their own files, which must be merged too.
                todo.update(self.layout.target(r) for r in self.read(name).values())
        stored: dict[str, rows.Row] = {}
        for name in sorted(loaded):
            for key, row in self.read(name).items():
                old = stored.get(key)
                stored[key] = row if old is None else _newer(old, row)
        return loaded, stored

    def merge(
        self, fetched: list[Paper], *, ties_keep_stored: bool = False
    ) -> tuple[dict[str, Paper], Counts]:
        """Merge `fetched` into the files they land in, in memory; the records it added
        or replaced, and the counts.

        Raises:
            StoreError: a file is invalid (nothing is changed).
        """
        self._merged = True
        loaded, stored = self.gather(fetched)
        won, counts = store.outcome(
            rows.RowPapers(stored), fetched, ties_keep_stored=ties_keep_stored
        )
        if fetched:
            self._next = min(fetched, key=Paper.sort_key)
        settled = all(self.layout.settled(n) for n in loaded)
        made = list(rows.rows(won.values()))
        if settled:  # each paper is in its own file already: add to those files
            for row in made:
                name = self.layout.target(row)
                self.read(name)[row.key] = row
                self.dirty.add(name)
                for other in loaded - {name}:  # a paper whose `published` moved it
                    if self.read(other).pop(row.key, None) is not None:
                        self.dirty.add(other)
        else:  # some papers are not where they belong: every file read is made anew
            stored.update((row.key, row) for row in made)
            for name in loaded:
                self._files[name] = {}
            for row in stored.values():
                self.read(self.layout.target(row))[row.key] = row
            self.dirty |= loaded | {self.layout.target(row) for row in made}
        self.new += counts.new
        self._changed += len(made)
        # What this merge did not read and will not write is not kept (memory).
        self._files = {n: r for n, r in self._files.items() if n in loaded or n in self.dirty}
        return won, counts

    def pending(self) -> Pending:
        """What was merged that no write has stored yet."""
        cuttable = [n for n in self.dirty if self.layout.cuttable(n)]
        return Pending(
            files=len(self.dirty),
            papers=self._changed,
            largest=max((_size(self._files.get(n, {}).values()) for n in cuttable), default=0),
        )

    def take(self) -> tuple[set[str], list[rows.Row], bool]:
        """For a write: the files merged into, their rows (no longer held here), and
        whether anything was merged since the last write; what was merged is then
        forgotten, so a write that fails claims none of it."""
        dirty, self.dirty = self.dirty, set()
        self.new = self._changed = 0
        merged, self._merged = self._merged, False
        held = [row for n in sorted(dirty) for row in self._files.pop(n, {}).values()]
        return dirty, held, merged

    def keep(self, written: dict[str, dict[str, rows.Row]]) -> None:
        """After a write of these files' rows: keep only the file the next papers are
        likely to land in (a first harvest goes newest first: where these ended)."""
        keep = self.layout.target(self._next) if self._next is not None else None
        self._files = {n: r for n, r in written.items() if n == keep} | {
            n: r for n, r in self._files.items() if n == keep
        }


def _size(held: Iterable[rows.Row]) -> int:
    """The bytes of a file of these rows (but the 4 of its brackets)."""
    return sum(len(r.data) + 2 for r in held)


def _newer(old: rows.Row, row: rows.Row) -> rows.Row:
    """Of one paper's rows in two files (an interrupted switch), the one to keep, by
    the rules of a merge."""
    if old.data == row.data:
        return row
    kept = store.merge({old.key: old.paper()}, [row.paper()]).papers[old.key]
    return next(rows.rows([kept]))
