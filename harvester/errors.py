"""The one error tree of the harvester.

Every failure the tool expects is a `HarvestError`; the CLI maps the tree to exit
codes in one place (`UsageError` and `ConfigError` -> 2, everything else -> 1).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from pydantic import ValidationError


class HarvestError(Exception):
    """Base of every error the harvester reports as one line.

    Errors carry what happened; what to do about it (retry, stop the run) is decided
    where they are handled (`retry.retryable`, `retry.run_wide`).
    """


class Interrupted(BaseException):
    """The run was stopped by SIGINT or SIGTERM.

    Like KeyboardInterrupt, not an Exception, so that no handler meant for errors
    swallows it; the CLI catches it to end the run cleanly.

    Attributes:
        signal_number: the signal that stopped it.
    """

    def __init__(self, signal_number: int) -> None:
        self.signal_number = signal_number
        super().__init__("interrupted")


class UsageError(HarvestError):
    """The command line asked for something that does not exist (exit code 2)."""


class LocalInstall(UsageError):
    """This harvester was installed from somewhere only this machine has (a local
    directory or file), or from where cannot be told, so `harvest init` cannot name a
    requirement that installs it elsewhere; the message says how to install it instead
    (exit code 2)."""


class MissingExtra(HarvestError):
    """A command needs an optional package that is not installed; the message names the
    `pip install` that brings it (exit code 1)."""


class ConfigError(HarvestError):
    """`queries.toml` is missing, unreadable or invalid (exit code 2).

    Attributes:
        path: the config file.
        detail: what is wrong, naming the key.
    """

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(f"{path}: {detail}")


class FetchError(HarvestError):
    """An HTTP request to arXiv failed.

    Its message names the page (`start` offset) but not the URL, which can be
    hundreds of characters long; the CLI shows `url` under `-v`.

    Attributes:
        url: the request URL.
        attempt: which attempt failed (1-based).
        status: the HTTP status, or None when no response came.
        retry_after_seconds: the server's `Retry-After`, when it sent one.
        failure: when no response came, what failed: httpx's name for it
            (`ConnectError`, `ReadTimeout`, `TooManyRedirects`, ...), or `deadline`.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str,
        attempt: int = 1,
        status: int | None = None,
        retry_after_seconds: float | None = None,
        failure: str | None = None,
    ) -> None:
        self.message = message
        self.url = url
        self.attempt = attempt
        self.status = status
        self.retry_after_seconds = retry_after_seconds
        self.failure = failure
        super().__init__(message)

    def __str__(self) -> str:
        if self.failure in CONNECTING:  # no page was ever asked of an unreachable host
            return self.message
        return f"{self.message}{page_of(self.url)}"


# httpx's names for failing to connect at all: the host is unknown, refuses, or is silent.
CONNECTING = frozenset({"ConnectError", "ConnectTimeout"})


class FeedError(HarvestError):
    """A response body is not a usable arXiv Atom feed (cut short, an HTML page, ...).

    Attributes:
        detail: what is wrong with the body.
        url: where it came from, once known (the parser does not know it).
    """

    def __init__(self, detail: str, *, url: str | None = None) -> None:
        self.detail = detail
        self.url = url
        super().__init__(detail)

    def __str__(self) -> str:
        return f"{self.detail}{page_of(self.url)}"


class RefusedBody(FeedError):
    """A body refused unread: it declares XML entities, or is larger than we take."""


class QueryRejected(FeedError):
    """arXiv answered with its error feed: the query or id is bad."""


class OaiRejected(QueryRejected):
    """arXiv's OAI-PMH answered with an error document (`badArgument`, ...): the same
    request would get the same answer.

    Attributes:
        code: the OAI-PMH error code.
    """

    def __init__(self, code: str, reason: str, *, url: str | None = None) -> None:
        self.code = code
        super().__init__(f"OAI-PMH error {code}: {reason}", url=url)


class EmptyPageError(FeedError):
    """A page came back empty although `totalResults` says there is more."""


class TooManyResults(FeedError):
    """The query matches more results than one query pages (`client.MAX_RESULTS`).

    Attributes:
        total: what arXiv says the query matches.
    """

    def __init__(self, total: int, *, url: str | None = None) -> None:
        self.total = total
        super().__init__(f"query matches {total} results, more than one query pages", url=url)


class StoreError(HarvestError):
    """A data file cannot be read, is not valid, or cannot be written.

    Attributes:
        path: the data file.
        detail: what is wrong and where.
    """

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(f"{path}: {detail}")


# Bidirectional overrides and isolates reorder what a terminal shows (CVE-2021-42574).
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def one_line(text: str) -> str:
    """Another program's words (GitHub's, arXiv's, git's) made safe to quote in a message.

    Control characters (newlines, ANSI escapes, DEL, C1), line and paragraph separators
    and bidirectional overrides are written as Python escapes (`\\n`, `\\x1b`,
    `\\u2028`), so a quoted text can neither start a line of its own (a forged `ERROR`
    line) nor drive the terminal. Everything else is kept as it is; applying it twice
    changes nothing more.
    """
    return "".join(
        repr(char)[1:-1]
        if unicodedata.category(char) in {"Cc", "Zl", "Zp"} or char in _BIDI
        else char
        for char in text
    )


def page_of(url: str | None) -> str:
    """` (page at offset N)` for a query URL with a `start`, else nothing."""
    if not url:
        return ""
    start = parse_qs(urlsplit(url).query).get("start")
    return f" (page at offset {start[-1]})" if start else ""


def first_problem(exc: ValidationError, *, whole: str) -> str:
    """pydantic's first error as `where: what`; `whole` names the top level.

    Every file the tool reads reports bad content this way, e.g. `authors: Input
    should be a valid list`.
    """
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or whole
    return f"{where}: {error['msg']}"
