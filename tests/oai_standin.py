"""A small stand-in of arXiv's OAI-PMH interface, served on 127.0.0.1 by the test suite.

It answers `ListRecords` as `arXiv/oaipmh` does (read at commit 27ad99e; each rule below
cites its file and line), over papers the tests script: each with its versions, its
metadata and its `modtime` (the last change of its current version). Not modelled: the
other verbs, the `oai_dc` and `arXivOld` formats, category aliases, the CDN's caching.

It can be scripted to misbehave for the next requests (`script`), as `tests/standin.py`.

Run it by hand with `python -m tests.oai_standin [PORT]` (from the repository) to serve the recorded papers of
`tests/standin.py`, each as last changed on the day of its current version.
"""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit
from xml.sax.saxutils import escape

import httpx

from harvester.arxiv import feed
from harvester.models import Paper
from harvester.net.pacer import Pacer
from harvester.oai.client import OaiClient
from tests.standin import Reply, Standin, serve, stop

# oaipmh/config.py:22 `RECORDS_LIMIT: int=2500`.
RECORDS_LIMIT = 2500
# oaipmh/data/oai_config.py:40 `EARLIEST_DATE=datetime(2005, 9, 16, ...)`.
EARLIEST = datetime(2005, 9, 16, tzinfo=UTC)
# oaipmh/requests/data_queries.py:17 `DATE_REGEX = r"\d{4}-\d{2}-\d{2}"`.
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FORMATS = ("arXiv", "arXivRaw")
_PHYSICS = {
    "astro-ph",
    "cond-mat",
    "gr-qc",
    "hep-ex",
    "hep-lat",
    "hep-ph",
    "hep-th",
    "math-ph",
    "nlin",
    "nucl-ex",
    "nucl-th",
    "physics",
    "quant-ph",
}
Scripted = Reply | Callable[[dict[str, str]], Reply]


@dataclass(frozen=True)
class Version:
    """One version of a paper: its submission time and source type (`I`: withdrawn)."""

    created: datetime
    source_type: str = ""


@dataclass(frozen=True)
class OaiPaper:
    """One paper as arXiv's `Metadata` rows hold it."""

    paper_id: str
    versions: tuple[Version, ...]
    modtime: datetime
    title: str = "A title"
    authors: str = "Ada Lovelace and Charles Babbage"
    abstract: str = "An abstract."
    categories: str = "cs.LG"
    comments: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    license: str | None = "http://creativecommons.org/licenses/by/4.0/"

    def changed(self, when: datetime, **fields: object) -> OaiPaper:
        """This paper with `fields` changed at `when` (any edit moves `modtime`)."""
        return replace(self, modtime=when, **fields)  # type: ignore[arg-type]

    def new_version(self, when: datetime, *, withdrawn: bool = False) -> OaiPaper:
        """This paper with one more version, submitted at `when`."""
        added = Version(when, "I" if withdrawn else "")
        return replace(self, versions=(*self.versions, added), modtime=when)


class OaiFault(Exception):
    """An OAI error the server renders as `errors.xml` with HTTP 200 (factory.py:39-51)."""

    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        self.reason = reason
        super().__init__(reason)


def in_set(paper: OaiPaper, set_spec: str) -> bool:
    """Whether a paper is in a set: through any of its categories, cross-lists included
    (processors/db.py:37-53 joins `arXiv_in_category`, every category of the paper)."""
    parts = set_spec.split(":")
    for category in paper.categories.split():
        archive, _, subject = category.partition(".")
        group = "physics" if archive in _PHYSICS else archive
        if len(parts) == 1 and group == parts[0]:
            return True
        if len(parts) == 2 and parts == [group, archive]:
            return True
        if len(parts) == 3 and parts == [group, archive, subject]:
            return True
    return False


def _set_exists(set_spec: str, papers: list[OaiPaper]) -> bool:
    # data_queries.py:121-148 `_parse_set`: validated against the taxonomy; here, the
    # sets of the groups, archives and categories the test's papers use.
    parts = set_spec.split(":")
    return (
        1 <= len(parts) <= 3
        and all(parts)
        and (any(in_set(p, set_spec) for p in papers) or parts[0] in {"cs", "math", "physics"})
    )


@dataclass
class OaiStandin:
    """The stand-in's state: what it serves, what it was asked, what it will do next."""

    papers: dict[str, OaiPaper] = field(default_factory=dict)
    today: date = date(2026, 4, 3)
    """The server's day: a list without `until` runs to its end."""
    limit: int = RECORDS_LIMIT
    script: list[Scripted | None] = field(default_factory=list)
    """Answers for the next requests, in order; None serves the page as usual."""
    requests: list[dict[str, str]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """The OAI-PMH endpoint."""
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/oai"

    def add(self, *papers: OaiPaper) -> None:
        """Serve these papers (a paper of the same id is replaced)."""
        self.papers |= {p.paper_id: p for p in papers}

    def reply(self, params: dict[str, str]) -> Reply:
        """What to answer to one request: the next scripted reply, else the list."""
        scripted = self.script.pop(0) if self.script else None
        if scripted is not None:
            return scripted(params) if callable(scripted) else scripted
        try:
            return Reply(body=self.list_records(params), headers={"Content-Type": "text/xml"})
        except OaiFault as fault:
            return Reply(body=error_document(fault.code, fault.reason))

    def list_records(self, params: dict[str, str]) -> bytes:
        """The body `ListRecords` answers with (data_queries.py:40-119, fetch_list.py)."""
        if params.get("verb") != "ListRecords":
            raise OaiFault("badVerb", "Invalid verb provided")  # routes.py:42-43
        query: dict[str, str] = {"verb": "ListRecords"}
        skip = 0
        if "resumptionToken" in params:  # data_queries.py:47-57: the token is exclusive
            if set(params) != {"verb", "resumptionToken"}:
                raise OaiFault("badArgument", "No other paramters allowed with resumptionToken")
            params, skip = from_token(params["resumptionToken"])
            query["resumptionToken"] = "present"
        if "metadataPrefix" not in params:  # data_queries.py:61-62
            raise OaiFault("badArgument", "metadataPrefix required.")
        allowed = {"verb", "metadataPrefix", "from", "until", "set"}  # data_queries.py:63-65
        if set(params) - allowed:
            raise OaiFault("badArgument", "Unallowed parameter.")
        if params["metadataPrefix"] not in FORMATS:  # data_queries.py:69-70
            raise OaiFault("cannotDisseminateFormat", "Did not recognize requested format")
        query["metadataPrefix"] = params["metadataPrefix"]
        start, end = self._range(params, query)
        set_spec = params.get("set")
        if set_spec is not None:  # data_queries.py:101-107
            if not _set_exists(set_spec, list(self.papers.values())):
                raise OaiFault("badArgument", "Set does not exist")
            query["set"] = set_spec
        if start > end:  # data_queries.py:112-117
            raise OaiFault("badArgument", "until date must be greater than or equal to from date")
        if start < EARLIEST:
            raise OaiFault("badArgument", "start date too early")
        # data_queries.py:116: `end_date > now + 1 day` (the server's now: noon of `today`).
        if end > datetime(*self.today.timetuple()[:3], 12, tzinfo=UTC) + timedelta(days=1):
            raise OaiFault("badArgument", "until date too late")
        return self._page(query, start, end, set_spec, skip)

    def _range(self, params: dict[str, str], query: dict[str, str]) -> tuple[datetime, datetime]:
        start, end = EARLIEST, _end_of(self.today)  # data_queries.py:85-86, 98-99
        if "from" in params:  # data_queries.py:75-84: days only, from 00:00:00
            start = _day(params["from"], "from")
            query["from"] = params["from"]
        if "until" in params:  # data_queries.py:88-97: to 23:59:59
            end = _end_of(_day(params["until"], "until").date())
            query["until"] = params["until"]
        return start, end

    def _page(
        self, query: dict[str, str], start: datetime, end: datetime, set_spec: str | None, skip: int
    ) -> bytes:
        # db.py:42-73: current versions with start <= modtime <= end, in the set, ordered
        # by (modtime, paper_id), `skip` of them skipped, one more than the limit taken.
        chosen = sorted(
            (
                p
                for p in self.papers.values()
                if start <= p.modtime <= end and (set_spec is None or in_set(p, set_spec))
            ),
            key=lambda p: (p.modtime, p.paper_id),
        )[skip : skip + self.limit + 1]
        if not chosen:  # fetch_list.py:31-32: an empty list is an error, not a page
            raise OaiFault("noRecordsMatch", "")
        last = chosen[-1]  # fetch_list.py:93-110 `find_last_result`
        shown = sorted(
            chosen, key=lambda p: (p.modtime.date(), p.paper_id)
        )  # create_records.py:34-37
        token: str | None = "" if "resumptionToken" in query else None  # fetch_list.py:40-41
        if len(shown) > self.limit:  # fetch_list.py:44-66
            last_day = last.modtime.date()
            if shown[0].modtime.date() == last_day:  # all the same day: skip further
                token = to_token(query, skip + self.limit)
            else:  # from the last day on, skipping its records this page shows
                to_skip = sum(1 for p in shown if p.modtime.date() == last_day) - 1
                token = to_token(query | {"from": last_day.isoformat()}, to_skip)
            shown = [p for p in shown if p.paper_id != last.paper_id]
        return _list_document(shown, query["metadataPrefix"], token)

    def __enter__(self) -> Self:
        self._server = serve(_handler(self))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        stop(self._server)


def to_token(query: dict[str, str], skip: int) -> str:
    """resume.py:26-30: the URL-encoded query (without the token) plus `skip`, quoted."""
    params: dict[str, str | int] = {k: v for k, v in query.items() if k != "resumptionToken"}
    params["skip"] = skip
    return quote(urlencode(params))


def from_token(token: str) -> tuple[dict[str, str], int]:
    """resume.py:32-45: the query and `skip` a token holds; its expiry is never checked."""
    params = {k: v[0] for k, v in parse_qs(unquote(token)).items()}
    if "verb" not in params or not params.get("skip", "").isdigit():
        raise OaiFault("badResumptionToken", "Token structure is invalid.")
    skip = int(params.pop("skip"))
    return params, skip


def _day(text: str, name: str) -> datetime:
    if not DATE.fullmatch(text):
        raise OaiFault("badArgument", f"{name} date format must be YYYY-MM-DD")
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise OaiFault("badArgument", f"{name} date format must be YYYY-MM-DD") from None


def _end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC)


_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ '
    'http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n'
    "<responseDate>2026-04-03T12:00:00Z</responseDate>\n"
    '<request verb="ListRecords">https://oaipmh.arxiv.org/oai</request>\n'
)


def error_document(code: str, reason: str) -> bytes:
    """templates/errors.xml: one `<error code=...>`, served with HTTP 200."""
    text = f"{code}" + (f" Reason: {reason}" if reason else "")
    return (_HEAD + f"<error code='{code}'>{escape(text)}</error>\n</OAI-PMH>\n").encode()


def _list_document(papers: list[OaiPaper], prefix: str, token: str | None) -> bytes:
    # templates/list_records.xml, token.xml: an empty `<resumptionToken/>` ends a resumed list.
    body = "".join(_record(p, prefix) for p in papers)
    if token == "":
        body += "<resumptionToken/>\n"
    elif token is not None:
        body += (
            f"<resumptionToken expirationDate='2026-04-04T00:00:00Z'>{token}</resumptionToken>\n"
        )
    return (_HEAD + f"<ListRecords>\n{body}</ListRecords>\n</OAI-PMH>\n").encode()


def _sets(paper: OaiPaper) -> str:
    # create_set_list.py:34-44 `make_set_str`, one per category (macros.xml:9-17).
    specs = []
    for category in paper.categories.split():
        archive, _, subject = category.partition(".")
        group = "physics" if archive in _PHYSICS else archive
        specs.append(f"{group}:{archive}:{subject}" if subject else f"{group}:{archive}")
    return "".join(f"<setSpec>{s}</setSpec>" for s in specs)


def _optional(tag: str, value: str | None) -> str:
    return f"<{tag}>{escape(value)}</{tag}>" if value else ""


def _record(paper: OaiPaper, prefix: str) -> str:
    # templates/record_formats.xml:1-17; the header from macros.xml:9-17. No header ever
    # has status="deleted": a withdrawal is a version (create_records.py:122-143).
    header = (
        f"<header><identifier>oai:arXiv.org:{paper.paper_id}</identifier>"
        f"<datestamp>{paper.modtime:%Y-%m-%d}</datestamp>{_sets(paper)}</header>"
    )
    metadata = _raw(paper) if prefix == "arXivRaw" else _arxiv(paper)
    return f"<record>{header}<metadata>{metadata}</metadata></record>\n"


def _tail(paper: OaiPaper) -> str:
    return (
        _optional("comments", paper.comments)
        + _optional("journal-ref", paper.journal_ref)
        + _optional("doi", paper.doi)
        + _optional("license", paper.license)
        + _optional("abstract", paper.abstract)
    )


def _raw(paper: OaiPaper) -> str:
    # record_formats.xml:110-154: every version with its date (RFC 1123) and size.
    versions = "".join(
        f'<version version="v{n}"><date>{v.created:%a, %d %b %Y %H:%M:%S} GMT</date>'
        f"<size>12kb</size>{_optional('source_type', v.source_type)}</version>"
        for n, v in enumerate(paper.versions, 1)
    )
    return (
        '<arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/">'
        f"<id>{paper.paper_id}</id><submitter>Ada Lovelace</submitter>{versions}"
        f"<title>{escape(paper.title)}</title><authors>{escape(paper.authors)}</authors>"
        f"<categories>{paper.categories}</categories>{_tail(paper)}</arXivRaw>"
    )


def _arxiv(paper: OaiPaper) -> str:
    # record_formats.xml:56-108: the latest version only, days only, authors split.
    authors = "".join(
        f"<author><keyname>{escape(name.split()[-1])}</keyname>"
        f"<forenames>{escape(' '.join(name.split()[:-1]))}</forenames></author>"
        for name in re.split(r",\s*|\s+and\s+", paper.authors)
    )
    return (
        '<arXiv xmlns="http://arxiv.org/OAI/arXiv/">'
        f"<id>{paper.paper_id}</id><created>{paper.versions[0].created:%Y-%m-%d}</created>"
        f"<updated>{paper.versions[-1].created:%Y-%m-%d}</updated><authors>{authors}</authors>"
        f"<title>{escape(paper.title)}</title><categories>{paper.categories}</categories>"
        f"{_tail(paper)}</arXiv>"
    )


def _handler(standin: OaiStandin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
            standin.requests.append(params)
            if url.path != "/oai":
                self.send_error(404)
                return
            reply = standin.reply(params)
            self.send_response(reply.status)
            for name, value in {"Content-Type": "text/xml", **reply.headers}.items():
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


def of_record(record: Paper, *, modtime: datetime | None = None) -> OaiPaper:
    """The paper arXiv's OAI-PMH holds for a stored record: its versions up to the
    record's, v1 at `published`, the current one at `updated`."""
    assert record.updated is not None
    first = datetime.combine(record.published, datetime.min.time(), UTC)
    versions = [Version(first) for _ in range(record.version - 1)] + [Version(record.updated)]
    if record.version == 1:
        versions = [Version(record.updated)]
    return OaiPaper(
        paper_id=record.key,
        versions=tuple(versions),
        modtime=modtime or record.updated,
        title=record.title,
        authors=", ".join(record.authors),
        abstract=record.summary,
        categories=" ".join(record.categories),
        comments=record.comment,
        journal_ref=record.journal_ref,
        doi=record.doi,
    )


def offline(standin: OaiStandin, **options: Any) -> OaiClient:
    """The real client, its requests answered by `standin` in process (no socket, no wait)."""

    def answer(request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        standin.requests.append(params)
        reply = standin.reply(params)
        body = reply.body if reply.truncate_to is None else reply.body[: reply.truncate_to]
        return httpx.Response(reply.status, content=body, headers=reply.headers)

    given: dict[str, Any] = {"pacer": Pacer(delay_seconds=0), "sleep": lambda _: None} | options
    return OaiClient(oai_url="http://127.0.0.1/oai", transport=httpx.MockTransport(answer), **given)


def many(count: int, *, days: list[date], seed: int = 18) -> list[OaiPaper]:
    """`count` papers whose last changes spread over `days` (random times, seeded)."""
    chooser = random.Random(seed)
    papers = []
    for number in range(count):
        day = chooser.choice(days)
        when = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
            seconds=chooser.randrange(86400)
        )
        created = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=number)
        papers.append(OaiPaper(f"2401.{number:05d}", (Version(created),), when))
    return papers


def recorded() -> list[OaiPaper]:
    """The recorded papers the query API's stand-in serves, as OAI-PMH holds them."""
    served = Standin()
    page = feed.parse(served.feed(0, len(served.entries)))
    return [of_record(p) for p in page.papers]


if __name__ == "__main__":
    port = int(next((a for a in sys.argv[1:] if a.isdigit()), "8766"))
    standin = OaiStandin(today=datetime.now(UTC).date())
    standin.add(*recorded())
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(standin))
    print(
        f"serving {len(standin.papers)} recorded papers at http://127.0.0.1:{port}/oai "
        "(answering as arXiv/oaipmh does)",
        flush=True,
    )
    server.serve_forever()
