"""How many results a page asks for: the bound, halved after a failure its size may
cause, doubled back after pages that succeed.

arXiv serves up to 2,000 results per request, and its largest pages are the ones that
stall, come back truncated, blank or empty, or fail with a 5xx (DESIGN.md, "Failures
seen"). Throttling (429) and an unreachable host are not about size and change nothing.
"""

from __future__ import annotations

import logging

from harvester.arxiv.paging import fits
from harvester.net import retry

logger = logging.getLogger(__name__)

MIN_PAGE_SIZE = 125
"""Pages are never halved below this (2,000 / 16; it still pages all 10,000 rows)."""
GROW_AFTER = 4
"""Pages that succeed at a halved size before it is doubled again."""


class PageSize:
    """The size pages are asked for now, at most `bound`.

    Args:
        bound: the most results asked for per request (`--page-size`).
    """

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self.now = bound
        """The size asked for now: `bound`, or less after failures."""
        self._streak = 0

    def fitting(self, start: int, size: int) -> int:
        """The size to ask for: `size`, at most the size now, as arXiv pages it at `start`."""
        asked = min(size, self.now)
        while asked > 1 and not fits(start, asked):
            asked -= 1
        return asked if fits(start, asked) else size

    def failed(self, exc: Exception, asked: int) -> None:
        """Halve the size after a failure that a page of `asked` results may have caused."""
        if not retry.retryable(exc) or retry.run_wide(exc) or asked <= MIN_PAGE_SIZE:
            return
        self.now = max(MIN_PAGE_SIZE, asked // 2)
        self._streak = 0
        logger.warning("a page of %d failed (%s): asking for %d", asked, exc, self.now)

    def succeeded(self) -> None:
        """Double a halved size after `GROW_AFTER` pages that succeeded."""
        if self.now >= self.bound:
            return
        self._streak += 1
        if self._streak >= GROW_AFTER:
            self.now = min(self.bound, 2 * self.now)
            self._streak = 0
            logger.info("pages succeed again: asking for %d", self.now)
