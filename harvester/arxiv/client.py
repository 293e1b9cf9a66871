"""The arXiv query API client: politeness, paging and retries.

arXiv's terms of use (https://info.arxiv.org/help/api/tou.html) allow one request
every 3 seconds over one connection; `Pacer` keeps request starts that far apart
across every topic of a run, and the httpx pool holds a single connection.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Literal, Self

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
)

from harvester import __version__
from harvester.arxiv import feed
from harvester.arxiv.paging import MAX_RESULTS, fits, reach
from harvester.errors import (
    EmptyPageError,
    FeedError,
    FetchError,
    QueryRejected,
    RefusedBody,
    TooManyResults,
)
from harvester.models import Paper
from harvester.net import deadline, retry, unreachable
from harvester.net.pacer import Pacer, Sleep

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
# arXiv serves up to 2,000 results per request, but its largest pages are the ones
# that come back slow, truncated or empty; 1,000 halves that risk for little cost.
DEFAULT_PAGE_SIZE = 1000
MAX_PAGE_SIZE = 2000
MAX_BODY_BYTES = 64 * 1024 * 1024  # a 2,000-entry page is about 5 MB
USER_AGENT = f"arxiv-harvester/{__version__}"
# The whole of one request: connecting, the headers, the body. A 2,000-entry page
# (about 5 MB) takes seconds; a connection that needs longer is stalling.
DEFAULT_REQUEST_DEADLINE_SECONDS = 120.0
_RATE_EXCEEDED = b"Rate exceeded."

SortField = Literal["submittedDate", "lastUpdatedDate"]


@dataclass
class SearchResult:
    """What one query returned.

    Attributes:
        papers: valid records in the order arXiv served them (may repeat a paper).
        total_results: what arXiv said the query matches.
        requests: HTTP requests sent, retries included.
        answered: how many of them a server answered.
    """

    papers: list[Paper] = field(default_factory=list)
    total_results: int = 0
    requests: int = 0
    answered: int = 0


class ArxivClient:
    """A polite client of the arXiv query API.

    Args:
        api_url: the query endpoint.
        pacer: spaces request starts; share one across a run.
        page_size: results asked for per request (at most 2,000).
        connect_timeout_seconds: time to open the connection.
        read_timeout_seconds: time to wait for any byte of the response.
        request_deadline_seconds: time for the whole of one request (connect,
            headers and body), however steadily its bytes come.
        max_attempts: attempts per page before its failure is reported.
        max_retry_seconds: total time spent retrying one page before giving up.
        max_retry_after_seconds: the most a server's `Retry-After` may make us wait.
        sleep: how to wait between attempts (tests inject a recorder).
        transport: an httpx transport (tests inject mocks).
        on_page: called with the query and every page of it that arrives (progress
            displays).
    """

    def __init__(
        self,
        *,
        api_url: str = DEFAULT_API_URL,
        pacer: Pacer,
        page_size: int = DEFAULT_PAGE_SIZE,
        connect_timeout_seconds: float = 10.0,
        read_timeout_seconds: float = 60.0,
        request_deadline_seconds: float = DEFAULT_REQUEST_DEADLINE_SECONDS,
        max_attempts: int = 5,
        max_retry_seconds: float = 600.0,
        max_retry_after_seconds: float = 120.0,
        sleep: Sleep = time.sleep,
        transport: httpx.BaseTransport | None = None,
        on_page: Callable[[str, feed.Page], None] | None = None,
    ) -> None:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        self.api_url = api_url
        self.page_size = page_size
        self._pacer = pacer
        self._on_page = on_page
        self._sleep = sleep
        self._max_attempts = max_attempts
        self._max_retry_seconds = max_retry_seconds
        self._max_retry_after_seconds = max_retry_after_seconds
        self._deadline_seconds = request_deadline_seconds
        self._connect_seconds = connect_timeout_seconds
        self._deadline = deadline.Deadline()
        # One connection at a time, as arXiv's terms ask.
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        self._http = httpx.Client(
            headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(read_timeout_seconds, connect=connect_timeout_seconds),
            limits=limits,
            follow_redirects=True,
            transport=transport or deadline.transport(self._deadline, limits=limits),
        )
        self.requests = 0
        """Requests sent, retries included."""
        self.answered = 0
        """Requests a server answered (with any status): `requests` less those that never
        connected or got no response."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self._http.close()

    def search(self, query: str, *, max_results: int | None = None) -> SearchResult:
        """Fetch every result of `query` (or the first `max_results`), newest first
        by first submission, when they fit the rows arXiv pages.

        Raises:
            TooManyResults: the query matches more than one query can page; split it.
            FetchError: a request failed for good.
            FeedError: a response was unusable for good, or arXiv rejected the query.
        """
        result = SearchResult()
        requests_before, answered_before = self.requests, self.answered
        start = 0
        while True:
            limit = self.page_size if max_results is None else max_results - start
            size = min(self.page_size, limit)
            page = self.page(query, start=start, size=size, expected=result.total_results)
            wanted = (
                page.total_results if max_results is None else min(page.total_results, max_results)
            )
            if wanted > reach(self.page_size):
                raise TooManyResults(page.total_results, url=self.api_url)
            result.total_results = max(result.total_results, page.total_results)
            result.papers.extend(page.papers)
            start += page.entries
            if start >= wanted or page.entries == 0:
                break
        if max_results is not None:
            del result.papers[max_results:]  # a server may serve more than it was asked for
        result.requests = self.requests - requests_before
        result.answered = self.answered - answered_before
        return result

    def page(
        self,
        query: str,
        *,
        start: int,
        size: int,
        sort_by: SortField = "submittedDate",
        expected: int = 0,
    ) -> feed.Page:
        """Fetch and parse one page, newest first by `sort_by`, retrying what is transient.

        `expected` is the most results earlier pages said there are: a page that
        comes back empty before that is a glitch, even if its own total shrank.

        Raises:
            ValueError: the page does not `fit` the rows arXiv pages (a caller's bug).
            FetchError: the request failed for good.
            FeedError: the response was unusable for good, or arXiv rejected the query.
        """
        if not fits(start, size):
            raise ValueError(
                f"a page of {size} at offset {start} passes arXiv's {MAX_RESULTS} rows"
            )
        page = self._page(query, start, size, sort_by, expected)
        if self._on_page is not None:
            self._on_page(query, page)
        return page

    def _page(
        self, query: str, start: int, size: int, sort_by: SortField, expected: int
    ) -> feed.Page:
        """Fetch and parse one page, retrying what is transient.

        `expected` is the most results earlier pages said there are: a page that
        comes back empty before that is a glitch, even if its own total shrank.
        """
        params = {
            "search_query": query,
            "start": str(start),
            "max_results": str(size),
            # Sent explicitly: arXiv's default order is relevance, which is not stable.
            "sortBy": sort_by,
            "sortOrder": "descending",
        }
        retrying = Retrying(
            stop=stop_after_attempt(self._max_attempts) | stop_after_delay(self._max_retry_seconds),
            wait=self._wait,
            retry=retry_if_exception(retry.retryable),
            reraise=True,
            sleep=self._sleep,
            before_sleep=self._log_retry,
        )
        for attempt in retrying:
            with attempt:
                page = self._attempt(params, expected, attempt.retry_state.attempt_number)
        return page

    def _attempt(self, params: dict[str, str], expected: int, attempt: int) -> feed.Page:
        """One request: send it, then read the page out of what came back.

        Raises:
            FetchError: no response, or an HTTP status other than 200 and arXiv's 400.
            FeedError: the body is not a usable page (arXiv's error feed included).
        """
        self._pacer.wait()
        self.requests += 1
        request = self._http.build_request("GET", self.api_url, params=params)
        url = str(request.url)
        logger.debug("GET %s", url)
        response, body = self._send(request, attempt)
        status = response.status_code
        if status == 200 and body.strip() == _RATE_EXCEEDED:
            status = 429  # arXiv's throttling page, sometimes sent with a 200
        if status not in {200, 400}:
            raise FetchError(
                f"HTTP {status}",
                url=url,
                attempt=attempt,
                status=status,
                retry_after_seconds=_retry_after(response),
            )
        try:
            page = feed.parse(body)
        except FeedError as exc:
            if status == 400 and not isinstance(exc, QueryRejected):
                raise FetchError("HTTP 400", url=url, attempt=attempt, status=status) from None
            exc.url = url
            raise
        if status == 400:
            raise FetchError(
                "HTTP 400 without an arXiv error entry", url=url, attempt=attempt, status=status
            )
        _check_offset(page, int(params["start"]), max(page.total_results, expected), url)
        return page

    def _send(self, request: httpx.Request, attempt: int) -> tuple[httpx.Response, bytes]:
        """Send a request and read its whole body, within the request's deadline."""
        url = str(request.url)
        self._deadline.start(self._deadline_seconds)
        try:
            response = self._http.send(request, stream=True)
            self.answered += 1
            try:
                return response, _read_capped(response, url, self._deadline)
            finally:
                response.close()
        except httpx.HTTPError as exc:
            raise self._fetch_error(exc, url, attempt) from exc
        finally:
            self._deadline.clear()

    def _fetch_error(self, exc: httpx.HTTPError, url: str, attempt: int) -> FetchError:
        """The FetchError for an httpx failure, saying what failed."""
        if self._deadline.passed:
            message = f"no complete response within {self._deadline_seconds:g} s"
            return FetchError(message, url=url, attempt=attempt, failure="deadline")
        name = type(exc).__name__
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
            message = unreachable.message(url, exc, self._connect_seconds)
            return FetchError(message, url=url, attempt=attempt, failure=name)
        return FetchError(f"{name}: {exc}", url=url, attempt=attempt, failure=name)

    def _wait(self, state: RetryCallState) -> float:
        return retry.wait_seconds(state, max_retry_after_seconds=self._max_retry_after_seconds)

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        logger.warning(
            "attempt %d of %d failed: %s; retrying in %.1f s",
            state.attempt_number,
            self._max_attempts,
            exc,
            wait,
        )


def _check_offset(page: feed.Page, start: int, total: int, url: str) -> None:
    """Raise when a page is empty before `total` results, or starts elsewhere than asked."""
    if page.entries == 0 and start < total:
        raise EmptyPageError(f"empty page at offset {start} of {total} results", url=url)
    if page.entries and page.start_index != start:
        raise FeedError(f"asked for offset {start}, got offset {page.start_index}", url=url)


def _read_capped(response: httpx.Response, url: str, due: deadline.Deadline) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        if due.passed:  # the socket's reads are bound too; this also covers a mock
            raise httpx.ReadTimeout("the request's deadline passed", request=response.request)
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise RefusedBody(f"response larger than {MAX_BODY_BYTES} bytes refused", url=url)
        chunks.append(chunk)
    return b"".join(chunks)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP-date, or garbage: fall back to our own backoff
