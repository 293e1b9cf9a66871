"""The arXiv OAI-PMH client: `ListRecords` by day and set, paged by resumption token.

The same terms of use as the query API hold (https://info.arxiv.org/help/api/tou.html):
one request every 3 seconds across all of arXiv's interfaces together, so this client
takes the run's `Pacer`, the one the query API client waits on, and holds a single
connection. It sends through the same `harvester.net.connection.Connection` as the query API
client (deadlines, capped bodies, failures named with the host) and retries alike.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

import httpx

from harvester import __version__
from harvester.errors import EmptyPageError, FeedError, FetchError
from harvester.net.connection import Client, retry_after
from harvester.net.pacer import Pacer, Sleep
from harvester.oai import identifiers, records

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
# arXiv's tokens are a few dozen characters (`oaipmh/processors/resume.py`); a longer one
# is saved in a cursor before it is sent, and one past what a URL holds would then fail
# every later run: refused as it arrives, a fault of the server.
MAX_TOKEN_CHARS = 1000
# A `ListIdentifiers` page is 20,000 headers (`IDENTIFIERS_LIMIT`, `oaipmh/config.py:23`).
IDS_PER_PAGE = 20_000

_Page = TypeVar("_Page", records.ListPage, identifiers.IdPage)


class OaiClient(Client):
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
        super().__init__(
            pacer=pacer,
            user_agent=USER_AGENT,
            connect_timeout_seconds=connect_timeout_seconds,
            read_timeout_seconds=read_timeout_seconds,
            request_deadline_seconds=request_deadline_seconds,
            max_attempts=max_attempts,
            max_retry_seconds=max_retry_seconds,
            max_retry_after_seconds=max_retry_after_seconds,
            sleep=sleep,
            transport=transport,
            logger=logger,
            what="OAI-PMH attempt",
        )
        self.oai_url = oai_url
        self._on_page = on_page

    def list_records(
        self,
        *,
        from_day: date | None = None,
        until_day: date | None = None,
        set_spec: str | None = None,
        token: str | None = None,
    ) -> Iterator[records.ListPage]:
        """Every page of the records changed from `from_day` on (all, without it) to
        `until_day` (today, without it) in `set_spec` (all of arXiv, without it), or of
        the list `token` continues.

        Each page's `token` asks for the rest of the list, so a caller that stops after
        a page can resume there (arXiv's tokens are stateless and do not expire,
        `oaipmh/processors/resume.py`).

        Raises:
            FetchError: a request failed for good.
            FeedError: a response was unusable for good (`OaiRejected`: an OAI error).
        """
        # A token given twice would have the list asked round forever (A, A or A, B, A).
        seen = {token} if token is not None else set()
        while True:
            page = self.page(
                from_day=from_day, until_day=until_day, set_spec=set_spec, token=token, seen=seen
            )
            yield page
            if page.token is None:
                return
            token = page.token
            seen.add(token)

    def list_identifiers(
        self, *, set_spec: str | None = None, from_day: date | None = None
    ) -> Iterator[identifiers.IdPage]:
        """Every page of the ids of `set_spec` (all of arXiv, without it) changed from
        `from_day` on (all, without it), each with the day it last changed: 20,000 a
        page, eight times `ListRecords`' pages.

        Raises:
            FetchError: a request failed for good.
            FeedError: a response was unusable for good (`OaiRejected`: an OAI error).
        """
        params = {"verb": "ListIdentifiers", "metadataPrefix": METADATA_PREFIX}
        if from_day is not None and from_day > EARLIEST_DATESTAMP:
            params["from"] = from_day.isoformat()
        if set_spec is not None:
            params["set"] = set_spec
        seen: set[str] = set()
        while True:
            page = self._paged(params, identifiers.parse, seen)
            yield page
            if page.token is None:
                return
            params = {"verb": "ListIdentifiers", "resumptionToken": page.token}
            seen.add(page.token)

    def page(
        self,
        *,
        from_day: date | None = None,
        until_day: date | None = None,
        set_spec: str | None = None,
        token: str | None = None,
        seen: frozenset[str] | set[str] = frozenset(),
    ) -> records.ListPage:
        """One page of a list, retrying what is transient (see `list_records`); a page
        whose token is one of `seen` (given before in the same list) is a server fault."""
        params = {"verb": "ListRecords"}
        if token is not None:
            params["resumptionToken"] = token  # exclusive: no other argument with it
        else:
            params["metadataPrefix"] = METADATA_PREFIX
            if from_day is not None and from_day > EARLIEST_DATESTAMP:
                params["from"] = from_day.isoformat()  # days only: `\d{4}-\d{2}-\d{2}`
            if until_day is not None:
                params["until"] = until_day.isoformat()
            if set_spec is not None:
                params["set"] = set_spec
        page = self._paged(params, records.parse, seen)
        if self._on_page is not None:
            self._on_page(page)
        return page

    def _paged(
        self,
        params: dict[str, str],
        parse: Callable[[bytes], _Page],
        seen: frozenset[str] | set[str],
    ) -> _Page:
        """One page of either list, retrying what is transient."""
        for attempt in self._retrying():
            with attempt:
                page = self._attempt(params, parse, attempt.retry_state.attempt_number, seen)
        return page

    def _attempt(
        self,
        params: dict[str, str],
        parse: Callable[[bytes], _Page],
        attempt: int,
        seen: frozenset[str] | set[str],
    ) -> _Page:
        """One request: send it, then read the page out of what came back.

        Raises:
            FetchError: no response, or an HTTP status other than 200.
            FeedError: the body is not a usable page (an OAI error document included, a
                token given before in the list or too long, a datestamp after the
                server's today).
        """
        answer = self._connection.get(
            self.oai_url, params, attempt=attempt, max_body_bytes=MAX_BODY_BYTES
        )
        url, status = answer.url, answer.response.status_code
        if status != 200:  # arXiv's OAI errors come with a 200 (factory.py)
            raise FetchError(
                f"HTTP {status}",
                url=url,
                attempt=attempt,
                status=status,
                retry_after_seconds=retry_after(answer.response),
            )
        try:
            page = parse(answer.body)
        except FeedError as exc:
            exc.url = url
            raise
        if page.entries == 0 and page.token is not None:
            raise EmptyPageError("an OAI-PMH page without records, yet more to come", url=url)
        stamps = (
            [r.datestamp for r in page.records]
            if isinstance(page, records.ListPage)
            else [i.datestamp for i in page.ids]
        )
        _check(page.token, stamps, url, seen)
        return page


def _check(
    token: str | None, datestamps: list[date], url: str, seen: frozenset[str] | set[str]
) -> None:
    """Refuse a page no server should send: its token given before in the list (asked
    round forever) or too long to send back, or a record changed after the server's
    today (our today + 1 day: a cursor moved there would ask from a day arXiv refuses).

    Raises:
        FeedError: the page is one of those.
    """
    if token is not None and token in seen:
        raise FeedError("the server gave a resumption token it gave before in this list", url=url)
    if token is not None and len(token) > MAX_TOKEN_CHARS:
        raise FeedError(
            f"a resumption token of {len(token):,} characters (at most {MAX_TOKEN_CHARS:,})",
            url=url,
        )
    latest = datetime.now(UTC).date() + timedelta(days=1)
    future = max((d for d in datestamps if d > latest), default=None)
    if future is not None:
        raise FeedError(f"a record datestamped {future}, after the server's today", url=url)
