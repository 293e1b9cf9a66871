"""Atom 1.0 feeds of the site (RFC 4287): a topic's newest papers, or all topics' together.

A feed is made from the stored records alone, so the same data gives the same bytes:
its `updated` is the newest entry's, never the time of the build. An entry's id is the
paper's abstract page without a version, so a new version updates the entry a reader
already has instead of adding one.

Written with lxml rather than feedgen: feedgen 1.0.0 drops the `rel` and `type` of an
entry's links (its `atom_entry` shadows the link it reads), which leaves two `alternate`
links of one type, invalid Atom.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, time
from urllib.parse import quote

from lxml import etree

from harvester import __version__
from harvester.models import Paper, flat_line

ATOM = "http://www.w3.org/2005/Atom"
NEWEST = 100
"""Papers per feed: the newest, in file order (`published`, then id)."""


def text(value: str) -> str:
    """`value` as text any page or feed can hold: one line (`models.flat_line`: control
    characters as their escapes, `\\x00`, which XML 1.0 cannot carry at all), and a lone
    surrogate, which UTF-8 cannot encode, or a noncharacter (`\\ufffe`, which XML 1.0
    cannot carry either, and the 64 others) as its escape (`\\ud800`).

    A record may hold any of them (an import takes the text as it is, and so do the
    exports, which can carry it): this is the one place where the site and its feeds
    make it text they can carry.
    """
    line = flat_line(value)
    if line.isprintable():
        return line
    return "".join(f"\\u{ord(c):04x}" if _unwritable(c) else c for c in line)


def _unwritable(char: str) -> bool:
    """A lone surrogate or a noncharacter (U+FDD0 to U+FDEF, and the last two code points
    of every plane: U+FFFE, U+FFFF, U+1FFFE, ...)."""
    code = ord(char)
    return 0xD800 <= code <= 0xDFFF or 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def abs_url(paper: Paper) -> str:
    """The abstract page to link: the record's `url` when it is a web address, else the
    arXiv page made from its id (a hand-edited `javascript:` or `data:` URL is never a link)."""
    return _web(paper.url, f"https://arxiv.org/abs/{paper.arxiv_id}")


def pdf_url(paper: Paper) -> str:
    """The PDF to link, as `abs_url` chooses."""
    return _web(paper.pdf_url, f"https://arxiv.org/pdf/{paper.arxiv_id}")


def doi_url(doi: str) -> str:
    """The doi.org link of one DOI (one of `Paper.dois`).

    The DOI is percent-encoded as the DOI Handbook asks of a DOI in a URL (section
    2.5.2.4: `%`, `"`, `#`, `?`, `<`, `>`, `{`, `}`, `[`, `]`, `+` and the like), so
    that none ends the path early or leaves the URL; `/`, `:`, `;` and `(` `)`, frequent
    in DOIs (`10.1002/(SICI)1097-...`), stay as they are.
    """
    return "https://doi.org/" + quote(text(doi), safe="/:;()!$&'*,=@")


def _web(url: str, fallback: str) -> str:
    return url if url.startswith(("https://", "http://")) else fallback


def newest(papers: Iterable[Paper], count: int = NEWEST) -> list[Paper]:
    """The `count` newest papers, newest first; a paper in several topics once."""
    unique = {p.key: p for p in sorted(papers, key=Paper.sort_key)}
    return sorted(unique.values(), key=Paper.sort_key, reverse=True)[:count]


def changed_at(paper: Paper) -> datetime:
    """When this version appeared: `updated`, or midnight UTC of `published` without one."""
    return paper.updated or datetime.combine(paper.published, time(), tzinfo=UTC)


def atom(
    papers: Iterable[Paper], *, name: str, title: str, page: str, empty_updated: datetime
) -> bytes:
    """An Atom feed of the newest `NEWEST` of `papers`.

    Args:
        papers: the papers to choose from, in any order.
        name: what the feed is of (a topic's name, or `all`): its id is made from it.
        title: the feed's title.
        page: the site page the feed is of, relative to the feed.
        empty_updated: the feed's `updated` when it has no entries.
    """
    chosen = newest(papers)
    feed = etree.fromstring(f'<feed xmlns="{ATOM}" xml:lang="en"/>'.encode())
    _add(feed, "id", uuid.uuid5(uuid.NAMESPACE_URL, f"arxiv-harvester:feed:{name}").urn)
    _add(feed, "title", title)
    updated = max((changed_at(p) for p in chosen), default=empty_updated)
    _add(feed, "updated", _stamp(updated))
    author = _add(feed, "author")  # Atom wants an author where an entry has none
    _add(author, "name", "arxiv-harvester")
    _add(feed, "link", href="feed.xml", rel="self", type="application/atom+xml")
    _add(feed, "link", href=page, rel="alternate", type="text/html")
    _add(feed, "generator", "arxiv-harvester", version=__version__)
    for paper in chosen:
        entry = _add(feed, "entry")
        _add(entry, "id", f"https://arxiv.org/abs/{paper.key}")
        _add(entry, "title", paper.title)
        _add(entry, "updated", _stamp(changed_at(paper)))
        _add(entry, "published", _stamp(datetime.combine(paper.published, time(), tzinfo=UTC)))
        for name_ in paper.authors:
            _add(_add(entry, "author"), "name", name_)
        _add(entry, "link", href=abs_url(paper), rel="alternate", type="text/html")
        _add(entry, "link", href=pdf_url(paper), rel="related", type="application/pdf", title="PDF")
        for category in paper.categories:
            _add(entry, "category", term=category)
        _add(entry, "summary", paper.summary)
    data: bytes = etree.tostring(feed, encoding="UTF-8", xml_declaration=True, pretty_print=True)
    return data


def _add(
    parent: etree._Element, tag: str, value: str | None = None, **attrs: str
) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ATOM}}}{tag}", {k: text(v) for k, v in attrs.items()})
    element.text = None if value is None else text(value)
    return element


def _stamp(moment: datetime) -> str:
    """RFC 3339 in UTC, as Atom's date constructs want: `2026-04-03T17:01:05Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
