"""An incremental run: the topic's query sorted by `lastUpdatedDate`, newest first, read
until the first entry older than the cutoff.

No date filter is involved: arXiv's backend rewrites `lastUpdatedDate:[A TO B]` into
`submittedDate:` (arXiv/arxiv-search, `classic_search_query.py`, `fix_aliases`), which
would select papers first submitted in the range and miss every new version of an
older paper. Sorting by `lastUpdatedDate` orders by the current version's submission,
which `<updated>` carries (`domain/base.py`, `SortBy.to_es`), and a search returns
only each paper's latest version: a v2 of an old paper comes first.

The walk is trusted only when the order it got is the order it asked for (arXiv
ignored `sortBy` for weeks in Nov 2025) and it ends within the rows a query pages;
otherwise the caller harvests the topic in full.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from harvester.arxiv.client import ArxivClient
from harvester.arxiv.paging import MAX_RESULTS, fits
from harvester.models import Paper

# The smallest walk page: about 250 kB of Atom, one request for most topics' days.
MIN_WALK_PAGE = 100


@dataclass
class Walk:
    """What a walk found.

    Attributes:
        papers: every paper updated at or after the cutoff.
        untrusted: why the walk cannot be trusted (then `papers` may miss some), or None.
    """

    papers: list[Paper] = field(default_factory=list)
    untrusted: str | None = None


def walk(client: ArxivClient, query: str, *, cutoff: datetime, size: int) -> Walk:
    """Read `query` newest update first until an entry is older than `cutoff`.

    A walk that has not reached the cutoff after a page is longer than its first page
    expected: each further page is twice as large (up to the client's page size), so a
    long walk costs a few requests more, not one per first-page size.

    Raises:
        HarvestError: a request failed for good.
    """
    found = Walk()
    start, previous, total = 0, None, 0
    while True:
        # `expected`: a page that comes back empty before the count an earlier page
        # gave is a glitch (retried, then a failure), not the end of the walk.
        page = client.page(query, start=start, size=size, sort_by="lastUpdatedDate", expected=total)
        total = max(total, page.total_results)
        stamps = [paper.updated for paper in page.papers if paper.updated is not None]
        # The whole page is checked, not only up to the cutoff: a server that ignores
        # the order could put an old entry first and end the walk at once.
        for stamp in stamps:
            if previous is not None and stamp > previous:
                found.untrusted = "arXiv returned the walk's results out of order"
                return found
            previous = stamp
        found.papers += [p for p in page.papers if p.updated is not None and p.updated >= cutoff]
        start += page.entries
        ended = previous is not None and previous < cutoff
        if ended or page.entries == 0 or start >= total:
            return found
        grown = _next_size(start, min(2 * size, client.page_size))
        if grown is None:
            found.untrusted = f"the walk would page past the {MAX_RESULTS} rows arXiv serves"
            return found
        size = grown


def _next_size(start: int, wanted: int) -> int | None:
    """The largest page size up to `wanted` that arXiv serves at `start`, if any."""
    return next((size for size in range(wanted, 0, -1) if fits(start, size)), None)


def page_size(stored: list[Paper], *, cutoff: datetime, now: datetime, largest: int) -> int:
    """The walk's page size: requests first, bytes second.

    A walk returns the papers updated since the cutoff: those stored already, plus
    what is new. The topic's own past says how many that is: the papers it stored
    that were updated in a span twice as long as the walk's, which doubles as a
    margin. Rounded up to a hundred, at least `MIN_WALK_PAGE`, at most `largest` (the
    run's page size): one request for a normal run, without downloading the topic's
    history each day.
    """
    return size_for(
        lambda since: sum(1 for p in stored if p.updated is not None and p.updated >= since),
        cutoff=cutoff,
        now=now,
        largest=largest,
    )


def size_for(
    updated_since: Callable[[datetime], int], *, cutoff: datetime, now: datetime, largest: int
) -> int:
    """`page_size`, counting the stored papers updated since a time with `updated_since`
    (the database counts them from its files' stamps, without reading the files)."""
    since = now - 2 * (now - cutoff)
    recent = updated_since(since)
    return min(largest, max(MIN_WALK_PAGE, math.ceil(recent / 100) * 100))
