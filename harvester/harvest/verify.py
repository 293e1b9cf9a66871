"""`harvest verify`: whether a topic holds every paper arXiv lists for it, month by month.

A set topic (and the whole archive) is compared id by id: `ListIdentifiers` of its set
names every paper in it, 20,000 a page, and each id names its month (`ids.month_of`).
Listed and not stored is missing; stored and not listed is a paper that left the set
(kept: nothing stored is ever lost). A repair lists the records of the days the missing
ids last changed on (their datestamps) and merges those.

A query topic is compared by counts: arXiv's count for the query within a `submittedDate`
window against the papers stored from then (one request each), for each year of first
submission in its range (the years before the oldest stored paper's are one window).
A year whose counts differ is counted again month by month, and a month that differs
is listed whole, to name its missing papers; a repair merges those from the listing.
A topic of 30 years costs 30 requests, not 360, while nothing differs. Windows share
their boundary minute (see `windows`), so a paper submitted at the very first second of
a year or month is counted in two; those then differ and are listed, and nothing is
missing.

Either way a repair goes through the usual merge (`TopicFiles.commit`): it adds what is
missing and changes nothing else.
"""

from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from harvester.arxiv.client import ArxivClient
from harvester.arxiv.windows import FIRST_DAY, MINUTE, Window, floor_minute
from harvester.config import Topic
from harvester.db import state
from harvester.db.counts import Counts
from harvester.db.shards import TopicFiles
from harvester.db.state import FileStamp
from harvester.harvest import sets
from harvester.harvest.backfill import Backfill, Span
from harvester.harvest.ids import IdIndex, month_of
from harvester.models import Paper
from harvester.oai.client import IDS_PER_PAGE, OaiClient

logger = logging.getLogger(__name__)

Method = Literal["ids", "counts"]


@dataclass(frozen=True)
class Gap:
    """What differs in one month: ids arXiv lists that are not stored, and ids stored
    that arXiv no longer lists (each sorted)."""

    month: str
    missing: tuple[str, ...] = ()
    unlisted: tuple[str, ...] = ()


@dataclass
class Verification:
    """One topic compared with arXiv.

    Attributes:
        topic: the topic's name.
        method: `ids` (a set, id by id) or `counts` (a query, month by month).
        listed: the papers arXiv lists in the range compared.
        stored: the papers the topic stores in that range.
        gaps: the months that differ, oldest first.
        repaired: missing papers fetched and stored (with `repair`).
        requests: HTTP requests sent.
        at: when it ran.
    """

    topic: str
    method: Method
    listed: int = 0
    stored: int = 0
    gaps: list[Gap] = field(default_factory=list)
    repaired: int = 0
    counts: Counts = field(default_factory=Counts)
    """What the repair's merge did (its new papers named, as a harvest's)."""
    requests: int = 0
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def missing(self) -> list[str]:
        """Every missing id, month by month."""
        return [key for gap in self.gaps for key in gap.missing]

    @property
    def unlisted(self) -> list[str]:
        """Every stored id arXiv no longer lists, month by month."""
        return [key for gap in self.gaps for key in gap.unlisted]

    @property
    def complete(self) -> bool:
        """Whether nothing arXiv lists is missing (or every missing paper was repaired)."""
        return len(self.missing) == self.repaired


def requests_needed(topic: Topic, stored: TopicFiles, *, set_size: int, now: datetime) -> int:
    """The requests a verification of `topic` sends when nothing differs: a set's
    `ListIdentifiers` pages (`set_size`: about what it lists), or a query's counts, one
    per window of `count_windows`. A year that differs costs a count per month more, and
    each month that differs its listing, a request per page of what it holds."""
    if topic.set_spec is not None:
        return max(1, math.ceil(set_size / IDS_PER_PAGE))
    return len(count_windows(topic, stored.published(), now=now))


def verify_topic(
    topic: Topic,
    *,
    client: ArxivClient,
    oai: OaiClient,
    stored: TopicFiles,
    repair: bool = False,
    now: datetime | None = None,
) -> Verification:
    """Compare a topic's stored papers with what arXiv lists for it; with `repair`,
    fetch and merge the missing ones.

    Raises:
        StoreError: a topic file is invalid, or cannot be written.
        HarvestError: a request failed for good.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    before = client.requests + oai.requests
    # Stamps for every file, so that a repair can keep them in the state (a file as the
    # last run left it is trusted unread).
    stored.verify(recorded_stamps(topic, stored))
    if topic.set_spec is not None:
        found = _by_ids(topic, oai, stored, repair=repair)
    else:
        found = _by_counts(topic, client, stored, repair=repair, now=now)
    found.at = now.replace(microsecond=0)
    found.requests = client.requests + oai.requests - before
    return found


def harvested(topic: Topic, stored: TopicFiles) -> bool:
    """Whether the topic's first harvest is complete (before, nothing can be verified:
    what it has not reached yet would all be missing).

    Raises:
        StoreError: its state is invalid.
    """
    if topic.set_spec is not None:
        return sets.completed_day(topic, stored.data_dir) is not None
    saved = state.load(state.path_for(stored.data_dir, topic.name))
    return saved is not None and saved.complete and saved.matches(topic.query, topic.since)


def recorded_stamps(topic: Topic, stored: TopicFiles) -> dict[str, FileStamp]:
    """The stamps of the topic's files its state keeps (a set topic's or a query's).

    Raises:
        StoreError: the state is invalid.
    """
    if topic.set_spec is not None:
        saved_set = sets.load_state(sets.state_path(stored.data_dir, topic.name))
        return saved_set.files if saved_set is not None else {}
    saved = state.load(state.path_for(stored.data_dir, topic.name))
    return saved.files if saved is not None else {}


# -- a set: id by id --------------------------------------------------------------


def _by_ids(topic: Topic, oai: OaiClient, stored: TopicFiles, *, repair: bool) -> Verification:
    since = topic.since
    first = None if since is None else f"{since:%Y-%m}"
    held = IdIndex(p.key for p in stored.each())
    found = Verification(topic.name, "ids", stored=len(held))
    missing: dict[str, list[str]] = defaultdict(list)
    days: dict[date, set[str]] = defaultdict(set)
    # A paper first submitted from `since` on changed since then (modtime >= published).
    for page in oai.list_identifiers(set_spec=topic.oai_set, from_day=since):
        for item in page.ids:
            month = month_of(item.key)
            if first is not None and month < first:
                continue  # changed lately, first submitted before the topic's range
            if held.mark(item.key):
                found.listed += 1
            elif first is None or month > first or since is None or since.day == 1:
                # (in the month of a mid-month `since`, an id does not say which side)
                found.listed += 1
                missing[month].append(item.key)
                days[item.datestamp].add(item.key)
    unlisted: dict[str, list[str]] = defaultdict(list)
    for key in held.unmarked():
        unlisted[month_of(key)].append(key)
    found.gaps = _gaps(missing, unlisted)
    if repair and days:
        found.counts = _repair_set(topic, oai, stored, days)
        found.repaired = found.counts.new
    return found


def _repair_set(
    topic: Topic, oai: OaiClient, stored: TopicFiles, days: dict[date, set[str]]
) -> Counts:
    """List the records of each day missing ids last changed on, and merge those."""
    fetched: list[Paper] = []
    for day, keys in sorted(days.items()):
        for page in oai.list_records(from_day=day, until_day=day, set_spec=topic.oai_set):
            fetched += [r.paper for r in page.records if r.paper.key in keys]
    merged = stored.commit(fetched)
    sets.restamp(topic, stored.data_dir, stored)
    return merged.counts


# -- a query: year by year, then month by month ------------------------------------


def count_windows(topic: Topic, published: Counter[date], *, now: datetime) -> list[Window]:
    """The `submittedDate` windows a query topic is counted in: one per year from the
    year of its oldest stored paper to now, and the range before that as one.

    A capped topic (`max_results`) kept only its newest papers: its range starts the day
    after its oldest stored one (that day was cut part way by the cap)."""
    upper = floor_minute(now)
    lower = FIRST_DAY
    if topic.since is not None:
        lower = datetime.combine(topic.since, datetime.min.time(), UTC)
    oldest = min(published, default=None)
    if topic.max_results is not None:
        if oldest is None:
            return []  # nothing kept yet: nothing to hold it to
        lower = datetime.combine(oldest + timedelta(days=1), datetime.min.time(), UTC)
    start = datetime((oldest or upper.date()).year, 1, 1, tzinfo=UTC)
    windows: list[Window] = []
    if lower < start:
        windows.append(Window(lower, start))
    cursor = max(start, lower)
    while cursor < upper:
        following = datetime(cursor.year + 1, 1, 1, tzinfo=UTC)
        windows.append(Window(cursor, min(following, upper)))
        cursor = following
    return windows


def months_of(window: Window) -> list[Window]:
    """A window cut at each first of a month it spans (itself, within one month)."""
    months, cursor = [], window.start
    while cursor < window.end:
        following = _next_month(cursor)
        months.append(Window(cursor, min(following, window.end)))
        cursor = following
    return months


def _by_counts(
    topic: Topic, client: ArxivClient, stored: TopicFiles, *, repair: bool, now: datetime
) -> Verification:
    found = Verification(topic.name, "counts")
    differ = _differing(topic, client, stored.published(), found, now=now)
    if not differ:
        return found
    keys = IdIndex(p.key for p in stored.each())
    missing: dict[str, list[str]] = defaultdict(list)
    fetched: list[Paper] = []
    listed: set[str] = set()
    for window in differ:
        for paper in _listing(client, topic.query, window):
            listed.add(paper.key)
            if paper.key not in keys:
                missing[f"{paper.published:%Y-%m}"].append(paper.key)
                fetched.append(paper)
    unlisted: dict[str, list[str]] = defaultdict(list)
    for paper in stored.each():
        if paper.key not in listed and any(_holds(w, paper.published) for w in differ):
            unlisted[f"{paper.published:%Y-%m}"].append(paper.key)
    found.gaps = _gaps(missing, unlisted)
    if repair and fetched:
        found.counts = stored.commit(fetched).counts
        found.repaired = found.counts.new
        _restamp_query(topic, stored)
    return found


def _differing(
    topic: Topic,
    client: ArxivClient,
    published: Counter[date],
    found: Verification,
    *,
    now: datetime,
) -> list[Window]:
    """The windows whose counts differ, to be listed: the months that differ of each
    year that differs (adding up `found.listed` and `found.stored` on the way)."""

    def count(window: Window) -> tuple[int, int]:
        """arXiv's count of the window, and the stored one."""
        total = client.search(f"({topic.query}) AND {window.clause()}", max_results=1)
        held = _stored_in(published, window)
        if total.total_results != held:
            logger.info("%s: arXiv lists %d, %d stored", window, total.total_results, held)
        return total.total_results, held

    differ: list[Window] = []
    for window in count_windows(topic, published, now=now):
        total, held = count(window)
        found.listed += total
        found.stored += held
        if total == held:
            continue
        # A year is counted again by month, so that only its months that differ are
        # listed; the range before the oldest stored paper's year, when it spans years,
        # is listed whole.
        within_a_year = window.start.year == (window.end - MINUTE).year
        months = months_of(window) if within_a_year else [window]
        differ += months if len(months) == 1 else [m for m in months if len(set(count(m))) > 1]
    return differ


def _listing(client: ArxivClient, query: str, window: Window) -> Iterator[Paper]:
    """Every paper of `query` in `window` (cut into windows that page, if need be)."""
    papers: list[Paper] = []

    def take(batch: list[Paper], _spans: list[Span], _fetched: int) -> None:
        papers.extend(batch)

    Backfill(client, query, commit=take).run([window])
    seen: set[str] = set()
    for paper in papers:  # windows share their boundary minute: a paper may come twice
        if paper.key not in seen:
            seen.add(paper.key)
            yield paper


def _restamp_query(topic: Topic, stored: TopicFiles) -> None:
    """Keep the new stamps of the files a repair wrote in the topic's state, so that its
    next harvest trusts them unread."""
    path = state.path_for(stored.data_dir, topic.name)
    saved = state.load(path)
    if saved is not None and all(n in stored.stamps for n in stored.names()):
        state.save(path, saved.with_files(stored.stamps))


def _stored_in(published: Counter[date], window: Window) -> int:
    return sum(n for day, n in published.items() if _holds(window, day))


def _holds(window: Window, day: date) -> bool:
    """Whether papers first submitted on `day` are counted in `window` (which ends at the
    first minute of the next month, or at now)."""
    return window.start.date() <= day and (
        day < window.end.date()
        or (window.end.time() != datetime.min.time() and day == window.end.date())
    )


def _next_month(moment: datetime) -> datetime:
    year, month = divmod(moment.year * 12 + moment.month, 12)
    return datetime(year, month + 1, 1, tzinfo=UTC)


def _gaps(missing: dict[str, list[str]], unlisted: dict[str, list[str]]) -> list[Gap]:
    return [
        Gap(month, tuple(sorted(missing.get(month, ()))), tuple(sorted(unlisted.get(month, ()))))
        for month in sorted(missing.keys() | unlisted.keys())
    ]
