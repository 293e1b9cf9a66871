"""The page size: halved after failures its size may cause, grown back after successes."""

from __future__ import annotations

import pytest

from harvester.arxiv.sizing import GROW_AFTER, MIN_PAGE_SIZE, PageSize
from harvester.errors import FeedError, FetchError, QueryRejected


@pytest.mark.parametrize(
    ("failure", "halved"),
    [
        pytest.param(FetchError("HTTP 503", url="u", attempt=1, status=503), True, id="5xx"),
        pytest.param(
            FetchError("timeout", url="u", attempt=1, failure="ReadTimeout"), True, id="timeout"
        ),
        pytest.param(FeedError("not well-formed"), True, id="truncated"),
        pytest.param(FetchError("HTTP 429", url="u", attempt=1, status=429), False, id="throttled"),
        pytest.param(
            FetchError("down", url="u", attempt=1, failure="ConnectError"), False, id="unreachable"
        ),
        pytest.param(QueryRejected("bad query"), False, id="rejected"),
    ],
)
def test_only_failures_size_may_cause_halve_the_page(failure: Exception, halved: bool):
    """A 5xx, a timeout or a bad body halves the page; throttling, an unreachable host or a rejected query do not."""
    size = PageSize(2000)
    size.failed(failure, 2000)
    assert size.now == (1000 if halved else 2000)


def test_halving_stops_at_the_minimum_and_growth_at_the_bound():
    """Halving ends at `MIN_PAGE_SIZE`; each `GROW_AFTER` successes double it, up to the bound."""
    size = PageSize(2000)
    for _ in range(10):
        size.failed(FeedError("blank"), size.now)
    assert size.now == MIN_PAGE_SIZE
    for _ in range(GROW_AFTER * 10):
        size.succeeded()
    assert size.now == 2000


@pytest.mark.parametrize(
    ("start", "size", "asked"),
    [
        pytest.param(0, 2000, 2000, id="first-page"),
        pytest.param(9000, 2000, 1000, id="near-the-end"),
        pytest.param(4000, 500, 500, id="smaller-asked"),
    ],
)
def test_the_size_asked_fits_what_arxiv_pages(start: int, size: int, asked: int):
    """The size asked is the largest arXiv serves at that offset, at most the size now."""
    assert PageSize(2000).fitting(start, size) == asked


def test_a_failure_near_the_minimum_asks_the_minimum():
    """A failed page of 200 asks for `MIN_PAGE_SIZE` (125) next, never half of 200."""
    size = PageSize(2000)
    size.failed(FeedError("blank"), 200)
    assert size.now == MIN_PAGE_SIZE


def test_the_size_doubles_on_exactly_grow_after_successes():
    """The `GROW_AFTER`-th success in a row doubles the size, not one before nor one after."""
    size = PageSize(2000)
    size.failed(FeedError("blank"), 2000)
    for _ in range(GROW_AFTER - 1):
        size.succeeded()
    assert size.now == 1000
    size.succeeded()
    assert size.now == 2000


def test_a_failure_starts_the_count_of_successes_again():
    """Successes before a failure do not count towards doubling after it."""
    size = PageSize(2000)
    size.failed(FeedError("blank"), 2000)
    for _ in range(GROW_AFTER - 1):
        size.succeeded()
    size.failed(FeedError("blank"), 1000)
    assert size.now == 500
    for _ in range(GROW_AFTER - 1):
        size.succeeded()
    assert size.now == 500
    size.succeeded()
    assert size.now == 1000
