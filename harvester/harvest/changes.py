"""The daily change feed: what arXiv changed in stored papers, from its OAI-PMH lists.

A record's datestamp is the day its current version last changed (a new version, a
DOI, a journal reference, any edit; `arXiv/oaipmh`, `processors/db.py`), so listing
the records changed since the feed's last complete list, less a day (datestamps are
days, and a list that includes today is cached up to an hour), brings every such
change the next day. One feed serves every topic of a run, over the fewest sets that
cover the stored papers. Each listed record whose paper a topic stores is merged into
it by the usual rules (`store.merge`); a set topic also takes the set's new papers.

The cursor (`data/.harvest/oai/changes.json`) moves only after a complete list (and
when it changed a topic, or lags `MAX_LAG_DAYS`: a run that finds nothing changes no
byte); a list cut short resumes from its last committed page (tokens are stateless),
once the pass has changed a topic: one that changed nothing is asked again whole.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from harvester.config import Topic
from harvester.db import state, store
from harvester.db.counts import Counts
from harvester.db.shards import TopicFiles
from harvester.errors import HarvestError, Interrupted, OaiRejected, StoreError
from harvester.harvest import cover, feed_merge, sets
from harvester.harvest.cover import covering_sets, groups_of
from harvester.harvest.cursor import (
    WAY_OUT,
    Cursor,
    advance,
    load_cursor,
    load_merged,
    merged_path,
    moved,
    record_digest,
    save_cursor,
    save_merged,
)
from harvester.harvest.feed_merge import Held
from harvester.oai.client import OaiClient
from harvester.oai.records import ListPage, Record

logger = logging.getLogger(__name__)

# The OAI-PMH error for a token the server does not take (OAI-PMH 2.0, section 3.6).
BAD_TOKEN = "badResumptionToken"  # noqa: S105 (an error code, not a secret)

BATCH_RECORDS = 20_000
"""Listed records merged at once: a daily list (a few thousand) is one merge, each file
it touches written once; a longer one, a merge (and a saved cursor) per this many."""


@dataclass(frozen=True)
class FeedResult:
    """What the change feed did.

    Attributes:
        sets: the sets listed (`""`: all of arXiv).
        from_day: the first day listed.
        listed: records listed.
        requests: OAI-PMH requests sent, retries included.
        counts: per topic, what merging the listed records did.
        written: the topics whose files were rewritten.
        complete: whether every list ran to its end (the cursor then moved).
        stamps: what the covering sets kept follow from, as the feed left the files
            (`settle` takes it on after the topics' own harvests).
    """

    sets: list[str]
    from_day: date | None
    listed: int
    requests: int
    counts: dict[str, Counts]
    written: list[str]
    complete: bool
    stamps: cover.Stamps | None = None


class FeedFailed(HarvestError):
    """The change feed stopped; what it merged before stays written.

    Attributes:
        cause: the error that stopped it.
        result: what it did before.
    """

    def __init__(self, cause: HarvestError | Interrupted, result: FeedResult) -> None:
        self.cause = cause
        self.result = result
        super().__init__(str(cause))


def fed(topics: Iterable[Topic], data_dir: Path) -> list[Topic]:
    """The topics the change feed serves: it is on and their first harvest is complete."""
    chosen = []
    for topic in topics:
        if topic.change_feed and first_harvest_day(topic, data_dir) is not None:
            chosen.append(topic)
    return chosen


def first_harvest_day(topic: Topic, data_dir: Path) -> date | None:
    """The day a topic's last complete harvest of its whole range began; None while
    it has none (a set topic's is its listing of the whole set)."""
    if topic.set_spec is not None:
        return sets.completed_day(topic, data_dir)
    saved = state.load(state.path_for(data_dir, topic.name))
    if saved is None or not saved.complete or not saved.matches(topic.query, topic.since):
        return None
    return saved.last_full().date()


# long: one pass over the lists, committing page by page, with the cursor after each
def run_feed(
    topics: list[Topic], *, client: OaiClient, data_dir: Path, dry_run: bool = False
) -> FeedResult:
    """List what changed since the cursor and merge it into the topics that store it.

    Raises:
        StoreError: a topic file or the cursor is invalid (nothing was fetched).
        FeedFailed: a list failed or was interrupted; committed pages stay written.
    """
    path = sets.oai_dir(data_dir) / "changes.json"
    cursor = before = load_cursor(path)
    if cursor is not None and cursor.last > datetime.now(UTC).date() + timedelta(days=1):
        # A list from there is refused ("until date too late"), every day.
        raise StoreError(path, f"the cursor's last day {cursor.last} is after today; {WAY_OUT}")
    held = [Held(t, TopicFiles(data_dir, t.name, dry_run=dry_run)) for t in topics]
    stamps = cover.stamps_of(topics, data_dir)
    cursor = _current(cursor, held, stamps, data_dir)
    wanted = list(cursor.covering or [])
    from_day = cursor.last - timedelta(days=1)
    resumed = bool(cursor.tokens or cursor.done)
    requests_before, listed = client.requests, 0
    waiting: list[Record] = []  # listed, not merged yet (the cursor is saved after a merge)
    memory, served = merged_path(path), _served(topics)
    merged = load_merged(memory, served)
    digests: dict[str, str] = {}

    def result(complete: bool) -> FeedResult:
        return FeedResult(
            sets=wanted,
            from_day=from_day,
            listed=listed,
            requests=client.requests - requests_before,
            counts={h.topic.name: h.counts for h in held},
            written=[h.topic.name for h in held if h.written],
            complete=complete,
        )

    try:
        for number, set_spec in enumerate(wanted):
            if set_spec in cursor.done:
                continue
            token = cursor.tokens.get(set_spec)
            for page in _pages(client, set_spec, from_day=from_day, token=token):
                listed += len(page.records)
                for record in page.records:  # a record merged as it is now is passed over
                    digests[record.paper.key] = digest = record_digest(record)
                    if merged.get(record.paper.key, ("",))[0] != digest:
                        waiting.append(record)
                cursor = advance(cursor, set_spec, page.records, page.token)
                more = page.token is not None or any(s not in cursor.done for s in wanted[number:])
                if len(waiting) < BATCH_RECORDS and more:
                    continue  # merged with the next pages: a file is written once a batch
                feed_merge.merge(held, waiting, dry_run=dry_run)
                merged |= {r.paper.key: (digests[r.paper.key], r.datestamp) for r in waiting}
                waiting = []
                # Saved only while more is to come, so a list of one batch writes once, and
                # only once the pass changed a topic (or resumes one that did), so a list
                # that finds nothing writes nothing: cut short, it is asked again whole.
                worth = resumed or any(h.counts.changed for h in held)
                if more and worth and not dry_run:
                    save_cursor(path, cursor)
    except (HarvestError, Interrupted) as exc:
        raise FeedFailed(exc, result(complete=False)) from exc
    left = _written(stamps, held)
    if not dry_run:
        done = _finish_pass(path, cursor, before, held, covered=cover.digest(left))
        save_merged(memory, served, merged, from_day=done.last - timedelta(days=1))
    return replace(result(complete=True), stamps=left)


def _current(
    cursor: Cursor | None, held: list[Held], stamps: cover.Stamps | None, data_dir: Path
) -> Cursor:
    """The cursor to list from: the saved one, else one at the topics' first harvests;
    its covering sets computed again unless they follow from the files as they are."""
    if cursor is None:
        days = [first_harvest_day(h.topic, data_dir) for h in held]
        cursor = Cursor(last=min(d for d in days if d is not None))  # `fed` topics have one
    if cursor.covering is None or stamps is None or cursor.covered != cover.digest(stamps):
        cursor = cursor.model_copy(
            update={"covering": _covering(held), "covered": cover.digest(stamps)}
        )
    return cursor


def begin(topics: list[Topic], data_dir: Path) -> None:
    """Write the cursor a feed of `topics` starts from (at their first harvests, with
    the sets covering what they store), unless there is one: made in the run that
    completes their first harvests, it is committed with them, so that the feed's first
    day, finding nothing, changes no byte.

    Raises:
        StoreError: the cursor or a topic file is invalid, or it cannot be written.
    """
    path = sets.oai_dir(data_dir) / "changes.json"
    if not topics or load_cursor(path) is not None:
        return
    held = [Held(t, TopicFiles(data_dir, t.name)) for t in topics]
    save_cursor(path, _current(None, held, cover.stamps_of(topics, data_dir), data_dir))


def _pages(
    client: OaiClient, set_spec: str, *, from_day: date, token: str | None
) -> Iterator[ListPage]:
    """The pages of `set_spec`'s list: from the cursor's `token`, or from `from_day`.

    A saved token the server refuses as a bad one (a garbage token, or one of another
    server) is dropped, and the set listed again from `from_day`: else every later run
    would send it again and fail. What its pages merged before is merged already.
    """
    if token is None:
        yield from client.list_records(from_day=from_day, set_spec=set_spec or None)
        return
    pages = client.list_records(token=token)
    try:
        first = next(pages)
    except OaiRejected as exc:
        if exc.code != BAD_TOKEN:
            raise
        logger.warning(
            "the server refused the saved resumption token of %s (%s); listing it again from %s",
            set_spec or "all of arXiv",
            BAD_TOKEN,
            f"{from_day:%Y-%m-%d}",
        )
        yield from client.list_records(from_day=from_day, set_spec=set_spec or None)
        return
    yield first
    yield from pages


def _finish_pass(
    path: Path, cursor: Cursor, before: Cursor | None, held: list[Held], *, covered: str | None
) -> Cursor:
    """The cursor after a complete pass (`covered`: what the covering sets follow from,
    as the feed leaves the files), saved unless only that digest changed; and the states
    of the set topics it wrote, stamping their files as they are now."""
    for h in held:
        if h.written and h.topic.set_spec is not None:
            sets.restamp(h.topic, h.files.data_dir, h.files)
    last = moved(cursor, changed=any(h.counts.changed for h in held))
    done = Cursor(last=last, covering=cursor.covering, covered=covered)
    # A digest that alone changed waits for a run that writes: a run that finds
    # nothing changes no byte (it computes the sets again).
    same = before is not None and done.model_copy(update={"covered": before.covered}) == before
    if not same or any(h.written for h in held):
        save_cursor(path, done)
    return done


def settle(result: FeedResult, topics: list[Topic], data_dir: Path) -> None:
    """After the topics' own harvests of a run whose feed completed: when the files they
    wrote hold only papers the kept sets cover, the sets follow from the files as they
    are now, so the next quiet run reads no data file; else it computes them again.
    Reads only the files written since the feed (an invalid one is left to that run)."""
    path = sets.oai_dir(data_dir) / "changes.json"
    left = result.stamps
    cursor = load_cursor(path)
    if left is None or cursor is None or cursor.covering is None:
        return
    fed = [t for t in topics if t.name in left]
    now = cover.stamps_of(fed, data_dir)
    if now is None or set(now) != set(left) or cursor.covered != cover.digest(left):
        return
    if cover.digest(now) == cursor.covered:
        return
    chosen = set(cursor.covering)
    for name, blobs in now.items():
        before = left[name]
        if not isinstance(blobs, dict) or not isinstance(before, dict):
            continue
        for file in sorted(n for n, b in blobs.items() if before.get(n) != b):
            try:
                papers = store.load(data_dir / file)
            except StoreError:
                return
            if cover.ALL not in chosen and any(not groups_of(p) & chosen for p in papers.values()):
                return
    save_cursor(path, cursor.model_copy(update={"covered": cover.digest(now)}))


def _written(stamps: cover.Stamps | None, held: list[Held]) -> cover.Stamps | None:
    """`stamps` with the files the feed wrote (their new blob ids, the ones it removed gone)."""
    if stamps is None:
        return None
    out = dict(stamps)
    for h in held:
        old = stamps.get(h.topic.name)
        if h.written and isinstance(old, dict):
            new = {
                n: h.files.stamps[n].blob if n in h.files.stamps else old.get(n)
                for n in h.files.names()
            }
            if any(b is None for b in new.values()):
                return None
            out[h.topic.name] = {n: b for n, b in new.items() if b is not None}
    return out


def _served(topics: list[Topic]) -> str:
    """What decides which topics take a listed record: their names, sets, queries and
    `since` (the records remembered as merged are for these alone)."""
    served = [[t.name, t.set_spec, t.query, str(t.since)] for t in topics]
    return hashlib.sha256(json.dumps(served).encode("utf-8")).hexdigest()


def _covering(held: list[Held]) -> list[str]:
    """The fewest sets that cover the query topics' stored papers (read a file at a
    time, each paper kept only as its groups, counted) and the set topics' sets, whose
    papers all are in them."""
    counted: Counter[frozenset[str]] = Counter()
    for h in held:
        if h.topic.set_spec is None:
            counted.update(groups_of(p) for p in h.files.each())
        elif h.topic.whole_archive:  # in no one group: the list of all of arXiv
            counted[frozenset()] += 1
        else:
            counted[frozenset({h.topic.set_spec.split(":")[0]})] += 1
    return covering_sets(counted.elements()) if counted else []


def describe(result: FeedResult) -> str:
    """`changes: 1,204 records listed over cs since 2026-03-31 in 1 request`; a list cut
    short says so (its cursor stays, so the next run lists the same records again)."""
    where = ", ".join(s or "all of arXiv" for s in result.sets) or "no set"
    since = f" from {result.from_day:%Y-%m-%d}" if result.from_day else ""
    requests = f"{result.requests:,} request{'' if result.requests == 1 else 's'}"
    stopped = "" if result.complete else ", then stopped (the next run lists them again)"
    return f"changes: {result.listed:,} records listed over {where}{since} in {requests}{stopped}"
