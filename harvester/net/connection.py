"""One source's connection: a single socket, every request within its deadline, the body
read whole but capped, and a failure named plainly (`cannot reach export.arxiv.org: name
not known`).

Both sources (`harvester.arxiv`, `harvester.oai`) send through it, so that they count
requests and answers alike and fail with the same words.
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from types import TracebackType
from typing import Self

import httpx
from tenacity import Retrying

from harvester.errors import FetchError, RefusedBody
from harvester.net import deadline, retry
from harvester.net.pacer import Pacer, Sleep


@dataclass(frozen=True)
class Answer:
    """What a server sent back to one request.

    Attributes:
        url: the URL sent, parameters included.
        response: the response, closed: its status and headers.
        body: the whole body.
    """

    url: str
    response: httpx.Response
    body: bytes


class Connection:
    """The HTTP side of a polite client: one connection at a time, as arXiv's terms ask.

    Args:
        pacer: spaces request starts; share one across a run (and across sources).
        user_agent: the User-Agent header of every request.
        connect_timeout_seconds: time to open the connection.
        read_timeout_seconds: time to wait for any byte of the response.
        request_deadline_seconds: time for the whole of one request (connect,
            headers and body), however steadily its bytes come.
        transport: an httpx transport (tests inject mocks).
        logger: where each request's URL is logged (DEBUG), the client's own.
    """

    def __init__(
        self,
        *,
        pacer: Pacer,
        user_agent: str,
        connect_timeout_seconds: float,
        read_timeout_seconds: float,
        request_deadline_seconds: float,
        transport: httpx.BaseTransport | None,
        logger: logging.Logger,
    ) -> None:
        self._pacer = pacer
        self._deadline_seconds = request_deadline_seconds
        self._connect_seconds = connect_timeout_seconds
        self._logger = logger
        self._deadline = deadline.Deadline()
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        self.http = httpx.Client(
            headers={"User-Agent": user_agent},
            timeout=httpx.Timeout(read_timeout_seconds, connect=connect_timeout_seconds),
            limits=limits,
            follow_redirects=True,
            transport=transport or deadline.transport(self._deadline, limits=limits),
        )
        """The httpx client (its pool holds one connection)."""
        self.requests = 0
        """Requests sent, retries included."""
        self.answered = 0
        """Requests a server answered (with any status): `requests` less those that never
        connected or got no response."""

    def close(self) -> None:
        """Close the connection."""
        self.http.close()

    def get(self, url: str, params: dict[str, str], *, attempt: int, max_body_bytes: int) -> Answer:
        """Send a GET when the pacer allows, and read its whole body within the request's
        deadline.

        Raises:
            FetchError: no response, or none complete in time, or no URL can be made of
                `url` and `params` (never sent).
            RefusedBody: the body is larger than `max_body_bytes`.
        """
        try:
            request = self.http.build_request("GET", url, params=params)
        except httpx.InvalidURL as exc:  # too long, say: no request can be sent
            message = f"cannot make a request URL: {exc}"
            raise FetchError(message, url=url, attempt=attempt, failure="InvalidURL") from None
        self._pacer.wait()
        self.requests += 1
        sent = str(request.url)
        self._logger.debug("GET %s", sent)
        response, body = self._send(request, attempt, max_body_bytes)
        return Answer(sent, response, body)

    def _send(
        self, request: httpx.Request, attempt: int, max_body_bytes: int
    ) -> tuple[httpx.Response, bytes]:
        url = str(request.url)
        self._deadline.start(self._deadline_seconds)
        try:
            response = self.http.send(request, stream=True)
            self.answered += 1
            try:
                return response, read_capped(response, url, self._deadline, max_body_bytes)
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
            host = _host(httpx.URL(url))
            message = f"cannot reach {host}: {_why_unreachable(exc, self._connect_seconds)}"
            return FetchError(message, url=url, attempt=attempt, failure=name)
        return FetchError(f"{name}: {exc}", url=url, attempt=attempt, failure=name)


class Client:
    """What a client of one of arXiv's interfaces is made of: its `Connection`, the retry
    loop of one page, and closing (`with` closes it).

    Args:
        pacer, connect_timeout_seconds, read_timeout_seconds, request_deadline_seconds,
        max_attempts, max_retry_seconds, max_retry_after_seconds, sleep, transport:
            as `ArxivClient` and `OaiClient` take them.
        user_agent: the User-Agent header of every request.
        logger: the client's own, for its requests (DEBUG) and retries (WARNING).
        what: how its retry lines name an attempt (`OAI-PMH attempt 2 of 5 failed`).
    """

    def __init__(
        self,
        *,
        pacer: Pacer,
        user_agent: str,
        connect_timeout_seconds: float,
        read_timeout_seconds: float,
        request_deadline_seconds: float,
        max_attempts: int,
        max_retry_seconds: float,
        max_retry_after_seconds: float,
        sleep: Sleep,
        transport: httpx.BaseTransport | None,
        logger: logging.Logger,
        what: str = "attempt",
    ) -> None:
        self._connection = Connection(
            pacer=pacer,
            user_agent=user_agent,
            connect_timeout_seconds=connect_timeout_seconds,
            read_timeout_seconds=read_timeout_seconds,
            request_deadline_seconds=request_deadline_seconds,
            transport=transport,
            logger=logger,
        )
        self._http = self._connection.http  # the httpx client: its pool and timeouts
        self._max_attempts = max_attempts
        self._max_retry_seconds = max_retry_seconds
        self._max_retry_after_seconds = max_retry_after_seconds
        self._sleep = sleep
        self._logger = logger
        self._what = what

    @property
    def requests(self) -> int:
        """Requests sent, retries included."""
        return self._connection.requests

    @property
    def answered(self) -> int:
        """Requests a server answered (with any status): `requests` less those that never
        connected or got no response."""
        return self._connection.answered

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
        self._connection.close()

    def _retrying(self) -> Retrying:
        """The retry loop of one page (`retry.retrying`), with this client's settings."""
        return retry.retrying(
            max_attempts=self._max_attempts,
            max_retry_seconds=self._max_retry_seconds,
            max_retry_after_seconds=self._max_retry_after_seconds,
            sleep=self._sleep,
            logger=self._logger,
            what=self._what,
        )


# getaddrinfo's failures, in words (the C library's own are "Name or service not known").
_LOOKUP_FAILURES = {
    socket.EAI_NONAME: "name not known",
    socket.EAI_AGAIN: "name lookup failed for now (no DNS answer)",
}
if hasattr(socket, "EAI_NODATA"):  # glibc's; not every platform has it
    _LOOKUP_FAILURES[socket.EAI_NODATA] = "name has no address"


def _host(url: httpx.URL) -> str:
    """`export.arxiv.org`, or `127.0.0.1:8765` when the URL names a port."""
    return url.host if url.port is None else f"{url.host}:{url.port}"


def _why_unreachable(exc: httpx.HTTPError, connect_seconds: float) -> str:
    """Why connecting failed, plainly: `name not known`, `connection refused`, ..."""
    if isinstance(exc, httpx.ConnectTimeout):
        return f"no connection within {connect_seconds:g} s"
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, OSError):
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, socket.gaierror) and cause.errno in _LOOKUP_FAILURES:
        return _LOOKUP_FAILURES[cause.errno]
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror[0].lower() + cause.strerror[1:]
    return str(exc) or type(exc).__name__


def read_capped(
    response: httpx.Response, url: str, due: deadline.Deadline, max_body_bytes: int
) -> bytes:
    """A streamed response's whole body, refused past `max_body_bytes` or past `due`.

    Raises:
        RefusedBody: the body is larger than `max_body_bytes`.
        httpx.ReadTimeout: the request's deadline passed while reading.
    """
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        if due.passed:  # the socket's reads are bound too; this also covers a mock
            raise httpx.ReadTimeout("the request's deadline passed", request=response.request)
        size += len(chunk)
        if size > max_body_bytes:
            raise RefusedBody(f"response larger than {max_body_bytes} bytes refused", url=url)
        chunks.append(chunk)
    return b"".join(chunks)


def retry_after(response: httpx.Response) -> float | None:
    """The server's `Retry-After` in seconds, or None when it sent none we can read."""
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP-date, or garbage: fall back to our own backoff
