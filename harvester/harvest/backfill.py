"""A topic's whole range, window by window: a first harvest, `--full`, a refresh, a fallback.

Each window is a `submittedDate` range (see `windows`) paged newest first. Its first
page tells how many results it holds: one that holds more than a query can page is cut
into as many windows as that count needs, so counting costs one request, not one per
halving. Fetched papers are handed to `commit` at least every `commit_every` papers,
with the spans they complete: a window's newest part is complete as soon as its pages
reach below it, so progress is kept even inside a window larger than a batch.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Callable
from datetime import datetime

from harvester.arxiv import windows
from harvester.arxiv.client import ArxivClient
from harvester.arxiv.feed import Page
from harvester.arxiv.paging import fits, reach
from harvester.arxiv.windows import MINUTE, Window, floor_minute, parts_needed
from harvester.errors import FeedError, FetchError
from harvester.models import Paper

logger = logging.getLogger(__name__)

# Papers handed to `commit` at the most between two calls: a killed run fetches at most
# this many again, and a 100,000-paper topic is written about ten times, not per page.
COMMIT_EVERY = 10_000

Span = tuple[datetime, datetime]
# The papers, the spans they complete, and the papers fetched so far (each counted once).
Commit = Callable[[list[Paper], list[Span], int], None]


class Backfill:
    """Fetches windows of one query, newest first, handing papers to `commit` in batches.

    Args:
        client: the arXiv client.
        query: the topic's query (a window's range is added to it).
        commit: takes fetched papers, the spans they complete and the count fetched so
            far; it must store the papers and the spans.
        cap: stop once this many papers are fetched (None: fetch everything).
        known: papers (ids without version) fetched before, which the cap does not
            count again (a resumed harvest fetches again where it stopped).
        commit_every: the most papers held before `commit` is called.
        due: when given, decides instead of `commit_every` whether the papers held
            are to be committed now (asked after each page).
    """

    def __init__(
        self,
        client: ArxivClient,
        query: str,
        *,
        commit: Commit,
        cap: int | None = None,
        known: set[str] | None = None,
        commit_every: int = COMMIT_EVERY,
        due: Callable[[list[Paper]], bool] | None = None,
    ) -> None:
        self._client = client
        self._query = query
        self._commit = commit
        self._cap = cap
        self._known = set(known or ())
        self._due = due or (lambda held: len(held) >= commit_every)
        self.fetched = 0
        """Papers fetched so far, each counted once."""
        self._papers: list[Paper] = []
        self._spans: list[Span] = []

    def run(self, todo: list[Window]) -> None:
        """Fetch every window of `todo` (newest first) and commit what was fetched.

        Raises:
            HarvestError: a request failed for good; what was fetched before is
                committed first, so finished spans stay done.
        """
        queue = deque(todo)
        try:
            while queue and not self._capped():
                window = queue.popleft()
                queue.extendleft(reversed(self._window(window)))
        except BaseException:
            self._flush()  # spans finished before a failure stay done
            raise
        self._flush()

    def _window(self, window: Window) -> list[Window]:
        """Fetch one window; returns the windows to fetch instead when it must be cut."""
        size = self._client.page_size
        rows = reach(size)
        page = self._page(window, 0, 0)
        if windows.count(page.total_results, rows, size) > 1 and not self._capped_within(rows):
            cut = window.cut(page.total_results, rows, size, page.published_at)
            return _cut(window, cut, f"it matches {page.total_results} results")
        return self._pages(window, page)

    def _pages(self, window: Window, page: Page) -> list[Window]:
        """Page through a window that fits, from its first page; returns the windows to
        fetch instead when the rest cannot be paged."""
        size = self._client.page_size
        start, total, oldest = 0, 0, None
        seen: set[str] = set()  # papers of this window taken already
        while True:
            # The count grows while a window is paged (papers announced meanwhile push
            # the older ones down a page), so the last page is where the largest says.
            total = max(total, page.total_results)
            fresh = [
                (p, t)
                for p, t in zip(page.papers, page.published_at, strict=True)
                if p.key not in seen
            ]
            if total > page.entries and not _descending(oldest, [t for _, t in fresh]):
                return self._disordered(window, total)
            oldest = fresh[-1][1] if fresh else oldest
            seen.update(p.key for p, _ in fresh)
            start += page.entries
            finished = start >= total or page.entries == 0
            span = (window.start, window.end) if finished else _above(window, oldest)
            self._take([p for p, _ in fresh], span)
            if finished or self._capped():
                return []
            below = Window(window.start, floor_minute(oldest) + MINUTE) if oldest else window
            if not fits(start, size):  # the window grew past what one query pages
                parts = parts_needed(total - start, reach(size))
                return _cut(below, below.split(parts), "it grew")
            try:
                page = self._page(window, start, total)
            except FetchError as exc:
                if exc.status is None or exc.status < 500:
                    raise
                # Deep pages of a large window are the ones arXiv fails on: ask for the
                # rest in windows whose pages stay shallower than the ones that worked.
                parts = max(2, math.ceil((total - start) / start))
                return _cut(below, below.split(parts), f"HTTP {exc.status} at offset {start}")

    def _disordered(self, window: Window, total: int) -> list[Window]:
        """The windows to fetch a window in whose pages came back out of order."""
        logger.warning(
            "%s: arXiv returned results out of order; fetching it in windows that fit "
            "one page, where order does not matter",
            window,
        )
        # What its earlier pages seemed to complete cannot be trusted now.
        self._spans = [s for s in self._spans if not window.start <= s[0] <= window.end]
        parts = parts_needed(total, self._client.page_size)
        return _cut(window, window.split(parts), "out of order")

    def _page(self, window: Window, start: int, expected: int) -> Page:
        query = f"({self._query}) AND {window.clause()}"
        return self._client.page(query, start=start, size=self._client.page_size, expected=expected)

    def _take(self, papers: list[Paper], span: Span | None) -> None:
        for index, paper in enumerate(papers):
            if paper.key in self._known:
                continue
            if self._capped():
                papers, span = papers[:index], None  # the rest is left unfetched
                break
            self._known.add(paper.key)
            self.fetched += 1
        self._papers += papers
        if span is not None:
            self._spans.append(span)
        if self._due(self._papers):
            self._flush()

    def _flush(self) -> None:
        if self._papers or self._spans:
            papers, spans = self._papers, self._spans
            self._papers, self._spans = [], []
            self._commit(papers, spans, self.fetched)

    def _capped(self) -> bool:
        return self._cap is not None and self.fetched >= self._cap

    def _capped_within(self, rows: int) -> bool:
        """Whether the cap is reached within the first `rows` of a window."""
        return self._cap is not None and self._cap - self.fetched <= rows


def _cut(window: Window, cut: list[Window], why: str) -> list[Window]:
    if not cut:
        raise FeedError(f"{window}: {why}, and a window of one minute cannot be cut")
    logger.info("%s: %s: fetching it in %d windows", window, why, len(cut))
    return cut


def _above(window: Window, oldest: datetime | None) -> Span | None:
    """The part of `window` complete once its pages reached `oldest` (newest first):
    every paper submitted from the next whole minute on."""
    if oldest is None:
        return None
    start = floor_minute(oldest) + MINUTE
    return (start, window.end) if start <= window.end else None


def _descending(previous: datetime | None, stamps: list[datetime]) -> bool:
    for stamp in stamps:
        if previous is not None and stamp > previous:
            return False
        previous = stamp
    return True
