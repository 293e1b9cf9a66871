"""A topic's papers for what is made from them: newest first, each once, read a file at
a time, so that an output of the whole topic holds about one file, not the topic.

The files are read in the order of the newest `published` day their stamps name (the
stamps say what each file holds without reading it: `shards.TopicFiles.verify`), and a
paper is handed on once no file left to read can hold it. A topic's files are disjoint
in their days, so each is streamed as it is, a block at a time (newest first, as the
file format orders it: a file out of that order is an error `harvest check` names too); during an
interrupted switch a coarser file and its finer ones share days, and a paper in both
is handed on once, as `TopicFiles.load` merges it (`store.merge`, in the files' order).
A paper's records share its `published` day (that of its first version, which never
changes), which is what lets it be met in the files that hold that day.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import date
from functools import cached_property
from itertools import pairwise
from pathlib import Path

from harvester.db import store
from harvester.db.shards import TopicFiles
from harvester.db.state import FileStamp
from harvester.models import Paper

logger = logging.getLogger(__name__)


class TopicReader:
    """One topic's papers, read a file at a time (`papers`), and what the stamps of its
    files say of them before they are read (`total`, `published`).

    Args:
        data_dir: the data directory.
        topic: the topic's name.
        known: the stamps the topic's harvest state keeps; a file that still matches its
            stamp is not read to be counted, any other is read (and validated) now.

    Raises:
        StoreError: a file not vouched for by `known` is invalid.
    """

    def __init__(
        self, data_dir: Path, topic: str, known: Mapping[str, FileStamp] | None = None
    ) -> None:
        self.data_dir = data_dir
        self.topic = topic
        files = TopicFiles(data_dir, topic, remember=False)
        files.verify(dict(known or {}))
        self.stamps: dict[str, FileStamp] = files.stamps
        """A stamp per file of the topic."""

    def order(self) -> list[str]:
        """The files holding papers, in the order they are read: newest day first."""
        held = [n for n, s in self.stamps.items() if s.papers]
        return sorted(held, key=lambda n: (max(self.stamps[n].published), n), reverse=True)

    @property
    def overlapping(self) -> bool:
        """Whether two files share a day (an interrupted switch): a paper may be in both."""
        spans = sorted(
            (min(s.published), max(s.published)) for s in self.stamps.values() if s.papers
        )
        return any(later[0] <= earlier[1] for earlier, later in pairwise(spans))

    def papers(self) -> Iterator[Paper]:
        """Every paper of the topic, newest first (`published`, then id, descending), each
        once, reading one file at a time.

        Raises:
            StoreError: a file is invalid.
        """
        if not self.overlapping:  # each file holds its own days: streamed as it is
            for name in self.order():
                yield from store.stream(self.data_dir / name)
            return
        held: dict[str, list[tuple[str, Paper]]] = {}
        for name in self.order():
            yield from _ready(held, after=max(self.stamps[name].published))
            for paper in store.load(self.data_dir / name).values():
                held.setdefault(paper.key, []).append((name, paper))
        yield from _ready(held, after=None)

    @cached_property
    def _counted(self) -> Counter[date]:
        if self.overlapping:  # a paper in two files: only reading them tells
            logger.info(
                "%s: files share days (an interrupted switch): counted by reading", self.topic
            )
            return Counter(p.published for p in self.papers())
        days: Counter[date] = Counter()
        for stamp in self.stamps.values():
            days.update(stamp.published)
        return days

    @property
    def published(self) -> Counter[date]:
        """The topic's papers per `published` day, each paper once."""
        return self._counted

    @property
    def total(self) -> int:
        """The topic's papers, each once."""
        return self._counted.total()


def _ready(held: dict[str, list[tuple[str, Paper]]], *, after: date | None) -> Iterator[Paper]:
    """Take from `held` the papers published after `after` (all when None), newest first,
    each as the merge of its records in the order of the files' names (as `load` reads)."""
    ready = []
    for records in held.values():
        paper = records[0][1] if len(records) == 1 else _merged(records)
        if after is None or paper.published > after:
            ready.append(paper)
    for paper in ready:
        del held[paper.key]
    yield from sorted(ready, key=Paper.sort_key, reverse=True)


def _merged(records: list[tuple[str, Paper]]) -> Paper:
    merged: dict[str, Paper] = {}
    for _, paper in sorted(records, key=lambda record: record[0]):
        merged = store.merge(merged, [paper]).papers
    (paper,) = merged.values()
    return paper
