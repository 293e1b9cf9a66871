"""Date windows of a query: how a topic gets past arXiv's 30,000-result cap and
past a server that ignores the requested order.

A window is a `submittedDate` (first harvest) or `lastUpdatedDate` (incremental)
range at arXiv's one-minute resolution. A window whose query matches more than
arXiv serves is halved until each half fits; a window whose results came back out
of order over several pages is halved until each half fits in one page, where
order no longer matters (the Nov 2025 incident, arxiv.py issue 184).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from harvester.client import ArxivClient, SortField
from harvester.errors import OutOfOrder, TooManyResults
from harvester.models import Paper

logger = logging.getLogger(__name__)

MINUTE = timedelta(minutes=1)
FIRST_DAY = datetime(1991, 1, 1, tzinfo=UTC)  # before arXiv's first paper (August 1991)


def floor_minute(moment: datetime) -> datetime:
    """The whole UTC minute at or before `moment`."""
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


@dataclass(frozen=True)
class Window:
    """The papers whose `field` falls in `[start, end)`, both on whole UTC minutes."""

    field: SortField
    start: datetime
    end: datetime

    def clause(self) -> str:
        """The window as a `search_query` term (arXiv's ranges include both ends)."""
        last = self.end - MINUTE
        return f"{self.field}:[{self.start:%Y%m%d%H%M} TO {last:%Y%m%d%H%M}]"

    def halves(self) -> tuple[Window, Window] | None:
        """The newer and the older half, or None for a single minute."""
        minutes = (self.end - self.start) // MINUTE
        if minutes < 2:
            return None
        middle = self.start + (minutes // 2) * MINUTE
        return Window(self.field, middle, self.end), Window(self.field, self.start, middle)

    def __str__(self) -> str:
        return f"{self.field} {self.start:%Y-%m-%d %H:%M} to {self.end:%Y-%m-%d %H:%M}"


def gaps(whole: Window, done: list[tuple[datetime, datetime]]) -> list[Window]:
    """The parts of `whole` not covered by the `done` spans, newest first."""
    remaining: list[Window] = []
    end = whole.end
    for start, stop in sorted(done, reverse=True):
        if stop < end:
            remaining.append(Window(whole.field, max(stop, whole.start), end))
        end = min(end, start)
    if whole.start < end:
        remaining.append(Window(whole.field, whole.start, end))
    return [w for w in remaining if w.start < w.end]


Commit = Callable[[Window, list[Paper]], None]


def fetch(
    client: ArxivClient,
    query: str,
    window: Window,
    *,
    commit: Commit,
    max_results: int | None = None,
) -> int:
    """Fetch every result of `query` within `window`, committing each finished window.

    Windows are committed newest first, each as soon as it is complete.

    Returns:
        How many results were fetched.

    Raises:
        HarvestError: a request or response failed for good; windows committed so
            far stay committed.
    """
    try:
        result = client.search(
            f"({query}) AND {window.clause()}", sort_by=window.field, max_results=max_results
        )
    except (TooManyResults, OutOfOrder) as exc:
        halves = window.halves()
        if halves is None:
            raise
        if isinstance(exc, OutOfOrder):
            logger.warning(
                "%s: arXiv returned results out of order; fell back to fetching it in "
                "windows that fit one page",
                window,
            )
        else:
            logger.info("%s matches %d results: splitting it in two", window, exc.total)
        fetched = 0
        for half in halves:
            left = None if max_results is None else max_results - fetched
            if left == 0:
                break
            fetched += fetch(client, query, half, commit=commit, max_results=left)
        return fetched
    commit(window, result.papers)
    return len(result.papers)
