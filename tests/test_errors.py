"""The error tree: every expected failure is a HarvestError whose message is one line
saying what and where; the data it carries stays on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.errors import (
    ConfigError,
    FeedError,
    FetchError,
    HarvestError,
    QueryRejected,
    StoreError,
    UsageError,
)

URL = "https://export.arxiv.org/api/query?search_query=all%3Ax&start=40&max_results=20"


@pytest.mark.parametrize(
    ("error", "message"),
    [
        pytest.param(
            FetchError("HTTP 503", url=URL, attempt=2, status=503),
            "HTTP 503 (page at offset 40)",
            id="fetch",
        ),
        pytest.param(
            FetchError("ConnectError: refused", url="https://export.arxiv.org/api/query"),
            "ConnectError: refused",
            id="fetch-no-page",
        ),
        pytest.param(
            StoreError(Path("data/t.json"), "not valid JSON at line 1 column 2"),
            "data/t.json: not valid JSON at line 1 column 2",
            id="store",
        ),
        pytest.param(
            ConfigError(Path("queries.toml"), 'unknown key "x"'),
            'queries.toml: unknown key "x"',
            id="config",
        ),
        pytest.param(UsageError("unknown topic 'nope'"), "unknown topic 'nope'", id="usage"),
        pytest.param(
            QueryRejected("arXiv rejected the query: bad"),
            "arXiv rejected the query: bad",
            id="rejected",
        ),
    ],
)
def test_each_error_is_one_line_naming_what_and_where(error: HarvestError, message: str):
    """An error's message is what went wrong, then where (the file, the page of the query)."""
    assert isinstance(error, HarvestError)
    assert str(error) == message
    assert "\n" not in str(error)


def test_a_fetch_error_keeps_its_data():
    """A FetchError carries the URL, the attempt and the status it ended with."""
    error = FetchError("HTTP 503", url=URL, attempt=3, status=503)
    assert (error.url, error.attempt, error.status) == (URL, 3, 503)


def test_a_rejected_query_is_a_feed_error():
    """arXiv's rejection of a query is a kind of unusable feed, caught as one."""
    with pytest.raises(FeedError, match="rejected"):
        raise QueryRejected("arXiv rejected the query: incorrect id format for abc")
