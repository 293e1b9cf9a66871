"""A small arXiv query API stand-in, served on 127.0.0.1 by the test suite.

It serves real recorded entries (from `tests/fixtures/arxiv/`) in new-format feeds,
the way arXiv does: `submittedDate` and `lastUpdatedDate` ranges in the query filter
the results, `sortBy` orders them (newest first), `start`/`max_results` page them
with arXiv's limits (at most 2,000 per request, nothing past offset 30,000). The
rest of the query is not interpreted: every entry matches it. It can be scripted to
misbehave for the next requests, or to ignore `sortBy` as arXiv did in Nov 2025.

Run it by hand with `python tests/standin.py [PORT]` to try `harvest` offline.
"""

from __future__ import annotations

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
from typing import Self
from urllib.parse import parse_qs, urlsplit

from lxml import etree

FIXTURES = Path(__file__).parent / "fixtures" / "arxiv"
ATOM = "http://www.w3.org/2005/Atom"
NS = {"atom": ATOM}
MAX_PER_REQUEST = 2000
MAX_OFFSET = 30_000
_RANGE = re.compile(r"(submittedDate|lastUpdatedDate):\[(\d{12}) TO (\d{12})\]")

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

    def new_version(self, version: int, *, title: str, updated: datetime) -> Entry:
        """This paper as arXiv would serve a later version of it."""
        element = etree.fromstring(self.xml)
        _set(element, "id", f"http://arxiv.org/abs/{self.key}v{version}")
        _set(element, "title", title)
        _set(element, "updated", f"{updated:%Y-%m-%dT%H:%M:%SZ}")
        return Entry.of(element)

    def rewritten(self, arxiv_id: str, published: datetime) -> Entry:
        """Another paper made from this one's text: new id, first submitted at `published`."""
        xml = self.xml.replace(self.arxiv_id.encode(), arxiv_id.encode())
        for old in {self.published, self.updated}:
            xml = xml.replace(
                f"{old:%Y-%m-%dT%H:%M:%SZ}".encode(), f"{published:%Y-%m-%dT%H:%M:%SZ}".encode()
            )
        return replace(self, xml=xml, arxiv_id=arxiv_id, published=published, updated=published)


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


def synthetic_entries(count: int, *, first: datetime, step_minutes: int) -> list[Entry]:
    """`count` papers made from the recorded ones, one every `step_minutes` from `first`."""
    templates = recorded_entries()
    made = []
    for index in range(count):
        published = first + index * timedelta(minutes=step_minutes)
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


Scripted = Reply | Callable[[dict[str, str]], Reply] | None


@dataclass
class Standin:
    """The stand-in's state: what it serves, what it was asked, what it will do next."""

    entries: list[Entry] = field(default_factory=recorded_entries)
    script: list[Scripted] = field(default_factory=list)
    """Answers for the next requests, in order; None serves the page as usual."""
    requests: list[dict[str, str]] = field(default_factory=list)
    ignore_sort: bool = False
    """Serve results in a different arbitrary order on every request (arXiv, Nov 2025)."""
    _server: ThreadingHTTPServer | None = None
    _shuffles: random.Random = field(default_factory=lambda: random.Random(184))

    @property
    def url(self) -> str:
        """The query endpoint."""
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/query"

    def matching(self, query: str = "", sort_by: str = "submittedDate") -> list[Entry]:
        """The entries a query's date ranges select, in the order arXiv would serve them."""
        selected = self.entries
        for name, low, high in _RANGE.findall(query):
            lo, hi = _minute(low), _minute(high)
            selected = [e for e in selected if lo <= _floor(_stamp(e, name)) <= hi]
        if self.ignore_sort:
            shuffled = list(selected)
            self._shuffles.shuffle(shuffled)
            return shuffled
        return sorted(selected, key=lambda e: (_stamp(e, sort_by), e.arxiv_id), reverse=True)

    def feed(
        self, start: int, max_results: int, query: str = "", sort_by: str = "submittedDate"
    ) -> bytes:
        """The page arXiv would serve for this query, offset and size."""
        selected = self.matching(query, sort_by)
        size = min(max_results, MAX_PER_REQUEST)
        page = [] if start >= MAX_OFFSET else selected[start : start + size]
        head = FEED_HEAD.format(per_page=size, total=len(selected), start=start)
        return head.encode() + b"".join(e.xml for e in page) + b"</feed>\n"

    def reply(self, params: dict[str, str]) -> Reply:
        """What to answer to one request: the next scripted reply, else the page."""
        scripted = self.script.pop(0) if self.script else None
        if scripted is not None:
            return scripted(params) if callable(scripted) else scripted
        return Reply(
            body=self.feed(
                int(params.get("start", "0")),
                int(params.get("max_results", "10")),
                params.get("search_query", ""),
                params.get("sortBy", "relevance"),
            )
        )

    def __enter__(self) -> Self:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()


def _stamp(entry: Entry, field_name: str) -> datetime:
    return entry.updated if field_name == "lastUpdatedDate" else entry.published


def _minute(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%d%H%M").replace(tzinfo=UTC)


def _floor(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


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
            self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
            for name, value in reply.headers.items():
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
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8765
    standin = Standin()
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(standin))
    print(f"serving {len(standin.entries)} recorded papers at http://127.0.0.1:{port}/api/query")
    server.serve_forever()
