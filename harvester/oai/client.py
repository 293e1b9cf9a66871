"""The arXiv OAI-PMH client: `ListRecords` by day and set, paged by resumption token.

The same terms of use as the query API hold (https://info.arxiv.org/help/api/tou.html):
one request every 3 seconds across all of arXiv's interfaces together, so this client
takes the run's `Pacer`, the one the query API client waits on, and holds a single
connection. Retries and deadlines are the query API's (`harvester.net`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import date
from types import TracebackType
from typing import Self

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
)

from harvester import __version__
from harvester.errors import EmptyPageError, FeedError, FetchError, RefusedBody
from harvester.net import deadline, retry, unreachable
from harvester.net.pacer import Pacer, Sleep
from harvester.oai import records

logger = logging.getLogger(__name__)

DEFAULT_OAI_URL = "https://oaipmh.arxiv.org/oai"
# Every version of each paper, whether one is a withdrawal, and the license: what the
# query API does not say (`arXiv/oaipmh`, `oaipmh/data/oai_config.py`).
METADATA_PREFIX = "arXivRaw"
# A page is 2,500 records (`RECORDS_LIMIT`, `oaipmh/config.py`) of about 2 kB each.
MAX_BODY_BYTES = 64 * 1024 * 1024
# arXiv's page of records by default (`RECORDS_LIMIT`); only costs are estimated with it:
# the client follows the tokens whatever the page size.
RECORDS_PER_PAGE = 2500
USER_AGENT = f"arxiv-harvester/{__version__}"
# No record's datestamp is earlier (`EARLIEST_DATE`, `oaipmh/data/oai_config.py`), and a
# `from` before it is a badArgument ("start date too early").
EARLIEST_DATESTAMP = date(2005, 9, 16)
DEFAULT_REQUEST_DEADLINE_SECONDS = 120.0


class OaiClient:
    """A polite client of arXiv's OAI-PMH `ListRecords`.

    Args:
        oai_url: the OAI-PMH endpoint.
        pacer: spaces request starts; the same one as the query API client's.
        connect_timeout_seconds: time to open the connection.
        read_timeout_seconds: time to wait for any byte of the response.
        request_deadline_seconds: time for the whole of one request.
        max_attempts: attempts per page before its failure is reported.
        max_retry_seconds: total time spent retrying one page before giving up.
        max_retry_after_seconds: the most a server's `Retry-After` may make us wait.
        sleep: how to wait between attempts (tests inject a recorder).
        transport: an httpx transport (tests inject mocks).
        on_page: called with every page that arrives (progress displays).
    """

    def __init__(
        self,
        *,
        oai_url: str = DEFAULT_OAI_URL,
        pacer: Pacer,
        connect_timeout_seconds: float = 10.0,
        read_timeout_seconds: float = 60.0,
        request_deadline_seconds: float = DEFAULT_REQUEST_DEADLINE_SECONDS,
        max_attempts: int = 5,
        max_retry_seconds: float = 600.0,
        max_retry_after_seconds: float = 120.0,
        sleep: Sleep = time.sleep,
        transport: httpx.BaseTransport | None = None,
        on_page: Callable[[records.ListPage], None] | None = None,
    ) -> None:
        self.oai_url = oai_url
        self._pacer = pacer
        self._sleep = sleep
        self._on_page = on_page
        self._max_attempts = max_attempts
        self._max_retry_seconds = max_retry_seconds
        self._max_retry_after_seconds = max_retry_after_seconds
        self._deadline_seconds = request_deadline_seconds
        self._connect_seconds = connect_timeout_seconds
        self._deadline = deadline.Deadline()
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        self._http = httpx.Client(
            headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(read_timeout_seconds, connect=connect_timeout_seconds),
            limits=limits,
            follow_redirects=True,
            transport=transport or deadline.transport(self._deadline, limits=limits),
        )
        self.requests = 0
        self.answered = 0
        """Requests a server answered (with any status), as the query API client counts."""

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

    def list_records(
        self, *, from_day: date | None = None, set_spec: str | None = None, token: str | None = None
    ) -> Iterator[records.ListPage]:
        """Every page of the records changed from `from_day` on (all, without it) in
        `set_spec` (all of arXiv, without it), or of the list `token` continues.

        Each page's `token` asks for the rest of the list, so a caller that stops after
        a page can resume there (arXiv's tokens are stateless and do not expire,
        `oaipmh/processors/resume.py`).

        Raises:
            FetchError: a request failed for good.
            FeedError: a response was unusable for good (`OaiRejected`: an OAI error).
        """
        while True:
            page = self.page(from_day=from_day, set_spec=set_spec, token=token)
            yield page
            if page.token is None:
                return
            token = page.token

    def page(
        self, *, from_day: date | None = None, set_spec: str | None = None, token: str | None = None
    ) -> records.ListPage:
        """One page of a list, retrying what is transient (see `list_records`)."""
        params = {"verb": "ListRecords"}
        if token is not None:
            params["resumptionToken"] = token  # exclusive: no other argument with it
        else:
            params["metadataPrefix"] = METADATA_PREFIX
            if from_day is not None and from_day > EARLIEST_DATESTAMP:
                params["from"] = from_day.isoformat()  # days only: `\d{4}-\d{2}-\d{2}`
            if set_spec is not None:
                params["set"] = set_spec
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
                page = self._attempt(params, attempt.retry_state.attempt_number)
        if self._on_page is not None:
            self._on_page(page)
        return page

    def _attempt(self, params: dict[str, str], attempt: int) -> records.ListPage:
        """One request: send it, then read the page out of what came back.

        Raises:
            FetchError: no response, or an HTTP status other than 200.
            FeedError: the body is not a usable page (an OAI error document included).
        """
        self._pacer.wait()
        self.requests += 1
        request = self._http.build_request("GET", self.oai_url, params=params)
        url = str(request.url)
        logger.debug("GET %s", url)
        response, body = self._send(request, attempt)
        if response.status_code != 200:  # arXiv's OAI errors come with a 200 (factory.py)
            raise FetchError(
                f"HTTP {response.status_code}",
                url=url,
                attempt=attempt,
                status=response.status_code,
                retry_after_seconds=_retry_after(response),
            )
        try:
            page = records.parse(body)
        except FeedError as exc:
            exc.url = url
            raise
        if page.entries == 0 and page.token is not None:
            raise EmptyPageError("an OAI-PMH page without records, yet more to come", url=url)
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
            if self._deadline.passed:
                message = f"no complete response within {self._deadline_seconds:g} s"
                raise FetchError(message, url=url, attempt=attempt, failure="deadline") from exc
            name = type(exc).__name__
            if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):  # as the query API's
                message = unreachable.message(url, exc, self._connect_seconds)
            else:
                message = f"{name}: {exc}"
            raise FetchError(message, url=url, attempt=attempt, failure=name) from exc
        finally:
            self._deadline.clear()

    def _wait(self, state: RetryCallState) -> float:
        return retry.wait_seconds(state, max_retry_after_seconds=self._max_retry_after_seconds)

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        logger.warning(
            "OAI-PMH attempt %d of %d failed: %s; retrying in %.1f s",
            state.attempt_number,
            self._max_attempts,
            exc,
            wait,
        )


def _read_capped(response: httpx.Response, url: str, due: deadline.Deadline) -> bytes:
    # As the query API client reads a body (harvester.arxiv.client): capped, in time.
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        if due.passed:
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
        return None
