"""A small stand-in of arXiv's OAI-PMH interface, served on 127.0.0.1 by the test suite.

It answers `ListRecords` as `arXiv/oaipmh` does (read at commit
27ad99e3e37ab7919869bd3d4cd24449dea78135; each rule below cites its file and line there,
the taxonomy `harvester/taxonomy.py`, checked against arXiv/arxiv-base), over papers the
tests script: each with its versions, its metadata and its `modtime` (the last change of
its current version). Pages rendered by the server's own templates are in
`tests/fixtures/oai/` and `tests/test_oai_standin.py` holds this stand-in to them. Not
modelled: the verbs other than `ListRecords` and `ListIdentifiers`, the `oai_dc` and
`arXivOld` formats, TeX-to-UTF-8 in the `arXiv` format, the CDN's caching
(`Surrogate-Control`), whitespace.

It can be scripted to misbehave for the next requests (`script`), as `tests/standin.py`.

Run it by hand with `python -m tests.oai_standin [PORT]` (from the repository) to serve the recorded papers of
`tests/standin.py`, each as last changed on the day of its current version, or with
`--synthetic N [--seed S]` to serve a synthetic arXiv of N papers (`tests/oai_synthetic.py`).
"""

from __future__ import annotations

import argparse
import functools
import random
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit
from xml.sax.saxutils import escape

import httpx

from harvester import taxonomy
from harvester.arxiv import feed
from harvester.models import Paper
from harvester.net.pacer import Pacer
from harvester.oai.client import OaiClient
from tests.standin import Reply, Served, Standin

if TYPE_CHECKING:
    from tests.oai_synthetic import SyntheticArxiv

# oaipmh/config.py:22-23 `RECORDS_LIMIT: int=2500`, `IDENTIFIERS_LIMIT: int=20000`.
RECORDS_LIMIT = 2500
IDENTIFIERS_LIMIT = 20000
# routes.py:30-35: the two list verbs, both answered by data_queries.py `list_data`.
LIST_VERBS = ("ListRecords", "ListIdentifiers")
# oaipmh/data/oai_config.py:40 `EARLIEST_DATE=datetime(2005, 9, 16, ...)`.
EARLIEST = datetime(2005, 9, 16, tzinfo=UTC)
# oaipmh/requests/data_queries.py:17 `DATE_REGEX = r"\d{4}-\d{2}-\d{2}"`.
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FORMATS = ("arXiv", "arXivRaw")  # data/oai_config.py:9-34, less oai_dc and arXivOld
# data/oai_errors.py: each error's description, which errors.xml:12 writes before the reason.
DESCRIPTIONS = {
    "badArgument": "The request includes illegal arguments, is missing required arguments, "
    "includes a repeated argument, or values for arguments have an illegal syntax.",
    "badResumptionToken": "The value of the resumptionToken argument is invalid or expired.",
    "badVerb": "Value of the verb argument is not a legal OAI-PMH verb, the verb argument is "
    "missing, or the verb argument is repeated.",
    "cannotDisseminateFormat": "The metadata format identified by the value given for the "
    "metadataPrefix argument is not supported by the item or by the repository.",
    "noRecordsMatch": "The combination of the values of the from, until, set and "
    "metadataPrefix arguments results in an empty list.",
}
Scripted = Reply | Callable[[dict[str, str]], Reply]


@dataclass(frozen=True)
class Version:
    """One version of a paper: its submission time, source type (`I`: withdrawn, maybe
    after an `A` or `S` flag, create_records.py:122-143) and size."""

    created: datetime
    source_type: str = ""
    size_kb: int = 12


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
    updated: datetime | None = None
    """The current version's `Metadata.updated` column (the `arXiv` format's `<updated>`)."""
    submitter: str = "Ada Lovelace"

    def changed(self, when: datetime, **fields: object) -> OaiPaper:
        """This paper with `fields` changed at `when` (any edit moves `modtime`)."""
        return replace(self, modtime=when, **fields)  # type: ignore[arg-type]

    def new_version(self, when: datetime, *, withdrawn: bool = False) -> OaiPaper:
        """This paper with one more version, submitted at `when`."""
        added = Version(when, "I" if withdrawn else "")
        return replace(self, versions=(*self.versions, added), modtime=when)


class OaiFault(Exception):
    """An OAI error the server renders as `errors.xml` with HTTP 200 (factory.py:39-51);
    `query` is the request element's attributes (none for `badArgument`, oai_errors.py:15)."""

    def __init__(self, code: str, reason: str, query: dict[str, str] | None = None) -> None:
        self.code = code
        self.reason = reason
        self.query = None if code == "badArgument" else query
        super().__init__(reason)


@functools.cache
def _members(set_spec: str) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """The archives and (archive, subject) pairs a set matches in `arXiv_in_category`
    (processors/db.py:110-147 `process_requested_subject`), aliases' other names included."""
    archives: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    parts = set_spec.split(":")
    if len(parts) == 3:  # db.py:130-133: the category and its other name
        category = f"{parts[1]}.{parts[2]}"
        names = [category, taxonomy.alt_name(category)]
    else:  # db.py:135-145: the archive(s), then other names of their categories
        if len(parts) == 2:
            archives = {parts[1]}
        else:  # `get_archives(True)`: inactive (subsumed) archives too
            archives = {s.split(":")[1] for s in taxonomy.SETS if s.startswith(f"{parts[0]}:")}
            archives |= {a for a in taxonomy.SUBSUMED if taxonomy.group_of(a) == parts[0]}
        names = [taxonomy.alt_name(c) for a in sorted(archives) for c in _categories_of(a)]
    for name in filter(None, names):  # db.py:120-128 `process_cat_name`
        archive, _, subject = name.partition(".")
        if not subject:
            archives.add(archive)
        elif archive not in archives:
            pairs.add((archive, subject))
    return frozenset(archives), frozenset(pairs)


def _categories_of(archive: str) -> list[str]:
    """An archive's categories, or the archive itself when it is its own category."""
    group = taxonomy.group_of(archive)
    prefix = f"{group}:{archive}:"
    subjects = [s.removeprefix(prefix) for s in taxonomy.SETS if s.startswith(prefix)]
    return [f"{archive}.{s}" for s in sorted(subjects)] or [archive]


def in_set(paper: OaiPaper, set_spec: str) -> bool:
    """Whether a paper is in a set: through any of its categories, cross-lists included
    (processors/db.py:37-60 joins `arXiv_in_category`, a row per category of the paper)."""
    return any(category_in_set(c, set_spec) for c in paper.categories.split())


def category_in_set(category: str, set_spec: str) -> bool:
    """Whether one category's row of `arXiv_in_category` matches a set (db.py:110-147)."""
    archives, pairs = _members(set_spec)
    archive, _, subject = category.partition(".")
    return archive in archives or (archive, subject) in pairs


def parse_set(set_spec: str) -> None:
    """data_queries.py:102-107, 121-148 `_parse_set`: a set of arXiv's taxonomy, active,
    at most three levels, its group and archive right; else `badArgument`."""
    parts = set_spec.split(":")
    if len(parts) > 3:
        raise OaiFault("badArgument", "Set has too many levels")
    if set_spec in {"test", "test:test", "bad"}:  # data_queries.py:106: test, inactive
        raise OaiFault("badArgument", "Invalid set request")
    if set_spec not in taxonomy.SETS:
        raise OaiFault("badArgument", "Set does not exist")


@dataclass
class OaiStandin(Served):
    """The stand-in's state: what it serves, what it was asked, what it will do next."""

    papers: dict[str, OaiPaper] = field(default_factory=dict)
    """The scripted papers, by id (served when there is no `synthetic` arXiv)."""
    today: date = date(2026, 4, 3)
    """The server's day: a list without `until` runs to its end."""
    limit: int = RECORDS_LIMIT
    id_limit: int = IDENTIFIERS_LIMIT
    """`ListIdentifiers`' page (fetch_list.py:28 `limit=IDENTIFIERS_LIMIT if just_ids`)."""
    script: list[Scripted | None] = field(default_factory=list)
    """Answers for the next requests, in order; None serves the page as usual."""
    requests: list[dict[str, str]] = field(default_factory=list)
    synthetic: SyntheticArxiv | None = None
    """A synthetic arXiv to serve instead of `papers` (tests/oai_synthetic.py)."""
    PATH = "/oai"

    def handler(self) -> type[BaseHTTPRequestHandler]:
        """How it answers over HTTP."""
        return _handler(self)

    def add(self, *papers: OaiPaper) -> None:
        """Serve these papers (a paper of the same id is replaced).

        Raises:
            ValueError: the stand-in serves a synthetic arXiv, which scripts its own.
        """
        if self.synthetic is not None:
            raise ValueError("a synthetic arXiv's changes are its `day_of_changes`")
        self.papers |= {p.paper_id: p for p in papers}

    def next_day(self) -> None:
        """Move the server's day on by one (and its synthetic arXiv's, if it has one)."""
        self.today += timedelta(days=1)
        if self.synthetic is not None:
            self.synthetic.next_day()

    def reply(self, params: dict[str, str], repeated: bool = False) -> Reply:
        """What to answer to one request: the next scripted reply, else the list."""
        scripted = self.script.pop(0) if self.script else None
        if scripted is not None:
            return scripted(params) if callable(scripted) else scripted
        if repeated:  # routes.py:23-25
            return Reply(body=error_document("badArgument", "Duplicate parameters not allowed"))
        try:
            return Reply(body=self.list_records(params), headers={"Content-Type": "text/xml"})
        except OaiFault as fault:
            return Reply(body=error_document(fault.code, fault.reason, fault.query))

    def list_records(self, params: dict[str, str]) -> bytes:
        """The body `ListRecords` or `ListIdentifiers` answers with (data_queries.py:40-119,
        fetch_list.py)."""
        if params.get("verb") not in LIST_VERBS:
            raise OaiFault("badVerb", "Invalid verb provided")  # routes.py:42-43
        query: dict[str, str] = {"verb": params["verb"]}
        skip = 0
        if "resumptionToken" in params:  # data_queries.py:47-57: the token is exclusive
            if set(params) != {"verb", "resumptionToken"}:
                raise OaiFault("badArgument", "No other paramters allowed with resumptionToken")
            token_params, skip = from_token(params["resumptionToken"])
            query["resumptionToken"] = to_token(token_params, skip)  # data_queries.py:52-53
            if token_params["verb"] != params["verb"]:  # data_queries.py:54-55
                raise OaiFault("badResumptionToken", "token from different verb", query)
            params = token_params
        if "metadataPrefix" not in params:  # data_queries.py:61-62
            raise OaiFault("badArgument", "metadataPrefix required.")
        allowed = {"verb", "metadataPrefix", "from", "until", "set"}  # data_queries.py:63-65
        if set(params) - allowed:
            raise OaiFault("badArgument", "Unallowed parameter.")
        if params["metadataPrefix"] not in FORMATS:  # data_queries.py:69-70
            raise OaiFault("cannotDisseminateFormat", "Did not recognize requested format", query)
        query["metadataPrefix"] = params["metadataPrefix"]
        start, end = self._range(params, query)
        set_spec = params.get("set") or None
        if set_spec:  # data_queries.py:102-107: an empty `set` is no set
            parse_set(set_spec)
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
        # data_queries.py:75-97 `if from_str:`: an empty `from` or `until` is no bound.
        if params.get("from"):  # data_queries.py:76-84: days only, from 00:00:00
            start = _day(params["from"], "from")
            query["from"] = params["from"]
        if params.get("until"):  # data_queries.py:89-97: to 23:59:59
            end = _end_of(_day(params["until"], "until").date())
            query["until"] = params["until"]
        return start, end

    def _page(
        self, query: dict[str, str], start: datetime, end: datetime, set_spec: str | None, skip: int
    ) -> bytes:
        # db.py:42-73: current versions with start <= modtime <= end, in the set, ordered
        # by (modtime, paper_id), `skip` of them skipped, one more than the limit taken.
        just_ids = query["verb"] == "ListIdentifiers"
        limit = self.id_limit if just_ids else self.limit
        chosen = self._window(start, end, set_spec, skip, limit + 1)
        if not chosen:  # fetch_list.py:31-32: an empty list is an error, not a page
            raise OaiFault("noRecordsMatch", "", query)
        last = chosen[-1]  # fetch_list.py:93-110 `find_last_result`
        shown = sorted(
            chosen, key=lambda p: (p.modtime.date(), p.paper_id)
        )  # create_records.py:34-37
        token: str | None = "" if "resumptionToken" in query else None  # fetch_list.py:40-41
        if len(shown) > limit:  # fetch_list.py:44-66
            last_day = last.modtime.date()
            if shown[0].modtime.date() == last_day:  # all the same day: skip further
                token = to_token(query, skip + limit)
            else:  # from the last day on, skipping its records this page shows
                to_skip = sum(1 for p in shown if p.modtime.date() == last_day) - 1
                token = to_token(query | {"from": last_day.isoformat()}, to_skip)
            shown = [p for p in shown if p.paper_id != last.paper_id]
        if just_ids:
            return _ids_document(shown, query, token, self.today)
        return _list_document(shown, query, token, self.today)

    def _window(
        self, start: datetime, end: datetime, set_spec: str | None, skip: int, count: int
    ) -> list[OaiPaper]:
        """The papers db.py:42-73 selects: the synthetic arXiv's, else the scripted ones."""
        if self.synthetic is not None:
            return self.synthetic.window(start, end, set_spec, skip, count)
        return sorted(
            (
                p
                for p in self.papers.values()
                if start <= p.modtime <= end and (set_spec is None or in_set(p, set_spec))
            ),
            key=lambda p: (p.modtime, p.paper_id),
        )[skip : skip + count]


def to_token(query: dict[str, str], skip: int) -> str:
    """resume.py:26-30: the URL-encoded query (without the token) plus `skip`, quoted."""
    params: dict[str, str | int] = {k: v for k, v in query.items() if k != "resumptionToken"}
    params["skip"] = skip
    return quote(urlencode(params))


def from_token(token: str) -> tuple[dict[str, str], int]:
    """resume.py:32-45: the query and `skip` a token holds; its expiry is never checked.
    Every failure, its own "Token structure is invalid." included, is re-raised by the
    `except (Exception)` of resume.py:44-45 as "Token decoding failed or format is invalid."."""
    params = {k: v[0] for k, v in parse_qs(unquote(token)).items()}
    if "verb" not in params or not params.get("skip", "").isdigit():
        raise OaiFault("badResumptionToken", "Token decoding failed or format is invalid.")
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


def _head(query: dict[str, str] | None) -> str:
    # templates/base.xml:1-6 and macros.xml:1-7: the request element names the query, in
    # single quotes after a token, else in double quotes; none for an error without one.
    if query is None:
        request = "<request>"
    elif "resumptionToken" in query:
        request = f"<request verb='{query['verb']}' resumptionToken='{query['resumptionToken']}'>"
    else:
        request = "<request" + "".join(f' {k}="{escape(v)}"' for k, v in query.items()) + ">"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ '
        'http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n'
        "<responseDate>2026-04-03T12:00:00Z</responseDate>\n"
        f"{request}https://oaipmh.arxiv.org/oai</request>\n"
    )


def error_document(code: str, reason: str, query: dict[str, str] | None = None) -> bytes:
    """templates/errors.xml:1-13: one `<error code=...>` with the error's description
    (data/oai_errors.py) and ` Reason: ...` when there is one, served with HTTP 200."""
    text = DESCRIPTIONS.get(code, code) + (f" Reason: {reason}" if reason else "")
    return (_head(query) + f"<error code='{code}'>{escape(text)}</error>\n</OAI-PMH>\n").encode()


def _list_document(
    papers: list[OaiPaper], query: dict[str, str], token: str | None, today: date
) -> bytes:
    # templates/list_records.xml, token.xml: an empty `<resumptionToken/>` ends a resumed
    # list; a token expires at the next midnight UTC (resume.py:23), never checked.
    body = "".join(_record(p, query["metadataPrefix"]) for p in papers)
    if token == "":
        body += "<resumptionToken/>\n"
    elif token is not None:
        expires = f"{today + timedelta(days=1):%Y-%m-%d}T00:00:00Z"
        body += f"<resumptionToken expirationDate='{expires}'>{token}</resumptionToken>\n"
    return (_head(query) + f"<ListRecords>\n{body}</ListRecords>\n</OAI-PMH>\n").encode()


def _ids_document(
    papers: list[OaiPaper], query: dict[str, str], token: str | None, today: date
) -> bytes:
    # templates/list_identifiers.xml: the headers alone, then the token as token.xml has it.
    body = "".join(_header(p, _plain_sets(p.categories)) for p in papers)
    if token == "":
        body += "<resumptionToken/>\n"
    elif token is not None:
        expires = f"{today + timedelta(days=1):%Y-%m-%d}T00:00:00Z"
        body += f"<resumptionToken expirationDate='{expires}'>{token}</resumptionToken>\n"
    return (_head(query) + f"<ListIdentifiers>\n{body}</ListIdentifiers>\n</OAI-PMH>\n").encode()


def _plain_sets(categories: str) -> tuple[str, ...]:
    """A `ListIdentifiers` header's sets: one per category, as the categories are, without
    the aliases `ListRecords` adds (fetch_list.py:115-120 `CATEGORIES[cat]` only)."""
    return tuple(s for s in map(taxonomy.set_of, categories.split()) if s is not None)


def _header(paper: OaiPaper, sets: tuple[str, ...]) -> str:
    # macros.xml:9-17: the identifier, the day of `modtime`, the sets.
    specs = "".join(f"<setSpec>{s}</setSpec>" for s in sets)
    return (
        f"<header><identifier>oai:arXiv.org:{paper.paper_id}</identifier>"
        f"<datestamp>{paper.modtime:%Y-%m-%d}</datestamp>{specs}</header>"
    )


@functools.lru_cache(maxsize=65536)  # a synthetic arXiv has many more category lists
def header_sets(categories: str) -> tuple[str, ...]:
    """The header's sets (create_records.py:41-56, `make_set_str` create_set_list.py:34-44):
    one per category, an alias adding its other name, a subsumed archive its category."""
    chosen: list[str] = []
    for category in categories.split():
        other = taxonomy.alt_name(category)
        if other is None:
            chosen.append(category)
            continue
        active = taxonomy.set_of(category) in taxonomy.SETS
        if category not in chosen and active:
            chosen.append(category)
        if other not in taxonomy.SUBSUMED and other not in chosen:
            chosen.append(other)
    return tuple(spec for spec in map(taxonomy.set_of, chosen) if spec is not None)


def _optional(tag: str, value: str | None) -> str:
    return f"<{tag}>{escape(value)}</{tag}>" if value else ""


def _record(paper: OaiPaper, prefix: str) -> str:
    # templates/record_formats.xml:1-17; the header from macros.xml:9-17, which has no
    # `status` attribute: no header ever says "deleted" (though Identify declares
    # deletedRecord "persistent", data/oai_config.py:41); a withdrawal is a version
    # (create_records.py:122-143).
    header = _header(paper, header_sets(paper.categories))
    metadata = _raw(paper) if prefix == "arXivRaw" else _arxiv(paper)
    return f"<record>{header}<metadata>{metadata}</metadata></record>\n"


def _tail(paper: OaiPaper) -> str:
    # record_formats.xml:126-152 (arXivRaw), 80-106 (arXiv): proxy, report-no, msc-class
    # and acm-class, between comments and journal-ref, are not modelled.
    return (
        _optional("comments", paper.comments)
        + _optional("journal-ref", paper.journal_ref)
        + _optional("doi", paper.doi)
        + _optional("license", paper.license)
        + _optional("abstract", paper.abstract)
    )


def _schema(name: str) -> str:
    # record_formats.xml:57, 111: each format's namespace and schema location.
    return (
        f'<{name} xmlns="http://arxiv.org/OAI/{name}/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="http://arxiv.org/OAI/{name}/ '
        f'https://oaipmh.arxiv.org/OAI/{name}.xsd">'
    )


def _raw(paper: OaiPaper) -> str:
    # record_formats.xml:110-154: every version (numbered, oldest first, create_records.py:107)
    # with its submission time (RFC 1123, GMT), size and source type; TeX as submitted.
    versions = "".join(
        f'<version version="v{n}"><date>{v.created:%a, %d %b %Y %H:%M:%S} GMT</date>'
        f"<size>{v.size_kb}kb</size>{_optional('source_type', v.source_type)}</version>"
        for n, v in enumerate(paper.versions, 1)
    )
    return (
        f"{_schema('arXivRaw')}<id>{paper.paper_id}</id>"
        f"<submitter>{escape(paper.submitter)}</submitter>{versions}"
        f"<title>{escape(paper.title)}</title><authors>{escape(paper.authors)}</authors>"
        f"<categories>{paper.categories}</categories>{_tail(paper)}</arXivRaw>"
    )


def _arxiv(paper: OaiPaper) -> str:
    # record_formats.xml:56-108: the current version only. `<created>` is the current
    # version's submission day (`current_meta.created`, :59), not the first version's;
    # `<updated>` the row's `updated` column, when set (:60-62); authors split (:63-75),
    # `<forenames>` only when there are some.
    authors = "".join(
        f"<author><keyname>{escape(name.split()[-1])}</keyname>"
        f"{_optional('forenames', ' '.join(name.split()[:-1]))}</author>"
        for name in re.split(r",\s*|\s+and\s+", paper.authors)
    )
    updated = f"<updated>{paper.updated:%Y-%m-%d}</updated>" if paper.updated else ""
    return (
        f"{_schema('arXiv')}<id>{paper.paper_id}</id>"
        f"<created>{paper.versions[-1].created:%Y-%m-%d}</created>{updated}"
        f"<authors>{authors}</authors>"
        f"<title>{escape(paper.title)}</title><categories>{paper.categories}</categories>"
        f"{_tail(paper)}</arXiv>"
    )


def _handler(standin: OaiStandin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            lists = parse_qs(url.query, keep_blank_values=True)
            params = {k: v[-1] for k, v in lists.items()}
            standin.requests.append(params)
            if url.path != "/oai":
                self.send_error(404)
                return
            reply = standin.reply(params, repeated=any(len(v) > 1 for v in lists.values()))
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
        repeated = len(request.url.params.multi_items()) > len(params)
        reply = standin.reply(params, repeated=repeated)
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


def main(argv: list[str]) -> None:
    """Serve on 127.0.0.1 until interrupted: the recorded papers, or a synthetic arXiv."""
    parser = argparse.ArgumentParser(prog="python -m tests.oai_standin")
    parser.add_argument("port", nargs="?", type=int, default=8766)
    parser.add_argument("--synthetic", type=int, metavar="N", help="serve N synthetic papers")
    parser.add_argument("--seed", type=int, default=0, help="the synthetic arXiv's seed")
    args = parser.parse_args(argv)
    today = datetime.now(UTC).date()
    standin = OaiStandin(today=today)
    if args.synthetic is None:
        standin.add(*recorded())
        served = f"{len(standin.papers)} recorded papers"
    else:
        from tests.oai_synthetic import SyntheticArxiv  # noqa: PLC0415 (it imports this module)

        standin.synthetic = SyntheticArxiv(args.synthetic, seed=args.seed, today=today)
        served = f"{len(standin.synthetic):,} synthetic papers (seed {args.seed})"
    server = ThreadingHTTPServer(("127.0.0.1", args.port), _handler(standin))
    print(
        f"serving {served} at http://127.0.0.1:{args.port}/oai (answering as arXiv/oaipmh does)",
        flush=True,
    )
    server.serve_forever()


if __name__ == "__main__":
    # Run from the importable module, so that tests.oai_synthetic, which imports it, and
    # this server share its classes (not those of a second copy named __main__).
    from tests import oai_standin  # noqa: PLW0406 (the module, not this __main__ copy)

    oai_standin.main(sys.argv[1:])
