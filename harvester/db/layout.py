"""Which of a topic's files a paper belongs in: `NAME.json`, then `NAME/YYYY.json`,
`NAME/YYYY-MM.json`, `NAME/YYYY-MM-DD.json` (`shards` decides when a file is cut).

A paper's file follows from its `published` date (which never changes) and the files
already cut, so a paper never moves but when its file is cut.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from harvester.db.rows import Dated
from harvester.errors import StoreError
from harvester.models import Paper

SHARD_NAME = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?\.json", re.ASCII)
"""The shape of a shard's name (ASCII digits: `\\d` would match fullwidth digits); `is_shard`
also asks that it name a real month or day."""
NOT_A_SHARD = "not a shard of {topic} (YYYY.json, YYYY-MM.json, YYYY-MM-DD.json)"
DAY = 3
"""The finest cut: a day (levels: 0 the one file, 1 a year, 2 a month, 3 a day)."""


def is_shard(name: str) -> bool:
    """Whether `name` is a shard's file name: `2024.json`, `2024-03.json`, `2024-03-05.json`
    (a real month or day; never `2024-00.json` or `2024-02-30.json`)."""
    if SHARD_NAME.fullmatch(name) is None:
        return False
    stem = name.removesuffix(".json")
    try:
        date.fromisoformat((stem + "-01-01")[:10])
    except ValueError:
        return False
    return True


def listing(data_dir: Path, topic: str) -> set[str]:
    """A topic's files on disk, relative to the data directory.

    Raises:
        StoreError: a file in the topic's folder ends in `.json` (in any case) but is not
            a shard's name: the harvest would not see it, and would store its papers
            a second time in the file they belong in.
    """
    single = f"{topic}.json"
    names = {single} if (data_dir / single).exists() else set()
    folder = data_dir / topic
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if is_shard(path.name):
                names.add(f"{topic}/{path.name}")
            elif path.name.lower().endswith(".json"):
                raise StoreError(path, NOT_A_SHARD.format(topic=topic))
    return names


class Layout:
    """A topic's files as they stand (changed as files are cut, written and removed,
    through `add` and `discard`), and the file each paper belongs in.

    Which years and months are cut finer is kept as a count of the files below each, so
    placing a paper costs the same with five files or five hundred.
    """

    def __init__(self, topic: str, existing: set[str]) -> None:
        self.topic = topic
        self._existing: set[str] = set()
        self._below: Counter[str] = Counter()
        """Per year or month (`2024`, `2024-03`), the files cut finer below it."""
        self.add(*existing)

    @property
    def existing(self) -> frozenset[str]:
        """The topic's files, relative to the data directory."""
        return frozenset(self._existing)

    def __contains__(self, name: str) -> bool:
        return name in self._existing

    def add(self, *names: str) -> None:
        """Count these files as the topic's."""
        for name in names:
            if name not in self._existing:
                self._existing.add(name)
                self._below.update(_parents(name, self.single))

    def discard(self, name: str) -> None:
        """Count this file no longer as the topic's."""
        if name in self._existing:
            self._existing.discard(name)
            self._below.subtract(_parents(name, self.single))

    @property
    def single(self) -> str:
        """The name (relative to the data directory) of the one-file layout's file."""
        return f"{self.topic}.json"

    @property
    def sharded(self) -> bool:
        """Whether the topic is stored a year (or month) per file."""
        return len(self._existing) > (self.single in self._existing)

    def target(self, record: Dated) -> str:
        """The file `record` (a paper or a row) belongs in, in the layout as it stands."""
        if not self.sharded:
            return self.single
        level = 1
        while level < DAY and self._below[_stem(record, level)] > 0:
            level += 1
        return self.name(record, level)

    def name(self, record: Dated, level: int) -> str:
        """The file of `record` at a level of the cut."""
        return self.single if level == 0 else f"{self.topic}/{_stem(record, level)}.json"

    def level(self, name: str) -> int:
        """A file's level of the cut."""
        return 0 if name == self.single else name.rpartition("/")[2].count("-") + 1

    def finer(self, cut: str, record: Dated) -> str:
        """The file `record` goes in once the file `cut` is cut."""
        return self.name(record, self.level(cut) + 1)

    def cuttable(self, name: str) -> bool:
        """Whether a file can be cut finer (a day's cannot)."""
        return self.level(name) < DAY

    def coarser(self, name: str) -> list[str]:
        """Files that may still hold papers of `name` after an interrupted switch."""
        stem = name.rpartition("/")[2].removesuffix(".json")
        parts = stem.split("-") if name != self.single else []
        out = [self.single] + [
            f"{self.topic}/{'-'.join(parts[:n])}.json" for n in range(1, len(parts))
        ]
        return [n for n in out if n in self._existing and n != name]

    def settled(self, name: str) -> bool:
        """Whether every paper of `name` belongs in it: no finer file of it exists."""
        if name == self.single:
            return not self.sharded
        return self._below[name.rpartition("/")[2].removesuffix(".json")] <= 0


def _parents(name: str, single: str) -> list[str]:
    """The years and months a file is cut below: `2024-03-05.json` -> `2024`, `2024-03`."""
    if name == single:
        return []
    parts = name.rpartition("/")[2].removesuffix(".json").split("-")
    return ["-".join(parts[:n]) for n in range(1, len(parts))]


def _stem(record: Dated, level: int) -> str:
    """The name (without `.json`) of a record's file at a level of the cut: `2024`,
    `2024-03` or `2024-03-05`."""
    return record.published.isoformat()[: (0, 4, 7, 10)[level]]


def check_placement(path: Path, topic: str, papers: Iterable[Paper]) -> None:
    """Raise when a file in a topic's folder is not a shard, or holds a paper of another
    year, month or day than its name says.

    Raises:
        StoreError: the first such problem.
    """
    if not is_shard(path.name):
        raise StoreError(path, NOT_A_SHARD.format(topic=topic))
    stem = path.name.removesuffix(".json")
    for paper in papers:
        if not paper.published.isoformat().startswith(stem):
            raise StoreError(path, f"paper {paper.key}, published {paper.published}, misplaced")
