"""Progress while a topic is fetched: a live line on a terminal, log lines elsewhere.

A first harvest is fetched in `submittedDate` windows, each its own query, so no single
query says how many pages remain; the line counts papers instead, against the count the
topic's first page gave for its whole range (which never jumps as windows start), and
names the window being fetched and the time left at the pace so far.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TextIO

from harvester.arxiv.feed import Page

logger = logging.getLogger("harvester.progress")

_WINDOW = re.compile(r"submittedDate:\[(\d{12}) TO (\d{12})\]")


class Progress:
    """Counts papers per topic and shows them, with the window and the time left.

    Args:
        stream: where the live line goes (stderr).
        live: redraw one line in place (a terminal); otherwise each page is an
            INFO log line, seen with -v, so cron mail and CI logs stay plain.
        clock: seconds, for the time left (tests inject one).
    """

    def __init__(
        self, stream: TextIO, *, live: bool, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._stream = stream
        self._live = live
        self._clock = clock
        self._topic = ""
        self._pages = self._width = 0
        self._seen: set[str] = set()  # a cut window's first page comes again in its parts
        self._of: int | None = None
        self._first: tuple[float, int] | None = None  # when the first page came, its papers

    def start(self, topic: str) -> None:
        """A topic begins."""
        self._topic, self._pages, self._seen = topic, 0, set()
        self._of, self._first = None, None

    def page(self, query: str, page: Page) -> None:
        """A page of the current topic arrived, for `query`."""
        self._pages += 1
        self._seen.update(p.key for p in page.papers)
        window = _WINDOW.search(query)
        if window is None:  # a walk down the newest updates: its count is not its work
            self._show(f"{self._topic}: {len(self._seen):,} papers, page {self._pages}")
            return
        papers, now = len(self._seen), self._clock()
        if self._of is None:  # the topic's first page counts its whole range
            self._of, self._first = page.total_results, (now, papers)
        of = max(self._of, papers)
        line = f"{self._topic}: {papers:,} of {of:,} papers, window {_range(window)}"
        self._show(line + self._left(of, now))

    def _left(self, of: int, now: float) -> str:
        """`, about 3 min left` at the pace since the first page; nothing before it is known."""
        if self._first is None or len(self._seen) >= of:
            return ""
        since, papers = self._first
        seconds, done = now - since, len(self._seen) - papers
        if seconds <= 0 or done <= 0:
            return ""
        return f", about {_duration((of - len(self._seen)) * seconds / done)} left"

    def _show(self, line: str) -> None:
        if self._live:
            self._width = max(self._width, len(line))
            self._stream.write(f"\r{line.ljust(self._width)}")
            self._stream.flush()
        else:
            logger.info("%s", line)

    def finish(self) -> None:
        """The topic ended: clear the live line so results print on a clean line."""
        if self._live and self._width:
            self._stream.write(f"\r{' ' * self._width}\r")
            self._stream.flush()
        self._width = 0


def _range(window: re.Match[str]) -> str:
    start, end = (
        datetime.strptime(bound, "%Y%m%d%H%M").replace(tzinfo=UTC) for bound in window.groups()
    )
    return f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"
