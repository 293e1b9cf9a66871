"""A small arXiv query API stand-in, served on 127.0.0.1 by the test suite.

It serves real recorded entries (from `tests/fixtures/arxiv/`) in new-format feeds and
answers, by default, as arXiv's query API has since 2025-11-11: the `classic_api` of
arXiv/arxiv-search (read at commit 764d7eb; each rule below cites its file and line).
`Standin(mode="manual")` answers as the user manual describes instead; what the
harvester promises must hold against both.

The rest of the query is not interpreted: every entry matches it. It can be scripted
to misbehave for the next requests (`rate_exceeded()`, `blank()`, `empty_page()`,
`server_error()`), or to ignore `sortBy` as arXiv did in Nov 2025.

Run it by hand with `python tests/standin.py [PORT] [--manual]` to try `harvest` offline.
"""

from __future__ import annotations

import calendar
import random
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Literal, Self
from urllib.parse import parse_qs, urlsplit

from lxml import etree

FIXTURES = Path(__file__).parent / "fixtures" / "arxiv"
ATOM = "http://www.w3.org/2005/Atom"
NS = {"atom": ATOM}
Mode = Literal["2026", "manual"]
LargePageFailure = Literal["500", "503", "truncated", "blank", "empty"]
MODES: tuple[Mode, ...] = ("2026", "manual")

# 2026: "the maximum result offset for pagination" (search/services/index/util.py:22).
MAX_RESULTS = 10_000
# Manual: at most 2,000 results per request and nothing past offset 30,000.
MANUAL_MAX_PER_REQUEST = 2000
MANUAL_MAX_OFFSET = 30_000

# search/domain/classic_api/classic_search_query.py:58, the ranges fix_dates rewrites.
_SUBMITTED = re.compile(r"submittedDate:\[([\d-]{4,14}) TO ([\d-]{4,14})\]")
_MANUAL_RANGE = re.compile(r"(submittedDate|lastUpdatedDate):\[(\d{12}) TO (\d{12})\]")

FEED_HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
    "  <id>https://arxiv.org/api/standin</id>\n"
    "  <title>arXiv Query: stand-in</title>\n"
    "  <updated>2026-11-24T00:00:00Z</updated>\n"
    "  <opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>\n"
    "  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
    "  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
)


@dataclass(frozen=True)
class Entry:
    """One served `<entry>`: its XML and the fields the API filters and sorts on."""

    xml: bytes
    arxiv_id: str
    published: datetime
    updated: datetime

    @classmethod
    def of(cls, element: etree._Element) -> Entry:
        """The entry of an Atom `<entry>` element."""

        def stamp(tag: str) -> datetime:
            text = element.findtext(f"atom:{tag}", namespaces=NS) or ""
            return datetime.fromisoformat(text).astimezone(UTC)

        return cls(
            xml=etree.tostring(element),
            arxiv_id=(element.findtext("atom:id", namespaces=NS) or "").split("/abs/")[-1],
            published=stamp("published"),
            updated=stamp("updated"),
        )

    @property
    def key(self) -> str:
        """The paper's id without version."""
        return self.arxiv_id.rsplit("v", 1)[0]

    @property
    def version(self) -> int:
        """The version number."""
        return int(self.arxiv_id.rsplit("v", 1)[1])

    def new_version(self, version: int, *, title: str, updated: datetime) -> Entry:
        """This paper as arXiv would serve a later version of it: same `published`."""
        element = etree.fromstring(self.xml)
        _set(element, "id", f"http://arxiv.org/abs/{self.key}v{version}")
        _set(element, "title", title)
        _set(element, "updated", f"{updated:%Y-%m-%dT%H:%M:%SZ}")
        return Entry.of(element)

    def with_doi(self, doi: str) -> Entry:
        """This version with arXiv's `doi` field set to `doi` (one DOI, or several separated
        by whitespace), as arXiv does without a new version: its DOI elements replaced."""
        element = etree.fromstring(self.xml)
        arxiv = "http://arxiv.org/schemas/atom"
        for old in [*element.findall(f"{{{arxiv}}}doi"), *element.findall(_DOI_LINK, NS)]:
            element.remove(old)
        # One <arxiv:doi> and one related link per DOI of the field split on whitespace
        # (search/serialize/atom_extensions.py:222-230, the list from
        # search/process/transform.py:92-95, `meta.doi.split()`).
        for one in doi.split():
            etree.SubElement(element, f"{{{arxiv}}}doi").text = one
            link = etree.SubElement(element, f"{{{ATOM}}}link")
            link.set("rel", "related")
            link.set("href", f"https://doi.org/{one}")
            link.set("title", "doi")
        return Entry.of(element)

    def rewritten(self, arxiv_id: str, published: datetime) -> Entry:
        """Another paper made from this one's text: new id, first submitted at `published`."""
        xml = self.xml.replace(self.arxiv_id.encode(), arxiv_id.encode())
        for old in {self.published, self.updated}:
            xml = xml.replace(
                f"{old:%Y-%m-%dT%H:%M:%SZ}".encode(), f"{published:%Y-%m-%dT%H:%M:%SZ}".encode()
            )
        return replace(self, xml=xml, arxiv_id=arxiv_id, published=published, updated=published)


_DOI_LINK = "atom:link[@title='doi']"
"""An entry's link to a DOI (`rel="related"`, in both formats)."""


def _set(element: etree._Element, tag: str, text: str) -> None:
    child = element.find(f"atom:{tag}", NS)
    assert child is not None
    child.text = text


def recorded_entries() -> list[Entry]:
    """Every distinct paper in the recorded responses, newest first."""
    seen: dict[str, Entry] = {}
    for path in sorted(FIXTURES.glob("*.xml")):
        root = etree.fromstring(path.read_bytes())
        for element in root.iterfind("atom:entry", NS):
            if "/abs/" in (element.findtext("atom:id", namespaces=NS) or ""):
                entry = Entry.of(element)
                seen.setdefault(entry.key, entry)
    return sorted(seen.values(), key=lambda e: (e.published, e.arxiv_id), reverse=True)


def synthetic_entries(
    count: int, *, first: datetime, step_minutes: float = 0, step_seconds: float = 0
) -> list[Entry]:
    """`count` papers made from the recorded ones, one every step from `first`."""
    templates = recorded_entries()
    step = timedelta(minutes=step_minutes, seconds=step_seconds)
    made = []
    for index in range(count):
        published = first + index * step
        arxiv_id = f"{published:%y%m}.{index % 100_000:05d}v1"
        made.append(templates[index % len(templates)].rewritten(arxiv_id, published))
    return made


@dataclass
class Reply:
    """A scripted answer: a status, headers and a body, or a dropped connection."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    reset: bool = False
    truncate_to: int | None = None
    trickle_seconds: float | None = None
    """Send the body a byte at a time, this long apart (a connection that stalls)."""
    trickle_head: bool = False
    """Trickle the status line and headers too, not only the body."""


def error_feed(message: str, link: str = "https://arxiv.org/api/errors") -> bytes:
    """arXiv's error feed: one entry whose id is under arxiv.org/api/errors, the reason in
    `<summary>` (search/serialize/atom.py:222-249, sent by routes/classic_api/exceptions.py:57).
    """
    return (
        FEED_HEAD.format(per_page=1, total=1, start=0)
        + f"  <entry>\n    <id>{link}</id>\n    <title>Error</title>\n"
        f"    <summary>{message}</summary>\n    <updated>2026-11-24T00:00:00Z</updated>\n"
        f'    <link href="{link}" rel="alternate" type="text/html"/>\n'
        "    <author><name>arXiv api core</name></author>\n  </entry>\n</feed>\n"
    ).encode()


def rate_exceeded(status: int = 429) -> Reply:
    """Throttling as served in 2025-2026: plain text `Rate exceeded.`, no `Retry-After`,
    sometimes with status 200 (DESIGN.md, "Failures seen"; arxiv.py issues on 429s)."""
    return Reply(status=status, body=b"Rate exceeded.", headers={"Content-Type": "text/plain"})


def blank() -> Reply:
    """A 200 with an empty body (seen in 2025-2026)."""
    return Reply(status=200, body=b"")


def empty_page(total: int, start: int = 0) -> Reply:
    """A page without entries although `totalResults` says more (arxiv.py's
    UnexpectedEmptyPageError)."""
    return Reply(
        body=(FEED_HEAD.format(per_page=0, total=total, start=start) + "</feed>\n").encode()
    )


def server_error() -> Reply:
    """HTTP 500 with the generic error feed on a valid query (on one day in 2026 every
    date-filtered query got it; exceptions.py: handle_internal_server_error)."""
    return Reply(status=500, body=error_feed("Internal Server Error"))


Scripted = Reply | Callable[[dict[str, str]], Reply] | None


class Refused(Exception):
    """The backend answers this request with an error (status and error feed)."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message


class Served:
    """A stand-in served on 127.0.0.1 while inside `with`, at `PATH`, answering as its
    `handler` says."""

    PATH = ""
    _server: ThreadingHTTPServer | None = None

    def handler(self) -> type[BaseHTTPRequestHandler]:
        """How it answers over HTTP."""
        raise NotImplementedError

    @property
    def url(self) -> str:
        """The endpoint, while served."""
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{self.PATH}"

    def __enter__(self) -> Self:
        self._server = serve(self.handler())
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        stop(self._server)


@dataclass
class Standin(Served):
    """The stand-in's state: what it serves, what it was asked, what it will do next."""

    entries: list[Entry] = field(default_factory=recorded_entries)
    script: list[Scripted] = field(default_factory=list)
    """Answers for the next requests, in order; None serves the page as usual."""
    requests: list[dict[str, str]] = field(default_factory=list)
    mode: Mode = "2026"
    """"2026": as arXiv's backend answers since Nov 2025; "manual": as its manual says."""
    ignore_sort: bool = False
    """Serve results in a different arbitrary order on every request (arXiv, Nov 2025)."""
    fail_above: int | None = None
    """Fail every page asked for more than this many results, as `fail_as` says. arXiv's
    code has no such rule: its largest pages fail under load in front of it (DESIGN.md,
    "Failures seen": 5xx under load, blank 200 bodies, pages empty although
    `totalResults` says more, bodies cut short)."""
    fail_as: LargePageFailure = "500"
    _shuffles: random.Random = field(default_factory=lambda: random.Random(184))

    PATH = "/api/query"

    def handler(self) -> type[BaseHTTPRequestHandler]:
        """How it answers over HTTP."""
        return _handler(self)

    def matching(self, query: str = "", sort_by: str = "submittedDate") -> list[Entry]:
        """The entries a query's date ranges select, in the order arXiv would serve them."""
        latest: dict[str, Entry] = {}
        for entry in self.entries:  # a search returns only the latest version of a paper
            if entry.key not in latest or entry.version > latest[entry.key].version:
                latest[entry.key] = entry
        selected = list(latest.values())
        if self.mode == "2026":
            selected = _select_2026(selected, query)
        else:
            selected = _select_manual(selected, query)
        if self.ignore_sort:
            self._shuffles.shuffle(selected)
            return selected
        # domain/base.py:266-271: lastUpdatedDate sorts on `submitted_date`, the current
        # version's submission (what <updated> carries); submittedDate on
        # `submitted_date_first` (<published>). Relevance has no date order at all.
        if sort_by == "relevance":
            return sorted(selected, key=lambda e: e.arxiv_id)
        return sorted(selected, key=lambda e: (_stamp(e, sort_by), e.arxiv_id), reverse=True)

    def feed(
        self, start: int, max_results: int, query: str = "", sort_by: str = "submittedDate"
    ) -> bytes:
        """The page arXiv would serve for this query, offset and size.

        Raises:
            Refused: the backend answers this request with an error.
        """
        size = max_results
        if self.mode == "2026":
            _check_page_2026(start, size)
        else:
            size = min(size, MANUAL_MAX_PER_REQUEST)
        selected = self.matching(query, sort_by)
        page = [] if start >= MANUAL_MAX_OFFSET else selected[start : start + size]
        head = FEED_HEAD.format(per_page=size, total=len(selected), start=start)
        return head.encode() + b"".join(e.xml for e in page) + b"</feed>\n"

    def reply(self, params: dict[str, str]) -> Reply:
        """What to answer to one request: the next scripted reply, else the page."""
        scripted = self.script.pop(0) if self.script else None
        if scripted is not None:
            return scripted(params) if callable(scripted) else scripted
        if self.fail_above is not None and int(params.get("max_results", "10")) > self.fail_above:
            return self._large_page_failure(params)
        try:
            return Reply(
                body=self.feed(
                    int(params.get("start", "0")),
                    int(params.get("max_results", "10")),
                    params.get("search_query", ""),
                    params.get("sortBy", "relevance"),
                )
            )
        except Refused as refused:
            return Reply(status=refused.status, body=error_feed(refused.message))

    def _large_page_failure(self, params: dict[str, str]) -> Reply:
        """How a page too large for the `fail_above` switch fails."""
        start = int(params.get("start", "0"))
        if self.fail_as in {"500", "503"}:
            return Reply(status=int(self.fail_as), body=error_feed("Internal Server Error"))
        if self.fail_as == "blank":
            return blank()
        total = len(self.matching(params.get("search_query", ""), params.get("sortBy", "")))
        if self.fail_as == "empty":
            return empty_page(total, start)
        query, order = params.get("search_query", ""), params.get("sortBy", "relevance")
        body = self.feed(start, int(params["max_results"]), query, order)
        return Reply(body=body[: len(body) // 2])  # cut short, as a proxy that gave up


def _check_page_2026(start: int, size: int) -> None:
    """The 2026 backend's paging limits.

    Raises:
        Refused: HTTP 500 with an error feed, as the backend answers.
    """
    if size == 0:
        # services/index/__init__.py:488, `int(MAX_RESULTS / query.size)`: divides by zero.
        raise Refused(500, "Internal Server Error")
    page = 1 + round(start / size)  # domain/base.py:327-329, `ClassicAPIQuery.page`
    max_pages = int(MAX_RESULTS / size)  # services/index/__init__.py:488
    if page > max_pages:  # services/index/__init__.py:489-492, OutsideAllowedRange
        raise Refused(500, f"Requested page {page}, but max is {max_pages}")
    if start + size > MAX_RESULTS:
        # Elasticsearch refuses `from + size` past its max_result_window (10,000 by
        # default), which the backend answers with its generic 500.
        raise Refused(500, "Internal Server Error")


def _select_2026(entries: list[Entry], query: str) -> list[Entry]:
    """Date ranges as the 2026 backend applies them."""
    # classic_search_query.py:25-28, fix_aliases: lastUpdatedDate becomes submittedDate.
    query = query.replace("lastUpdatedDate:", "submittedDate:")
    for low, high in _SUBMITTED.findall(query):
        lo, hi = _filled(low, start=True), _filled(high, start=False)
        # services/index/prepare.py:140-153: a `range` on `submitted_date_first` (the
        # first version's submission) with gte/lte at HH:MM:00: minute-exact bounds.
        entries = [e for e in entries if lo <= e.published <= hi]
    return entries


def _filled(digits: str, *, start: bool) -> datetime:
    """classic_search_query.py:31-53, fill_in_partial_dates: more than 12 digits are cut,
    a month gets its first or last day, a year its first or last month, a day 0000 or 2359.

    Raises:
        Refused: not a date (prepare.py:148-152 re-raises strptime's error).
    """
    if digits.isdigit():
        digits = digits[:12]
        if len(digits) == 6:
            last = calendar.monthrange(int(digits[:4]), int(digits[4:6]))[1]
            digits += "01" if start else f"{last:02d}"
        if len(digits) == 4:
            digits += "0101" if start else "1231"
        if len(digits) == 8:
            digits += "0000" if start else "2359"
    try:
        return datetime.strptime(digits, "%Y%m%d%H%M").replace(tzinfo=UTC)
    except ValueError:
        raise Refused(400, f"Invalid query string: submittedDate {digits}") from None


def _select_manual(entries: list[Entry], query: str) -> list[Entry]:
    """Date ranges as the user manual describes them: both fields, whole minutes."""
    for name, low, high in _MANUAL_RANGE.findall(query):
        lo, hi = _minute(low), _minute(high)
        entries = [e for e in entries if lo <= _floor(_stamp(e, name)) <= hi]
    return entries


def _stamp(entry: Entry, field_name: str) -> datetime:
    return entry.updated if field_name == "lastUpdatedDate" else entry.published


def _minute(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%d%H%M").replace(tzinfo=UTC)


def _floor(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def serve(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    """`handler` served on a free port of 127.0.0.1, from a daemon thread."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def stop(server: ThreadingHTTPServer) -> None:
    """Stop serving and close the socket."""
    server.shutdown()
    server.server_close()


def _handler(standin: Standin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
            standin.requests.append(params)
            if url.path != "/api/query":
                self.send_error(404)
                return
            reply = standin.reply(params)
            if reply.trickle_head and reply.trickle_seconds is not None:
                head = f"HTTP/1.1 {reply.status} OK\r\nContent-Length: {len(reply.body)}\r\n\r\n"
                self._trickle(head.encode() + reply.body, reply.trickle_seconds)
                return
            if reply.reset:
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self.send_response(reply.status)
            headers = {"Content-Type": "application/atom+xml; charset=utf-8", **reply.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            body = reply.body if reply.truncate_to is None else reply.body[: reply.truncate_to]
            if reply.trickle_seconds is not None:
                self._trickle(body, reply.trickle_seconds)
                return
            self.wfile.write(body)
            if reply.truncate_to is not None:
                self.close_connection = True

        def _trickle(self, body: bytes, seconds: float) -> None:
            self.close_connection = True
            try:
                for index in range(len(body)):
                    self.wfile.write(body[index : index + 1])
                    self.wfile.flush()
                    time.sleep(seconds)  # the slow server the client must not wait for
            except OSError:
                return  # the client gave up, as it should

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output clean

    return Handler


if __name__ == "__main__":
    port = int(next((a for a in sys.argv[1:] if a.isdigit()), "8765"))
    standin = Standin(mode="manual" if "--manual" in sys.argv else "2026")
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(standin))
    print(
        f"serving {len(standin.entries)} recorded papers at http://127.0.0.1:{port}/api/query "
        f"(answering as {'the manual says' if standin.mode == 'manual' else 'arXiv 2026 does'})",
        flush=True,
    )
    server.serve_forever()
