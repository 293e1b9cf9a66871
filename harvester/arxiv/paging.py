"""How deep arXiv pages one query, since its query API moved to a new backend
(2025-11-11; arXiv/arxiv-search, read at commit 764d7eb).

A page is asked for by `start` and `max_results`; the backend serves it only within
`MAX_RESULTS` rows, and answers anything past them with HTTP 500 and its error feed.
`totalResults` is not capped by it: a query may say it matches 214,881 and serve
10,000 of them.
"""

from __future__ import annotations

# "The maximum result offset for pagination" (search/services/index/util.py:22).
MAX_RESULTS = 10_000


def fits(start: int, size: int) -> bool:
    """Whether arXiv serves a page of `size` rows at offset `start`.

    Its backend refuses (HTTP 500) a page whose number, `1 + round(start / size)`
    (search/domain/base.py:327-329), passes `int(MAX_RESULTS / size)`
    (search/services/index/__init__.py:488-492), and any `start + size` past
    `MAX_RESULTS`; `max_results=0` divides by zero there, so a size is at least 1.
    """
    return (
        size >= 1 and start + size <= MAX_RESULTS and 1 + round(start / size) <= MAX_RESULTS // size
    )


def reach(size: int) -> int:
    """How many rows of one query pages of `size` can fetch."""
    return MAX_RESULTS // size * size
