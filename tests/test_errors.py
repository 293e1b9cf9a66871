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
    one_line,
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


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        pytest.param("a\nERROR b", "a\\nERROR b", id="newline"),
        pytest.param("a\r\nb", "a\\r\\nb", id="crlf"),
        pytest.param("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m", id="ansi"),
        pytest.param("del\x7f c1\x9b", "del\\x7f c1\\x9b", id="del-c1"),
        pytest.param("a\u2028b\u2029c", "a\\u2028b\\u2029c", id="separators"),
        pytest.param("x\u202ey\u2066z", "x\\u202ey\\u2066z", id="bidi"),
        pytest.param("Ramírez ✓ C:\\dir 'q'", "Ramírez ✓ C:\\dir 'q'", id="kept"),
    ],
)
def test_one_line_escapes_what_could_break_a_line_or_drive_a_terminal(text: str, quoted: str):
    """Quoted text is one line with control characters escaped, and escaping it again is a no-op."""
    assert one_line(text) == quoted
    assert one_line(quoted) == quoted
