"""The change feed's merge: listed OAI-PMH records merged into the topics that store their
papers (or whose set takes them), a batch of files at a time, each file read and written
once (`harvester.harvest.changes` lists them and keeps the cursor).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from harvester.config import Topic
from harvester.db.counts import Counts
from harvester.db.shards import TopicFiles
from harvester.harvest.ids import month_of
from harvester.models import Paper
from harvester.oai.records import Record

BATCH_FILE_BYTES = 40_000_000
"""About the most bytes of topic files one merge reads and holds (one file at the size
limit): a batch of changes spread over every file is merged a file or a few at a time."""


@dataclass
class Held:
    """A topic the feed serves: its files, and what the feed's merges did to it."""

    topic: Topic
    files: TopicFiles
    counts: Counts = field(default_factory=Counts)
    written: bool = False

    def takes_new(self, record: Record) -> bool:
        """Whether a set topic takes a paper it does not store: listed in its set."""
        if self.topic.whole_archive:
            return True
        spec = self.topic.set_spec
        return spec is not None and any(s == spec or s.startswith(f"{spec}:") for s in record.sets)


def merge(held: list[Held], listed: list[Record], *, dry_run: bool) -> list[Held]:
    """Merge listed records into the topics that store their papers (or whose set takes
    them), a batch of files at a time (`_by_file`): only the files those papers land in
    are read, each written once; returns the topics that changed."""
    changed = []
    for owner in held:
        for batch in _by_file(owner.files, listed):
            # The file its id's month names too: a stored paper whose v1 date arXiv now
            # gives otherwise is found where it is, not filed a second time.
            probes = [r.paper for r in batch] + [m for r in batch if (m := id_month(r.paper))]
            stored = owner.files.load_for(probes)
            fetched = []
            for record in batch:
                old = stored.get(record.paper.key)
                if old is None and not owner.takes_new(record):
                    continue
                since = owner.topic.since
                if since is not None and record.paper.published < since:
                    continue
                fetched.append(record.paper if old is None else _onto(old, record.paper))
            if not fetched:
                continue
            # Only the files these papers land in are read and written (`shards`).
            merged = owner.files.commit(fetched)
            counts = _withdrawals(stored, merged.papers, merged.counts)
            del stored  # before the next batch's files are read (memory: a batch at a time)
            owner.written |= owner.files.written and not dry_run
            owner.counts += counts
            if counts.changed and owner not in changed:
                changed.append(owner)
    return changed


@dataclass(frozen=True)
class _Month:
    """A month as a `rows.Dated`: where a paper of that month's first day is filed."""

    published: date
    updated_day: date | None = None


def id_month(paper: Paper) -> _Month | None:
    """The month a paper's id was given in (`2403.01234`, `hep-th/9901001`: the month of
    its first submission, `ids.month_of`), when the id names a real one."""
    year, month = map(int, month_of(paper.key).split("-"))
    return _Month(date(year, month, 1)) if 1 <= month <= 12 else None


def _by_file(files: TopicFiles, listed: list[Record]) -> Iterable[list[Record]]:
    """The listed records in batches by the file each lands in, a batch's files holding
    at most about `BATCH_FILE_BYTES` (a file past it alone): a day's changes across a
    whole archive read and rewrite each file they touch once, never all at once."""
    by_name: dict[str, list[Record]] = {}
    for record in listed:
        by_name.setdefault(files.layout.target(record.paper), []).append(record)
    batch: list[Record] = []
    size = 0
    for name in sorted(by_name):
        weight = files.size_of(name)
        if batch and size + weight > BATCH_FILE_BYTES:
            yield batch
            batch, size = [], 0
        batch += by_name[name]
        size += weight
    if batch:
        yield batch


def _onto(stored: Paper, listed: Paper) -> Paper:
    """A listed record as it replaces the stored one: arXiv's word on everything (the
    author names too, read as the query API serves them: `harvester.oai.authors`) but
    the order of the categories, which the two interfaces give differently, and
    `published`, which never moves: the record lands in the file that holds the paper
    (a v1 date of another year would file it twice)."""
    if listed.version < stored.version:
        return listed.model_copy(update={"published": stored.published})
    kept: dict[str, object] = {"published": stored.published}
    if set(listed.categories) == set(stored.categories):
        kept |= {"categories": stored.categories, "primary_category": stored.primary_category}
    return listed.model_copy(update=kept)


def _withdrawals(before: Mapping[str, Paper], after: Mapping[str, Paper], counts: Counts) -> Counts:
    """`counts` with each change that made a paper's current version a withdrawal named so."""
    changes = []
    for change in counts.changes:
        key = change.arxiv_id.rpartition("v")[0]
        old, new = before.get(key), after[key]
        withdrawn = new.withdrawn and old is not None and not old.withdrawn
        changes.append(replace(change, change="withdrawn") if withdrawn else change)
    return replace(counts, changes=tuple(changes))
