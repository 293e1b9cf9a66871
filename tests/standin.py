"""A small arXiv query API stand-in, served on 127.0.0.1 by the test suite.

It serves real recorded entries (from `tests/fixtures/arxiv/`) in new-format feeds,
paginated by `start`/`max_results` with arXiv's limits (at most 2,000 per request,
nothing past offset 30,000), and can be scripted to misbehave for the next requests.

Run it by hand with `python tests/standin.py [PORT]` to try `harvest` offline.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
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


def recorded_entries() -> list[etree._Element]:
    """Every distinct paper entry in the recorded responses, newest first."""
    seen: dict[str, etree._Element] = {}
    for path in sorted(FIXTURES.glob("*.xml")):
        root = etree.fromstring(path.read_bytes())
        for entry in root.iterfind("atom:entry", NS):
            if "/abs/" in (entry.findtext("atom:id", namespaces=NS) or ""):
                seen.setdefault(entry_id(entry).rsplit("v", 1)[0], entry)
    return sorted(seen.values(), key=_published, reverse=True)


def _published(entry: etree._Element) -> tuple[str, str]:
    return (entry.findtext("atom:published", namespaces=NS) or "", entry_id(entry))


def entry_id(entry: etree._Element) -> str:
    """The short versioned id of an entry (`2301.13816v4`)."""
    return (entry.findtext("atom:id", namespaces=NS) or "").split("/abs/")[-1]


def new_version(entry: etree._Element, version: int, *, title: str, updated: str) -> etree._Element:
    """A copy of `entry` as arXiv would serve a later version of the same paper."""
    copy = etree.fromstring(etree.tostring(entry))
    base = entry_id(entry).rsplit("v", 1)[0]
    _set(copy, "id", f"http://arxiv.org/abs/{base}v{version}")
    _set(copy, "title", title)
    _set(copy, "updated", updated)
    return copy


def _set(entry: etree._Element, tag: str, text: str) -> None:
    element = entry.find(f"atom:{tag}", NS)
    assert element is not None
    element.text = text


@dataclass
class Reply:
    """A scripted answer: a status, headers and a body, or a dropped connection."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    reset: bool = False
    truncate_to: int | None = None


@dataclass
class Standin:
    """The stand-in's state: what it serves, what it was asked, what it will do next."""

    entries: list[etree._Element] = field(default_factory=recorded_entries)
    script: list[Reply | Callable[[dict[str, str]], Reply] | None] = field(default_factory=list)
    """Answers for the next requests, in order; None serves the page as usual."""
    requests: list[dict[str, str]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """The query endpoint."""
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/query"

    def feed(self, start: int, max_results: int) -> bytes:
        """The page arXiv would serve for this offset and size."""
        total = len(self.entries)
        size = min(max_results, MAX_PER_REQUEST)
        page = [] if start >= MAX_OFFSET else self.entries[start : start + size]
        head = FEED_HEAD.format(per_page=size, total=total, start=start)
        body = "".join(etree.tostring(e, encoding="unicode") for e in page)
        return (head + body + "</feed>\n").encode("utf-8")

    def reply(self, params: dict[str, str]) -> Reply:
        """What to answer to one request: the next scripted reply, else the page."""
        scripted = self.script.pop(0) if self.script else None
        if scripted is not None:
            return scripted(params) if callable(scripted) else scripted
        start = int(params.get("start", "0"))
        max_results = int(params.get("max_results", "10"))
        return Reply(body=self.feed(start, max_results))

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
            self.wfile.write(body)
            if reply.truncate_to is not None:
                self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output clean

    return Handler


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8765
    standin = Standin()
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(standin))
    print(f"serving {len(standin.entries)} recorded papers at http://127.0.0.1:{port}/api/query")
    server.serve_forever()
