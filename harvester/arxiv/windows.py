"""`submittedDate` windows: how a topic's whole range is cut into queries arXiv can page.

arXiv's query API (since Nov 2025, arXiv/arxiv-search) pages a query only 10,000 rows
deep (`client.MAX_RESULTS`), and its date bounds are minute-exact: `[A TO B]` means
`A:00 <= first submission <= B:00` (`services/index/prepare.py`, `_query_submittedDate`).
So a paper submitted at 12:59:30 is in neither `[... TO 1259]` nor `[1300 TO ...]`.
Windows here therefore share their boundary minute: the window below `[B TO C]` is
`[A TO B]`, both bounds inclusive, so no second falls between two windows; a paper
submitted exactly at `B:00` is fetched twice and merges away.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

MINUTE = timedelta(minutes=1)
FIRST_DAY = datetime(1991, 1, 1, tzinfo=UTC)  # before arXiv's first paper (August 1991)
# A window is cut to hold at most this share of what arXiv pages, because papers are
# not spread evenly in time: an even cut of a 10,000-row window would often overflow.
FILL = 0.8


def floor_minute(moment: datetime) -> datetime:
    """The whole UTC minute at or before `moment`."""
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


@dataclass(frozen=True, order=True)
class Window:
    """Papers first submitted from `start` to `end`, both whole UTC minutes, both included."""

    start: datetime
    end: datetime

    def clause(self) -> str:
        """The window as a `search_query` term."""
        return f"submittedDate:[{self.start:%Y%m%d%H%M} TO {self.end:%Y%m%d%H%M}]"

    def split(self, parts: int) -> list[Window]:
        """Cut into (up to) `parts` windows of about equal length, newest first, each
        sharing its boundary minute with the next; [] when it cannot be cut (a window
        must span two minutes to have two parts)."""
        minutes = (self.end - self.start) // MINUTE
        parts = min(parts, minutes)
        if parts < 2:
            return []
        cuts = [self.start + (minutes * i // parts) * MINUTE for i in range(parts + 1)]
        return [Window(cuts[i], cuts[i + 1]) for i in reversed(range(parts))]

    def cut(self, total: int, rows: int, size: int, newest: list[datetime]) -> list[Window]:
        """Cut a window of `total` results into `count(total, rows, size)` windows expected
        to fit `rows` each in pages of `size`, placed by the density of its `newest`
        results (its first page, newest first).

        Cutting the whole span evenly would put most windows where a topic has no
        papers (a range from 1991 holding two busy years); the first page says how
        densely papers come at the top, so the cuts follow that density, and the last
        window is the rest of the range, cut by its own count when it needs to be.
        Each window above the rest is aimed just under `held(rows, size)`, whole pages:
        a bound is floored to its minute, which can add a minute's results to a window,
        and one more page for a few rows over would be a request wasted per window.
        When that density would reach past the start, the cut is even. Either way it
        makes the number of windows `harvest plan` counts. Newest first, boundaries shared.
        """
        parts = count(total, rows, size)
        spread = (newest[0] - newest[-1]) if len(newest) > 1 else timedelta(0)
        if spread <= MINUTE:
            return self.split(parts)
        rate = (len(newest) - 1) / spread.total_seconds()  # results a second at the top
        aim = held(rows, size) - math.ceil(rate * MINUTE.total_seconds()) - 1
        step = timedelta(seconds=max(aim, 1) / rate)  # the time `aim` results take
        bounds = [self.end]
        bounds += [floor_minute(newest[0] - index * step) for index in range(1, parts)]
        bounds.append(self.start)
        if not all(high > low for high, low in itertools.pairwise(bounds)):
            return self.split(parts)
        return [Window(low, high) for high, low in itertools.pairwise(bounds)]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} to {self.end:%Y-%m-%d %H:%M}"


def parts_needed(total: int, rows: int) -> int:
    """How many windows `total` results need so that each is expected to fit `rows`."""
    return max(2, math.ceil(total / (rows * FILL)))


def held(rows: int, size: int) -> int:
    """The results a cut window is meant to hold when one query pages `rows` in pages of
    `size`: whole pages, at most `FILL` of `rows` (at least one page)."""
    return max(size, int(rows * FILL) // size * size)


def count(total: int, rows: int, size: int) -> int:
    """How many windows a range of `total` results is first fetched in, when one query
    pages `rows` in pages of `size`: 1 if they fit, else enough for each to hold
    `held(rows, size)` (at least 2). Both `harvest plan` and the harvest (`Window.cut`)
    count with it, so the plan says what the harvest then does."""
    return 1 if total <= rows else max(2, math.ceil(total / held(rows, size)))


def gaps(whole: Window, done: list[tuple[datetime, datetime]]) -> list[Window]:
    """The parts of `whole` not covered by the `done` spans, newest first.

    A gap shares its boundary minutes with the spans around it (see the module's
    docstring), so nothing submitted between two minutes is lost.
    """
    remaining: list[Window] = []
    end = whole.end
    for start, stop in sorted(done, reverse=True):
        if stop < end:
            remaining.append(Window(max(stop, whole.start), end))
        end = min(end, start)
    remaining.append(Window(whole.start, end))
    return [w for w in remaining if w.start < w.end]
